// libFuzzer: the schema loader must refuse any input cleanly, never crash.
#include "formats/loaders.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    ss::LoadError error;
    const auto schema = ss::parseSchema(bytes, QStringLiteral("fuzz.schema.json"), &error);
    if (!schema && error.message.isEmpty())
        __builtin_trap();   // a refusal must always say why
    return 0;
}
