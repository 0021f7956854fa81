#include "timelinetree.h"

#include "eventtimedelegate.h"
#include "nestingdelegate.h"
#include "roles.h"
#include "timelinecontroller.h"

#include <QHeaderView>
#include <QLabel>
#include <QTabWidget>
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

void showShownSummary(QTabWidget *views, TimelineController *controller)
{
    auto *label = new QLabel(controller->shownSummary(), views);
    label->setObjectName(QStringLiteral("shownSummary"));
    label->setContentsMargins(8, 0, 8, 0);
    QObject::connect(controller, &TimelineController::shownSummaryChanged, label, &QLabel::setText);
    views->setCornerWidget(label, Qt::TopRightCorner);
}

} // namespace ss
