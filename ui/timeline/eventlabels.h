#pragma once
// Short texts of one event for the painted views: what fits inside a bar
// (`post_save User 3`, `→ create_billing_profile`), the instance a send is
// about, and times relative to the start of the event's action.

#include <QCborValue>
#include <QString>

namespace ss {

class TraceRecorder;

// The send's `instance` argument (Undefined when it has none), decoded alone.
QCborValue sendInstance(const TraceRecorder &recorder, int event);
// "User 3", "User (unsaved)", empty when the event is not about an instance.
QString instanceLabel(const TraceRecorder &recorder, int event);
QString sliceLabel(const TraceRecorder &recorder, int event);
// The enclosing top-level action (the event itself when it is one).
int actionOf(const TraceRecorder &recorder, int event);
// "+1.234 ms", "+12 µs": ns as a short duration.
QString durationText(qint64 ns);
// Several lines: the label, sender, times relative to the action, loop, error.
QString eventToolTip(const TraceRecorder &recorder, int event);

} // namespace ss
