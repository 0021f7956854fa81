#include "zoomstate.h"

#include <algorithm>

namespace ss {

ZoomState::ZoomState(QObject *parent)
    : QObject(parent)
{
}

void ZoomState::setTotal(double total, bool reset)
{
    const double old = m_total;
    m_total = std::max(0.0, total);
    if (reset) {
        m_history.clear();
        m_following = true;
        apply({0, std::max(m_total, m_minSpan)}, false);
        return;
    }
    if (m_total == old)
        return;
    Range r = m_visible;
    if (m_following) {
        if (r.start <= 0)
            r = {0, std::max(m_total, m_minSpan)};                  // showing all: keep showing all
        else
            r = {m_total - r.span(), m_total};                      // showing the end: slide
    }
    const bool following = m_following;
    apply(r, false);
    m_following = following || m_visible.end >= m_total;
}

void ZoomState::setVisible(double start, double end)
{
    apply({start, end}, false);
}

void ZoomState::zoomAround(double anchor, double factor)
{
    const Range r = m_visible;
    double span = std::max(r.span() * factor, m_minSpan);
    span = std::min(span, std::max(m_total, m_minSpan));
    const double ratio = r.span() > 0 ? (anchor - r.start) / r.span() : 0.5;
    const double start = anchor - ratio * span;
    apply({start, start + span}, false);
}

void ZoomState::panBy(double delta)
{
    apply({m_visible.start + delta, m_visible.end + delta}, false);
}

void ZoomState::fit(double start, double end)
{
    const double margin = std::max((end - start) * 0.05, m_minSpan * 0.5);
    apply({start - margin, end + margin}, true);
}

void ZoomState::fitAll()
{
    apply({0, std::max(m_total, m_minSpan)}, true);
    m_following = true;
}

void ZoomState::back()
{
    if (!m_history.isEmpty())
        apply(m_history.takeLast(), false);
}

void ZoomState::apply(Range r, bool remember)
{
    const double limit = std::max(m_total, m_minSpan);
    double span = std::clamp(r.span(), m_minSpan, limit);
    double start = std::clamp(r.start, 0.0, limit - span);
    r = {start, start + span};
    m_following = r.end >= m_total;
    if (r == m_visible)
        return;
    if (remember && (m_history.isEmpty() || !(m_history.constLast() == m_visible))) {
        m_history.append(m_visible);
        if (m_history.size() > 100)
            m_history.removeFirst();
    }
    m_visible = r;
    Q_EMIT visibleChanged();
}

} // namespace ss
