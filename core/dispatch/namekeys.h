#pragma once
// Process-wide keys for the names objects keep for their whole life: a
// signal's name, a connected receiver's label. The object asks once (when it
// is made) and hands the key with every event, so a listener that gives names
// its own ids (the recorder's string table) maps the key through a plain array
// instead of looking the text up on every send and every receiver call.
//
// A key stands for one text forever: the same text always gets the same key,
// so keys stay few (one per distinct name). 0 means "no key": the listener
// looks the text up as before (events made by hand, imported runs).
// Thread-safe: engines on different threads may connect at the same time.

#include <QString>

namespace ss {

namespace NameKeys {

quint32 keyOf(const QString &text);     // >= 1

} // namespace NameKeys

} // namespace ss
