#include "timelinefilter.h"

#include "timelinemodel.h"
#include "trace/tracerecorder.h"
#include "web/webruntime.h"

#include <QElapsedTimer>
#include <QVarLengthArray>
#include <algorithm>
#include <limits>

namespace ss {

// Indexing while events arrive, or in slices of the event loop: short enough
// that the UI thread answers between slices.
static constexpr qint64 SliceMs = 8;

TimelineFilter::TimelineFilter(TraceRecorder *recorder, QObject *parent)
    : QAbstractProxyModel(parent), m_recorder(recorder)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(searchDelay());
    connect(&m_debounce, &QTimer::timeout, this, &TimelineFilter::startSearch);
    m_slices.setSingleShot(true);
    m_slices.setInterval(0);
    connect(&m_slices, &QTimer::timeout, this, &TimelineFilter::indexSlice);
    m_passSlices.setSingleShot(true);
    m_passSlices.setInterval(0);
    connect(&m_passSlices, &QTimer::timeout, this, &TimelineFilter::passSlice);
    m_shown = makePass();
}

TimelineFilter::~TimelineFilter() = default;

void TimelineFilter::setSourceModel(QAbstractItemModel *model)
{
    if (sourceModel())
        disconnect(sourceModel(), nullptr, this, nullptr);
    beginResetModel();
    m_timeline = qobject_cast<TimelineModel *>(model);
    Q_ASSERT(!model || m_timeline);
    QAbstractProxyModel::setSourceModel(m_timeline);
    m_index = m_timeline ? std::make_unique<TimelineSearchIndex>(m_timeline, m_recorder) : nullptr;
    m_slices.stop();
    m_passSlices.stop();
    m_next.reset();
    if (m_timeline) {
        TimelineModel *t = m_timeline;
        // With no filter, the tree's own insertions pass through.
        connect(t, &QAbstractItemModel::rowsAboutToBeInserted, this, [this](const QModelIndex &parent, int first, int last) {
            if (!m_shown->filtering)
                beginInsertRows(mapFromSource(parent), first, last);
        });
        connect(t, &QAbstractItemModel::rowsInserted, this, [this] {
            if (!m_shown->filtering)
                endInsertRows();
        });
        connect(t, &TimelineModel::eventsAppended, this, &TimelineFilter::onEventsAppended);
        connect(t, &TimelineModel::eventsChanged, this, &TimelineFilter::onEventsChanged);
        connect(t, &QAbstractItemModel::dataChanged, this, &TimelineFilter::onSourceDataChanged);
        connect(t, &QAbstractItemModel::headerDataChanged, this, &QAbstractItemModel::headerDataChanged);
        connect(t, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
            beginResetModel();
            m_slices.stop();
            m_passSlices.stop();
            m_index->clear();
        });
        connect(t, &QAbstractItemModel::modelReset, this, [this] {
            // A change being decided or a search waiting for the index is
            // decided at once: there is nothing left to decide.
            const bool pending = m_next || m_searchWaits;
            if (m_searchWaits) {
                m_searchWaits = false;
                m_search = m_pendingSearch;
            }
            m_next.reset();
            m_shown = makePass();
            advance(*m_shown, std::numeric_limits<qint64>::max());
            endResetModel();
            if (pending)
                Q_EMIT filterApplied();
        });
        // Events the tree had already: indexed in slices.
        if (m_timeline->knownEvents() > 0)
            m_slices.start();
    }
    m_shown = makePass();
    advance(*m_shown, std::numeric_limits<qint64>::max());
    endResetModel();
}

// ------------------------------------------------------------ filters

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
    if (m_debounce.isActive() || m_searchWaits) {
        m_debounce.stop();
        m_searchWaits = false;
        if (m_index)
            m_index->append(m_timeline->knownEvents());
        m_search = m_pendingSearch;
        m_next = makePass();
    }
    if (m_next) {
        m_passSlices.stop();
        advance(*m_next, std::numeric_limits<qint64>::max());
        finishPass();
    }
}

void TimelineFilter::startSearch()
{
    // The index is normally complete (kept current as events arrive); after a
    // model with a long recording was set, the rest is indexed first.
    if (!m_pendingSearch.isEmpty() && m_index && m_index->indexed() < m_timeline->knownEvents()) {
        m_searchWaits = true;
        m_slices.start();
        return;
    }
    applySearch();
}

void TimelineFilter::applySearch()
{
    m_searchWaits = false;
    m_search = m_pendingSearch;
    recompute();
}

int TimelineFilter::visibleEvents() const
{
    if (!m_shown->filtering)
        return m_timeline ? m_timeline->knownEvents() : 0;
    return m_shown->visibleCount;
}

bool TimelineFilter::isShown(int event) const
{
    if (event < 0)
        return false;
    if (!m_shown->filtering)
        return m_timeline && m_timeline->rowOf(event) >= 0;
    return event < m_shown->decided && m_shown->visible[size_t(event)] == 1;
}

// ------------------------------------------------------------ indexing

bool TimelineFilter::indexFor(qint64 budgetMs)
{
    if (!m_index)
        return true;
    const int known = m_timeline->knownEvents();
    QElapsedTimer timer;
    timer.start();
    while (m_index->indexed() < known) {
        m_index->append(std::min(known, m_index->indexed() + 2048));
        if (timer.elapsed() >= budgetMs)
            break;
    }
    return m_index->indexed() >= known;
}

void TimelineFilter::indexSlice()
{
    const bool done = indexFor(SliceMs);
    decideNew();
    if (!done) {
        m_slices.start();
        return;
    }
    if (m_searchWaits)
        applySearch();
}

void TimelineFilter::onEventsAppended()
{
    // Indexed as they come (a few hash look-ups per event), so a search finds
    // the index built; a huge batch is finished in slices.
    if (!indexFor(SliceMs) && !m_slices.isActive())
        m_slices.start();
    decideNew();
}

void TimelineFilter::onEventsChanged(int first, int last)
{
    // Of what search reads, only a receiver's text changes after it was
    // appended (it raised). If that changes a decision, decide again.
    if (!m_index)
        return;
    last = std::min(last, m_index->indexed() - 1);
    bool changed = false;
    for (int e = first; e <= last; ++e) {
        const TraceRecord &r = m_recorder->record(e);
        if (r.kind != TraceEventKind::Receiver || !r.error)
            continue;
        const bool shown = m_index->matches(m_shown->query, e);
        const bool next = m_next && m_index->matches(m_next->query, e);
        m_index->refresh(e);
        changed = changed || shown != m_index->matches(m_shown->query, e) || (m_next && next != m_index->matches(m_next->query, e));
    }
    if (changed)
        recompute();
}

// ------------------------------------------------------------ deciding

std::unique_ptr<TimelineFilter::Pass> TimelineFilter::makePass() const
{
    auto pass = std::make_unique<Pass>();
    pass->hidden = m_hidden;
    pass->model = m_model;
    pass->hideDjango = m_hideDjango;
    pass->query = TimelineSearchIndex::Query(m_search);
    pass->filtering = isFiltering() && m_timeline;
    pass->byKind = !m_hidden.isEmpty() || m_hideDjango;
    pass->byModel = !m_model.isEmpty();
    return pass;
}

int TimelineFilter::decidable(const Pass &pass) const
{
    if (!m_timeline)
        return 0;
    return std::min(m_timeline->knownEvents(), m_index->indexed());
}

// A flag of an interned string, looked at once per string id.
template<typename Test>
static bool nameFlag(std::vector<qint8> &cache, quint32 id, const TraceRecorder *recorder, Test test)
{
    if (id >= cache.size())
        cache.resize(size_t(id) + 1, -1);
    if (cache[id] < 0)
        cache[id] = test(recorder->string(id)) ? 1 : 0;
    return cache[id];
}

// Decides one event: hidden by a kind filter (with everything under it), and
// whether it passes the filters itself. Reads the index's compact fields only.
bool TimelineFilter::passes(Pass &pass, int e)
{
    const TimelineSearchIndex &index = *m_index;
    const int p = index.parentOf(e);
    const TraceEventKind kind = index.kindOf(e);
    const bool send = kind == TraceEventKind::Send || kind == TraceEventKind::RecursionStop;
    if (pass.byKind) {
        // Hidden with everything under it: a send of a hidden kind, or one of
        // Django's own receivers while they are hidden.
        const bool hidden = (p >= 0 && pass.hiddenByKind[size_t(p)])
                            || (send && !pass.hidden.isEmpty()
                                && nameFlag(pass.hiddenName, index.nameOf(e), m_recorder,
                                            [&](const QString &s) { return pass.hidden.contains(s); }))
                            || (pass.hideDjango && kind == TraceEventKind::Receiver
                                && nameFlag(pass.djangoName, index.nameOf(e), m_recorder, &WebRuntime::isDjangoReceiverLabel));
        pass.hiddenByKind[size_t(e)] = hidden;
        if (hidden)
            return false;       // and so is everything under it: nothing below reads its nearest send
    }
    if (pass.byModel) {
        const int nearestSend = send ? e : (p >= 0 ? pass.nearestSend[size_t(p)] : -1);
        pass.nearestSend[size_t(e)] = nearestSend;
        if (kind == TraceEventKind::Step || nearestSend < 0)
            return false;       // a step is shown only as the parent of a match
        if (!nameFlag(pass.modelName, index.senderOf(nearestSend), m_recorder, [&](const QString &s) { return s == pass.model; }))
            return false;
    }
    return pass.query.isEmpty() || index.matches(pass.query, e);
}

void TimelineFilter::place(Pass &pass, int event)
{
    const int parent = m_index->parentOf(event);
    std::vector<qint32> *list = &pass.top;
    if (parent >= 0) {
        qint32 &slot = pass.slot[size_t(parent)];
        if (slot < 0) {
            slot = qint32(pass.lists.size());
            pass.lists.emplace_back();
        }
        list = &pass.lists[size_t(slot)];
    }
    pass.row[size_t(event)] = qint32(list->size());
    list->push_back(event);
    pass.visible[size_t(event)] = 1;
}

// Room for `count` events (the kind and model arrays only when they are read).
void TimelineFilter::grow(Pass &pass, int count)
{
    const size_t n = size_t(count);
    pass.visible.resize(n, 0);
    pass.row.resize(n, 0);
    pass.slot.resize(n, -1);
    if (pass.byKind)
        pass.hiddenByKind.resize(n, 0);
    if (pass.byModel)
        pass.nearestSend.resize(n, -1);
}

// Decides events in order, without signals (a pass not shown yet), until it
// has caught up or the budget is spent. Rows are built on the way: when an
// event passes, its hidden ancestors are the newest children of their parents
// (every event after one of them is inside it), so appending keeps the order.
bool TimelineFilter::advance(Pass &pass, qint64 budgetMs)
{
    if (!pass.filtering)
        return true;
    const int count = decidable(pass);
    grow(pass, count);
    QElapsedTimer timer;
    timer.start();
    QVarLengthArray<qint32, 64> chain;
    for (int e = pass.decided; e < count; ++e) {
        if (passes(pass, e)) {
            chain.clear();
            for (int a = m_index->parentOf(e); a >= 0 && !pass.visible[size_t(a)]; a = m_index->parentOf(a))
                chain.append(a);
            for (qsizetype k = chain.size() - 1; k >= 0; --k)
                place(pass, chain[k]);
            place(pass, e);
            pass.visibleCount += int(chain.size()) + 1;
        }
        if ((e & 4095) == 4095 && timer.elapsed() >= budgetMs) {
            pass.decided = e + 1;
            return false;
        }
    }
    pass.decided = count;
    return true;
}

// A filter changed: decided in slices of the event loop (the first one at
// once, so a small recording answers before this returns), then shown.
void TimelineFilter::recompute()
{
    m_next = makePass();
    passSlice();
}

void TimelineFilter::passSlice()
{
    if (!m_next)
        return;
    if (advance(*m_next, SliceMs))
        finishPass();
    else
        m_passSlices.start();
}

// One layout change; persistent indexes (the view's expanded rows, the
// selection) follow their events.
void TimelineFilter::finishPass()
{
    m_passSlices.stop();
    const bool layout = m_shown->filtering || m_next->filtering;
    QModelIndexList before;
    if (layout) {
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::NoLayoutChangeHint);
        before = persistentIndexList();
    }
    m_shown = std::move(m_next);
    if (layout) {
        QModelIndexList after;
        after.reserve(before.size());
        for (const QModelIndex &index : std::as_const(before)) {
            const int event = int(index.internalId());
            after.append(isShown(event) ? createIndex(rowOf(event), index.column(), quintptr(event)) : QModelIndex());
        }
        changePersistentIndexList(before, after);
        Q_EMIT layoutChanged({}, QAbstractItemModel::NoLayoutChangeHint);
    }
    Q_EMIT filterApplied();
}

// Events that arrived while a filter is shown: decided, and the shown ones
// appended to their parents' rows, one insertion per run of rows under one
// parent (a match inside a subtree that had none brings its hidden ancestors,
// the topmost of them a newest child, so an append as well).
void TimelineFilter::decideNew()
{
    Pass &pass = *m_shown;
    if (!pass.filtering)
        return;
    const int first = pass.decided;
    const int count = decidable(pass);
    if (count <= first)
        return;
    grow(pass, count);
    // Decide, marking what becomes shown with 2.
    m_shownOld.clear();
    for (int e = first; e < count; ++e) {
        if (!passes(pass, e))
            continue;
        pass.visible[size_t(e)] = 2;
        ++pass.visibleCount;
        for (int a = m_index->parentOf(e); a >= 0 && !pass.visible[size_t(a)]; a = m_index->parentOf(a)) {
            pass.visible[size_t(a)] = 2;
            ++pass.visibleCount;
            if (a < first)
                m_shownOld.push_back(a);
        }
    }
    pass.decided = count;

    // Newly shown, in pre-order: older ancestors, then new events.
    std::vector<qint32> shown = std::move(m_shownOld);
    m_shownOld = {};
    std::sort(shown.begin(), shown.end());
    for (int e = first; e < count; ++e)
        if (pass.visible[size_t(e)] == 2)
            shown.push_back(e);
    size_t i = 0;
    while (i < shown.size()) {
        const int parent = m_index->parentOf(shown[i]);
        size_t end = i + 1;
        int rows = 1;
        for (; end < shown.size(); ++end) {
            const int p = m_index->parentOf(shown[end]);
            if (p >= 0 && pass.visible[size_t(p)] == 2)
                continue;               // comes with a newly shown ancestor
            if (p != parent)
                break;
            ++rows;
        }
        const int firstRow = childCount(parent);
        beginInsertRows(indexOf(parent), firstRow, firstRow + rows - 1);
        for (size_t k = i; k < end; ++k)
            place(pass, shown[k]);
        endInsertRows();
        i = end;
    }
}

void TimelineFilter::onSourceDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles)
{
    if (!topLeft.isValid())
        return;
    if (!m_shown->filtering) {
        Q_EMIT dataChanged(mapFromSource(topLeft), mapFromSource(bottomRight), roles);
        return;
    }
    for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
        const int event = int(topLeft.siblingAtRow(row).internalId());
        if (isShown(event))
            Q_EMIT dataChanged(indexOf(event, topLeft.column()), indexOf(event, bottomRight.column()), roles);
    }
}

// ------------------------------------------------------------ the model

int TimelineFilter::childCount(int parentEvent) const
{
    const Pass &pass = *m_shown;
    if (!pass.filtering)
        return m_timeline ? m_timeline->childCount(parentEvent) : 0;
    if (parentEvent < 0)
        return int(pass.top.size());
    if (parentEvent >= pass.decided)
        return 0;
    const qint32 slot = pass.slot[size_t(parentEvent)];
    return slot < 0 ? 0 : int(pass.lists[size_t(slot)].size());
}

int TimelineFilter::childAt(int parentEvent, int row) const
{
    const Pass &pass = *m_shown;
    if (!pass.filtering)
        return m_timeline->childAt(parentEvent, row);
    return parentEvent < 0 ? pass.top[size_t(row)] : pass.lists[size_t(pass.slot[size_t(parentEvent)])][size_t(row)];
}

int TimelineFilter::rowOf(int event) const
{
    return m_shown->filtering ? m_shown->row[size_t(event)] : m_timeline->rowOf(event);
}

QModelIndex TimelineFilter::indexOf(int event, int column) const
{
    if (event < 0)
        return {};
    return createIndex(rowOf(event), column, quintptr(event));
}

QModelIndex TimelineFilter::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= columnCount() || (parent.isValid() && (parent.model() != this || parent.column() != 0)))
        return {};
    const int p = parent.isValid() ? int(parent.internalId()) : -1;
    if (row >= childCount(p))
        return {};
    return createIndex(row, column, quintptr(childAt(p, row)));
}

QModelIndex TimelineFilter::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.model() != this)
        return {};
    const int p = m_recorder->parentOf(int(child.internalId()));
    if (p < 0 || !isShown(p))
        return {};
    return indexOf(p);
}

int TimelineFilter::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return childCount(-1);
    if (parent.model() != this || parent.column() != 0)
        return 0;
    return childCount(int(parent.internalId()));
}

int TimelineFilter::columnCount(const QModelIndex &) const
{
    return m_timeline ? m_timeline->columnCount() : 0;
}

bool TimelineFilter::hasChildren(const QModelIndex &parent) const
{
    return rowCount(parent) > 0;
}

QVariant TimelineFilter::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_timeline ? m_timeline->headerData(section, orientation, role) : QVariant();
}

QModelIndex TimelineFilter::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!proxyIndex.isValid() || !m_timeline || proxyIndex.model() != this)
        return {};
    return m_timeline->indexForEvent(int(proxyIndex.internalId()), proxyIndex.column());
}

QModelIndex TimelineFilter::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.model() != m_timeline)
        return {};
    return indexForEvent(int(sourceIndex.internalId()), sourceIndex.column());
}

QModelIndex TimelineFilter::indexForEvent(int event, int column) const
{
    if (!isShown(event))
        return {};
    return indexOf(event, column);
}

} // namespace ss
