#include "flameview.h"

#include "eventlabels.h"
#include "eventselection.h"
#include "signalstyle.h"
#include "slicestyle.h"
#include "timelinefilter.h"
#include "trace/tracerecorder.h"
#include "zoomstate.h"

#include <QHelpEvent>
#include <QImage>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace ss {

FlameView::FlameView(const FlameIndex *index, ZoomState *zoom, EventSelection *selection, QWidget *parent)
    : QWidget(parent), m_index(index), m_zoom(zoom), m_selection(selection), m_rows(new QScrollBar(Qt::Vertical, this))
{
    setObjectName(QStringLiteral("flameView"));
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumHeight(RulerHeight + 3 * RowHeight);
    setAccessibleName(tr("Flame view of the signal timeline"));
    connect(m_rows, &QScrollBar::valueChanged, this, qOverload<>(&QWidget::update));
    connect(zoom, &ZoomState::visibleChanged, this, qOverload<>(&QWidget::update));
    connect(selection, &EventSelection::currentChanged, this, [this] {
        revealCurrent();
        update();
    });
}

void FlameView::setFilter(const TimelineFilter *filter)
{
    m_dimming.attach(filter, this);
}

bool FlameView::isDimmed(int event) const
{
    return m_dimming.dims(event);
}

// Merged runs go into a premultiplied image, so the colour is premultiplied.
QRgb FlameView::colorOf(int event, bool merged) const
{
    const TraceRecorder &recorder = *m_index->recorder();
    const TraceRecord &r = recorder.record(event);
    const bool dimmed = isDimmed(event);
    const quint32 name = r.kind == TraceEventKind::Receiver && r.parent >= 0 ? recorder.record(r.parent).name : r.name;
    const quint64 key = (quint64(dimmed) << 36) | (quint64(r.kind) << 33) | (quint64(merged) << 32) | name;
    auto it = m_colors.constFind(key);
    if (it != m_colors.constEnd())
        return *it;
    if (m_colors.size() > 4096)
        m_colors.clear();
    QColor color = sliceColor(recorder, event);
    if (merged)
        color = color.lighter(110);
    if (dimmed)
        color.setAlpha(55);
    const QRgb rgb = merged ? qPremultiply(color.rgba()) : color.rgba();
    m_colors.insert(key, rgb);
    return rgb;
}

int FlameView::plotWidth() const
{
    return std::max(1, width() - (m_rows->isVisible() ? m_rows->width() : 0));
}

int FlameView::firstVisibleLevel() const
{
    return m_rows->value();
}

void FlameView::scrollToLevel(int level)
{
    updateScrollBar();
    const int visibleRows = std::max(1, (height() - RulerHeight) / RowHeight);
    if (level < m_rows->value())
        m_rows->setValue(level);
    else if (level >= m_rows->value() + visibleRows)
        m_rows->setValue(level - visibleRows + 1);
}

void FlameView::updateScrollBar()
{
    const int visibleRows = std::max(1, (height() - RulerHeight) / RowHeight);
    const int max = std::max(0, m_index->levels() - visibleRows);
    m_rows->setRange(0, max);
    m_rows->setPageStep(visibleRows);
    m_rows->setVisible(max > 0);
    m_rows->setGeometry(width() - m_rows->sizeHint().width(), RulerHeight, m_rows->sizeHint().width(), height() - RulerHeight);
}

void FlameView::resizeEvent(QResizeEvent *)
{
    updateScrollBar();
}

QRectF FlameView::sliceRect(int event) const
{
    if (event < 0 || event >= m_index->count())
        return {};
    const TimeToX map = m_zoom->mapping(plotWidth());
    const double x0 = map.x(m_index->start(event));
    const double x1 = std::max(map.x(m_index->end(event)), x0 + 1);
    const double y = RulerHeight + (m_index->levelOf(event) - firstVisibleLevel()) * RowHeight;
    return QRectF(x0, y, x1 - x0, RowHeight - 2);
}

int FlameView::eventAt(const QPoint &pos) const
{
    if (pos.y() < RulerHeight || pos.x() >= plotWidth() || m_index->isStale())
        return -1;
    const int level = firstVisibleLevel() + (pos.y() - RulerHeight) / RowHeight;
    const TimeToX map = m_zoom->mapping(plotWidth());
    // Two pixels of slack: a slice merged into a pixel is still clickable.
    return m_index->eventAt(level, map.time(pos.x() + 0.5), 2 * map.unitsPerPixel());
}

void FlameView::paintEvent(QPaintEvent *)
{
    updateScrollBar();
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const int w = plotWidth();
    const TimeToX map = m_zoom->mapping(w);
    const double upp = map.unitsPerPixel();
    const TraceRecorder &recorder = *m_index->recorder();
    const int firstLevel = firstVisibleLevel();
    const int lastLevel = m_index->isStale() ? -1 : std::min(m_index->levels() - 1, firstLevel + (height() - RulerHeight) / RowHeight);

    p.setClipRect(0, RulerHeight, w, height() - RulerHeight);
    const QFontMetrics fm(font());
    int slices = 0;
    // Runs merged below a pixel go into one pixel row per level, stretched to
    // the row's height in one drawImage: thousands of 1 px fillRects would
    // cost more than everything else in a zoomed-out paint.
    QImage merged(w, 1, QImage::Format_ARGB32_Premultiplied);
    m_lastLabels.clear();
    for (int level = firstLevel; level <= lastLevel; ++level) {
        const int y = RulerHeight + (level - firstLevel) * RowHeight;
        merged.fill(Qt::transparent);
        auto *pixels = reinterpret_cast<QRgb *>(merged.scanLine(0));
        bool anyMerged = false;
        // A bar too narrow for its label (a deep recursion's innermost calls)
        // is labelled beside it, in the free room up to the next slice.
        int pendingEvent = -1;
        double pendingFrom = 0;
        const auto labelBeside = [&](double until) {
            if (pendingEvent < 0)
                return;
            const double left = pendingFrom + 3, room = std::min(until, double(w)) - 3 - left;
            if (room >= 40) {
                const QString label = fm.elidedText(sliceLabel(recorder, pendingEvent), Qt::ElideRight, int(room));
                const QRectF r(left, y, room, RowHeight - 2);
                p.setPen(pal.color(QPalette::Text));
                p.drawText(r, Qt::AlignVCenter | Qt::AlignLeft, label);
                m_lastLabels.append({pendingEvent, r.adjusted(0, 0, fm.horizontalAdvance(label) - room, 0)});
            }
            pendingEvent = -1;
        };
        slices += m_index->visit(level, map.start, map.end, upp, [&](const FlameIndex::Slice &s) {
            const double x0 = std::max(map.x(s.start), -2.0);
            const double x1 = std::min(map.x(s.end), double(w) + 2);
            labelBeside(x0);
            if (s.merged) {
                const QRgb rgb = colorOf(s.event, true);
                const int from = std::clamp(int(std::floor(x0)), 0, w - 1);
                const int to = std::clamp(int(std::ceil(x1)), from + 1, w);
                for (int x = from; x < to; ++x)
                    if (!pixels[x])
                        pixels[x] = rgb;
                anyMerged = true;
                return;
            }
            const QRectF r(x0, y, std::max(x1 - x0, 1.0), RowHeight - 2);
            const QColor fill = QColor::fromRgba(colorOf(s.event, false));
            p.fillRect(r, fill);
            const TraceRecord &rec = recorder.record(s.event);
            const bool failed = rec.error != 0 || rec.kind == TraceEventKind::Error || rec.kind == TraceEventKind::RecursionStop;
            if (r.width() >= 4) {
                p.setPen(QPen(fill.darker(140), 1));
                p.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5));
            }
            if (failed) {
                p.setPen(QPen(errorMarkColor(), 2));
                p.drawRect(r.adjusted(1, 1, -1, -1));
                const qreal cx = r.right() - 1;
                QPolygonF corner;
                corner << QPointF(cx - 7, r.top()) << QPointF(cx + 1, r.top()) << QPointF(cx + 1, r.top() + 8);
                p.setPen(Qt::NoPen);
                p.setBrush(errorMarkColor());
                p.drawPolygon(corner);
                p.setBrush(Qt::NoBrush);
            }
            if (r.width() > 28) {
                // The label inside the visible part of the bar.
                const qreal left = std::max(r.left(), 0.0) + 4, right = std::min(r.right(), qreal(w)) - 4;
                const int room = int(right - left);
                QString label = room > 16 ? sliceLabel(recorder, s.event) : QString();
                // Cut to a few letters, it says nothing: then beside the bar.
                if (room > 16 && (room >= 60 || fm.horizontalAdvance(label) <= room)) {
                    if (rec.isOpen())
                        label += QStringLiteral(" …");
                    else if (room > fm.horizontalAdvance(label) + 60 && rec.kind != TraceEventKind::Effect
                             && rec.kind != TraceEventKind::Error && rec.kind != TraceEventKind::RecursionStop)
                        label += QStringLiteral("  ") + durationText(qint64(rec.durationNs));
                    p.setPen(fill.alpha() < 255 ? pal.color(QPalette::PlaceholderText) : sliceTextColor(fill));
                    const QString shown = fm.elidedText(label, Qt::ElideRight, room);
                    p.drawText(QRectF(left, y, room, RowHeight - 2), Qt::AlignVCenter | Qt::AlignLeft, shown);
                    m_lastLabels.append({s.event, QRectF(left, y, fm.horizontalAdvance(shown), RowHeight - 2)});
                    return;
                }
            }
            if (r.right() > 0 && r.right() < w) {
                pendingEvent = s.event;
                pendingFrom = r.right();
            }
        });
        labelBeside(w);
        if (anyMerged)
            p.drawImage(QRect(0, y, w, RowHeight - 2), merged);
    }
    m_lastSlices = slices;
    paintLoops(p, map, firstLevel, lastLevel);

    // The current event on top of everything.
    const int current = m_selection->current();
    if (current >= 0 && current < m_index->count() && !m_index->isStale()) {
        QRectF r = sliceRect(current);
        if (r.width() < 3)
            r.adjust(-1.5, 0, 1.5, 0);
        p.setPen(QPen(pal.color(QPalette::Highlight), 3));
        p.setBrush(Qt::NoBrush);
        p.drawRect(r.adjusted(-1, -1, 1, 1));
        p.setPen(QPen(pal.color(QPalette::Base), 1));
        p.drawRect(r.adjusted(-3, -3, 3, 3));
    }
    p.setClipping(false);
    paintRuler(p, map);
    if (m_index->count() == 0) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("No signals yet. Edit a record or run the scenario: every action appears here as a bar, "
                      "the signals it sent under it, each receiver under its signal."));
    }
}

void FlameView::paintLoops(QPainter &p, const TimeToX &map, int firstLevel, int lastLevel)
{
    if (m_index->isStale())
        return;
    const QVector<DetectedLoop> &loops = m_index->recorder()->loops();
    const int w = plotWidth();
    for (const DetectedLoop &loop : loops) {
        const int anchor = loop.firstEvent >= 0 ? loop.firstEvent : loop.reentryEvent;
        if (anchor < 0 || anchor >= m_index->count())
            continue;
        const double s = m_index->start(anchor), e = m_index->end(anchor);
        if (e <= map.start || s >= map.end)
            continue;
        const int level = m_index->levelOf(anchor);
        if (level > lastLevel)
            continue;
        const double x0 = std::max(map.x(s), -2.0), x1 = std::min(std::max(map.x(e), map.x(s) + 2), w + 2.0);
        const double top = RulerHeight + std::max(0, level - firstLevel) * RowHeight - 1;
        QColor band = loop.stopped ? QColor(220, 30, 30) : QColor(255, 160, 0);
        QColor fill = band;
        fill.setAlpha(55);
        p.fillRect(QRectF(x0, top, x1 - x0, height() - top), fill);
        p.setPen(QPen(band, 2));
        p.drawLine(QPointF(x0, top), QPointF(x1, top));
        p.drawLine(QPointF(x0, top), QPointF(x0, height()));
        p.drawLine(QPointF(x1, top), QPointF(x1, height()));
    }
}

void FlameView::paintRuler(QPainter &p, const TimeToX &map)
{
    const QPalette &pal = palette();
    p.fillRect(QRect(0, 0, width(), RulerHeight), pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(0, RulerHeight - 1, width(), RulerHeight - 1);
    const bool logical = m_index->mode() == FlameIndex::Mode::Logical;
    // A "nice" step (1, 2, 5 x 10^n) at least 90 px apart.
    const double raw = map.unitsPerPixel() * 90;
    const double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
    double stepUnits = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        stepUnits = m * mag;
        if (stepUnits >= raw)
            break;
    }
    if (logical)
        stepUnits = std::max(1.0, std::round(stepUnits));
    p.setPen(pal.color(QPalette::WindowText));
    for (double t = std::ceil(map.start / stepUnits) * stepUnits; t < map.end; t += stepUnits) {
        const double x = map.x(t);
        p.drawLine(QPointF(x, RulerHeight - 5), QPointF(x, RulerHeight - 1));
        const QString label = logical ? QStringLiteral("#%1").arg(qint64(t)) : durationText(qint64(t));
        p.drawText(QRectF(x + 3, 0, 90, RulerHeight - 2), Qt::AlignVCenter | Qt::AlignLeft, label);
    }
}

void FlameView::wheelEvent(QWheelEvent *event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ShiftModifier) {
        m_rows->setValue(m_rows->value() - delta.y() / 40);
    } else if (std::abs(delta.x()) > std::abs(delta.y())) {
        m_zoom->panBy(-delta.x() / 120.0 * 0.1 * m_zoom->visible().span());
    } else if (delta.y() != 0) {
        const TimeToX map = m_zoom->mapping(plotWidth());
        m_zoom->zoomAround(map.time(event->position().x()), std::pow(0.8, delta.y() / 120.0));
    }
    event->accept();
}

void FlameView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    m_drag.press(event->pos(), *m_zoom);
}

void FlameView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_drag.move(event, *m_zoom, plotWidth()))
        setCursor(Qt::ClosedHandCursor);
}

void FlameView::mouseReleaseEvent(QMouseEvent *event)
{
    unsetCursor();
    if (!m_drag.release(event))
        return;
    const int hit = eventAt(event->pos());
    if (hit >= 0)
        m_selection->setCurrent(hit);
}

void FlameView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const int hit = eventAt(event->pos());
    if (hit >= 0) {
        m_selection->setCurrent(hit);
        fitCurrent();
    }
}

void FlameView::step(int event)
{
    if (event < 0 || event >= m_index->count())
        return;
    m_selection->setCurrent(event);
    revealCurrent();
}

void FlameView::keyPressEvent(QKeyEvent *event)
{
    const int current = m_selection->current();
    const int count = m_index->count();
    const TraceRecorder &recorder = *m_index->recorder();
    const ZoomState::Range v = m_zoom->visible();
    switch (event->key()) {
    case Qt::Key_Comma:
        step(current < 0 ? count - 1 : current - 1);
        break;
    case Qt::Key_Period:
        step(current < 0 ? 0 : current + 1);
        break;
    case Qt::Key_Up:
        if (current >= 0)
            step(recorder.parentOf(current));
        break;
    case Qt::Key_Down:
        if (current >= 0 && current + 1 < count && recorder.parentOf(current + 1) == current)
            step(current + 1);
        break;
    case Qt::Key_Left:
    case Qt::Key_Right:
        if (current >= 0) {
            const std::vector<int> &row = m_index->row(m_index->levelOf(current));
            const int at = m_index->positionInRow(current) + (event->key() == Qt::Key_Left ? -1 : 1);
            if (at >= 0 && at < int(row.size()))
                step(row[size_t(at)]);
        }
        break;
    case Qt::Key_F:
        fitCurrent();
        break;
    case Qt::Key_0:
        m_zoom->fitAll();
        break;
    case Qt::Key_W:
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        m_zoom->zoomAround((v.start + v.end) / 2, 0.7);
        break;
    case Qt::Key_S:
    case Qt::Key_Minus:
        m_zoom->zoomAround((v.start + v.end) / 2, 1 / 0.7);
        break;
    case Qt::Key_A:
        m_zoom->panBy(-v.span() * 0.2);
        break;
    case Qt::Key_D:
        m_zoom->panBy(v.span() * 0.2);
        break;
    case Qt::Key_Backspace:
        m_zoom->back();
        break;
    case Qt::Key_Home:
        m_zoom->setVisible(0, v.span());
        break;
    case Qt::Key_End:
        m_zoom->setVisible(m_zoom->total() - v.span(), m_zoom->total());
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

bool FlameView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int hit = eventAt(help->pos());
        if (hit >= 0)
            QToolTip::showText(help->globalPos(), eventToolTip(*m_index->recorder(), hit), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void FlameView::revealCurrent()
{
    const int current = m_selection->current();
    if (current < 0 || current >= m_index->count())
        return;
    scrollToLevel(m_index->levelOf(current));
    const ZoomState::Range v = m_zoom->visible();
    const double s = m_index->start(current), e = m_index->end(current);
    if (s >= v.start && e <= v.end)
        return;
    if (e - s <= v.span()) {
        const double mid = (s + e) / 2;
        // Keep the zoom; bring the slice in view (its start, when it is long).
        const double start = e - s > v.span() * 0.8 ? s - v.span() * 0.1 : mid - v.span() / 2;
        m_zoom->setVisible(start, start + v.span());
    } else {
        m_zoom->setVisible(s - v.span() * 0.1, s + v.span() * 0.9);
    }
}

void FlameView::fitCurrent()
{
    const int current = m_selection->current();
    if (current < 0 || current >= m_index->count())
        return;
    m_zoom->fit(m_index->start(current), m_index->end(current));
    scrollToLevel(m_index->levelOf(current));
}

} // namespace ss
