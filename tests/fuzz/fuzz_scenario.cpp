// libFuzzer: the scenario loader (inline schemas included) must refuse any
// input cleanly. A scenario that loads is also run, on an in-memory database:
// whatever it asks, the engine reports errors as trace lines, never crashes.
#include "formats/loaders.h"
#include "session/scenariorunner.h"
#include "trace/traceexport.h"
#include "trace/tracerecorder.h"

#include <QBuffer>
#include <QByteArray>
#include <QCoreApplication>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    ss::LoadError error;
    auto scenario = ss::parseScenario(bytes, QStringLiteral("/nonexistent/fuzz.scenario.json"), &error);
    if (!scenario) {
        if (error.message.isEmpty())
            __builtin_trap();
        return 0;
    }
    if (scenario->steps.size() > 64)
        return 0;   // keep each run short
    try {
        ss::TraceRecorder recorder;
        ss::ScenarioRunner runner(std::move(*scenario));
        runner.engine().dispatch().addListener(&recorder);
        runner.runAll();
        runner.engine().dispatch().removeListener(&recorder);
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        ss::writeCanonicalJsonl(recorder, out);
    } catch (const ss::DjangoError &) {
        // The database could not be opened: not the input's fault.
    }
    return 0;
}
