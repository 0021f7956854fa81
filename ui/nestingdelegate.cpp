#include "nestingdelegate.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QTreeView>

namespace ss {

NestingDelegate::NestingDelegate(QTreeView *view)
    : QStyledItemDelegate(view), m_view(view)
{
}

NestingDelegate *NestingDelegate::install(QTreeView *view)
{
    auto *delegate = new NestingDelegate(view);
    view->setIndentation(0);
    view->setRootIsDecorated(false);
    view->setItemDelegateForColumn(0, delegate);
    return delegate;
}

int NestingDelegate::levelOf(const QModelIndex &index)
{
    int level = 0;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        ++level;
    return level;
}

static int markerWidth(const QFontMetrics &fm)
{
    return fm.horizontalAdvance(QStringLiteral("⋯000")) + 6;
}

int NestingDelegate::cappedLevels(int width)
{
    const QFontMetrics fm(QApplication::font());
    // Indentation may take what the label, the arrow and a depth marker leave,
    // and never more than half the column.
    const int room = std::min(width / 2, width - MinLabelRoom - Step - markerWidth(fm));
    return std::max(1, room / Step);
}

QString NestingDelegate::depthMarker(const QModelIndex &index, int width)
{
    const int level = levelOf(index);
    return level > cappedLevels(width) ? QStringLiteral("⋯%1").arg(level) : QString();
}

int NestingDelegate::indentFor(const QRect &cell, const QModelIndex &index) const
{
    const int level = levelOf(index);
    const int cap = cappedLevels(cell.width());
    int indent = std::min(level, cap) * Step;
    if (level > cap)
        indent += markerWidth(QFontMetrics(QApplication::font()));
    return indent;
}

QRect NestingDelegate::arrowRect(const QRect &cell, const QModelIndex &index) const
{
    return QRect(cell.left() + indentFor(cell, index), cell.top(), Step, cell.height());
}

QRect NestingDelegate::labelRect(const QRect &cell, const QModelIndex &index) const
{
    QRect r = cell;
    r.setLeft(arrowRect(cell, index).right() + 1);
    return r;
}

void NestingDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // The whole cell first: background, loop colour, selection, focus.
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    cell.text.clear();
    cell.icon = QIcon();
    cell.features &= ~QStyleOptionViewItem::HasDecoration;
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);

    // The depth marker where the indentation stopped growing.
    const QString marker = depthMarker(index, option.rect.width());
    if (!marker.isEmpty()) {
        const int cap = cappedLevels(option.rect.width());
        const QRect markerRect(option.rect.left() + cap * Step, option.rect.top(),
                               markerWidth(option.fontMetrics), option.rect.height());
        painter->save();
        QColor c = (option.state & QStyle::State_Selected) ? option.palette.color(QPalette::HighlightedText)
                                                            : option.palette.color(QPalette::Text);
        c.setAlphaF(0.55f);
        painter->setPen(c);
        painter->drawText(markerRect, Qt::AlignVCenter | Qt::AlignLeft, marker);
        painter->restore();
    }

    // The expand arrow.
    if (index.model()->hasChildren(index)) {
        QStyleOption branch;
        branch.initFrom(widget);
        branch.rect = arrowRect(option.rect, index);
        branch.palette = option.palette;
        branch.state = QStyle::State_Children | (option.state & QStyle::State_Enabled);
        if (m_view && m_view->isExpanded(index))
            branch.state |= QStyle::State_Open;
        if (option.state & QStyle::State_Selected)
            branch.state |= QStyle::State_Selected;
        style->drawPrimitive(QStyle::PE_IndicatorBranch, &branch, painter, widget);
    }

    // The label: icon and text, on the background already drawn.
    QStyleOptionViewItem label = option;
    initStyleOption(&label, index);
    label.rect = labelRect(option.rect, index);
    label.backgroundBrush = Qt::NoBrush;
    label.state &= ~QStyle::State_HasFocus;
    label.features &= ~QStyleOptionViewItem::Alternate;
    // (a selected row repaints its opaque highlight here: the same colour)
    style->drawControl(QStyle::CE_ItemViewItem, &label, painter, widget);
}

QSize NestingDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const int level = levelOf(index);
    size.rwidth() += std::min(level, 12) * Step + Step;
    return size;
}

bool NestingDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                                  const QModelIndex &index)
{
    if (m_view && (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseButtonRelease
                   || event->type() == QEvent::MouseButtonDblClick)) {
        auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() == Qt::LeftButton && model->hasChildren(index)
            && arrowRect(option.rect, index).contains(mouse->position().toPoint())) {
            if (event->type() == QEvent::MouseButtonRelease)
                m_view->setExpanded(index, !m_view->isExpanded(index));
            return true;
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace ss
