// Long runs hold steady memory. One instance saved over and over (a pre_save
// and a post_save receiver each, one of which notifies), 1,000,000 events:
//   - recorded: the process grows by what the recorder keeps, and by nothing
//     else (resident set growth per event close to recorder.memoryBytes() per
//     event, ~76 B; target <= 150 B);
//   - not recorded: the process does not grow at all.
// Prints bytes per event. In sanitizer builds (whose allocator keeps freed
// memory in quarantine) the run is shorter and resident sizes are only
// reported.
#include "enginetestutil.h"
#include "trace/tracerecorder.h"

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_SANITIZED 1
#endif
#endif
#ifndef SS_SANITIZED
#define SS_SANITIZED 0
#endif

using namespace ss;
using namespace sst;

namespace {

const QByteArray kScenario = R"({"format": "signalscope-scenario/1", "name": "long run",
 "schema": {"format": "signalscope-schema/1", "app": "long", "models": [
   {"name": "Counter", "fields": [{"name": "n", "type": "int", "default": 0}, {"name": "label", "type": "char", "max_length": 20}]}],
  "receivers": [
   {"name": "watch", "signal": "pre_save", "sender": "Counter", "do": [{"set": {"label": "seen"}}]},
   {"name": "tell", "signal": "post_save", "sender": "Counter", "do": [{"notify": "saved {instance.pk} created={created}"}]}]},
 "steps": [{"op": "create", "model": "Counter", "values": {"n": 1}, "as": "c"}]})";

qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * ::sysconf(_SC_PAGESIZE) : -1;
}

qint64 targetEvents() { return SS_SANITIZED ? 200'000 : 1'000'000; }

} // namespace

class TestLongRun : public QObject
{
    Q_OBJECT

    // Saves the instance until `listener` counted `events` events (or, with
    // no recorder, as many saves as that took with one); returns the saves.
    struct Run { qint64 saves = 0; qint64 rssWarm = 0; qint64 rssEnd = 0; qint64 eventsWarm = 0; qint64 ms = 0; };

    Run run(TraceRecorder *recorder, qint64 saves)
    {
        LoadError error;
        std::optional<ScenarioDecl> decl = parseScenario(kScenario, QStringLiteral("long.scenario.json"), &error);
        if (!decl)
            qFatal("%s", qPrintable(error.toString()));
        Run r;
        ScenarioRunner runner(std::move(*decl));
        if (recorder)
            runner.engine().dispatch().addListener(recorder);
        runner.open();
        runner.runAll();
        const InstancePtr counter = runner.bound(QStringLiteral("c"));
        QElapsedTimer timer;
        timer.start();
        const qint64 warm = saves / 10;
        for (qint64 i = 0; i < saves; ++i) {
            if (i == warm) {
                r.rssWarm = residentBytes();
                r.eventsWarm = recorder ? recorder->count() : 0;
            }
            runner.engine().save(counter);
        }
        r.rssEnd = residentBytes();
        r.ms = timer.elapsed();
        r.saves = saves;
        if (recorder)
            runner.engine().dispatch().removeListener(recorder);
        return r;
    }

private Q_SLOTS:
    void recordedMillionEvents()
    {
        TraceRecorder recorder;
        // Events per save, from a short run first.
        qint64 perSave = 0;
        {
            TraceRecorder probe;
            run(&probe, 100);
            perSave = (probe.count() - 5) / 100;   // less the create step's own events
        }
        QVERIFY(perSave >= 3);
        const qint64 saves = targetEvents() / perSave + 1;
        const Run r = run(&recorder, saves);
        QVERIFY(recorder.count() >= targetEvents());
        const double recorderPerEvent = double(recorder.memoryBytes()) / recorder.count();
        const double rssPerEvent = double(r.rssEnd - r.rssWarm) / double(recorder.count() - r.eventsWarm);
        qInfo("recorded %d events in %lld ms: recorder %.1f B/event, resident set growth %.1f B/event (%lld -> %lld MB)",
              recorder.count(), r.ms, recorderPerEvent, rssPerEvent, r.rssWarm >> 20, r.rssEnd >> 20);
        QVERIFY2(recorderPerEvent <= 150, qPrintable(QString::number(recorderPerEvent)));
        if (!SS_SANITIZED) {
            // The process grows by the recording and little else (chunks are
            // allocated ahead, so the slope is measured after a warm-up).
            QVERIFY2(rssPerEvent <= 1.5 * recorderPerEvent + 16, qPrintable(QString::number(rssPerEvent)));
        }
    }

    void unrecordedRunStaysFlat()
    {
        const qint64 saves = targetEvents() / 3;
        const Run r = run(nullptr, saves);
        const qint64 growth = r.rssEnd - r.rssWarm;
        qInfo("%lld saves unrecorded in %lld ms: resident set %lld -> %lld KB (%.2f B/save)", r.saves, r.ms,
              r.rssWarm >> 10, r.rssEnd >> 10, double(growth) / double(saves));
        if (!SS_SANITIZED)
            QVERIFY2(growth < 4 * 1024 * 1024, qPrintable(QString::number(growth)));
    }
};

QTEST_GUILESS_MAIN(TestLongRun)
#include "tst_longrun.moc"
