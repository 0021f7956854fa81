#include "overviewstrip.h"

#include "flameindex.h"
#include "slicestyle.h"
#include "zoomstate.h"

#include <QMouseEvent>
#include <QPainter>

namespace ss {

OverviewStrip::OverviewStrip(const FlameIndex *index, ZoomState *zoom, QWidget *parent)
    : QWidget(parent), m_index(index), m_zoom(zoom)
{
    setObjectName(QStringLiteral("overviewStrip"));
    setToolTip(tr("The whole run; the frame is what the flame view shows. Click or drag to move it."));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(zoom, &ZoomState::visibleChanged, this, qOverload<>(&QWidget::update));
}

void OverviewStrip::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::AlternateBase));
    const double total = std::max(m_zoom->total(), m_zoom->minimumSpan());
    const TimeToX map{0, total, double(width())};
    const int rows = m_index->isStale() ? 0 : std::min(m_index->levels(), 4);
    const double rowHeight = rows ? double(height() - 2) / rows : 0;
    for (int level = 0; level < rows; ++level) {
        const double y = 1 + level * rowHeight;
        m_index->visit(level, 0, total, map.unitsPerPixel(), [&](const FlameIndex::Slice &s) {
            const double x0 = map.x(s.start), x1 = map.x(s.end);
            p.fillRect(QRectF(x0, y, std::max(x1 - x0, 1.0), rowHeight - 1), sliceColor(*m_index->recorder(), s.event));
        });
    }
    // Dim what is outside the window, frame the window.
    const ZoomState::Range v = m_zoom->visible();
    const double x0 = map.x(v.start), x1 = std::max(map.x(v.end), x0 + 3);
    QColor shade = pal.color(QPalette::Base);
    shade.setAlpha(150);
    p.fillRect(QRectF(0, 0, x0, height()), shade);
    p.fillRect(QRectF(x1, 0, width() - x1, height()), shade);
    p.setPen(QPen(pal.color(QPalette::Highlight), 2));
    p.drawRect(QRectF(x0, 1, x1 - x0, height() - 2));
}

void OverviewStrip::centreAt(double x)
{
    const double total = std::max(m_zoom->total(), m_zoom->minimumSpan());
    const double t = x / std::max(1, width()) * total;
    const double span = m_zoom->visible().span();
    m_zoom->setVisible(t - span / 2, t + span / 2);
}

void OverviewStrip::mousePressEvent(QMouseEvent *event)
{
    centreAt(event->position().x());
}

void OverviewStrip::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        centreAt(event->position().x());
}

} // namespace ss
