// Running a scenario without a window: all of it in slices with progress,
// cancelled part way, one step, a reset.

#include "scenariocontroller.h"
#include "session/session.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;

class TestScenarioController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runAllStepAndReset()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.scenario.json")));
        ScenarioController controller(&session);
        QSignalSpy changed(&session, &Session::databaseChanged);
        QSignalSpy started(&controller, &ScenarioController::runStarted);
        QSignalSpy finished(&controller, &ScenarioController::runFinished);
        QSignalSpy stepped(&controller, &ScenarioController::stepped);
        QCOMPARE(controller.step().step, 0);
        QCOMPARE(stepped.count(), 1);
        QCOMPARE(changed.count(), 1);
        controller.runAll();
        QVERIFY(session.atEnd());
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.first().at(0).toInt(), session.stepCount() - 1);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toInt(), session.stepCount() - 1);
        QCOMPARE(finished.first().at(1).toBool(), false);
        QCOMPARE(changed.count(), 2);                   // once for the whole run, not per step
        controller.runAll();                            // nothing left: no run
        QCOMPARE(started.count(), 1);
        controller.reset();
        QCOMPARE(session.nextStep(), 0);
        QCOMPARE(session.rows(session.registry().model(QStringLiteral("User"))).size(), 0);
    }

    void aCancelStopsBetweenSlices()
    {
        QTemporaryDir dir;
        QFile::copy(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.schema.json"), dir.filePath(QStringLiteral("shop.schema.json")));
        QJsonArray steps;
        for (int i = 0; i < 20000; ++i)
            steps.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("create")}, {QStringLiteral("model"), QStringLiteral("User")},
                                     {QStringLiteral("values"), QJsonObject{{QStringLiteral("username"), QStringLiteral("u%1").arg(i)}}}});
        QFile f(dir.filePath(QStringLiteral("long.scenario.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("format"), QStringLiteral("signalscope-scenario/1")},
                                          {QStringLiteral("name"), QStringLiteral("long")},
                                          {QStringLiteral("schema"), QStringLiteral("shop.schema.json")},
                                          {QStringLiteral("steps"), steps}}).toJson());
        f.close();
        Session session;
        QVERIFY(session.loadFile(f.fileName()));
        ScenarioController controller(&session);
        QSignalSpy progress(&controller, &ScenarioController::progress);
        QSignalSpy finished(&controller, &ScenarioController::runFinished);
        connect(&controller, &ScenarioController::progress, &controller, [&controller] { controller.cancel(); });
        controller.runAll();
        QCOMPARE(progress.count(), 1);                  // one slice, then the cancel was heard
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(1).toBool(), true);
        const int done = session.nextStep();
        QVERIFY(done > 0 && done < 20000);
        QCOMPARE(finished.first().at(0).toInt(), done);
        QCOMPARE(session.rows(session.registry().model(QStringLiteral("User"))).size(), done);
    }
};

QTEST_MAIN(TestScenarioController)
#include "tst_scenariocontroller.moc"
