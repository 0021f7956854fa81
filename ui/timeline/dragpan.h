#pragma once
// Drag to pan, click to select: the mouse of both painted views. A press
// remembers where the visible range started; a move of 4 px or more with the
// left button pans the shared ZoomState by the pixels moved; a release that
// ended no drag is a click.

#include "zoomstate.h"

#include <QMouseEvent>

namespace ss {

class DragPan
{
public:
    void press(QPoint pos, const ZoomState &zoom)
    {
        m_pressPos = pos;
        m_pressStart = zoom.visible().start;
        m_dragging = false;
    }

    // True while the move pans the view.
    bool move(const QMouseEvent *event, ZoomState &zoom, double plotWidth)
    {
        if (!(event->buttons() & Qt::LeftButton))
            return false;
        const QPoint d = event->pos() - m_pressPos;
        if (!m_dragging && d.manhattanLength() < 4)
            return false;
        m_dragging = true;
        const double start = m_pressStart - d.x() * zoom.mapping(plotWidth).unitsPerPixel();
        zoom.setVisible(start, start + zoom.visible().span());
        return true;
    }

    // True when the release ends a left click rather than a drag.
    bool release(const QMouseEvent *event)
    {
        const bool click = !m_dragging && event->button() == Qt::LeftButton;
        m_dragging = false;
        return click;
    }

private:
    QPoint m_pressPos;
    double m_pressStart = 0;
    bool m_dragging = false;
};

} // namespace ss
