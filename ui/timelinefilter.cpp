#include "timelinefilter.h"

#include "roles.h"
#include "trace/tracerecorder.h"
#include "web/webruntime.h"

namespace ss {

TimelineFilter::TimelineFilter(TraceRecorder *recorder, QObject *parent)
    : QSortFilterProxyModel(parent), m_recorder(recorder)
{
    setRecursiveFilteringEnabled(true);
    setDynamicSortFilter(true);
}

void TimelineFilter::setHiddenSignals(const QSet<QString> &signalNames)
{
    if (m_hidden == signalNames)
        return;
    m_hidden = signalNames;
    invalidateFilter();
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
    invalidateFilter();
}

void TimelineFilter::setDjangoReceiversHidden(bool hidden)
{
    if (m_hideDjango == hidden)
        return;
    m_hideDjango = hidden;
    invalidateFilter();
}

void TimelineFilter::setSearchText(const QString &text)
{
    if (m_search == text)
        return;
    m_search = text;
    invalidateFilter();
}

bool TimelineFilter::sendHidden(int event) const
{
    return m_hidden.contains(m_recorder->string(m_recorder->record(event).name));
}

bool TimelineFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const int event = index.data(EventIndexRole).toInt();
    if (event < 0 || event >= m_recorder->count())
        return false;
    const TraceEventKind kind = m_recorder->kindOf(event);
    if (m_hideDjango && kind == TraceEventKind::Receiver
        && WebRuntime::isDjangoReceiverLabel(m_recorder->string(m_recorder->record(event).name)))
        return false;
    if (kind != TraceEventKind::Step) {
        // Hidden when its signal kind, or the kind of a send it happened
        // inside, is filtered out; the model filter applies to the nearest send.
        bool nearest = true;
        for (int e = event; e >= 0; e = m_recorder->parentOf(e)) {
            const TraceEventKind k = m_recorder->kindOf(e);
            if (k != TraceEventKind::Send && k != TraceEventKind::RecursionStop)
                continue;
            if (sendHidden(e))
                return false;
            if (nearest && !m_model.isEmpty() && m_recorder->string(m_recorder->record(e).sender) != m_model)
                return false;
            nearest = false;
        }
        if (nearest && !m_model.isEmpty())
            return false;       // not inside any send: nothing of that model
    } else if (!m_model.isEmpty() && m_search.isEmpty()) {
        return false;           // shown only as the parent of a match
    }
    if (m_search.isEmpty())
        return true;
    return index.data(SearchTextRole).toString().contains(m_search, Qt::CaseInsensitive);
}

} // namespace ss
