// The window on recorded Django runs: a wire trace and a canonical trace
// opened from files, a broken file's message, processes connecting to the
// listening window (each a tab, fed live; a second one; one that dies), the
// receiver map with file:line, and the banner saying why there are no record
// tables. Every item model under QAbstractItemModelTester.

#include "mainwindow.h"
#include "recordedrunwindow.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLocalSocket>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace ss;

namespace {

QByteArray helloLine(int pid)
{
    return QStringLiteral("{\"e\":\"hello\",\"format\":\"signalscope-wire\",\"version\":1,\"django\":\"3.2.25\","
                          "\"python\":\"3.11\",\"pid\":%1,\"ppid\":1,\"argv\":[\"manage.py\",\"test\"],\"cwd\":\"/proj\"}\n")
        .arg(pid)
        .toUtf8();
}

QByteArray body()
{
    return QByteArray(
        "{\"e\":\"receiver\",\"rid\":1,\"name\":\"shop.signals.count_order\",\"file\":\"/proj/shop/signals.py\",\"line\":9}\n"
        "{\"e\":\"connect\",\"t\":1,\"signal\":\"django.db.models.signals.post_save\",\"rid\":1,\"sender\":{\"$model\":\"shop.Order\"},\"weak\":true,\"uid\":null,\"added\":true}\n"
        "{\"e\":\"send\",\"id\":3,\"t\":20,\"signal\":\"django.db.models.signals.post_save\",\"sender\":{\"$model\":\"shop.Order\"},\"args\":{\"instance\":{\"$instance\":\"shop.Order\",\"pk\":5},\"created\":true,\"update_fields\":null,\"raw\":false,\"using\":\"default\"},\"depth\":0,\"parent\":null}\n"
        "{\"e\":\"call\",\"id\":4,\"send\":3,\"rid\":1,\"i\":0,\"t\":21}\n"
        "{\"e\":\"send\",\"id\":5,\"t\":22,\"signal\":\"shop.signals.order_placed\",\"sender\":{\"$model\":\"shop.Order\"},\"args\":{\"instance\":{\"$instance\":\"shop.Order\",\"pk\":5}},\"depth\":1,\"parent\":4,\"nr\":true}\n"
        "{\"e\":\"return\",\"id\":4,\"t\":30,\"dur\":9}\n"
        "{\"e\":\"end\",\"id\":3,\"t\":31,\"dur\":11}\n");
}

QString write(QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(bytes);
    return path;
}

} // namespace

class TestRecordedRun : public QObject
{
    Q_OBJECT

private slots:
    void mainWindowOffersTheRecordingActions()
    {
        MainWindow window;
        QStringList texts;
        for (QAction *menu : window.menuBar()->actions())
            if (menu->menu())
                for (QAction *a : menu->menu()->actions())
                    texts << a->text().remove(QLatin1Char('&'));
        QVERIFY(texts.contains(QStringLiteral("Open recorded trace…")));
        QVERIFY(texts.contains(QStringLiteral("Record a Django command…")));
        QVERIFY(texts.contains(QStringLiteral("Listen for Django processes…")));
    }

    void wireTraceOpensWithItsReceiverMap()
    {
        QTemporaryDir dir;
        RecordedRunWindow window;
        QVERIFY(window.openTrace(write(dir, QStringLiteral("run.wire.jsonl"), helloLine(42) + body() + "{\"e\":\"bye\",\"t\":99}\n")));
        QVERIFY(window.banner().contains(QLatin1String("Record tables are not shown")));
        QCOMPARE(window.tabs()->count(), 1);
        RecordedProcessView *view = window.processView(0);
        QAbstractItemModelTester tester(view->timeline(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(view->timeline()->rowCount(), 1);              // the process's step
        const QModelIndex step = view->timeline()->index(0, 0);
        QCOMPARE(view->timeline()->rowCount(step), 1);          // post_save
        const QModelIndex send = view->timeline()->index(0, 0, step);
        QVERIFY(view->timeline()->data(send).toString().contains(QLatin1String("post_save")));
        const QModelIndex receiver = view->timeline()->index(0, 0, send);
        QVERIFY2(view->timeline()->data(receiver).toString().contains(QLatin1String("shop.signals.count_order (shop/signals.py:9)")),
                 qPrintable(view->timeline()->data(receiver).toString()));
        QTreeWidget *map = view->receiverMap();
        QCOMPARE(map->topLevelItemCount(), 1);
        QCOMPARE(map->topLevelItem(0)->text(0), QStringLiteral("django.db.models.signals.post_save"));
        QCOMPARE(map->topLevelItem(0)->child(0)->text(0), QStringLiteral("shop.signals.count_order (shop/signals.py:9)"));
        QVERIFY(view->problems().isEmpty());
        QCOMPARE(window.tabs()->tabText(0), QStringLiteral("pid 42: manage.py test"));

        // Exported as the canonical trace: the projection of the recorded sends.
        const QString out = dir.filePath(QStringLiteral("out.trace.jsonl"));
        QString error;
        QVERIFY2(window.exportTrace(0, out, QStringLiteral("jsonl"), &error), qPrintable(error));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.at(0), QByteArray(R"({"created":true,"depth":0,"instance":{"model":"Order","pk":5},"raw":false,)"
                                         R"("sender":"Order","seq":1,"signal":"post_save","step":0,"update_fields":null,"using":"default"})"));
        QVERIFY(!window.exportTrace(0, dir.filePath(QStringLiteral("no/such/dir/x.jsonl")), QStringLiteral("jsonl"), &error));
        QVERIFY(error.contains(QLatin1String("x.jsonl")));
    }

    void brokenWireTraceSaysWhereAndKeepsTheRest()
    {
        QTemporaryDir dir;
        RecordedRunWindow window;
        const QString path = write(dir, QStringLiteral("cut.wire.jsonl"), helloLine(42) + body() + "{\"e\":\"send\",\"id\":9");
        QVERIFY(window.openTrace(path));
        RecordedProcessView *view = window.processView(0);
        QVERIFY(view->timeline()->rowCount() == 1);
        const QString problems = view->problems().join(QLatin1Char('\n'));
        QVERIFY2(problems.contains(path) && problems.contains(QLatin1String("line 9 is cut off")), qPrintable(problems));
        QVERIFY(view->findChild<QLabel *>(QStringLiteral("streamProblems"))->isVisibleTo(view));
        // A missing file: a message naming it, no crash.
        RecordedRunWindow other;
        QVERIFY(!other.openTrace(dir.filePath(QStringLiteral("missing.jsonl"))));
        QVERIFY(other.processView(0)->problems().first().contains(QLatin1String("missing.jsonl")));
    }

    void canonicalTraceOpensNested()
    {
        QTemporaryDir dir;
        const QString path = write(dir, QStringLiteral("t.trace.jsonl"),
            "{\"depth\":0,\"seq\":1,\"sender\":\"Order\",\"signal\":\"post_save\",\"step\":0}\n"
            "{\"depth\":1,\"seq\":2,\"sender\":\"Order\",\"signal\":\"order_placed\",\"step\":0}\n"
            "{\"depth\":0,\"seq\":3,\"sender\":null,\"signal\":\"ping\",\"step\":1}\n");
        RecordedRunWindow window;
        QVERIFY(window.openTrace(path));
        TimelineModel *timeline = window.processView(0)->timeline();
        QAbstractItemModelTester tester(timeline, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(timeline->rowCount(), 2);                      // two steps
        const QModelIndex send = timeline->index(0, 0, timeline->index(0, 0));
        const QModelIndex receiver = timeline->index(0, 0, send);
        QVERIFY(timeline->data(timeline->index(0, 0, receiver)).toString().contains(QLatin1String("order_placed")));
    }

    void recordingADjangoCommandFillsATabLive()
    {
        // The real test project, migrated into a fresh database by a real Django.
        QTemporaryDir dir;
        qputenv("SHOP_DB", dir.filePath(QStringLiteral("shop.sqlite3")).toUtf8());
        RecordedRunWindow window;
        QString error;
        QVERIFY2(window.record(QStringLiteral("/usr/bin/python3"), {QStringLiteral("manage.py"), QStringLiteral("migrate"),
                                                                   QStringLiteral("-v0")},
                               QStringLiteral(SIGNALSCOPE_TEST_DATA "/djangoproject"), false, &error),
                 qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(window.tabs()->count(), 1, 30000);
        RecordedProcessView *view = window.processView(0);
        QTRY_VERIFY_WITH_TIMEOUT(view->timeline()->rowCount() > 0, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(view->problems().isEmpty() && window.statusBar()->currentMessage().contains(QLatin1String("exited with status 0")), 60000);
        QAbstractItemModelTester tester(view->timeline(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(window.tabs()->tabText(0).section(QLatin1Char(':'), 1).trimmed(), QStringLiteral("manage.py migrate -v0"));
        QStringList receivers;
        QTreeWidget *map = view->receiverMap();
        for (int i = 0; i < map->topLevelItemCount(); ++i)
            for (int j = 0; j < map->topLevelItem(i)->childCount(); ++j)
                receivers << map->topLevelItem(i)->child(j)->text(0);
        QVERIFY2(receivers.contains(QStringLiteral("shop.signals.audit_order (shop/signals.py:18)")),
                 qPrintable(receivers.join(QLatin1Char('\n'))));
        qunsetenv("SHOP_DB");
    }

    void listeningWindowMakesATabPerProcess()
    {
        RecordedRunWindow window;
        QString error;
        QVERIFY2(window.listen(&error), qPrintable(error));
        QLocalSocket first, second;
        first.connectToServer(window.socketPath());
        QVERIFY(first.waitForConnected(2000));
        first.write(helloLine(100) + body().left(body().size() / 2));
        first.flush();
        QTRY_COMPARE(window.tabs()->count(), 1);
        QTRY_COMPARE(window.tabs()->tabText(0), QStringLiteral("pid 100: manage.py test"));
        // A second process connects while the first is still streaming.
        second.connectToServer(window.socketPath());
        QVERIFY(second.waitForConnected(2000));
        second.write(helloLine(101) + body() + "{\"e\":\"bye\",\"t\":99}\n");
        second.flush();
        second.disconnectFromServer();
        QTRY_COMPARE(window.tabs()->count(), 2);
        QTRY_COMPARE(window.processView(1)->timeline()->rowCount(), 1);
        // The first dies mid-stream: what arrived stays, and the tab says so.
        first.abort();
        QTRY_VERIFY(!window.processView(0)->problems().isEmpty());
        QVERIFY(window.processView(0)->problems().join(QLatin1Char(' ')).contains(QLatin1String("without \"bye\"")));
        QVERIFY(window.processView(1)->problems().isEmpty());
    }
};

QTEST_MAIN(TestRecordedRun)
#include "tst_recordedrun.moc"
