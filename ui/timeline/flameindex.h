#pragma once
// The flame view's layout of a recording, widget-free: every event a slice on
// the row of its nesting level (action 0, signal 1, receiver 2, ...), in one
// of two time modes:
//  - logical: event i begins at slot i and ends after its last descendant, so
//    every event is one slot wide however long it took (receivers take
//    microseconds: in wall-clock time most would be invisible);
//  - wall clock: nanoseconds since the recording started.
// Events begin in index order and never overlap on their row, so each row is
// a sorted list and a visible range is two binary searches away. visit()
// hands out what to draw with the level-of-detail rule: slices narrower than
// a pixel are merged into one run per pixel, so a draw costs O(rows x pixels),
// not O(events) — a million events draw as fast as a thousand.
//
// Appending is O(nesting depth) per event (the ancestors' logical ends grow).

#include <QVector>
#include <functional>
#include <vector>

namespace ss {

class TraceRecorder;

class FlameIndex
{
public:
    enum class Mode { Logical, WallClock };

    explicit FlameIndex(const TraceRecorder *recorder);

    void setMode(Mode mode) { m_mode = mode; }
    Mode mode() const { return m_mode; }
    const TraceRecorder *recorder() const { return m_recorder; }

    void append(int first, int last);       // the bridge's eventsAppended
    void clear();
    int count() const { return int(m_level.size()); }
    // The recorder was cleared behind the bridge's back and the bridge has not
    // said so yet: nothing here may be read until clear().
    bool isStale() const;

    int levels() const { return int(m_rows.size()); }
    int levelOf(int event) const { return m_level[size_t(event)]; }
    const std::vector<int> &row(int level) const { return m_rows[size_t(level)]; }
    int logicalEnd(int event) const { return m_end[size_t(event)]; }

    double start(int event) const;
    double end(int event) const;            // open events: now (wall clock)
    // Wall clock: ns of the recorder's clock at the run's first event (time 0 here).
    qint64 origin() const;
    double total() const;                   // the end of the last event

    // One thing to draw: an event wide enough to see, or a run of events
    // that each are less than a pixel wide (`count` > 1 or `merged`).
    struct Slice
    {
        int event;                          // the first event of the run
        int count;
        double start;
        double end;
        bool merged;
    };
    // Calls `draw` for what of `level` lies in [t0, t1), left to right, at
    // `unitsPerPixel`. Returns how many slices it handed out.
    int visit(int level, double t0, double t1, double unitsPerPixel, const std::function<void(const Slice &)> &draw) const;

    // The event at `time` on `level` (within `slack` units), -1 when none.
    int eventAt(int level, double time, double slack = 0) const;
    // Position of `event` in its row.
    int positionInRow(int event) const;

private:
    int firstEndingAfter(const std::vector<int> &row, int from, double t) const;
    int firstStartingAt(const std::vector<int> &row, int from, double t) const;

    const TraceRecorder *m_recorder;
    Mode m_mode = Mode::Logical;
    std::vector<short> m_level;
    std::vector<int> m_end;                 // logical end (exclusive)
    std::vector<std::vector<int>> m_rows;
};

} // namespace ss
