#pragma once
// The timeline tree as both windows show it (the main window's timeline and a
// recorded run's): uniform rows, nesting that keeps deep labels in view, the
// Time column drawn relative to the run, and the columns' widths: the event
// and its key arguments first, since they are what a learner reads; time and
// duration after them.

class QTabWidget;
class QTreeView;

namespace ss {

class TimelineController;
class TraceRecorder;

// `eventWidth`: the first column's width (a recorded run's receivers carry
// file:line and get more).
void setUpTimelineTree(QTreeView *tree, const TraceRecorder *recorder, int eventWidth);

// What the filters leave ("68 of 223 shown", "No match"), at the right of the
// views' tab bar, where it is in view whichever view is shown.
void showShownSummary(QTabWidget *views, TimelineController *controller);

} // namespace ss
