#include "timelinetree.h"

#include "eventtimedelegate.h"
#include "nestingdelegate.h"
#include "roles.h"

#include <QHeaderView>
#include <QTreeView>

namespace ss {

void setUpTimelineTree(QTreeView *tree, const TraceRecorder *recorder, int eventWidth)
{
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->setColumnWidth(TimelineColumn::Event, eventWidth);
    tree->setColumnWidth(TimelineColumn::Sender, 100);
    tree->setColumnWidth(TimelineColumn::Instance, 110);
    tree->setColumnWidth(TimelineColumn::Time, 70);
    tree->setColumnWidth(TimelineColumn::Duration, 90);
    tree->setColumnWidth(TimelineColumn::Arguments, 230);
    tree->header()->setStretchLastSection(false);
    NestingDelegate::install(tree);
    tree->setItemDelegateForColumn(TimelineColumn::Time, new EventTimeDelegate(recorder, tree));
}

} // namespace ss
