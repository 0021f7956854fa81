#include "timelinefilter.h"

#include "roles.h"
#include "timelinemodel.h"
#include "trace/tracerecorder.h"
#include "web/webruntime.h"

#include <QElapsedTimer>

namespace ss {

// One slice of index building: short enough that the UI thread answers between slices.
static constexpr int SliceMs = 20;

TimelineFilter::TimelineFilter(TraceRecorder *recorder, QObject *parent)
    : QSortFilterProxyModel(parent), m_recorder(recorder)
{
    setRecursiveFilteringEnabled(false);        // the pass over the recorder already keeps ancestors
    setDynamicSortFilter(true);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(searchDelay());
    connect(&m_debounce, &QTimer::timeout, this, &TimelineFilter::startSearch);
    m_slices.setSingleShot(true);
    m_slices.setInterval(0);
    connect(&m_slices, &QTimer::timeout, this, &TimelineFilter::indexSlice);
}

void TimelineFilter::setSourceModel(QAbstractItemModel *model)
{
    if (sourceModel())
        disconnect(sourceModel(), nullptr, this, nullptr);
    m_timeline = qobject_cast<TimelineModel *>(model);
    // Connected before the proxy's own handlers (made in the base call), so the
    // new events are decided when the proxy asks about them.
    if (model) {
        connect(model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
            m_text.clear();
            m_decided = 0;
            m_visibleCount = 0;
        });
        // A changed event (closed, failed, marked as a loop) may read differently now.
        connect(model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
            if (!m_timeline)
                return;
            for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
                const int event = m_timeline->eventAt(m_timeline->index(row, 0, topLeft.parent()));
                if (event >= 0 && event < int(m_text.size()))
                    m_text[event] = indexText(event);
            }
        });
    }
    QSortFilterProxyModel::setSourceModel(model);
    if (model)
        connect(model, &QAbstractItemModel::rowsInserted, this, &TimelineFilter::onSourceRowsInserted);
    m_text.clear();
    recompute();
}

void TimelineFilter::setHiddenSignals(const QSet<QString> &signalNames)
{
    if (m_hidden == signalNames)
        return;
    m_hidden = signalNames;
    recompute();
}

void TimelineFilter::setSignalVisible(const QString &signalName, bool visible)
{
    QSet<QString> hidden = m_hidden;
    if (visible)
        hidden.remove(signalName);
    else
        hidden.insert(signalName);
    setHiddenSignals(hidden);
}

void TimelineFilter::setModelFilter(const QString &model)
{
    if (m_model == model)
        return;
    m_model = model;
    recompute();
}

void TimelineFilter::setDjangoReceiversHidden(bool hidden)
{
    if (m_hideDjango == hidden)
        return;
    m_hideDjango = hidden;
    recompute();
}

void TimelineFilter::setSearchText(const QString &text)
{
    if (m_pendingSearch == text && !m_debounce.isActive())
        return;
    m_pendingSearch = text;
    m_debounce.start();
}

void TimelineFilter::applyPending()
{
    if (m_debounce.isActive()) {
        m_debounce.stop();
        startSearch();
    }
    if (m_indexing) {
        m_slices.stop();
        extendIndex(m_recorder->count());
        m_indexing = false;
        m_search = m_pendingSearch;
        m_needle = m_search.toLower().toUtf8();
        recompute();
    }
}

void TimelineFilter::startSearch()
{
    if (m_pendingSearch.isEmpty() || int(m_text.size()) >= m_recorder->count()) {
        m_search = m_pendingSearch;
        m_needle = m_search.toLower().toUtf8();
        recompute();
        return;
    }
    // The index is missing events: build it in slices, then apply.
    m_indexing = true;
    m_slices.start();
}

void TimelineFilter::indexSlice()
{
    QElapsedTimer timer;
    timer.start();
    const int count = m_recorder->count();
    while (int(m_text.size()) < count && timer.elapsed() < SliceMs)
        extendIndex(std::min(count, int(m_text.size()) + 256));
    if (int(m_text.size()) < count) {
        m_slices.start();
        return;
    }
    m_indexing = false;
    m_search = m_pendingSearch;
    m_needle = m_search.toLower().toUtf8();
    recompute();
}

void TimelineFilter::extendIndex(int upTo)
{
    if (!m_timeline)
        return;
    m_text.reserve(upTo);
    for (int e = int(m_text.size()); e < upTo; ++e)
        m_text.push_back(indexText(e));
}

QByteArray TimelineFilter::indexText(int e) const
{
    const QString text = m_timeline->eventText(e) + QLatin1Char(' ') + m_timeline->senderText(e) + QLatin1Char(' ')
                       + m_timeline->instanceText(e) + QLatin1Char(' ') + m_timeline->argumentsText(e);
    return text.toLower().toUtf8();
}

void TimelineFilter::decide(int e)
{
    const TraceRecord &r = m_recorder->record(e);
    const int p = r.parent;
    const bool send = r.kind == TraceEventKind::Send || r.kind == TraceEventKind::RecursionStop;
    // Hidden with everything under it: a send of a hidden kind, or one of
    // Django's own receivers while they are hidden.
    const bool hidden = (p >= 0 && m_hiddenByKind[p])
                        || (send && !m_hidden.isEmpty() && m_hidden.contains(m_recorder->string(r.name)))
                        || (m_hideDjango && r.kind == TraceEventKind::Receiver
                            && WebRuntime::isDjangoReceiverLabel(m_recorder->string(r.name)));
    m_hiddenByKind[e] = hidden;
    m_nearestSend[e] = send ? e : (p >= 0 ? m_nearestSend[p] : -1);
    bool pass = !hidden;
    if (pass && !m_model.isEmpty()) {
        if (r.kind == TraceEventKind::Step)
            pass = false;       // shown only as the parent of a match
        else
            pass = m_nearestSend[e] >= 0 && m_recorder->string(m_recorder->record(m_nearestSend[e]).sender) == m_model;
    }
    if (pass && !m_needle.isEmpty()) {
        if (e >= int(m_text.size()))
            extendIndex(e + 1);
        pass = m_text[e].contains(m_needle);
    }
    m_visible[e] = pass;
    if (pass) {
        ++m_visibleCount;
        // Its ancestors stay visible as its context.
        for (int a = p; a >= 0 && !m_visible[a]; a = m_recorder->parentOf(a)) {
            m_visible[a] = true;
            ++m_visibleCount;
            if (a < m_shownBefore)
                m_ancestorShown = true;
        }
    }
}

void TimelineFilter::extend()
{
    const int count = m_recorder->count();
    m_hiddenByKind.resize(count);
    m_nearestSend.resize(count);
    m_visible.resize(count);
    for (int e = m_decided; e < count; ++e)
        decide(e);
    m_decided = count;
}

void TimelineFilter::recompute()
{
    m_decided = 0;
    m_visibleCount = 0;
    m_hiddenByKind.clear();
    m_nearestSend.clear();
    m_visible.clear();
    extend();
    invalidateFilter();
    Q_EMIT filterApplied();
}

void TimelineFilter::onSourceRowsInserted()
{
    // New events that made a hidden ancestor visible (a match inside an action
    // that had none) need the rows above them shown again.
    if (!isFiltering())
        return;
    m_shownBefore = m_decided;
    m_ancestorShown = false;
    extend();
    m_shownBefore = 0;
    if (m_ancestorShown)
        invalidateFilter();
}

bool TimelineFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!isFiltering())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const int event = m_timeline ? m_timeline->eventAt(index) : index.data(EventIndexRole).toInt();
    if (event < 0 || event >= m_recorder->count())
        return false;
    if (event >= m_decided)
        const_cast<TimelineFilter *>(this)->extend();
    return m_visible[event];
}

} // namespace ss
