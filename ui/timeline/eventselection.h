#pragma once
// The current event, shared by the painted views and the tree: selecting in
// one selects in the other (and so in the inspector, which follows the tree's
// current index). The tree shows the TimelineModel through proxies (filters);
// this maps event indexes through them. An event a filter hides can still be
// current in the painted views; the tree then keeps its own.

#include <QObject>
#include <QItemSelectionModel>
#include <QPointer>

class QItemSelectionModel;
class QModelIndex;

namespace ss {

class TimelineModel;

class EventSelection : public QObject
{
    Q_OBJECT
public:
    // `selection` selects in a view of `model` (directly or through proxies).
    EventSelection(TimelineModel *model, QItemSelectionModel *selection, QObject *parent = nullptr);

    int current() const { return m_current; }
    QItemSelectionModel *selectionModel() const { return m_selection; }
    // The index of `event` in the selection model's model (invalid when hidden).
    QModelIndex viewIndex(int event) const;

public Q_SLOTS:
    void setCurrent(int event);

Q_SIGNALS:
    void currentChanged(int event);

private:
    void fromView(const QModelIndex &index);

    TimelineModel *m_model;
    QPointer<QItemSelectionModel> m_selection;
    int m_current = -1;
};

} // namespace ss
