#include "dispatch/namekeys.h"

#include <QHash>
#include <QMutex>

namespace ss {

quint32 NameKeys::keyOf(const QString &text)
{
    static QMutex mutex;
    static QHash<QString, quint32> keys;
    const QMutexLocker lock(&mutex);
    const auto it = keys.constFind(text);
    if (it != keys.constEnd())
        return it.value();
    const quint32 key = quint32(keys.size()) + 1;
    // A copy of the text: raw data may change after this call.
    keys.insert(QString(text.constData(), text.size()), key);
    return key;
}

} // namespace ss
