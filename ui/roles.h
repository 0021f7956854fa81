#pragma once
// Roles and columns shared by the SignalScope item models and their views.

#include <Qt>

namespace ss {

namespace TimelineColumn {
enum : int { Event, Sender, Instance, Arguments, Time, Duration, Count };
}

enum TimelineRole : int {
    EventIndexRole = Qt::UserRole + 1,  // int: index into the TraceRecorder
    EventKindRole,                      // int: TraceEventKind
    SignalNameRole,                     // QString: the send's signal ("" for other kinds)
    SenderNameRole,                     // QString: sender model / app label
    LoopMarkRole,                       // int: LoopMark
    LoopTextRole,                       // QString: the cycle in words, empty when none
    SearchTextRole,                     // QString: everything searchable in the row
    FailedRole,                         // bool
};

enum RecordRole : int {
    PkRole = Qt::UserRole + 101,        // QVariant: the row's primary key
    FieldNameRole,                      // QString: the column's field name
    RawValueRole,                       // QCborValue as QVariant: the stored value
};

} // namespace ss
