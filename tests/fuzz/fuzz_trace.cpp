// libFuzzer: the canonical trace reader must reject malformed lines cleanly.
#include "trace/traceexport.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const ss::CanonicalTrace trace = ss::readCanonicalJsonl(bytes);
    if (!trace.ok() && trace.errorLine <= 0 && trace.error.isEmpty())
        __builtin_trap();
    return 0;
}
