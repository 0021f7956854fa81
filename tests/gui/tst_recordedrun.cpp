// The window on recorded Django runs: a wire trace and a canonical trace
// opened from files, a broken file's message, processes connecting to the
// listening window (each a tab, fed live; a second one; one that dies), the
// receiver map with file:line, dispatch_uid and weak, and the banner saying
// why there are no record tables. A recorded run gets the views a simulated
// one has: selecting in the tree selects in the flame view and the inspector
// (and back), a recorded loop is highlighted, the exports (canonical, CSV,
// Trace Event, the sequence diagram) work. Every item model under
// QAbstractItemModelTester.

#include "dispatch/loopdetector.h"
#include "eventtimedelegate.h"
#include "mainwindow.h"
#include "nestingdelegate.h"
#include "receivermapmodel.h"
#include "recordedrunwindow.h"
#include "roles.h"
#include "timeline/eventselection.h"
#include "timeline/flameview.h"
#include "timeline/sequenceview.h"
#include "timeline/timelineviews.h"
#include "timelinecontroller.h"
#include "timelinefilter.h"
#include "timelinemodel.h"
#include "trace/tracerecorder.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLocalSocket>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeView>
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

// A post_save receiver that saves its own instance again: the loop users ask about.
QByteArray loopBody()
{
    return QByteArray(
        "{\"e\":\"receiver\",\"rid\":1,\"name\":\"shop.signals.touch_order\",\"file\":\"/proj/shop/signals.py\",\"line\":30}\n"
        "{\"e\":\"connect\",\"t\":1,\"signal\":\"django.db.models.signals.post_save\",\"rid\":1,\"sender\":{\"$model\":\"shop.Order\"},\"weak\":true,\"uid\":null,\"added\":true}\n"
        "{\"e\":\"send\",\"id\":3,\"t\":20,\"signal\":\"django.db.models.signals.post_save\",\"sender\":{\"$model\":\"shop.Order\"},\"args\":{\"instance\":{\"$instance\":\"shop.Order\",\"pk\":5},\"created\":false,\"update_fields\":null,\"raw\":false,\"using\":\"default\"},\"depth\":0,\"parent\":null}\n"
        "{\"e\":\"call\",\"id\":4,\"send\":3,\"rid\":1,\"i\":0,\"t\":21}\n"
        "{\"e\":\"send\",\"id\":5,\"t\":22,\"signal\":\"django.db.models.signals.post_save\",\"sender\":{\"$model\":\"shop.Order\"},\"args\":{\"instance\":{\"$instance\":\"shop.Order\",\"pk\":5},\"created\":false,\"update_fields\":[\"total\"],\"raw\":false,\"using\":\"default\"},\"depth\":1,\"parent\":4}\n"
        "{\"e\":\"call\",\"id\":6,\"send\":5,\"rid\":1,\"i\":0,\"t\":23}\n"
        "{\"e\":\"return\",\"id\":6,\"t\":24,\"dur\":1}\n"
        "{\"e\":\"end\",\"id\":5,\"t\":25,\"dur\":3}\n"
        "{\"e\":\"return\",\"id\":4,\"t\":30,\"dur\":9}\n"
        "{\"e\":\"end\",\"id\":3,\"t\":31,\"dur\":11}\n"
        "{\"e\":\"bye\",\"t\":99}\n");
}

// The receiver rows of the map, "name (file:line)".
QStringList receiverRows(const ReceiverMapModel *map)
{
    QStringList rows;
    for (int i = 0; i < map->rowCount(); ++i) {
        const QModelIndex signal = map->index(i, 0);
        for (int j = 0; j < map->rowCount(signal); ++j)
            rows << QStringLiteral("%1 (%2)").arg(map->index(j, ReceiverMapModel::Name, signal).data().toString(),
                                                  map->index(j, ReceiverMapModel::DefinedAt, signal).data().toString());
    }
    return rows;
}

// The inspector's text without the zero-width spaces it may wrap at.
QString inspectorText(RecordedProcessView *view)
{
    return view->inspector()->toPlainText().remove(QChar(0x200B));
}

// The row of `event` in the tree of a recorded process (through its filter).
QModelIndex treeIndex(RecordedProcessView *view, int event)
{
    return view->filter()->mapFromSource(view->timeline()->indexForEvent(event));
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
        ReceiverMapModel *map = view->receiverMap();
        QAbstractItemModelTester mapTester(map, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(map->rowCount(), 1);
        QCOMPARE(map->index(0, 0).data().toString(), QStringLiteral("django.db.models.signals.post_save"));
        QCOMPARE(receiverRows(map), QStringList{QStringLiteral("shop.signals.count_order (shop/signals.py:9)")});
        QVERIFY(map->index(0, 0).data(ReceiverMapModel::ProjectRole).toBool());
        QVERIFY(view->receiverTree()->isExpanded(map->index(0, 0)));    // the project listens to it: open
        QVERIFY(view->problems().isEmpty());
        QCOMPARE(window.tabs()->tabText(0), QStringLiteral("pid 42: manage.py test"));
        // The tree is set up as the main window's: times relative to the run,
        // deep nesting drawn by the nesting delegate.
        QVERIFY(qobject_cast<EventTimeDelegate *>(view->tree()->itemDelegateForColumn(TimelineColumn::Time)));
        QVERIFY(qobject_cast<NestingDelegate *>(view->tree()->itemDelegateForColumn(TimelineColumn::Event)));

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

    // A live process: while "Follow newest" is on (the default, as in the main
    // window) each new unit (the command, a request) opens and is scrolled to;
    // turned off, new units arrive closed and the view stays where it is.
    void liveProcessFollowsTheNewestUnitUntilTurnedOff()
    {
        RecordedProcessView view;
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QAbstractItemModelTester tester(view.filter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(view.followButton()->isChecked());
        QVERIFY(view.controller()->followsNewest());
        const auto request = [](int id, const char *path) {
            return QStringLiteral("{\"e\":\"send\",\"id\":%1,\"t\":%2,\"signal\":\"django.core.signals.request_started\","
                                  "\"sender\":{\"$class\":\"django.core.handlers.wsgi.WSGIHandler\"},"
                                  "\"args\":{\"environ\":{\"REQUEST_METHOD\":\"GET\",\"PATH_INFO\":\"%3\"}},\"depth\":0,\"parent\":null}\n"
                                  "{\"e\":\"end\",\"id\":%1,\"t\":%4,\"dur\":1}\n")
                .arg(id).arg(100 + id).arg(QLatin1String(path)).arg(101 + id).toUtf8();
        };
        view.feed(helloLine(7) + body());
        QTRY_COMPARE(view.filter()->rowCount(), 1);
        QVERIFY(view.tree()->isExpanded(view.filter()->index(0, 0)));           // the command, opened
        view.feed(request(10, "/orders/"));
        QTRY_COMPARE(view.filter()->rowCount(), 2);
        const QModelIndex first = view.filter()->index(1, 0);
        QVERIFY2(first.data().toString().contains(QLatin1String("GET /orders/")), qPrintable(first.data().toString()));
        QVERIFY(view.tree()->isExpanded(first));

        view.followButton()->click();
        QVERIFY(!view.controller()->followsNewest());
        view.feed(request(20, "/cart/"));
        QTRY_COMPARE(view.filter()->rowCount(), 3);
        QVERIFY(!view.tree()->isExpanded(view.filter()->index(2, 0)));          // arrived closed
        QVERIFY(view.tree()->isExpanded(first));                                // what was open stays open
    }

    // Opening a large file reports its progress and can be stopped: what was
    // read stays shown and the stop is said, naming the file and where.
    void openingALargeTraceCanBeStopped()
    {
        QTemporaryDir dir;
        QByteArray canonical;
        for (int i = 0; i < 10000; ++i)
            canonical += QStringLiteral(R"({"depth":0,"effect":"notify","seq":%1,"step":%2,"text":"x"})").arg(i + 1).arg(i / 10).toUtf8() + '\n';
        const QString canonicalPath = write(dir, QStringLiteral("big.trace.jsonl"), canonical);
        {
            RecordedProcessView whole;
            QVector<qint64> reports;
            QVERIFY(whole.loadFile(canonicalPath, [&reports, &canonical](qint64 done, qint64 total) {
                reports.append(done);
                return total == canonical.size();
            }));
            QVERIFY(whole.problems().isEmpty());
            QCOMPARE(reports.size(), 2);                        // every 4,096 lines
            QVERIFY(reports.first() > 0 && reports.first() < reports.last());
            QCOMPARE(whole.session().recorder().count(), 10000 + 1000);      // effects and their steps
        }
        RecordedProcessView stopped;
        QVERIFY(stopped.loadFile(canonicalPath, [](qint64, qint64) { return false; }));
        QCOMPARE(stopped.problems().size(), 1);
        QVERIFY2(stopped.problems().first().contains(QLatin1String("big.trace.jsonl: opening stopped before line 4097")),
                 qPrintable(stopped.problems().first()));
        QVERIFY(stopped.session().recorder().count() > 4096);  // the lines before it, under their steps

        // A wire file is read a megabyte at a time.
        QByteArray wire = helloLine(9);
        for (int i = 0; wire.size() < (3 << 20); ++i)
            wire += QStringLiteral("{\"e\":\"send\",\"id\":%1,\"t\":%1,\"signal\":\"django.db.models.signals.post_save\","
                                   "\"sender\":{\"$model\":\"shop.Order\"},\"args\":{\"instance\":{\"$instance\":\"shop.Order\",\"pk\":%1},"
                                   "\"created\":true,\"update_fields\":null,\"raw\":false,\"using\":\"default\"},\"depth\":0,\"parent\":null}\n")
                        .arg(i + 1).toUtf8();
        const QString wirePath = write(dir, QStringLiteral("big.wire.jsonl"), wire);
        RecordedProcessView partial;
        int asked = 0;
        QVERIFY(partial.loadFile(wirePath, [&asked](qint64, qint64) { return ++asked < 2; }));
        QCOMPARE(asked, 2);
        QVERIFY2(partial.problems().last().contains(QLatin1String("big.wire.jsonl: opening stopped after 1048576 of")),
                 qPrintable(partial.problems().join(QLatin1Char('\n'))));
        const int partialEvents = partial.session().recorder().count();
        QVERIFY(partialEvents > 100);
        RecordedProcessView full;
        QVERIFY(full.loadFile(wirePath));
        QVERIFY(full.session().recorder().count() > 2 * partialEvents);
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
        const QStringList receivers = receiverRows(view->receiverMap());
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

    void receiverMapShowsUidReferenceAndDisconnects()
    {
        QTemporaryDir dir;
        const QByteArray wire = helloLine(7)
            + "{\"e\":\"receiver\",\"rid\":9,\"name\":\"django.core.handlers.base.reset_urlconf\",\"file\":\"/usr/lib/django/core/handlers/base.py\",\"line\":343}\n"
              "{\"e\":\"connect\",\"t\":0,\"signal\":\"django.core.signals.request_finished\",\"rid\":9,\"sender\":null,\"weak\":true,\"uid\":null,\"added\":true}\n"
              "{\"e\":\"receiver\",\"rid\":1,\"name\":\"shop.signals.count_order\",\"file\":\"/proj/shop/signals.py\",\"line\":9}\n"
              "{\"e\":\"receiver\",\"rid\":2,\"name\":\"shop.apps.ShopConfig.ready.<locals>.stamp\",\"file\":\"/proj/shop/apps.py\",\"line\":14}\n"
              "{\"e\":\"receiver\",\"rid\":3,\"name\":\"shop.signals.on_placed\",\"file\":\"/elsewhere/hooks.py\",\"line\":3}\n"
              "{\"e\":\"connect\",\"t\":1,\"signal\":\"django.db.models.signals.post_save\",\"rid\":1,\"sender\":{\"$model\":\"shop.Order\"},\"weak\":true,\"uid\":null,\"added\":true}\n"
              "{\"e\":\"connect\",\"t\":2,\"signal\":\"django.db.models.signals.post_save\",\"rid\":2,\"sender\":null,\"weak\":false,\"uid\":\"shop-stamp\",\"added\":true}\n"
              "{\"e\":\"connect\",\"t\":3,\"signal\":\"shop.signals.order_placed\",\"rid\":3,\"sender\":null,\"weak\":true,\"uid\":null,\"added\":true}\n"
              "{\"e\":\"disconnect\",\"t\":4,\"signal\":\"django.db.models.signals.post_save\",\"rid\":1,\"sender\":{\"$model\":\"shop.Order\"},\"uid\":null,\"removed\":true}\n"
              "{\"e\":\"bye\",\"t\":99}\n";
        RecordedRunWindow window;
        QVERIFY(window.openTrace(write(dir, QStringLiteral("map.wire.jsonl"), wire)));
        RecordedProcessView *view = window.processView(0);
        ReceiverMapModel *map = view->receiverMap();
        QAbstractItemModelTester tester(map, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(map->rowCount(), 3);
        // Django's own plumbing, connected first, comes last and folded.
        QCOMPARE(map->index(2, 0).data().toString(), QStringLiteral("django.core.signals.request_finished"));
        QVERIFY(!map->index(2, 0).data(ReceiverMapModel::ProjectRole).toBool());
        QVERIFY(!view->receiverTree()->isExpanded(map->index(2, 0)));
        QCOMPARE(map->index(0, ReceiverMapModel::DefinedAt, map->index(2, 0)).data().toString(),
                 QStringLiteral("/usr/lib/django/core/handlers/base.py:343"));
        const QModelIndex postSave = map->index(0, 0);
        QCOMPARE(map->rowCount(postSave), 2);
        QCOMPARE(postSave.siblingAtColumn(ReceiverMapModel::DefinedAt).data().toString(), QStringLiteral("2 receiver(s)"));
        const QModelIndex counted = map->index(0, 0, postSave), stamp = map->index(1, 0, postSave);
        QCOMPARE(counted.siblingAtColumn(ReceiverMapModel::Sender).data().toString(), QStringLiteral("Order"));
        QCOMPARE(counted.siblingAtColumn(ReceiverMapModel::Reference).data().toString(), QStringLiteral("weak"));
        QVERIFY(!counted.data(ReceiverMapModel::ConnectedRole).toBool());
        QVERIFY(counted.data(Qt::FontRole).value<QFont>().strikeOut());      // disconnected, struck out
        QCOMPARE(stamp.siblingAtColumn(ReceiverMapModel::DefinedAt).data().toString(), QStringLiteral("shop/apps.py:14"));
        QCOMPARE(stamp.siblingAtColumn(ReceiverMapModel::Sender).data().toString(), QStringLiteral("any sender"));
        QCOMPARE(stamp.siblingAtColumn(ReceiverMapModel::DispatchUid).data().toString(), QStringLiteral("shop-stamp"));
        QCOMPARE(stamp.siblingAtColumn(ReceiverMapModel::Reference).data().toString(), QStringLiteral("strong"));
        QVERIFY(stamp.data(ReceiverMapModel::ConnectedRole).toBool());
        const QModelIndex custom = map->index(1, 0);
        QCOMPARE(custom.data().toString(), QStringLiteral("shop.signals.order_placed"));
        QVERIFY(view->receiverTree()->isExpanded(custom));                  // the project's own signals open
        // A file outside the project keeps its full path, and says where it is.
        QCOMPARE(map->index(0, ReceiverMapModel::DefinedAt, custom).data().toString(), QStringLiteral("/elsewhere/hooks.py:3"));
        QCOMPARE(map->index(0, 0, custom).data(ReceiverMapModel::LineRole).toInt(), 3);
    }

    void treeFlameViewAndInspectorShareOneSelection()
    {
        QTemporaryDir dir;
        RecordedRunWindow window;
        QVERIFY(window.openTrace(write(dir, QStringLiteral("run.wire.jsonl"), helloLine(42) + body() + "{\"e\":\"bye\",\"t\":99}\n")));
        RecordedProcessView *view = window.processView(0);
        TimelineViews *views = view->views();
        QVERIFY(views);
        QAbstractItemModelTester tester(view->filter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QStringList tabs;
        for (int i = 0; i < views->count(); ++i)
            tabs << views->tabText(i);
        QCOMPARE(tabs, (QStringList{QStringLiteral("Tree"), QStringLiteral("Flame"), QStringLiteral("Lifelines"), QStringLiteral("Sequence")}));
        window.resize(1200, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // The step, post_save, its receiver, the nested custom send.
        const QModelIndex step = view->timeline()->index(0, 0);
        const QModelIndex send = view->timeline()->index(0, 0, step);
        const int postSave = send.data(EventIndexRole).toInt();
        const int receiver = view->timeline()->index(0, 0, send).data(EventIndexRole).toInt();
        QVERIFY(postSave > 0 && receiver == postSave + 1);

        // Selecting in the tree selects in the flame view and the inspector.
        QSignalSpy current(views->selection(), &EventSelection::currentChanged);
        view->tree()->setCurrentIndex(treeIndex(view, postSave));
        QCOMPARE(views->selection()->current(), postSave);
        QCOMPARE(current.count(), 1);
        QString inspector = inspectorText(view);
        QVERIFY2(inspector.contains(QLatin1String("post_save")) && inspector.contains(QLatin1String("shop.signals.count_order (shop/signals.py:9)")),
                 qPrintable(inspector));

        // The flame view: its keys move the selection, the tree and the inspector follow.
        views->setCurrentWidget(views->flameView()->parentWidget());
        FlameView *flame = views->flameView();
        QTRY_VERIFY(flame->isVisible());
        flame->setFocus();
        QTest::keyClick(flame, Qt::Key_Down);                   // its first child: the receiver
        QCOMPARE(views->selection()->current(), receiver);
        QCOMPARE(view->tree()->currentIndex().data(EventIndexRole).toInt(), receiver);
        inspector = inspectorText(view);
        QVERIFY2(inspector.contains(QLatin1String("Receiver shop.signals.count_order (shop/signals.py:9)")), qPrintable(inspector));
        // A click on a slice selects it.
        flame->fitCurrent();
        views->zoom()->fitAll();
        const QRectF rect = flame->sliceRect(postSave);
        QVERIFY(rect.width() > 4);
        QTest::mouseClick(flame, Qt::LeftButton, {}, rect.center().toPoint());
        QCOMPARE(views->selection()->current(), postSave);
        QCOMPARE(view->tree()->currentIndex().data(EventIndexRole).toInt(), postSave);

        // The sequence diagram follows the same selection.
        views->setCurrentWidget(views->sequenceView());
        QTRY_VERIFY(views->sequenceView()->diagram().action >= 0);
        QVERIFY(views->sequenceView()->diagram().mermaidText().contains(QLatin1String("count_order")));
    }

    void recordedLoopIsHighlighted()
    {
        QTemporaryDir dir;
        RecordedRunWindow window;
        QVERIFY(window.openTrace(write(dir, QStringLiteral("loop.wire.jsonl"), helloLine(42) + loopBody())));
        RecordedProcessView *view = window.processView(0);
        QVERIFY(view->problems().isEmpty());
        QLabel *banner = view->loopBanner();
        QVERIFY(!banner->isHidden());
        QVERIFY2(banner->text().contains(QLatin1String("Re-entry loop")) && banner->text().contains(QLatin1String("touch_order")),
                 qPrintable(banner->text()));
        // The re-entering send is marked in the tree, and the inspector explains it.
        const QModelIndex outer = view->timeline()->index(0, 0, view->timeline()->index(0, 0));
        const QModelIndex inner = view->timeline()->index(0, 0, view->timeline()->index(0, 0, outer));
        QCOMPARE(inner.data(EventIndexRole).toInt(), outer.data(EventIndexRole).toInt() + 2);
        QCOMPARE(inner.data(LoopMarkRole).toInt(), int(LoopMark::Reentry));
        QVERIFY(inner.data(Qt::BackgroundRole).isValid());
        QVERIFY(inner.data(LoopTextRole).toString().contains(QLatin1String("touch_order")));
        view->tree()->setCurrentIndex(treeIndex(view, inner.data(EventIndexRole).toInt()));
        QVERIFY(inspectorText(view).contains(QLatin1String("Re-entry loop")));
        QVERIFY(inspectorText(view).contains(QLatin1String("update_fields")));
        QVERIFY(!inspectorText(view).contains(QLatin1String("Schema panel")));  // nothing to mute here
        // And the sequence diagram draws it as a loop fragment.
        view->views()->sequenceView()->refresh();
        const QString mermaid = view->views()->sequenceView()->diagram().mermaidText();
        QVERIFY2(mermaid.contains(QLatin1String("loop ")), qPrintable(mermaid));
    }

    void recordedRunExportsLikeASimulatedOne()
    {
        QTemporaryDir dir;
        RecordedRunWindow window;
        QVERIFY(window.openTrace(write(dir, QStringLiteral("loop.wire.jsonl"), helloLine(42) + loopBody())));
        QString error;
        // Canonical: the two post_save sends, the inner one at depth 1.
        const QString jsonl = dir.filePath(QStringLiteral("out.trace.jsonl"));
        QVERIFY2(window.exportTrace(0, jsonl, QStringLiteral("jsonl"), &error), qPrintable(error));
        QFile canonical(jsonl);
        QVERIFY(canonical.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = canonical.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(1), QByteArray(R"({"created":false,"depth":1,"instance":{"model":"Order","pk":5},"raw":false,)"
                                         R"("sender":"Order","seq":2,"signal":"post_save","step":0,"update_fields":["total"],"using":"default"})"));
        // CSV and Trace Event JSON.
        const QString csv = dir.filePath(QStringLiteral("out.csv"));
        QVERIFY2(window.exportTrace(0, csv, QStringLiteral("csv"), &error), qPrintable(error));
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QByteArray csvText = csvFile.readAll();
        QVERIFY2(csvText.count("post_save") >= 2 && csvText.contains("touch_order"), csvText.constData());
        const QString chrome = dir.filePath(QStringLiteral("out.json"));
        QVERIFY2(window.exportTrace(0, chrome, QStringLiteral("chrome"), &error), qPrintable(error));
        QFile chromeFile(chrome);
        QVERIFY(chromeFile.open(QIODevice::ReadOnly));
        QVERIFY(chromeFile.readAll().contains("touch_order"));
        // File ▸ Export selection: nothing selected is said; the inner save
        // selected gives its subtree only.
        RecordedProcessView *view = window.processView(0);
        const QString part = dir.filePath(QStringLiteral("part.trace.jsonl"));
        QVERIFY(!window.exportTrace(0, part, QStringLiteral("jsonl"), &error, true));
        QVERIFY2(error.contains(QLatin1String("Nothing is selected")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(part));
        const TraceRecorder &recorder = view->session().recorder();
        int inner = -1;
        for (int i = 0; i < recorder.count() && inner < 0; ++i)
            if (recorder.kindOf(i) == TraceEventKind::Send && recorder.record(i).depth == 1)
                inner = i;
        QVERIFY(inner > 0);
        view->tree()->expandAll();
        view->tree()->selectionModel()->select(treeIndex(view, inner), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QVERIFY2(window.exportTrace(0, part, QStringLiteral("jsonl"), &error, true), qPrintable(error));
        QFile partFile(part);
        QVERIFY(partFile.open(QIODevice::ReadOnly));
        const QList<QByteArray> partLines = partFile.readAll().trimmed().split('\n');
        QCOMPARE(partLines.size(), 1);
        QVERIFY2(partLines.at(0).contains(R"("update_fields":["total"])"), partLines.at(0).constData());
        // The sequence diagram of the selected action: Mermaid and SVG.
        view->views()->selection()->setCurrent(view->timeline()->index(0, 0).data(EventIndexRole).toInt());
        SequenceView *sequence = view->views()->sequenceView();
        sequence->refresh();
        const QString mmd = dir.filePath(QStringLiteral("seq.mmd"));
        QVERIFY2(sequence->exportTo(mmd, &error), qPrintable(error));
        QFile mermaid(mmd);
        QVERIFY(mermaid.open(QIODevice::ReadOnly));
        const QByteArray text = mermaid.readAll();
        QVERIFY2(text.startsWith("sequenceDiagram") || text.contains("\nsequenceDiagram"), text.constData());
        QVERIFY(text.contains("touch_order"));
        QVERIFY2(sequence->exportTo(dir.filePath(QStringLiteral("seq.svg")), &error), qPrintable(error));
        QVERIFY(QFileInfo(dir.filePath(QStringLiteral("seq.svg"))).size() > 100);
    }
};

QTEST_MAIN(TestRecordedRun)
#include "tst_recordedrun.moc"
