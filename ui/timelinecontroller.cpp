#include "timelinecontroller.h"

#include "roles.h"
#include "session/session.h"
#include "timelinefilter.h"
#include "timelinemodel.h"
#include "trace/tracebridge.h"

#include <QItemSelectionModel>
#include <QTreeView>
#include <algorithm>

namespace ss {

TimelineController::TimelineController(Session *session, QObject *parent)
    : QObject(parent), m_session(session)
{
}

void TimelineController::attach(TimelineModel *model, TimelineFilter *filter, QTreeView *tree)
{
    m_model = model;
    m_filter = filter;
    m_tree = tree;
    connect(filter, &TimelineFilter::filterApplied, this, &TimelineController::openWhatWasFound);
    connect(filter, &TimelineFilter::filterApplied, this, &TimelineController::updateSummary);
    connect(filter, &QAbstractItemModel::rowsInserted, this, &TimelineController::followNewRows);
    connect(filter, &QAbstractItemModel::rowsInserted, this, &TimelineController::updateSummary);
    connect(filter, &QAbstractItemModel::modelReset, this, &TimelineController::updateSummary);
    connect(tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { treeCurrentChanged(current); });
    // A cleared recording has no current event (the tree's model reset says
    // nothing through currentChanged).
    connect(&m_session->bridge(), &TraceBridge::recordingCleared, this, [this] {
        m_autoExpandedLarge.clear();
        if (std::exchange(m_current, -1) != -1)
            Q_EMIT currentEventChanged(-1);
    });
}

bool TimelineController::isPaused() const
{
    return m_session->recorder().isPaused();
}

void TimelineController::setPaused(bool paused)
{
    if (isPaused() == paused)
        return;
    m_session->recorder().setPaused(paused);
    Q_EMIT pausedChanged(paused);
}

void TimelineController::setFollowNewest(bool follow)
{
    if (m_follow == follow)
        return;
    m_follow = follow;
    Q_EMIT followNewestChanged(follow);
}

QStringList TimelineController::hiddenSignals() const
{
    if (!m_filter)
        return {};
    QStringList hidden(m_filter->hiddenSignals().values());
    hidden.sort();
    return hidden;
}

void TimelineController::setSearchText(const QString &text)
{
    if (m_filter)
        m_filter->setSearchText(text);
}

void TimelineController::setModelFilter(const QString &model)
{
    if (m_filter)
        m_filter->setModelFilter(model);
}

void TimelineController::setSignalVisible(const QString &signal, bool visible)
{
    if (!m_filter || m_filter->hiddenSignals().contains(signal) != visible)
        return;
    m_filter->setSignalVisible(signal, visible);
    Q_EMIT signalVisibilityChanged(signal, visible);
}

void TimelineController::setDjangoReceiversHidden(bool hidden)
{
    if (m_filter)
        m_filter->setDjangoReceiversHidden(hidden);
}

void TimelineController::openWhatWasFound()
{
    // All of it when it is small; else the top level only (expanding a
    // million rows would freeze the view).
    if (m_tree && m_filter->isFiltering() && m_filter->visibleEvents() <= ExpandFoundUpTo)
        m_tree->expandAll();
}

void TimelineController::followNewRows(const QModelIndex &parent, int first, int last)
{
    if (!m_follow || parent.isValid() || !m_tree)
        return;
    // A large action opened while it was the newest closes when a newer one
    // comes: a tree view lays out every expanded row again on each insertion,
    // so a long run must not leave a million rows open behind it.
    for (const QPersistentModelIndex &index : std::exchange(m_autoExpandedLarge, {}))
        if (index.isValid())
            m_tree->collapse(index);
    // Open the newest actions so the signals they sent are visible: small ones
    // whole, a large one one level deep.
    int events = 0;
    for (int row = last; row >= first && events < SmallAction; --row) {
        const QModelIndex index = m_filter->index(row, 0);
        const int children = m_filter->rowCount(index);
        if (children <= SmallAction) {
            m_tree->expandRecursively(index, 3);
        } else {
            m_tree->expand(index);
            m_autoExpandedLarge.append(index);
        }
        events += 1 + children;
    }
    m_tree->scrollTo(m_filter->index(last, 0), QAbstractItemView::PositionAtTop);
}

void TimelineController::updateSummary()
{
    QString summary;
    if (m_filter->isFiltering()) {
        const int shown = m_filter->visibleEvents();
        summary = shown == 0 ? tr("No match")
                             : tr("%L1 of %L2 shown").arg(shown).arg(m_model ? m_model->knownEvents() : shown);
    }
    if (summary == m_summary)
        return;
    m_summary = summary;
    Q_EMIT shownSummaryChanged(summary);
}

void TimelineController::treeCurrentChanged(const QModelIndex &current)
{
    const int event = current.isValid() ? current.data(EventIndexRole).toInt() : -1;
    if (event == m_current)
        return;
    m_current = event;
    Q_EMIT currentEventChanged(event);
}

void TimelineController::selectEvent(int event)
{
    if (!m_tree || !m_model)
        return;
    const QModelIndex index = m_filter->mapFromSource(m_model->indexForEvent(event));
    if (!index.isValid())
        return;
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
}

} // namespace ss
