#pragma once
// Exporting a recording from a window, one home for the main window and a
// recorded run: the save dialog (canonical JSON Lines, CSV or Trace Event
// JSON; the folder used last), the whole trace or only the subtrees of the
// rows selected in the tree (an action and everything it caused), written
// atomically so that a failed write leaves no half file, and the outcome said
// (a warning naming the file, or the status bar).

#include "trace/traceexport.h"

#include <QString>

class QItemSelectionModel;
class QMainWindow;

namespace ss {

class TraceRecorder;

// Writes `recorder` in `format` to `path`: every event when `selection` is
// null, else the subtrees of its selected rows (EventIndexRole). False with
// `error` saying why (nothing selected, or the file and the system's reason).
bool exportRecording(const TraceRecorder &recorder, const QItemSelectionModel *selection, TraceFormat format,
                     const QString &path, QString *error = nullptr);

// File ▸ Export: asks for the file (offering `suggestedName` in the last
// folder), writes it as exportRecording, and tells the user in `window`.
void exportWithDialog(QMainWindow *window, const TraceRecorder &recorder, const QItemSelectionModel *selection,
                      const QString &suggestedName);

} // namespace ss
