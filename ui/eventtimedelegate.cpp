#include "eventtimedelegate.h"

#include "roles.h"
#include "timeline/eventlabels.h"
#include "trace/tracerecorder.h"

#include <QAbstractItemView>
#include <QHelpEvent>
#include <QToolTip>

namespace ss {

EventTimeDelegate::EventTimeDelegate(const TraceRecorder *recorder, QObject *parent)
    : QStyledItemDelegate(parent), m_recorder(recorder)
{
}

int EventTimeDelegate::eventOf(const QModelIndex &index) const
{
    const QVariant v = index.data(EventIndexRole);
    const int event = v.isValid() ? v.toInt() : -1;
    return event >= 0 && event < m_recorder->count() ? event : -1;
}

QString EventTimeDelegate::text(const QModelIndex &index) const
{
    const int event = eventOf(index);
    return event < 0 ? QString() : timeCellText(*m_recorder, event);
}

QString EventTimeDelegate::toolTip(const QModelIndex &index) const
{
    const int event = eventOf(index);
    return event < 0 ? QString() : whenText(*m_recorder, event);
}

void EventTimeDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    option->text = text(index);
    option->displayAlignment = Qt::AlignRight | Qt::AlignVCenter;
}

bool EventTimeDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                                  const QModelIndex &index)
{
    if (event->type() == QEvent::ToolTip) {
        const QString tip = toolTip(index);
        if (!tip.isEmpty()) {
            QToolTip::showText(event->globalPos(), tip, view->viewport(), option.rect);
            return true;
        }
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}

} // namespace ss
