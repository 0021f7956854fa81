// The timeline's state on its own (pause, follow, filters, the current
// event) over a bare tree, then as the window's actions and inspector show it.

#include "inspectorview.h"
#include "mainwindow.h"
#include "roles.h"
#include "session/session.h"
#include "timelinecontroller.h"
#include "timelinefilter.h"
#include "timelinemodel.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QTreeView>

#include <QAction>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

using namespace ss;

class TestTimelineController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_timelinecontroller"));
        QSettings().clear();
    }

    void pauseAndFollowChangeOnceEach()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.scenario.json")));
        TimelineController controller(&session);
        QSignalSpy paused(&controller, &TimelineController::pausedChanged);
        QSignalSpy follow(&controller, &TimelineController::followNewestChanged);
        QVERIFY(!controller.isPaused());
        QVERIFY(controller.followsNewest());
        controller.setPaused(true);
        controller.setPaused(true);
        QCOMPARE(paused.count(), 1);
        QVERIFY(session.recorder().isPaused());
        const int events = session.recorder().count();
        session.runNext();                              // runs, records nothing
        QCOMPARE(session.recorder().count(), events);
        controller.setPaused(false);
        QCOMPARE(paused.count(), 2);
        controller.setFollowNewest(false);
        controller.setFollowNewest(false);
        QCOMPARE(follow.count(), 1);
        QVERIFY(!controller.followsNewest());
    }

    void filtersGoToTheFilterAndWhatIsFoundIsOpened()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.scenario.json")));
        while (!session.atEnd())
            session.runNext();
        TimelineModel model(&session);
        TimelineFilter filter(&session.recorder());
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QTreeView tree;
        tree.setModel(&filter);
        TimelineController controller(&session);
        controller.attach(&model, &filter, &tree);
        session.bridge().flush();
        QVERIFY(filter.rowCount() > 3);

        // A search: what it found is opened (it is small).
        QSignalSpy applied(&filter, &TimelineFilter::filterApplied);
        controller.setSearchText(QStringLiteral("create_billing_profile"));
        filter.applyPending();
        QCOMPARE(applied.count(), 1);
        QVERIFY(filter.isFiltering());
        QVERIFY(filter.visibleEvents() <= TimelineController::ExpandFoundUpTo);
        int opened = 0;
        for (int row = 0; row < filter.rowCount(); ++row)
            opened += tree.isExpanded(filter.index(row, 0));
        QCOMPARE(opened, filter.rowCount());
        // ... and said beside the search: how many of all the events show.
        QCOMPARE(controller.shownSummary(), QStringLiteral("%L1 of %L2 shown").arg(filter.visibleEvents()).arg(model.knownEvents()));
        QSignalSpy summary(&controller, &TimelineController::shownSummaryChanged);
        controller.setSearchText(QStringLiteral("no such receiver anywhere"));
        filter.applyPending();
        QCOMPARE(filter.rowCount(), 0);
        QCOMPARE(controller.shownSummary(), QStringLiteral("No match"));
        QCOMPARE(summary.count(), 1);
        QCOMPARE(summary.last().at(0).toString(), QStringLiteral("No match"));
        controller.setSearchText(QString());
        filter.applyPending();
        QVERIFY(!filter.isFiltering());
        QCOMPARE(controller.shownSummary(), QString());       // nothing filters: nothing to say
        QCOMPARE(summary.count(), 2);

        // Kinds: one change heard once; the list of hidden kinds for the settings.
        QSignalSpy kinds(&controller, &TimelineController::signalVisibilityChanged);
        controller.setSignalVisible(QStringLiteral("pre_init"), false);
        controller.setSignalVisible(QStringLiteral("pre_init"), false);
        controller.setSignalVisible(QStringLiteral("post_init"), false);
        QCOMPARE(kinds.count(), 2);
        QCOMPARE(controller.hiddenSignals(), QStringList({QStringLiteral("post_init"), QStringLiteral("pre_init")}));
        controller.setSignalVisible(QStringLiteral("pre_init"), true);
        QCOMPARE(kinds.count(), 3);
        QCOMPARE(kinds.last().at(1).toBool(), true);
        QCOMPARE(controller.hiddenSignals(), QStringList({QStringLiteral("post_init")}));
        // The model and Django's receivers.
        controller.setModelFilter(QStringLiteral("BillingProfile"));
        QCOMPARE(filter.modelFilter(), QStringLiteral("BillingProfile"));
        controller.setDjangoReceiversHidden(true);
        QVERIFY(filter.djangoReceiversHidden());
    }

    void oneCurrentEventForTreeAndInspector()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.scenario.json")));
        session.runNext();
        session.runNext();
        TimelineModel model(&session);
        TimelineFilter filter(&session.recorder());
        filter.setSourceModel(&model);
        QTreeView tree;
        tree.setModel(&filter);
        TimelineController controller(&session);
        controller.attach(&model, &filter, &tree);
        session.bridge().flush();
        const TraceRecorder &r = session.recorder();
        int postSave = -1, preInit = -1;
        for (int i = 0; i < r.count(); ++i) {
            if (postSave < 0 && r.kindOf(i) == TraceEventKind::Send && r.event(i).signal == QLatin1String("post_save"))
                postSave = i;
            if (preInit < 0 && r.kindOf(i) == TraceEventKind::Send && r.event(i).signal == QLatin1String("pre_init"))
                preInit = i;
        }
        QVERIFY(postSave >= 0 && preInit >= 0);

        QSignalSpy current(&controller, &TimelineController::currentEventChanged);
        controller.selectEvent(postSave);
        QCOMPARE(current.count(), 1);
        QCOMPARE(current.last().at(0).toInt(), postSave);
        QCOMPARE(controller.currentEvent(), postSave);
        QCOMPARE(tree.currentIndex().data(EventIndexRole).toInt(), postSave);
        controller.selectEvent(postSave);               // already current: nothing to say
        QCOMPARE(current.count(), 1);
        // The user's click in the tree.
        const QModelIndex parent = tree.currentIndex().parent();
        tree.setCurrentIndex(parent);
        QCOMPARE(current.count(), 2);
        QCOMPARE(controller.currentEvent(), parent.data(EventIndexRole).toInt());
        // An event a filter hides cannot become current in the tree.
        controller.setSignalVisible(QStringLiteral("pre_init"), false);
        controller.selectEvent(preInit);
        QCOMPARE(controller.currentEvent(), parent.data(EventIndexRole).toInt());
        // A cleared recording has no current event.
        const int before = current.count();
        session.bridge().clearRecording();
        QCOMPARE(controller.currentEvent(), -1);
        QCOMPARE(current.count(), before + 1);
        QCOMPARE(current.last().at(0).toInt(), -1);
    }

    void followingOpensTheNewestAction()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.scenario.json")));
        TimelineModel model(&session);
        TimelineFilter filter(&session.recorder());
        filter.setSourceModel(&model);
        QTreeView tree;
        tree.setModel(&filter);
        TimelineController controller(&session);
        controller.attach(&model, &filter, &tree);
        session.runNext();
        session.bridge().flush();
        const QModelIndex first = filter.index(filter.rowCount() - 1, 0);
        QVERIFY(filter.rowCount(first) > 0);
        QVERIFY(tree.isExpanded(first));
        controller.setFollowNewest(false);
        session.runNext();
        session.bridge().flush();
        const QModelIndex second = filter.index(filter.rowCount() - 1, 0);
        QVERIFY(second != first);
        QVERIFY(!tree.isExpanded(second));
    }

    void theWindowsActionsShowTheControllersState()
    {
        MainWindow w;
        TimelineController *controller = w.timelineController();
        QAction *pause = nullptr, *follow = nullptr;
        for (QAction *a : w.findChildren<QAction *>()) {
            if (a->text() == QLatin1String("Pause"))
                pause = a;
            if (a->text() == QLatin1String("Follow newest"))
                follow = a;
        }
        QVERIFY(pause && follow);
        controller->setPaused(true);
        QVERIFY(pause->isChecked());
        QVERIFY(w.session()->recorder().isPaused());
        pause->setChecked(false);                       // the user's click
        QVERIFY(!controller->isPaused());
        follow->setChecked(false);
        QVERIFY(!controller->followsNewest());
        controller->setFollowNewest(true);
        QVERIFY(follow->isChecked());
        // The search box and the inspector go through the controller.
        auto *search = w.findChild<QLineEdit *>(QStringLiteral("timelineSearch"));
        QVERIFY(search);
        QTest::keyClicks(search, QStringLiteral("post_save"));
        w.timelineFilter()->applyPending();
        QCOMPARE(w.timelineFilter()->searchText(), QStringLiteral("post_save"));
        // Beside the search, what it leaves: nothing has run yet.
        auto *shown = w.findChild<QLabel *>(QStringLiteral("shownSummary"));
        QVERIFY(shown);
        QCOMPARE(shown->text(), QStringLiteral("No match"));
        w.stepOnce();
        const int event = controller->currentEvent();
        QVERIFY(event >= 0);
        QVERIFY(w.inspector()->visibleText().contains(QStringLiteral("Action")));
    }
};

QTEST_MAIN(TestTimelineController)
#include "tst_timelinecontroller.moc"
