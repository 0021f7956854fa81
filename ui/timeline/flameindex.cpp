#include "flameindex.h"

#include "trace/tracerecorder.h"

#include <algorithm>
#include <cmath>

namespace ss {

FlameIndex::FlameIndex(const TraceRecorder *recorder)
    : m_recorder(recorder)
{
}

void FlameIndex::clear()
{
    m_level.clear();
    m_end.clear();
    m_rows.clear();
}

bool FlameIndex::isStale() const
{
    return count() > m_recorder->count();
}

void FlameIndex::append(int first, int last)
{
    last = std::min(last, m_recorder->count() - 1);
    first = std::max(first, count());
    if (first > last)
        return;
    m_level.reserve(size_t(last) + 1);
    m_end.reserve(size_t(last) + 1);
    for (int i = first; i <= last; ++i) {
        const int parent = m_recorder->parentOf(i);
        const int level = parent >= 0 && parent < i ? m_level[size_t(parent)] + 1 : 0;
        m_level.push_back(short(std::min(level, 32767)));
        m_end.push_back(i + 1);
        for (int p = parent; p >= 0 && p < i; p = m_recorder->parentOf(p))
            m_end[size_t(p)] = i + 1;
        if (size_t(level) >= m_rows.size())
            m_rows.resize(size_t(level) + 1);
        m_rows[size_t(level)].push_back(i);
    }
}

double FlameIndex::start(int event) const
{
    if (m_mode == Mode::Logical)
        return event;
    return double(qint64(m_recorder->record(event).startNs) - origin());
}

qint64 FlameIndex::origin() const
{
    // Wall clock from the run's first event, not from when the recorder's
    // clock started (the window opening).
    return m_recorder->count() > 0 ? qint64(m_recorder->record(0).startNs) : 0;
}

double FlameIndex::end(int event) const
{
    if (m_mode == Mode::Logical)
        return m_end[size_t(event)];
    const TraceRecord &r = m_recorder->record(event);
    if (r.isOpen())
        return double(std::max<qint64>(qint64(r.startNs), m_recorder->elapsedNs()) - origin());
    return double(qint64(r.startNs + r.durationNs) - origin());
}

double FlameIndex::total() const
{
    if (m_rows.empty() || m_rows[0].empty())
        return 0;
    const int lastTop = m_rows[0].back();
    if (m_mode == Mode::Logical)
        return m_end[size_t(lastTop)];
    // A top-level event ends after everything in it; the newest event may
    // still be open inside it.
    return std::max(end(lastTop), end(count() - 1));
}

int FlameIndex::firstEndingAfter(const std::vector<int> &row, int from, double t) const
{
    // Ends are increasing along a row (slices never overlap).
    auto it = std::partition_point(row.begin() + from, row.end(), [&](int e) { return end(e) <= t; });
    return int(it - row.begin());
}

int FlameIndex::firstStartingAt(const std::vector<int> &row, int from, double t) const
{
    // Galloping: the answer is usually a few slots away (the next pixel).
    const int n = int(row.size());
    int step = 1, lo = from;
    while (lo + step < n && start(row[size_t(lo + step)]) < t) {
        lo += step;
        step *= 2;
    }
    const int hi = std::min(n, lo + step);
    auto it = std::partition_point(row.begin() + lo, row.begin() + hi, [&](int e) { return start(e) < t; });
    return int(it - row.begin());
}

int FlameIndex::visit(int level, double t0, double t1, double unitsPerPixel,
                      const std::function<void(const Slice &)> &draw) const
{
    if (level < 0 || level >= levels() || unitsPerPixel <= 0)
        return 0;
    const std::vector<int> &r = m_rows[size_t(level)];
    const int n = int(r.size());
    int i = firstEndingAfter(r, 0, t0);
    int handed = 0;
    while (i < n) {
        const int e = r[size_t(i)];
        const double s = start(e);
        if (s >= t1)
            break;
        const double en = end(e);
        if (en - s >= unitsPerPixel) {
            draw({e, 1, s, en, false});
            ++handed;
            ++i;
            continue;
        }
        // Narrower than a pixel: everything that starts before the next
        // pixel boundary goes into this pixel (wide slices excepted).
        const double pixelEnd = t0 + (std::floor((s - t0) / unitsPerPixel) + 1) * unitsPerPixel;
        int j = std::max(i + 1, firstStartingAt(r, i + 1, pixelEnd));
        while (j - 1 > i && end(r[size_t(j - 1)]) - start(r[size_t(j - 1)]) >= unitsPerPixel)
            --j;
        draw({e, j - i, s, std::max(end(r[size_t(j - 1)]), s), true});
        ++handed;
        i = j;
    }
    return handed;
}

int FlameIndex::eventAt(int level, double time, double slack) const
{
    if (level < 0 || level >= levels())
        return -1;
    const std::vector<int> &r = m_rows[size_t(level)];
    const int i = firstEndingAfter(r, 0, time - slack);
    if (i >= int(r.size()))
        return -1;
    const int e = r[size_t(i)];
    if (start(e) > time + slack)
        return -1;
    // With slack, prefer the event really under `time` over a neighbour.
    if (start(e) > time || end(e) <= time) {
        if (i + 1 < int(r.size()) && start(r[size_t(i + 1)]) <= time && end(r[size_t(i + 1)]) > time)
            return r[size_t(i + 1)];
    }
    return e;
}

int FlameIndex::positionInRow(int event) const
{
    const std::vector<int> &r = m_rows[size_t(levelOf(event))];
    // Rows hold event indexes in increasing order.
    return int(std::lower_bound(r.begin(), r.end(), event) - r.begin());
}

} // namespace ss
