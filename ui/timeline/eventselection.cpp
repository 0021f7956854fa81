#include "eventselection.h"

#include "roles.h"
#include "timelinemodel.h"

#include <QAbstractProxyModel>
#include <QItemSelectionModel>

namespace ss {

EventSelection::EventSelection(TimelineModel *model, QItemSelectionModel *selection, QObject *parent)
    : QObject(parent), m_model(model), m_selection(selection)
{
    connect(selection, &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { fromView(current); });
    connect(model, &QAbstractItemModel::modelReset, this, [this] { setCurrent(-1); });
}

QModelIndex EventSelection::viewIndex(int event) const
{
    if (!m_selection || event < 0)
        return {};
    // The chain of proxies from the view's model down to the TimelineModel.
    QList<const QAbstractProxyModel *> proxies;
    const QAbstractItemModel *m = m_selection->model();
    while (m && m != m_model) {
        const auto *proxy = qobject_cast<const QAbstractProxyModel *>(m);
        if (!proxy)
            return {};
        proxies.prepend(proxy);
        m = proxy->sourceModel();
    }
    if (!m)
        return {};
    QModelIndex index = m_model->indexForEvent(event);
    for (const QAbstractProxyModel *proxy : std::as_const(proxies))
        index = proxy->mapFromSource(index);
    return index;
}

void EventSelection::setCurrent(int event)
{
    if (event == m_current)
        return;
    m_current = event;
    const QModelIndex index = viewIndex(event);
    if (index.isValid() && m_selection)
        m_selection->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    Q_EMIT currentChanged(event);
}

void EventSelection::fromView(const QModelIndex &index)
{
    const int event = index.isValid() ? index.data(EventIndexRole).toInt() : -1;
    if (event == m_current || (event < 0 && !index.isValid() && m_current >= 0 && !viewIndex(m_current).isValid()))
        return;
    m_current = event;
    Q_EMIT currentChanged(event);
}

} // namespace ss
