#pragma once
// The timeline tree's Time column: an action's time into the run, anything
// nested its time into its action (timeCellText), right-aligned, with the
// whole story ("+41 µs into its action, which began 1.25 ms into the run,
// took 12 µs") as the tooltip. The recorder's own clock starts when the
// window opens, which means nothing to a user.

#include <QStyledItemDelegate>

namespace ss {

class TraceRecorder;

class EventTimeDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    EventTimeDelegate(const TraceRecorder *recorder, QObject *parent = nullptr);

    // What the cell of `index` (any column of an event's row) shows.
    QString text(const QModelIndex &index) const;
    QString toolTip(const QModelIndex &index) const;

    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    int eventOf(const QModelIndex &index) const;
    const TraceRecorder *m_recorder;
};

} // namespace ss
