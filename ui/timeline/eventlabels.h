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
// Times that mean something to the user: from the start of the run (its
// first recorded event, not the recorder's clock, which started with the
// window) and from the start of the event's action.
qint64 nsIntoRun(const TraceRecorder &recorder, int event);
qint64 nsIntoAction(const TraceRecorder &recorder, int event);
// The tree's Time column, in ms: an action's time into the run ("1.250"),
// anything nested its time into its action ("+0.041").
QString timeCellText(const TraceRecorder &recorder, int event);
// In words: "+41.0 µs into its action (which began 1.25 ms into the run), took 12.3 µs".
QString whenText(const TraceRecorder &recorder, int event);
// Several lines: the label, sender, times relative to the action, loop, error.
QString eventToolTip(const TraceRecorder &recorder, int event);

} // namespace ss
