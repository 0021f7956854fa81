// The SignalScope window driven offscreen: the real widgets, the real engine.

#include "formats/loaders.h"
#include "inspectorview.h"
#include "mainwindow.h"
#include "recordtablemodel.h"
#include "roles.h"
#include "schemamodel.h"
#include "session/session.h"
#include "timelinefilter.h"
#include "timelinemodel.h"
#include "trace/traceexport.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCborArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListView>
#include <QListWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeView>
#include <QStandardItemModel>
#include <QUndoStack>
#include <QtTest>

using namespace ss;

namespace {

// The index of the latest top-level action in the recording.
int lastStepEvent(TraceRecorder &r)
{
    for (int i = r.count() - 1; i >= 0; --i)
        if (r.kindOf(i) == TraceEventKind::Step)
            return i;
    return -1;
}

// "signal Sender pk depth" for every send of one action, in order.
QStringList sendsOf(TraceRecorder &r, int stepEvent)
{
    QStringList out;
    const int step = r.record(stepEvent).step;
    for (int i = stepEvent + 1; i < r.count(); ++i) {
        if (r.record(i).step != step)
            break;
        if (r.kindOf(i) != TraceEventKind::Send)
            continue;
        const TraceEvent e = r.event(i);
        const QCborMap args = r.args(i);
        QString text = e.signal + QLatin1Char(' ') + e.sender.name;
        const QCborValue inst = args.value(QStringLiteral("instance"));
        if (inst.isMap())
            text += QLatin1Char(' ') + inst.toMap().value(QStringLiteral("pk")).toVariant().toString();
        text += QStringLiteral(" d") + QString::number(e.depth);
        out << text;
    }
    return out;
}

QStringList only(const QStringList &list, const QString &prefix)
{
    QStringList out;
    for (const QString &s : list)
        if (s.startsWith(prefix))
            out << s;
    return out;
}

} // namespace

class TestSignalScopeWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_signalscopewindow"));
    }

    // Each test starts as a first launch: the window reopens the last file of
    // the previous session, which here would be the previous test's.
    void init() { QSettings().clear(); }

    void startsOnTheShopSample()
    {
        MainWindow w;
        QVERIFY(w.session()->isLoaded());
        QCOMPARE(w.session()->registry().app(), QStringLiteral("shop"));
        QVERIFY(w.tableModel(QStringLiteral("User")));
        QVERIFY(w.tableModel(QStringLiteral("BillingProfile")));
        QCOMPARE(w.stepList()->model()->rowCount(), w.session()->stepCount());
        QVERIFY(w.session()->stepCount() > 0);
    }

    void everySampleLoadsAndRuns_data()
    {
        QTest::addColumn<QString>("name");
        const QVector<SampleInfo> samples = MainWindow::samples();
        QCOMPARE(samples.size(), 10);
        for (const SampleInfo &s : samples) {
            QVERIFY2(!s.lesson.isEmpty(), qPrintable(s.name));
            QTest::newRow(qPrintable(s.name)) << s.name;
        }
    }
    void everySampleLoadsAndRuns()
    {
        QFETCH(QString, name);
        MainWindow w;
        QVERIFY(w.openSample(name));
        w.runAll();
        w.flushTimeline();
        QVERIFY(w.session()->atEnd());
        QVERIFY(w.timelineModel()->rowCount() > w.session()->stepCount());   // connection_created + every step
        // The canonical export equals the headless runner's trace.
        LoadError error;
        auto scenario = loadScenarioFile(QStringLiteral(":/samples/%1.scenario.json").arg(name), &error);
        QVERIFY(scenario);
        TraceRecorder recorder;
        ScenarioRunner runner(std::move(*scenario));
        runner.engine().dispatch().addListener(&recorder);
        runner.open();
        runner.runAll();
        QBuffer expected, actual;
        expected.open(QIODevice::WriteOnly);
        actual.open(QIODevice::WriteOnly);
        QVERIFY(writeCanonicalJsonl(recorder, expected));
        QVERIFY(writeCanonicalJsonl(w.session()->recorder(), actual));
        QCOMPARE(actual.data(), expected.data());
    }

    void editingACellSendsPreSaveAndPostSave()
    {
        MainWindow w;
        w.runAll();
        w.flushTimeline();
        RecordTableModel *users = w.tableModel(QStringLiteral("User"));
        QAbstractItemModelTester tester(users, QAbstractItemModelTester::FailureReportingMode::Fatal);
        const int row = users->rowOfPk(QCborValue(1));
        QVERIFY(row >= 0);
        const int emailColumn = 2;
        QCOMPARE(users->fieldAt(emailColumn)->name, QStringLiteral("email"));
        QSignalSpy inserted(w.timelineModel(), &QAbstractItemModel::rowsInserted);

        QVERIFY(users->setData(users->index(row, emailColumn), QStringLiteral("ann@new.org")));
        w.flushTimeline();
        TraceRecorder &r = w.session()->recorder();
        int step = lastStepEvent(r);
        QCOMPARE(r.text(step), QStringLiteral("user_1.email = 'ann@new.org'; user_1.save()"));
        QCOMPARE(sendsOf(r, step), QStringList({QStringLiteral("pre_save User 1 d0"), QStringLiteral("post_save User 1 d0")}));
        QCOMPARE(r.args(step + 1).value(QStringLiteral("update_fields")), QCborValue(nullptr));
        QCOMPARE(r.args(step + 2).value(QStringLiteral("created")), QCborValue(false));
        QCOMPARE(inserted.count(), 1);                      // one batch, at the top level
        QVERIFY(!inserted.first().at(0).value<QModelIndex>().isValid());
        QCOMPARE(users->data(users->index(row, emailColumn)).toString(), QStringLiteral("ann@new.org"));

        // The same edit with save(update_fields=['email']).
        users->setUpdateFieldsOnly(true);
        QVERIFY(users->setData(users->index(row, emailColumn), QStringLiteral("ann@third.org")));
        w.flushTimeline();
        step = lastStepEvent(r);
        QCOMPARE(sendsOf(r, step), QStringList({QStringLiteral("pre_save User 1 d0"), QStringLiteral("post_save User 1 d0")}));
        QCOMPARE(r.args(step + 1).value(QStringLiteral("update_fields")).toArray(), QCborArray({QStringLiteral("email")}));
        QCOMPARE(inserted.count(), 2);

        // Undo is itself a Django operation with its signals.
        w.undoStack()->undo();
        w.flushTimeline();
        step = lastStepEvent(r);
        QCOMPARE(sendsOf(r, step), QStringList({QStringLiteral("pre_save User 1 d0"), QStringLiteral("post_save User 1 d0")}));
        QCOMPARE(users->data(users->index(row, emailColumn)).toString(), QStringLiteral("ann@new.org"));
    }

    void aBadValueIsReportedAndNothingIsLost()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("silent")));
        w.runAll();
        RecordTableModel *products = w.tableModel(QStringLiteral("Product"));
        const int priceColumn = 2;
        QCOMPARE(products->fieldAt(priceColumn)->name, QStringLiteral("price"));
        const QString before = products->data(products->index(0, priceColumn)).toString();
        QVERIFY(!products->setData(products->index(0, priceColumn), QStringLiteral("cheap")));
        QVERIFY2(w.tableMessage().contains(QStringLiteral("ValueError")), qPrintable(w.tableMessage()));
        QCOMPARE(products->data(products->index(0, priceColumn)).toString(), before);
        // A unique clash in the shop: IntegrityError, the table still holds the stored names.
        QVERIFY(w.openSample(QStringLiteral("shop")));
        w.runAll();
        RecordTableModel *users = w.tableModel(QStringLiteral("User"));
        QVERIFY(!users->setData(users->index(1, 1), QStringLiteral("ann")));
        QVERIFY(w.tableMessage().contains(QStringLiteral("UNIQUE constraint failed: shop_user.username")));
        QCOMPARE(users->data(users->index(1, 1)).toString(), QStringLiteral("bob"));
    }

    void deletingARowFollowsTheCollectorsOrder()
    {
        MainWindow w;
        w.setAskBeforeDelete(false);
        QVERIFY(w.openSample(QStringLiteral("cascade")));
        for (int i = 0; i < 10; ++i)                 // up to "acme.delete()": the sponsor is gone
            w.stepOnce();
        RecordTableModel *blogs = w.tableModel(QStringLiteral("Blog"));
        QAbstractItemModelTester tester(blogs, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(blogs->rowCount(), 1);
        const ActionResult result = w.deleteRows(QStringLiteral("Blog"), {QCborValue(1)});
        QVERIFY2(result.ok(), qPrintable(result.errorText()));
        const QStringList expected = {
            QStringLiteral("pre_delete Comment 1 d0"), QStringLiteral("pre_delete Comment 2 d0"),
            QStringLiteral("pre_delete Comment 3 d0"), QStringLiteral("pre_delete Post 1 d0"),
            QStringLiteral("pre_delete Post 2 d0"), QStringLiteral("pre_delete Blog 1 d0"),
            QStringLiteral("post_delete Comment 3 d0"), QStringLiteral("post_delete Comment 2 d0"),
            QStringLiteral("post_delete Comment 1 d0"), QStringLiteral("post_delete Post 2 d0"),
            QStringLiteral("post_delete Post 1 d0"), QStringLiteral("post_delete Blog 1 d0")};
        TraceRecorder &r = w.session()->recorder();
        const QStringList sends = sendsOf(r, lastStepEvent(r));
        QStringList deletes = only(sends, QStringLiteral("pre_delete"));
        deletes += only(sends, QStringLiteral("post_delete"));
        QCOMPARE(deletes, expected);
        // The preview said the same, in the same order.
        QStringList previewed;
        for (QString s : w.lastDeletePreview().signalsInOrder)
            previewed << s.simplified() + QStringLiteral(" d0");
        QCOMPARE(previewed, expected);
        QVERIFY(!w.lastDeletePreview().updates.isEmpty());           // Image.post = None
        QCOMPARE(blogs->rowCount(), 0);
        QCOMPARE(w.tableModel(QStringLiteral("Comment"))->rowCount(), 0);
        QCOMPARE(w.tableModel(QStringLiteral("Image"))->rowCount(), 1);
    }

    void undoingADeleteRestoresWhatTheCascadeTook()
    {
        MainWindow w;
        w.setAskBeforeDelete(false);
        QVERIFY(w.openSample(QStringLiteral("cascade")));
        for (int i = 0; i < 10; ++i)                 // up to "acme.delete()"
            w.stepOnce();
        Session *s = w.session();
        const auto tables = [s] {
            QMap<QString, QVector<Row>> all;
            for (const auto &m : s->registry().models())
                all.insert(m->name, s->rows(m.get()));
            return all;
        };
        const QMap<QString, QVector<Row>> before = tables();
        QCOMPARE(before.value(QStringLiteral("Comment")).size(), 3);
        QVERIFY(w.deleteRows(QStringLiteral("Blog"), {QCborValue(1)}).ok());
        QVERIFY(tables() != before);
        QCOMPARE(w.undoStack()->undoText(), QStringLiteral("delete Blog 1 (and 6 more)"));

        // Undo: one action, the Django calls that put every row back.
        w.undoStack()->undo();
        QCOMPARE(tables(), before);
        QCOMPARE(w.tableModel(QStringLiteral("Comment"))->rowCount(), 3);
        TraceRecorder &r = w.session()->recorder();
        const int step = lastStepEvent(r);
        QVERIFY2(r.text(step).startsWith(QStringLiteral("with transaction.atomic(): call_command('loaddata', '-', format='json')  <<< "
                                                         "[{\"model\": \"press.blog\", \"pk\": 1, \"fields\": {\"name\": \"tech\"}}, ")),
                 qPrintable(r.text(step)));
        QVERIFY2(r.text(step).endsWith(QStringLiteral("{\"model\": \"press.image\", \"pk\": 1, \"fields\": {\"post\": 1, \"file\": \"cover.png\"}}]")), qPrintable(r.text(step)));
        const QStringList saves = only(sendsOf(r, step), QStringLiteral("post_save"));
        // Rows come back pointed-at first: the blog, its posts, then the comments.
        QCOMPARE(saves, QStringList({QStringLiteral("post_save Blog 1 d0"), QStringLiteral("post_save Post 1 d0"),
                                     QStringLiteral("post_save Post 2 d0"), QStringLiteral("post_save Comment 1 d0"),
                                     QStringLiteral("post_save Comment 2 d0"), QStringLiteral("post_save Comment 3 d0"),
                                     QStringLiteral("post_save Image 1 d0")}));

        // Redo deletes again; a second undo restores again.
        w.undoStack()->redo();
        QCOMPARE(w.tableModel(QStringLiteral("Blog"))->rowCount(), 0);
        w.undoStack()->undo();
        QCOMPARE(tables(), before);
    }

    void undoingADeleteReaddsItsManyToManyLinks()
    {
        MainWindow w;
        w.setAskBeforeDelete(false);
        QVERIFY(w.openSample(QStringLiteral("pizza")));
        w.runAll();
        Session *s = w.session();
        const Model *through = s->registry().model(QStringLiteral("Pizza_toppings"));
        QVERIFY(through);
        const QVector<Row> links = s->rows(through);
        const Model *topping = s->registry().model(QStringLiteral("Topping"));
        const QVector<Row> toppings = s->rows(topping);
        QVERIFY(!toppings.isEmpty());
        const QCborValue pk = toppings.first().value(topping->pk->index);
        QVERIFY(w.deleteRows(QStringLiteral("Topping"), {pk}).ok());
        QVERIFY(s->rows(through).size() < links.size());
        w.undoStack()->undo();
        QCOMPARE(s->rows(topping), toppings);
        // The through rows come back through the m2m manager (new ids, same pairs).
        const auto pairs = [s, through](const QVector<Row> &rows) {
            QList<QPair<qint64, qint64>> out;
            const Field *src = through->concreteFields.at(1), *dst = through->concreteFields.at(2);
            for (const Row &row : rows)
                out.append({row.value(src->index).toInteger(), row.value(dst->index).toInteger()});
            std::sort(out.begin(), out.end());
            return out;
        };
        QCOMPARE(pairs(s->rows(through)), pairs(links));
        TraceRecorder &r = w.session()->recorder();
        const QStringList m2m = only(sendsOf(r, lastStepEvent(r)), QStringLiteral("m2m_changed"));
        QVERIFY(!m2m.isEmpty());
        QCOMPARE(m2m.size() % 2, 0);                  // pre_add/post_add pairs
    }

    void protectRefusesTheDelete()
    {
        MainWindow w;
        w.setAskBeforeDelete(false);
        QVERIFY(w.openSample(QStringLiteral("cascade")));
        for (int i = 0; i < 8; ++i)
            w.stepOnce();
        const ActionResult result = w.deleteRows(QStringLiteral("Blog"), {QCborValue(1)});
        QCOMPARE(result.errorType, QStringLiteral("ProtectedError"));
        QCOMPARE(w.lastDeletePreview().errorType, QStringLiteral("ProtectedError"));
        QCOMPARE(w.tableModel(QStringLiteral("Blog"))->rowCount(), 1);
        QVERIFY(w.tableMessage().contains(QStringLiteral("ProtectedError")));
    }

    void anM2mEditSendsOnePair()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("pizza")));
        w.runAll();
        w.flushTimeline();
        TraceRecorder &r = w.session()->recorder();
        // margherita (1) has cheese (1) and ham (2) after set(); tick olive (3) too.
        QCOMPARE(w.session()->linkedIds(w.session()->registry().model(QStringLiteral("Pizza")), QCborValue(1),
                                        w.session()->registry().model(QStringLiteral("Pizza"))->field(QStringLiteral("toppings"))),
                 QVector<QCborValue>({QCborValue(1), QCborValue(2)}));
        ActionResult result = w.applyM2m(QStringLiteral("Pizza"), QCborValue(1), QStringLiteral("toppings"),
                                         {QCborValue(1), QCborValue(2), QCborValue(3)}, 0);
        QVERIFY(result.ok());
        int step = lastStepEvent(r);
        QCOMPARE(r.text(step), QStringLiteral("pizza_1.toppings.add(3)"));
        QStringList m2m = only(sendsOf(r, step), QStringLiteral("m2m_changed"));
        QCOMPARE(m2m, QStringList({QStringLiteral("m2m_changed Pizza_toppings 1 d0"), QStringLiteral("m2m_changed Pizza_toppings 1 d0")}));
        QVector<int> sends;
        for (int i = step + 1; i < r.count(); ++i)
            if (r.kindOf(i) == TraceEventKind::Send && r.event(i).signal == QLatin1String("m2m_changed"))
                sends << i;
        QCOMPARE(r.args(sends[0]).value(QStringLiteral("action")).toString(), QStringLiteral("pre_add"));
        QCOMPARE(r.args(sends[1]).value(QStringLiteral("action")).toString(), QStringLiteral("post_add"));
        QCOMPARE(r.args(sends[1]).value(QStringLiteral("pk_set")).toArray(), QCborArray({3}));
        QCOMPARE(r.args(sends[1]).value(QStringLiteral("reverse")), QCborValue(false));
        // Unticking runs remove() with the removed ids.
        result = w.applyM2m(QStringLiteral("Pizza"), QCborValue(1), QStringLiteral("toppings"), {QCborValue(3)}, 0);
        QVERIFY(result.ok());
        step = lastStepEvent(r);
        QCOMPARE(r.text(step), QStringLiteral("pizza_1.toppings.remove(1, 2)"));
        QCOMPARE(only(sendsOf(r, step), QStringLiteral("m2m_changed")).size(), 2);
        w.flushTimeline();
        QVERIFY(w.tableModel(QStringLiteral("Pizza"))->data(w.tableModel(QStringLiteral("Pizza"))->index(0, 2)).toString().startsWith(QStringLiteral("[3]")));
    }

    void theLoopsSampleIsHighlightedAndSurvives()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.openSample(QStringLiteral("loops")));
        QAbstractItemModelTester tester(w.timelineModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester proxyTester(w.timelineFilter(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        w.runAll();
        w.flushTimeline();
        QCoreApplication::processEvents();
        TraceRecorder &r = w.session()->recorder();
        QCOMPARE(r.loops().size() >= 2, true);                     // Counter itself, Team <-> Player
        QVERIFY(w.loopBannerText().contains(QStringLiteral("post_save")));
        bool reentry = false, stopped = false;
        for (int i = 0; i < r.count(); ++i) {
            const QModelIndex index = w.timelineModel()->indexForEvent(i);
            const int mark = index.data(LoopMarkRole).toInt();
            reentry |= mark == int(LoopMark::Reentry);
            stopped |= mark == int(LoopMark::Stopped);
            if (mark != int(LoopMark::None))
                QVERIFY(index.data(Qt::BackgroundRole).value<QColor>().isValid());
        }
        QVERIFY(reentry);
        QVERIFY(stopped);
        // The inspector of a marked event spells out the cycle and the fixes.
        int marked = -1;
        for (int i = 0; i < r.count() && marked < 0; ++i)
            if (r.record(i).loopMark() == LoopMark::Reentry)
                marked = i;
        w.selectEvent(marked);
        QVERIFY(w.inspector()->visibleText().contains(QStringLiteral("update_fields")));
        QVERIFY(w.inspector()->visibleText().contains(QStringLiteral("QuerySet.update()")));
        // Still alive: an edit after the loop works.
        QVERIFY(w.session()->createRow(w.session()->registry().model(QStringLiteral("Team")),
                                       {{QStringLiteral("name"), Value(QCborValue(QStringLiteral("blues")))}}).ok());
    }

    void filterSearchAndPause()
    {
        MainWindow w;
        w.runAll();
        w.flushTimeline();
        TimelineFilter *filter = w.timelineFilter();
        QAbstractItemModelTester tester(filter, QAbstractItemModelTester::FailureReportingMode::Fatal);
        const auto visibleSignals = [&]() {
            QStringList names;
            std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
                for (int row = 0; row < filter->rowCount(parent); ++row) {
                    const QModelIndex index = filter->index(row, 0, parent);
                    if (!index.data(SignalNameRole).toString().isEmpty())
                        names << index.data(SignalNameRole).toString();
                    walk(index);
                }
            };
            walk({});
            return names;
        };
        QVERIFY(visibleSignals().contains(QStringLiteral("pre_init")));
        filter->setSignalVisible(QStringLiteral("pre_init"), false);
        filter->setSignalVisible(QStringLiteral("post_init"), false);
        QVERIFY(!visibleSignals().contains(QStringLiteral("pre_init")));
        QVERIFY(visibleSignals().contains(QStringLiteral("post_save")));
        filter->setHiddenSignals({});

        filter->setModelFilter(QStringLiteral("BillingProfile"));
        const QStringList billing = visibleSignals();
        QVERIFY(!billing.isEmpty());
        for (int row = 0; row < filter->rowCount(); ++row) {}   // walk above checked the tree
        filter->setModelFilter(QString());

        filter->setSearchText(QStringLiteral("cy.delete"));
        filter->applyPending();
        QCOMPARE(filter->rowCount(), 1);
        QVERIFY(filter->index(0, 0).data().toString().contains(QStringLiteral("cy.delete()")));
        filter->setSearchText(QString());
        filter->applyPending();
        QCOMPARE(filter->rowCount(), w.timelineModel()->rowCount());

        // Paused: the action runs, nothing is recorded.
        const int before = w.session()->recorder().count();
        w.setPaused(true);
        RecordTableModel *users = w.tableModel(QStringLiteral("User"));
        QVERIFY(users->setData(users->index(0, 2), QStringLiteral("quiet@example.org")));
        w.flushTimeline();
        QCOMPARE(w.session()->recorder().count(), before);
        QCOMPARE(users->data(users->index(0, 2)).toString(), QStringLiteral("quiet@example.org"));
        w.setPaused(false);
        QVERIFY(users->setData(users->index(0, 2), QStringLiteral("loud@example.org")));
        QVERIFY(w.session()->recorder().count() > before);
    }

    void exportWritesFilesThatParse()
    {
        MainWindow w;
        w.runAll();
        QTemporaryDir dir;
        QString error;
        const QString jsonl = dir.filePath(QStringLiteral("all.trace.jsonl"));
        QVERIFY2(w.exportTrace(jsonl, TraceFormat::CanonicalJsonl, false, &error), qPrintable(error));
        QFile f(jsonl);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const CanonicalTrace trace = readCanonicalJsonl(f.readAll());
        QVERIFY2(trace.ok(), qPrintable(trace.error));
        QVERIFY(trace.lines.size() > 20);

        const QString csv = dir.filePath(QStringLiteral("all.csv"));
        QVERIFY(w.exportTrace(csv, TraceFormat::Csv, false, &error));
        QFile c(csv);
        QVERIFY(c.open(QIODevice::ReadOnly));
        QVERIFY(c.readAll().count('\n') > trace.lines.size());

        const QString chrome = dir.filePath(QStringLiteral("all.json"));
        QVERIFY(w.exportTrace(chrome, TraceFormat::ChromeTrace, false, &error));
        QFile j(chrome);
        QVERIFY(j.open(QIODevice::ReadOnly));
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(j.readAll(), &parseError);
        QCOMPARE(parseError.error, QJsonParseError::NoError);
        QVERIFY(doc.object().value(QStringLiteral("traceEvents")).toArray().size() > 0);

        // The selection: one action (the first create) and what it caused.
        QVERIFY(!w.exportTrace(dir.filePath(QStringLiteral("none.jsonl")), TraceFormat::CanonicalJsonl, true, &error));
        QTreeView *view = w.timelineView();
        view->selectionModel()->select(w.timelineFilter()->index(1, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        const QString part = dir.filePath(QStringLiteral("part.trace.jsonl"));
        QVERIFY2(w.exportTrace(part, TraceFormat::CanonicalJsonl, true, &error), qPrintable(error));
        QFile p(part);
        QVERIFY(p.open(QIODevice::ReadOnly));
        const CanonicalTrace partial = readCanonicalJsonl(p.readAll());
        QVERIFY(partial.ok());
        QVERIFY(partial.lines.size() > 2);
        QVERIFY(partial.lines.size() < trace.lines.size());
        for (const QCborMap &line : partial.lines)
            QCOMPARE(line.value(QStringLiteral("step")).toInteger(), 0);
    }

    void everyItemModelPassesTheTester()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("pizza")));
        QAbstractItemModelTester timeline(w.timelineModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester filter(w.timelineFilter(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester schema(w.schemaModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester steps(w.stepList()->model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QList<QAbstractItemModelTester *> tables;
        for (const char *name : {"Topping", "Pizza", "Pizza_toppings"})
            tables << new QAbstractItemModelTester(w.tableModel(QString::fromLatin1(name)), QAbstractItemModelTester::FailureReportingMode::Fatal);
        w.runAll();
        w.flushTimeline();
        w.timelineFilter()->setSearchText(QStringLiteral("toppings"));
        w.timelineFilter()->applyPending();
        w.timelineFilter()->setSignalVisible(QStringLiteral("pre_init"), false);
        w.timelineFilter()->setModelFilter(QStringLiteral("Pizza_toppings"));
        w.timelineFilter()->setModelFilter(QString());
        w.timelineFilter()->setSearchText(QString());
        w.timelineFilter()->applyPending();
        w.setAskBeforeDelete(false);
        w.deleteRows(QStringLiteral("Topping"), {QCborValue(1)});
        w.flushTimeline();
        w.resetScenario();
        w.stepOnce();
        w.flushTimeline();
        qDeleteAll(tables);
    }

    void rowsArriveInOneBatchPerFlush()
    {
        MainWindow w;
        w.flushTimeline();
        QSignalSpy inserted(w.timelineModel(), &QAbstractItemModel::rowsInserted);
        const int batches = w.timelineModel()->insertBatches();
        for (int i = 0; i < 5; ++i)
            w.session()->runNext();                  // five steps, many signals
        QCOMPARE(inserted.count(), 0);               // nothing until the batch is delivered
        w.flushTimeline();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(w.timelineModel()->insertBatches(), batches + 1);
        const QList<QVariant> args = inserted.first();
        QCOMPARE(args.at(2).toInt() - args.at(1).toInt() + 1, 5);  // the five steps, at the top
        // Live delivery comes by itself within the interval.
        w.session()->runNext();
        QTRY_COMPARE_WITH_TIMEOUT(inserted.count(), 2, 1000);
    }

    void muteAReceiverFromTheSchemaPanel()
    {
        MainWindow w;
        QStandardItemModel *tree = w.schemaModel();
        QAbstractItemModelTester tester(tree, QAbstractItemModelTester::FailureReportingMode::Fatal);
        const QModelIndexList found = tree->match(tree->index(0, 0), Qt::UserRole, QStringLiteral("create_billing_profile"), 1,
                                                  Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(found.size(), 1);
        QStandardItem *receiver = tree->itemFromIndex(found.first());
        QCOMPARE(receiver->parent()->text(), QStringLiteral("post_save"));
        receiver->setCheckState(Qt::Unchecked);
        QVERIFY(w.session()->isMuted(QStringLiteral("create_billing_profile")));
        w.session()->runNext();                      // ann = User.objects.create(...)
        QCOMPARE(w.tableModel(QStringLiteral("BillingProfile"))->rowCount(), 0);
        receiver->setCheckState(Qt::Checked);
        w.session()->runNext();
        w.session()->runNext();
        w.session()->runNext();                      // bob is created: a profile again
        QCOMPARE(w.tableModel(QStringLiteral("BillingProfile"))->rowCount(), 1);
    }

    void theTimelineHoldsAMillionEvents()
    {
        // 100 actions of 5,000 Model() calls: 1,000,100 events (pre_init and
        // post_init each), streamed into the shown window as live batches.
        MainWindow w;
        w.show();
        Session *s = w.session();
        const Model *profile = s->registry().model(QStringLiteral("BillingProfile"));
        QVERIFY(profile);
        w.flushTimeline();
        const int before = s->recorder().count();
        const int topBefore = w.timelineModel()->rowCount();
        QSignalSpy inserted(w.timelineModel(), &QAbstractItemModel::rowsInserted);
        for (int action = 0; action < 100; ++action) {
            s->perform(QStringLiteral("for _ in range(5000): BillingProfile()"), [s, profile] {
                for (int i = 0; i < 5000; ++i)
                    s->engine().construct(profile, {});
            });
            QCoreApplication::processEvents();            // the bridge delivers its batches as it would live
        }
        w.flushTimeline();
        const int events = s->recorder().count() - before;
        QCOMPARE(events, 1'000'100);
        TimelineModel *timeline = w.timelineModel();
        QCOMPARE(timeline->knownEvents(), s->recorder().count());
        QCOMPARE(timeline->rowCount(), topBefore + 100);
        const QModelIndex last = timeline->index(timeline->rowCount() - 1, 0);
        QCOMPARE(timeline->rowCount(last), 10'000);
        QCOMPARE(timeline->index(9'999, TimelineColumn::Event, last).data(SignalNameRole).toString(), QStringLiteral("post_init"));
        QVERIFY(inserted.count() < 200);                      // batches, not one insertion per event
        // Following: the newest large action is open one level, the older ones closed again.
        QTreeView *view = w.timelineView();
        QCOMPARE(view->model(), w.timelineFilter());
        QVERIFY(view->isExpanded(w.timelineFilter()->index(w.timelineFilter()->rowCount() - 1, 0)));
        QVERIFY(!view->isExpanded(w.timelineFilter()->index(topBefore, 0)));
        // The view follows the newest entry and the filter still answers.
        w.timelineFilter()->setModelFilter(QStringLiteral("User"));
        QCOMPARE(w.timelineFilter()->rowCount(w.timelineFilter()->mapFromSource(last)), 0);
        w.timelineFilter()->setModelFilter(QString());
        QCOMPARE(w.timelineFilter()->rowCount(), timeline->rowCount());
    }

    void stepHighlightsTheCurrentStepAndResetStartsOver()
    {
        MainWindow w;
        QAbstractItemModel *steps = w.stepList()->model();
        QAbstractItemModelTester tester(steps, QAbstractItemModelTester::FailureReportingMode::Fatal);
        const auto text = [steps](int row) { return steps->index(row, 0).data().toString(); };
        const auto bold = [steps](int row) { return steps->index(row, 0).data(Qt::FontRole).value<QFont>().bold(); };
        QVERIFY(text(0).startsWith(QStringLiteral("▶")));
        QVERIFY(bold(0));
        QVERIFY(text(0).contains(w.session()->stepCode(0)));
        QCOMPARE(steps->index(0, 0).data(Qt::ToolTipRole).toString(), QStringLiteral("0. ") + w.session()->stepCode(0));

        // Stepping repaints exactly the two rows whose state changed.
        QSignalSpy changed(steps, &QAbstractItemModel::dataChanged);
        w.stepOnce();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 0);
        QCOMPARE(changed.first().at(1).value<QModelIndex>().row(), 1);
        QVERIFY(text(0).startsWith(QStringLiteral("✓")));
        QVERIFY(text(1).startsWith(QStringLiteral("▶")));
        QVERIFY(!bold(0));
        QVERIFY(bold(1));
        QCOMPARE(w.tableModel(QStringLiteral("User"))->rowCount(), 1);

        w.resetScenario();
        QCOMPARE(w.session()->nextStep(), 0);
        QCOMPARE(w.tableModel(QStringLiteral("User"))->rowCount(), 0);
        QVERIFY(text(0).startsWith(QStringLiteral("▶")));
        QVERIFY(text(1).startsWith(QStringLiteral("   ")));

        w.runAll();
        const int last = steps->rowCount() - 1;
        QVERIFY(text(last).startsWith(QStringLiteral("✓")));
    }
};

QTEST_MAIN(TestSignalScopeWindow)
#include "tst_signalscopewindow.moc"
