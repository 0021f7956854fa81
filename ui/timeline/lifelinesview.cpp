#include "lifelinesview.h"

#include "eventlabels.h"
#include "eventselection.h"
#include "flameindex.h"
#include "lifelineindex.h"
#include "signalstyle.h"
#include "slicestyle.h"
#include "timelinefilter.h"
#include "trace/tracerecorder.h"
#include "zoomstate.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace ss {

LifelinesView::LifelinesView(const FlameIndex *time, LifelineIndex *lanes, ZoomState *zoom, EventSelection *selection,
                             QWidget *parent)
    : QWidget(parent), m_time(time), m_lanes(lanes), m_zoom(zoom), m_selection(selection),
      m_rows(new QScrollBar(Qt::Vertical, this))
{
    setObjectName(QStringLiteral("lifelinesView"));
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(m_rows, &QScrollBar::valueChanged, this, qOverload<>(&QWidget::update));
    connect(zoom, &ZoomState::visibleChanged, this, qOverload<>(&QWidget::update));
    connect(selection, &EventSelection::currentChanged, this, qOverload<>(&QWidget::update));
}

int LifelinesView::plotWidth() const
{
    return std::max(1, width() - LabelWidth - (m_rows->isVisible() ? m_rows->width() : 0));
}

double LifelinesView::xOf(int event) const
{
    return LabelWidth + m_zoom->mapping(plotWidth()).x(m_time->start(event) + 0.5 * (m_time->mode() == FlameIndex::Mode::Logical));
}

void LifelinesView::resizeEvent(QResizeEvent *)
{
    m_rows->setGeometry(width() - m_rows->sizeHint().width(), 0, m_rows->sizeHint().width(), height());
}

QVector<int> LifelinesView::shownLanes() const
{
    m_lanes->catchUp();
    QVector<int> shown;
    if (m_time->isStale())
        return shown;
    const ZoomState::Range v = m_zoom->visible();
    const std::vector<Lane> &lanes = m_lanes->lanes();
    const int known = m_time->count();
    for (int i = 0; i < int(lanes.size()); ++i) {
        const Lane &l = lanes[size_t(i)];
        if (l.ticks.empty() || l.lastEvent() >= known)
            continue;                                   // the time index has not caught up yet
        if (m_time->start(l.lastEvent()) + 1e-9 >= v.start && m_time->start(l.firstEvent()) <= v.end)
            shown.append(i);
    }
    return shown;
}

QPointF LifelinesView::tickPos(int lane, int event) const
{
    const QVector<int> shown = shownLanes();
    const int row = shown.indexOf(lane) - m_rows->value();
    if (row < 0)
        return {};
    return QPointF(xOf(event), RulerHeight + row * RowHeight + RowHeight / 2.0);
}

void LifelinesView::setFilter(const TimelineFilter *filter)
{
    m_dimming.attach(filter, this);
}

bool LifelinesView::isDimmed(int event) const
{
    return m_dimming.dims(event);
}

static void drawTick(QPainter &p, const QPointF &c, const QString &signal, const QColor &color)
{
    const bool post = signal.startsWith(QLatin1String("post_"));
    p.setPen(QPen(color, 1.5));
    p.setBrush(post ? QBrush(color) : QBrush(QColor(255, 255, 255, color.alpha())));
    const qreal r = 4.5;
    if (signal.endsWith(QLatin1String("_init"))) {
        p.drawEllipse(c, r - 0.5, r - 0.5);
    } else if (signal.endsWith(QLatin1String("_save"))) {
        p.drawRect(QRectF(c.x() - r + 0.5, c.y() - r + 0.5, 2 * r - 1, 2 * r - 1));
    } else if (signal.endsWith(QLatin1String("_delete"))) {
        QPolygonF diamond;
        diamond << QPointF(c.x(), c.y() - r - 1) << QPointF(c.x() + r + 1, c.y()) << QPointF(c.x(), c.y() + r + 1)
                << QPointF(c.x() - r - 1, c.y());
        p.drawPolygon(diamond);
    } else {
        p.drawRect(QRectF(c.x() - 1.5, c.y() - r, 3, 2 * r));
    }
}

void LifelinesView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const TraceRecorder &r = *m_time->recorder();
    const QVector<int> shown = shownLanes();
    const int visibleRows = std::max(1, (height() - RulerHeight) / RowHeight);
    m_rows->setRange(0, std::max(0, int(shown.size()) - visibleRows));
    m_rows->setPageStep(visibleRows);
    m_rows->setVisible(m_rows->maximum() > 0);
    const int first = m_rows->value();
    const int last = std::min(int(shown.size()) - 1, first + visibleRows);
    const TimeToX map = m_zoom->mapping(plotWidth());
    const double upp = map.unitsPerPixel();
    const int w = plotWidth();
    const std::vector<Lane> &lanes = m_lanes->lanes();
    QHash<int, int> rowOfLane;
    for (int row = first; row <= last; ++row)
        rowOfLane.insert(shown[row], row - first);
    auto rowY = [](int row) { return RulerHeight + row * RowHeight + RowHeight / 2.0; };

    if (shown.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   m_lanes->lanes().empty() ? tr("No instances yet: every model instance a signal is about gets a lane here.")
                                            : tr("No instance lives in this part of the run. Press 0 to see all of it."));
        return;
    }

    // m2m_changed connectors, under the ticks.
    const std::vector<LaneLink> &links = m_lanes->links();
    auto lo = std::partition_point(links.begin(), links.end(), [&](const LaneLink &l) { return m_time->start(l.event) < map.start - upp; });
    p.setClipRect(LabelWidth, 0, w, height());
    for (auto it = lo; it != links.end() && m_time->start(it->event) <= map.end; ++it) {
        if (it->event >= m_time->count())
            break;
        const int a = rowOfLane.value(it->from, -1), b = rowOfLane.value(it->to, -1);
        if (a < 0 && b < 0)
            continue;
        const double x = xOf(it->event);
        const double y1 = a >= 0 ? rowY(a) : (shown.indexOf(it->from) < first ? 0 : height());
        const double y2 = b >= 0 ? rowY(b) : (shown.indexOf(it->to) < first ? 0 : height());
        p.setPen(QPen(signalColor(QStringLiteral("m2m_changed")), 2));
        p.drawLine(QPointF(x, y1), QPointF(x, y2));
    }

    const QFontMetrics fm(font());
    for (int row = first; row <= last; ++row) {
        const Lane &lane = lanes[size_t(shown[row])];
        const double y = rowY(row - first);
        if ((row - first) % 2)
            p.fillRect(QRectF(0, y - RowHeight / 2.0, width(), RowHeight), pal.color(QPalette::AlternateBase));
        // The lane: solid while the instance is in the run, dashed on after its last signal if never deleted.
        const double x0 = xOf(lane.firstEvent()), x1 = xOf(lane.lastEvent());
        p.setClipRect(LabelWidth, 0, w, height());
        p.setPen(QPen(pal.color(QPalette::Mid), 3, Qt::SolidLine, Qt::FlatCap));
        p.drawLine(QPointF(std::max(x0, LabelWidth - 5.0), y), QPointF(std::min(x1, LabelWidth + w + 5.0), y));
        if (!lane.deleted) {
            p.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DashLine));
            p.drawLine(QPointF(std::max(x1, double(LabelWidth)), y), QPointF(LabelWidth + w, y));
        }
        // Ticks, one per pixel at most.
        const std::vector<int> &ticks = lane.ticks;
        auto it = std::partition_point(ticks.begin(), ticks.end(), [&](int e) { return m_time->start(e) < map.start - 8 * upp; });
        double lastX = -1e9;
        for (; it != ticks.end(); ++it) {
            const int e = *it;
            if (e >= m_time->count() || m_time->start(e) > map.end + 8 * upp)
                break;
            const double x = xOf(e);
            if (x - lastX < 1)
                continue;
            lastX = x;
            const QString signal = r.string(r.record(e).name);
            QColor color = signalColor(signal);
            if (isDimmed(e))
                color.setAlpha(55);
            drawTick(p, QPointF(x, y), signal, color);
            if (const int n = m_lanes->deleteNumber(e)) {
                p.setPen(QPen(errorMarkColor(), 2));
                p.drawLine(QPointF(x + 7, y - 5), QPointF(x + 15, y + 5));
                p.drawLine(QPointF(x + 7, y + 5), QPointF(x + 15, y - 5));
                p.setPen(pal.color(QPalette::Text));
                QFont bold = font();
                bold.setBold(true);
                p.setFont(bold);
                p.drawText(QPointF(x + 18, y + fm.ascent() / 2.0 - 1), QString::number(n));
                p.setFont(font());
            }
        }
        // The current event's tick.
        const int current = m_selection->current();
        if (current >= 0 && std::binary_search(ticks.begin(), ticks.end(), current) && current < m_time->count()) {
            p.setPen(QPen(pal.color(QPalette::Highlight), 2.5));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(QPointF(xOf(current), y), 8, 8);
        }
        p.setClipping(false);
        p.fillRect(QRectF(0, y - RowHeight / 2.0, LabelWidth - 4, RowHeight),
                   (row - first) % 2 ? pal.color(QPalette::AlternateBase) : pal.color(QPalette::Base));
        p.setPen(lane.deleted ? pal.color(QPalette::PlaceholderText) : pal.color(QPalette::Text));
        p.drawText(QRectF(6, y - RowHeight / 2.0, LabelWidth - 12, RowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                   fm.elidedText(lane.label, Qt::ElideRight, LabelWidth - 12));
    }
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(LabelWidth - 2, 0, LabelWidth - 2, height());
}

int LifelinesView::eventAt(const QPoint &pos) const
{
    if (pos.x() < LabelWidth)
        return -1;
    const QVector<int> shown = shownLanes();
    const int row = m_rows->value() + (pos.y() - RulerHeight) / RowHeight;
    if (pos.y() < RulerHeight || row < 0 || row >= shown.size())
        return -1;
    const Lane &lane = m_lanes->lanes()[size_t(shown[row])];
    int best = -1;
    double bestDistance = 7;
    const TimeToX map = m_zoom->mapping(plotWidth());
    const double t = map.time(pos.x() - LabelWidth);
    auto it = std::partition_point(lane.ticks.begin(), lane.ticks.end(),
                                   [&](int e) { return m_time->start(e) < t - 8 * map.unitsPerPixel(); });
    for (; it != lane.ticks.end() && *it < m_time->count(); ++it) {
        const double d = std::abs(xOf(*it) - pos.x());
        if (d < bestDistance) {
            bestDistance = d;
            best = *it;
        }
        if (xOf(*it) > pos.x() + 8)
            break;
    }
    return best;
}

void LifelinesView::wheelEvent(QWheelEvent *event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ShiftModifier) {
        m_rows->setValue(m_rows->value() - delta.y() / 40);
    } else if (delta.y() != 0) {
        const TimeToX map = m_zoom->mapping(plotWidth());
        m_zoom->zoomAround(map.time(event->position().x() - LabelWidth), std::pow(0.8, delta.y() / 120.0));
    }
    event->accept();
}

void LifelinesView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    m_drag.press(event->pos(), *m_zoom);
}

void LifelinesView::mouseMoveEvent(QMouseEvent *event)
{
    m_drag.move(event, *m_zoom, plotWidth());
}

void LifelinesView::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_drag.release(event))
        return;
    const int hit = eventAt(event->pos());
    if (hit >= 0)
        m_selection->setCurrent(hit);
}

void LifelinesView::keyPressEvent(QKeyEvent *event)
{
    const int current = m_selection->current();
    if (event->key() == Qt::Key_0) {
        m_zoom->fitAll();
    } else if (event->key() == Qt::Key_F && current >= 0 && current < m_time->count()) {
        const int action = actionOf(*m_time->recorder(), current);
        m_zoom->fit(m_time->start(action), m_time->end(action));
    } else {
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

bool LifelinesView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int hit = eventAt(help->pos());
        if (hit >= 0) {
            QString tip = eventToolTip(*m_time->recorder(), hit);
            if (const int n = m_lanes->deleteNumber(hit))
                tip += tr("\nDeleted #%1 in this action (the collector's order)").arg(n);
            QToolTip::showText(help->globalPos(), tip, this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace ss
