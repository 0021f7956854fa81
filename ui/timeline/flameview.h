#pragma once
// The flame view: the recording as nested slices (Perfetto's and Qt Creator's
// timeline), each action a bar, the signals it sent under it, each receiver
// under its signal, what the receiver did under the receiver. Coloured by
// signal kind; loops as amber (re-entry) or red (recursion bound) bands across
// the loop; errors marked. It draws only what is visible and merges what is
// narrower than a pixel (FlameIndex::visit), and follows a live run through
// the shared ZoomState.
//
// Mouse: wheel zooms around the cursor, Shift+wheel scrolls the rows, drag
// pans, click selects, double-click fits the slice. Keys: `,`/`.` previous /
// next event, Up/Down parent / first child, Left/Right previous / next slice
// on the row, F fit the selection, 0 fit all, W/S zoom, A/D pan, Backspace
// back to the previous fit.

#include "dragpan.h"

#include "flameindex.h"
#include "filterdimming.h"
#include "zoomstate.h"

#include <QHash>
#include <QRectF>
#include <QRgb>
#include <QVector>
#include <QWidget>

class QScrollBar;

namespace ss {

class EventSelection;
class TimelineFilter;
class ZoomState;

class FlameView : public QWidget
{
    Q_OBJECT
public:
    FlameView(const FlameIndex *index, ZoomState *zoom, EventSelection *selection, QWidget *parent = nullptr);

    static constexpr int RulerHeight = 18;
    static constexpr int RowHeight = 20;

    // The event drawn at `pos` (widget coordinates), -1 when none.
    int eventAt(const QPoint &pos) const;
    // Where `event` is drawn (may lie outside the widget).
    QRectF sliceRect(int event) const;
    // The tree's filters (kinds, model, search): what they hide is drawn
    // dimmed, so the picture keeps its shape and shows where the matches are.
    void setFilter(const TimelineFilter *filter);
    bool isDimmed(int event) const;
    int firstVisibleLevel() const;
    void scrollToLevel(int level);
    // How many slices the last paint drew (merged runs count once).
    int lastPaintSlices() const { return m_lastSlices; }
    // The labels the last paint wrote: inside their bar when it is wide
    // enough, else beside it in the free room on its row.
    struct DrawnLabel
    {
        int event;
        QRectF rect;
    };
    const QVector<DrawnLabel> &lastPaintLabels() const { return m_lastLabels; }

public Q_SLOTS:
    void revealCurrent();           // pans and scrolls until the current event is in view
    void fitCurrent();
    void forgetColors() { m_colors.clear(); }   // the recording was cleared: its string ids mean other names

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    int plotWidth() const;
    void updateScrollBar();
    void step(int event);
    void paintRuler(QPainter &p, const TimeToX &map);
    void paintLoops(QPainter &p, const TimeToX &map, int firstLevel, int lastLevel);

    QRgb colorOf(int event, bool merged) const;

    const FlameIndex *m_index;
    mutable QHash<quint64, QRgb> m_colors;  // (kind, signal name id, merged, dimmed) -> colour: no HSV maths per slice
    FilterDimming m_dimming;
    ZoomState *m_zoom;
    EventSelection *m_selection;
    QScrollBar *m_rows;
    DragPan m_drag;
    int m_lastSlices = 0;
    QVector<DrawnLabel> m_lastLabels;
};

} // namespace ss
