#pragma once
// The visible stretch of the timeline, shared by every view that draws the
// same recording (flame view, overview strip, lifelines), with a history for
// "back" (as Hotspot's FilterAndZoomStack). Units are whatever the views lay
// events out in: event slots (logical time) or nanoseconds (wall clock).
// Widget-free, so tests drive it directly.
//
// Following: while the visible window shows the end of the recording, it
// keeps showing it as the recording grows (a window showing all of it keeps
// showing all of it); zooming or panning away from the end stops following,
// fitting all or panning back to the end starts it again.

#include <QObject>
#include <QVector>

namespace ss {

// Time <-> x for a view `width` pixels wide showing [start, end).
struct TimeToX
{
    double start = 0;
    double end = 1;
    double width = 1;

    double unitsPerPixel() const { return (end - start) / (width > 0 ? width : 1); }
    double x(double time) const { return (time - start) / unitsPerPixel(); }
    double time(double x) const { return start + x * unitsPerPixel(); }
};

class ZoomState : public QObject
{
    Q_OBJECT
public:
    struct Range
    {
        double start = 0;
        double end = 0;
        double span() const { return end - start; }
        bool operator==(const Range &o) const { return start == o.start && end == o.end; }
    };

    explicit ZoomState(QObject *parent = nullptr);

    double total() const { return m_total; }
    Range visible() const { return m_visible; }
    TimeToX mapping(double width) const { return {m_visible.start, m_visible.end, width}; }
    bool isFollowing() const { return m_following; }
    // The smallest span a zoom reaches (one event slot, one microsecond...).
    void setMinimumSpan(double span) { m_minSpan = span > 0 ? span : 1; }
    double minimumSpan() const { return m_minSpan; }

    // The recording grew (or shrank, or the units changed: `reset` forgets
    // the window and the history and shows everything).
    void setTotal(double total, bool reset = false);

    // User moves. Every one clamps to [0, total] and keeps the minimum span.
    void setVisible(double start, double end);
    void zoomAround(double anchor, double factor);      // factor < 1 zooms in
    void panBy(double delta);
    // Remembered moves: back() returns to the window before them.
    void fit(double start, double end);                 // with a small margin
    void fitAll();
    bool canGoBack() const { return !m_history.isEmpty(); }
    void back();

Q_SIGNALS:
    void visibleChanged();

private:
    void apply(Range range, bool remember);

    double m_total = 0;
    double m_minSpan = 1;
    Range m_visible{0, 1};
    bool m_following = true;
    QVector<Range> m_history;
};

} // namespace ss
