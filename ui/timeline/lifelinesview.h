#pragma once
// Lifelines: one row per instance (LifelineIndex) on the flame view's time
// axis (shared ZoomState and time mode), a tick shaped by signal kind for
// every signal about it — circle init, square save, diamond delete, filled for
// post_, hollow for pre_ — m2m_changed as a connector between the two
// instances' lanes, each post_delete crossed and numbered in its action's
// delete order. Only lanes alive in the visible window are listed, so zooming
// onto one action shows the instances it touched.
//
// Mouse as in the flame view (wheel zoom, drag pan, click selects); F fits the
// selection's action, 0 fits all.

#include "dragpan.h"
#include "filterdimming.h"

#include <QWidget>

class QScrollBar;

namespace ss {

class EventSelection;
class FlameIndex;
class LifelineIndex;
class TimelineFilter;
class ZoomState;

class LifelinesView : public QWidget
{
    Q_OBJECT
public:
    LifelinesView(const FlameIndex *time, LifelineIndex *lanes, ZoomState *zoom, EventSelection *selection,
                  QWidget *parent = nullptr);

    static constexpr int LabelWidth = 150;
    static constexpr int RulerHeight = 4;
    static constexpr int RowHeight = 20;

    // Lanes alive in the visible window, in the order listed.
    QVector<int> shownLanes() const;
    int eventAt(const QPoint &pos) const;
    QPointF tickPos(int lane, int event) const;     // in widget coordinates; null when not shown
    // The tree's filters: the ticks of what they hide are drawn faint.
    void setFilter(const TimelineFilter *filter);
    bool isDimmed(int event) const;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    int plotWidth() const;
    double xOf(int event) const;

    const FlameIndex *m_time;
    LifelineIndex *m_lanes;
    ZoomState *m_zoom;
    EventSelection *m_selection;
    FilterDimming m_dimming;
    QScrollBar *m_rows;
    DragPan m_drag;
};

} // namespace ss
