// The timeline's pause and follow state on its own, then as the window's
// Pause and Follow actions show it.

#include "mainwindow.h"
#include "session/session.h"
#include "timelinecontroller.h"

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
    }
};

QTEST_MAIN(TestTimelineController)
#include "tst_timelinecontroller.moc"
