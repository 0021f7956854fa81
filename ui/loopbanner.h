#pragma once
// The banner above a timeline listing every loop the recorder found, one line
// each, with the usual fixes in one sentence. Shared by the main window (a
// simulated run) and the recorded-run window (a real process): a loop is the
// same thing in both, so it reads the same.

#include <QVector>

class QLabel;

namespace ss {

struct DetectedLoop;

// Fills `banner` with `loops` and shows it (hidden when there are none).
// `maxDepth` is the recursion bound named for a stopped loop (a real process
// has none: its loops are never stopped, Python's stack is).
void showLoopBanner(QLabel *banner, const QVector<DetectedLoop> &loops, int maxDepth);

} // namespace ss
