#pragma once
// The timeline tree's first column, nesting drawn by the delegate rather than
// by QTreeView: a 32-level recursion is some 66 rows deep, and QTreeView's
// fixed indentation (20 px a level) would push those labels 1,300 px right,
// out of a 330 px column. Here the indentation stops growing at a cap that
// keeps most of the column for the label, and rows deeper than the cap show
// their depth ("⋯17") where the indentation stopped. The label is never what
// gets cut: indentation gives way first.
//
// The view must not indent itself (QTreeView::setIndentation(0),
// setRootIsDecorated(false)); NestingDelegate::install() does both. The
// expand arrow is drawn here and toggles on click; keys and double-click
// behave as in any tree.

#include <QPointer>
#include <QStyledItemDelegate>

class QTreeView;

namespace ss {

class NestingDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    static constexpr int Step = 16;             // px a level, up to the cap
    static constexpr int MinLabelRoom = 160;    // px the label always keeps, when the column has them

    explicit NestingDelegate(QTreeView *view);
    // Makes the view's first column use a NestingDelegate (and stop indenting).
    static NestingDelegate *install(QTreeView *view);

    // Nesting level of `index` (0 at the top level).
    static int levelOf(const QModelIndex &index);
    // Levels drawn as indentation in a column `width` wide; deeper rows stop there.
    static int cappedLevels(int width);
    // Where the arrow and the label (icon + text) go inside `cell`.
    QRect arrowRect(const QRect &cell, const QModelIndex &index) const;
    QRect labelRect(const QRect &cell, const QModelIndex &index) const;
    // The depth marker shown beyond the cap ("⋯17"), empty when none.
    static QString depthMarker(const QModelIndex &index, int width);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

protected:
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

private:
    int indentFor(const QRect &cell, const QModelIndex &index) const;
    QPointer<QTreeView> m_view;
};

} // namespace ss
