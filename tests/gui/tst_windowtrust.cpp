// A window that never lies (issue 8, section 2): a delete preview changes
// nothing, a failed undo says so and leaves the stack where it was, a search
// never freezes, nothing is hidden by truncation, keys act where the user is.
// Each test drives the real window offscreen.

#include "deletepreviewdialog.h"
#include "deletepreviewmodel.h"
#include "mainwindow.h"
#include "recordtablemodel.h"
#include "roles.h"
#include "session/session.h"
#include "timelinefilter.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <QTableWidget>
#include <QTabWidget>
#include <QTableView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTreeView>
#include <QtTest>

using namespace ss;

namespace {

// A schema whose post_init receiver on Book writes a row: any read of a Book
// through the ORM leaves a trace in AuditLog.
const char *kPostInitWriter = R"({
  "format": "signalscope-schema/1",
  "app": "library",
  "models": [
    {"name": "Author", "fields": [{"name": "name", "type": "char"}]},
    {"name": "Book", "fields": [
      {"name": "title", "type": "char"},
      {"name": "author", "type": "foreign_key", "to": "Author", "on_delete": "CASCADE", "related_name": "books"}]},
    {"name": "AuditLog", "fields": [{"name": "text", "type": "char"}]}
  ],
  "receivers": [
    {"name": "log_book_read", "signal": "post_init", "sender": "Book",
     "do": [{"create": "AuditLog", "values": {"text": "read"}}]}
  ]
})";

// The shop as the seed had it: its receiver creates a profile on every
// created=True save, raw ones (a fixture load) included.
const char *kShopIgnoringRaw = R"({
  "format": "signalscope-schema/1",
  "app": "shop",
  "models": [
    {"name": "User", "fields": [
      {"name": "username", "type": "char", "max_length": 150, "unique": true},
      {"name": "email", "type": "char", "default": ""},
      {"name": "is_active", "type": "bool", "default": true}
    ]},
    {"name": "BillingProfile", "fields": [
      {"name": "user", "type": "one_to_one", "to": "User", "on_delete": "CASCADE", "related_name": "billing_profile"},
      {"name": "user_image", "type": "char", "default": "user_image.jpg"}
    ]}
  ],
  "receivers": [
    {"name": "create_billing_profile", "signal": "post_save", "sender": "User",
     "when": {"created": true},
     "do": [{"create": "BillingProfile", "values": {"user": "$instance"}}]}
  ]
})";

QAction *actionNamed(QWidget &w, const QString &prefix)
{
    for (QAction *a : w.findChildren<QAction *>())
        if (a->text().remove(QLatin1Char('&')).startsWith(prefix))
            return a;
    return nullptr;
}

// Adds a User named `name` as a user does: the User tab, Records > New row…,
// the form filled in, OK.
void addUserThroughTheForm(MainWindow &w, const QString &name)
{
    auto *tabs = w.findChild<QTabWidget *>();
    for (int i = 0; i < tabs->count(); ++i)
        if (tabs->tabText(i) == QLatin1String("User"))
            tabs->setCurrentIndex(i);
    QTimer::singleShot(0, [name] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        auto *table = dialog->findChild<QTableWidget *>();
        QVERIFY(table);
        for (int c = 0; c < table->columnCount(); ++c)
            if (table->horizontalHeaderItem(c)->text().startsWith(QLatin1String("username")))
                table->setItem(0, c, new QTableWidgetItem(name));
        dialog->accept();
    });
    actionNamed(w, QStringLiteral("New row"))->trigger();
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(text);
    return path;
}

QMap<QString, QVector<Row>> allTables(Session *s)
{
    QMap<QString, QVector<Row>> all;
    for (const auto &m : s->registry().models())
        all.insert(m->name, s->rows(m.get()));
    return all;
}

// Closes the next modal dialog with reject() once it shows, and keeps what it showed.
struct DialogCloser
{
    QString text;
    QString className;
    void arm()
    {
        QTimer::singleShot(0, [this] { poll(); });
    }
    void poll()
    {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal) {
            QTimer::singleShot(10, [this] { poll(); });
            return;
        }
        className = QString::fromLatin1(modal->metaObject()->className());
        if (auto *box = qobject_cast<QMessageBox *>(modal))
            text = box->text() + box->detailedText();
        if (auto *dialog = qobject_cast<QDialog *>(modal))
            dialog->reject();
    }
};

} // namespace

class TestWindowTrust : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_windowtrust"));
    }
    void init() { QSettings().clear(); }

    // --- A preview changes nothing -------------------------------------------

    void aDeletePreviewRunsNoReceiverAndWritesNothing()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("library.schema.json"), kPostInitWriter);
        MainWindow w;
        QVERIFY(w.openFile(path));
        Session *s = w.session();
        const Model *author = s->registry().model(QStringLiteral("Author"));
        const Model *book = s->registry().model(QStringLiteral("Book"));
        QCborValue pk;
        QVERIFY(s->createRow(author, {{QStringLiteral("name"), Value(QCborValue(QStringLiteral("le guin")))}}, &pk).ok());
        QVERIFY(s->createRow(book, {{QStringLiteral("title"), Value(QCborValue(QStringLiteral("earthsea")))},
                                    {QStringLiteral("author_id"), Value(pk)}}).ok());
        QVERIFY(s->createRow(book, {{QStringLiteral("title"), Value(QCborValue(QStringLiteral("lathe")))},
                                    {QStringLiteral("author_id"), Value(pk)}}).ok());
        w.flushTimeline();
        const QMap<QString, QVector<Row>> before = allTables(s);
        const int events = s->recorder().count();

        // The user asks to delete the author and cancels the preview.
        w.setAskBeforeDelete(true);
        w.show();
        DialogCloser closer;
        closer.arm();
        const ActionResult result = w.deleteRows(QStringLiteral("Author"), {pk});
        QVERIFY(result.ok());
        w.flushTimeline();
        QCOMPARE(allTables(s), before);                 // no AuditLog row: no receiver ran
        QCOMPARE(s->recorder().count(), events);
        QVERIFY2(closer.className != QLatin1String("QMessageBox"), "the preview is a real dialog");

        // What it showed: the books Django reads (with the receiver their
        // post_init will call), then the rows and the signals.
        const DeletePreview &preview = w.lastDeletePreview();
        QCOMPARE(preview.loads.size(), 4);
        QCOMPARE(preview.loads.at(0).text(), QStringLiteral("pre_init Book 1"));
        QCOMPARE(preview.loads.at(1).text(), QStringLiteral("post_init Book 1"));
        QCOMPARE(preview.loads.at(1).receivers, QStringList{QStringLiteral("log_book_read")});
        QCOMPARE(preview.rows, QStringList({QStringLiteral("Book 1"), QStringLiteral("Book 2"), QStringLiteral("Author 1")}));
        QCOMPARE(preview.sends.size(), 6);
        QCOMPARE(preview.sends.first().text(), QStringLiteral("pre_delete Book 1"));
        QCOMPARE(preview.sends.last().text(), QStringLiteral("post_delete Author 1"));

        // Muting the receiver takes it out of the plan (the live receiver list).
        QVERIFY(s->setMuted(QStringLiteral("log_book_read"), true));
        QVERIFY(s->previewDelete(author, pk).loads.at(1).receivers.isEmpty());
        QCOMPARE(allTables(s), before);
    }

    void theDeletePreviewDialogShowsThePlan()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("cascade")));
        for (int i = 0; i < 10; ++i)                 // up to "acme.delete()": the sponsor is gone
            w.stepOnce();
        Session *s = w.session();
        const DeletePreview preview = s->previewDelete(s->registry().model(QStringLiteral("Blog")), QCborValue(1));
        QVERIFY(preview.errorType.isEmpty());
        DeletePreviewDialog dialog(preview, &w);
        DeletePreviewModel *model = dialog.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QStringList titles;
        for (int row = 0; row < model->rowCount(); ++row)
            titles << model->index(row, 0).data().toString().section(QStringLiteral(" ("), 0, 0);
        QCOMPARE(titles, QStringList({DeletePreviewModel::loadsTitle().section(QStringLiteral(" ("), 0, 0),
                                      DeletePreviewModel::rowsTitle(), DeletePreviewModel::signalsTitle(),
                                      DeletePreviewModel::updatesTitle().section(QStringLiteral(" ("), 0, 0)}));
        const QModelIndex rows = model->index(1, 0);
        QCOMPARE(model->rowCount(rows), preview.rows.size());
        QCOMPARE(model->index(0, 0, rows).data().toString(), preview.rows.first());
        const QModelIndex sends = model->index(2, 0);
        QCOMPARE(model->rowCount(sends), 12);
        QCOMPARE(model->index(0, 0, sends).data().toString(), QStringLiteral("pre_delete Comment 1"));
        QCOMPARE(model->rowCount(model->index(0, 0, sends)), preview.sends.first().receivers.size());    // its receivers
        QVERIFY(!preview.sends.first().receivers.isEmpty());
        QVERIFY(model->index(3, 0).data().toString().contains(QStringLiteral("1")));
        QVERIFY(model->index(0, 0, model->index(3, 0)).data().toString().startsWith(QStringLiteral("Image.post = None")));
    }

    void aRefusedDeleteIsExplainedInDjangosWords()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("cascade")));
        for (int i = 0; i < 8; ++i)
            w.stepOnce();
        Session *s = w.session();
        const QMap<QString, QVector<Row>> before = allTables(s);
        const DeletePreview preview = s->previewDelete(s->registry().model(QStringLiteral("Blog")), QCborValue(1));
        QCOMPARE(preview.errorType, QStringLiteral("ProtectedError"));
        QVERIFY(preview.errorMessage.startsWith(QStringLiteral("Cannot delete some instances of model")));
        DeletePreviewModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setPreview(preview);
        QCOMPARE(model.index(0, 0).data().toString(), DeletePreviewModel::refusedTitle());
        QCOMPARE(model.index(0, 0, model.index(0, 0)).data().toString(),
                 QStringLiteral("ProtectedError: ") + preview.errorMessage);
        QCOMPARE(allTables(s), before);
    }

    // --- Undo that fails says so and changes nothing ---------------------------

    void aFailedUndoIsReportedAndTheStackStays()
    {
        QTemporaryDir dir;
        MainWindow w;
        QVERIFY(w.openFile(writeFile(dir, QStringLiteral("shop.schema.json"), kShopIgnoringRaw)));
        w.setAskBeforeDelete(false);
        addUserThroughTheForm(w, QStringLiteral("dan"));
        Session *s = w.session();
        QCOMPARE(s->rows(s->registry().model(QStringLiteral("BillingProfile"))).size(), 1);
        QVERIFY(w.deleteRows(QStringLiteral("User"), {QCborValue(1)}).ok());
        QUndoStack *stack = w.undoStack();
        QCOMPARE(stack->index(), 2);
        const QMap<QString, QVector<Row>> before = allTables(s);

        // Undo, as the user does: the Edit menu's action.
        QAction *undo = actionNamed(w, QStringLiteral("Undo"));
        QVERIFY(undo && undo->isEnabled());
        undo->trigger();
        // The fixture load re-saved the user raw; the receiver ignored raw and
        // made a profile, so the old profile could not come back.
        QVERIFY2(w.tableMessage().contains(QStringLiteral("IntegrityError")), qPrintable(w.tableMessage()));
        QVERIFY2(w.tableMessage().contains(QStringLiteral("Problem installing fixture")), qPrintable(w.tableMessage()));
        QCOMPARE(allTables(s), before);                 // rolled back
        QCOMPARE(stack->index(), 2);                    // and the stack did not move
        QVERIFY(!stack->canRedo());
        QCOMPARE(stack->undoText(), QStringLiteral("delete User 1 (and 1 more)"));
        QVERIFY(undo->isEnabled());
        QVERIFY(!actionNamed(w, QStringLiteral("Redo"))->isEnabled());
    }

    void theShopUndoesADeleteAsAFixtureLoad()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("shop")));
        w.setAskBeforeDelete(false);
        addUserThroughTheForm(w, QStringLiteral("dan"));
        Session *s = w.session();
        const QMap<QString, QVector<Row>> created = allTables(s);
        QVERIFY(w.deleteRows(QStringLiteral("User"), {QCborValue(1)}).ok());
        actionNamed(w, QStringLiteral("Undo"))->trigger();
        QVERIFY2(w.tableMessage().isEmpty(), qPrintable(w.tableMessage()));
        QCOMPARE(allTables(s), created);                // the user and the same profile, as they were
        QCOMPARE(w.undoStack()->index(), 1);
        // Redo deletes again; undo of the create deletes the user.
        w.undoStack()->redo();
        QCOMPARE(s->rows(s->registry().model(QStringLiteral("User"))).size(), 0);
        w.undoStack()->undo();
        QCOMPARE(allTables(s), created);
        w.undoStack()->undo();
        QCOMPARE(s->rows(s->registry().model(QStringLiteral("User"))).size(), 0);
        QVERIFY(w.tableMessage().isEmpty());
    }

    void undoingADeleteWorksOnEverySample_data()
    {
        QTest::addColumn<QString>("name");
        for (const SampleInfo &info : MainWindow::samples())
            QTest::newRow(qPrintable(info.name)) << info.name;
    }
    void undoingADeleteWorksOnEverySample()
    {
        QFETCH(QString, name);
        MainWindow w;
        QVERIFY(w.openSample(name));
        w.setAskBeforeDelete(false);
        w.runAll();
        Session *s = w.session();
        int deleted = 0;
        for (const auto &m : s->registry().models()) {
            if (m->autoCreated || s->rows(m.get()).isEmpty())
                continue;
            const QMap<QString, QVector<Row>> before = allTables(s);
            const QCborValue pk = s->rows(m.get()).first().value(m->pk->index);
            const ActionResult result = w.deleteRows(m->name, {pk});
            if (!result.ok())
                continue;           // PROTECT / RESTRICT: nothing to undo
            ++deleted;
            w.undoStack()->undo();
            QVERIFY2(w.tableMessage().isEmpty(), qPrintable(m->name + QStringLiteral(": ") + w.tableMessage()));
            // Every table as it was; through rows come back through add() (new ids, same pairs).
            const QMap<QString, QVector<Row>> after = allTables(s);
            for (const auto &t : s->registry().models()) {
                QVector<Row> a = after.value(t->name), b = before.value(t->name);
                if (t->autoCreated) {
                    for (Row &row : a) row.removeFirst();
                    for (Row &row : b) row.removeFirst();
                    std::sort(a.begin(), a.end(), [](const Row &x, const Row &y) { return x.at(0).toInteger() * 1000000 + x.at(1).toInteger() < y.at(0).toInteger() * 1000000 + y.at(1).toInteger(); });
                    std::sort(b.begin(), b.end(), [](const Row &x, const Row &y) { return x.at(0).toInteger() * 1000000 + x.at(1).toInteger() < y.at(0).toInteger() * 1000000 + y.at(1).toInteger(); });
                }
                QVERIFY2(a == b, qPrintable(QStringLiteral("after undoing delete %1 %2: table %3 differs").arg(m->name, placeholderText(pk), t->name)));
            }
        }
        QVERIFY(deleted > 0);
    }

    void manyToManyEditsAreUndoable()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("pizza")));
        w.runAll();
        Session *s = w.session();
        const Model *pizza = s->registry().model(QStringLiteral("Pizza"));
        const Field *toppings = pizza->field(QStringLiteral("toppings"));
        const QCborValue pk = s->rows(pizza).first().value(pizza->pk->index);
        const QVector<QCborValue> before = s->linkedIds(pizza, pk, toppings);
        const int index = w.undoStack()->index();
        QVERIFY(w.applyM2m(QStringLiteral("Pizza"), pk, QStringLiteral("toppings"), {}, 2).ok());     // clear()
        QVERIFY(s->linkedIds(pizza, pk, toppings).isEmpty());
        QCOMPARE(w.undoStack()->index(), index + 1);
        w.undoStack()->undo();
        QCOMPARE(s->linkedIds(pizza, pk, toppings), before);
        w.undoStack()->redo();
        QVERIFY(s->linkedIds(pizza, pk, toppings).isEmpty());
    }

    // --- Search never freezes ----------------------------------------------------

    void typingASearchFiltersOnceAfterTheLastKeystroke()
    {
        MainWindow w;
        w.show();
        Session *s = w.session();
        const Model *profile = s->registry().model(QStringLiteral("BillingProfile"));
        for (int action = 0; action < 4; ++action) {
            s->perform(QStringLiteral("for _ in range(2000): BillingProfile()"), [s, profile] {
                for (int i = 0; i < 2000; ++i)
                    s->engine().construct(profile, {});
            });
        }
        w.runAll();
        w.flushTimeline();
        TimelineFilter *filter = w.timelineFilter();
        QSignalSpy applied(filter, &TimelineFilter::filterApplied);
        auto *search = w.findChild<QLineEdit *>(QStringLiteral("timelineSearch"));
        QVERIFY(search);
        // Five keystrokes: none of them filters the 16,000-event tree by itself.
        QTest::keyClicks(search, QStringLiteral("cy.de"));
        QCOMPARE(applied.count(), 0);
        QCOMPARE(filter->rowCount(), w.timelineModel()->rowCount());
        // The answer comes once, after the last keystroke.
        QTRY_COMPARE(applied.count(), 1);
        QCOMPARE(filter->rowCount(), 1);
        QVERIFY(filter->index(0, 0).data().toString().contains(QStringLiteral("cy.delete()")));
        // Later events are decided as they arrive: a new match shows up.
        s->perform(QStringLiteral("cy.delete()  # again"), [] {});
        w.flushTimeline();
        QCOMPARE(filter->rowCount(), 2);
        // A kind toggle answers at once (no index needed).
        filter->setSignalVisible(QStringLiteral("post_init"), false);
        QCOMPARE(applied.count(), 2);
        search->clear();
        QTRY_COMPARE(applied.count(), 3);
        QCOMPARE(filter->rowCount(), w.timelineModel()->rowCount());
    }

    // --- Keys where the user is; nothing hidden ------------------------------------

    void deleteActsOnTheRecordTableOnlyWhenItHasFocus()
    {
        MainWindow w;
        w.setAskBeforeDelete(false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openSample(QStringLiteral("shop")));
        w.runAll();
        w.flushTimeline();
        Session *s = w.session();
        const Model *user = s->registry().model(QStringLiteral("User"));
        const int users = s->rows(user).size();
        QTableView *table = w.tableView(QStringLiteral("User"));
        auto *tabs = w.findChild<QTabWidget *>();
        tabs->setCurrentWidget(table);
        table->selectRow(0);
        // In the timeline, Delete does nothing to the database.
        w.timelineView()->setFocus();
        QTRY_VERIFY(w.timelineView()->hasFocus());
        QTest::keyClick(w.timelineView(), Qt::Key_Delete);
        QCOMPARE(s->rows(user).size(), users);
        // In the record table, it deletes the selected row.
        table->setFocus();
        QTRY_VERIFY(table->hasFocus());
        QTest::keyClick(table, Qt::Key_Delete);
        QCOMPARE(s->rows(user).size(), users - 1);
    }

    void theLoopBannerListsEveryLoop()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("loops")));
        w.runAll();
        w.flushTimeline();
        const QVector<DetectedLoop> &loops = w.session()->recorder().loops();
        QVERIFY(loops.size() >= 2);
        const QString banner = w.loopBannerText();
        for (const DetectedLoop &l : loops)
            QVERIFY2(banner.contains(l.path.toHtmlEscaped()), qPrintable(l.path + QStringLiteral(" missing from ") + banner));
    }

    void m2mRowsShowPkSetFirst()
    {
        // At 1280×800 the Key arguments column shows about 30 characters:
        // pk_set must come right after the action, not after reverse and model.
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("pizza")));
        w.runAll();
        w.flushTimeline();
        const TraceRecorder &r = w.session()->recorder();
        int m2m = 0;
        for (int e = 0; e < r.count(); ++e) {
            if (r.kindOf(e) != TraceEventKind::Send || r.string(r.record(e).name) != QLatin1String("m2m_changed"))
                continue;
            const QString text = w.timelineModel()->argumentsText(e);
            QVERIFY2(text.startsWith(QStringLiteral("action='")), qPrintable(text));
            const int pkSet = text.indexOf(QStringLiteral("pk_set="));
            QVERIFY2(pkSet > 0 && pkSet < text.indexOf(QStringLiteral("reverse=")), qPrintable(text));
            ++m2m;
        }
        QVERIFY(m2m >= 8);
    }

    void theFirstLaunchSaysWhatToDoNext()
    {
        MainWindow w;
        QVERIFY(w.tableMessage().contains(QStringLiteral("Step")));
        w.stepOnce();
        QVERIFY(w.tableMessage().isEmpty());
    }

    void theSamplesMenuShowsWholeTitles()
    {
        MainWindow w;
        auto *menu = w.findChild<QMenu *>(QStringLiteral("samplesMenu"));
        QVERIFY(menu);
        const QVector<SampleInfo> samples = MainWindow::samples();
        QCOMPARE(menu->actions().size(), samples.size());
        for (int i = 0; i < samples.size(); ++i) {
            const QString text = menu->actions().at(i)->text();
            const QString title = samples.at(i).title;
            const QString rest = title.startsWith(samples.at(i).name + QLatin1Char(':')) ? title.mid(samples.at(i).name.size() + 1).trimmed() : title;
            QVERIFY2(text.endsWith(rest), qPrintable(text + QStringLiteral(" | ") + title));
        }
    }

    // --- Views read cached data -----------------------------------------------------

    void recordTablesReadTheDatabaseOnlyWhenItChanged()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/pizza.scenario.json")));
        while (!session.atEnd())
            session.runNext();
        const Model *pizza = session.registry().model(QStringLiteral("Pizza"));
        const Model *through = session.registry().model(QStringLiteral("Pizza_toppings"));
        QVERIFY(pizza && through);
        RecordTableModel table(&session, through);
        QAbstractItemModelTester tester(&table, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QVERIFY(table.rowCount() > 0);
        int pizzaColumn = -1;
        for (int c = 0; c < table.columnCount(); ++c)
            if (table.fieldAt(c)->isForeignKey() && table.fieldAt(c)->target == pizza)
                pizzaColumn = c;
        QVERIFY(pizzaColumn >= 0);
        const QModelIndex cell = table.index(0, pizzaColumn);
        const QString shown = cell.data().toString();
        const QCborValue pizzaPk = table.valueAt(0, table.fieldAt(pizzaColumn));
        // The pizza's name changes behind the model's back (no databaseChanged):
        // the cell still shows what was read at the last refresh — no SQL per data().
        const Field *name = pizza->field(QStringLiteral("name"));
        QVERIFY(name);
        session.engine().database().update(pizza, {name}, {QCborValue(QStringLiteral("renamed"))}, {{pizza->pk, pizzaPk}});
        QCOMPARE(cell.data().toString(), shown);
        QSignalSpy changed(&table, &QAbstractItemModel::dataChanged);
        table.refresh();
        QCOMPARE(changed.count(), 1);
        QVERIFY2(cell.data().toString().endsWith(QStringLiteral("renamed")), qPrintable(cell.data().toString()));
    }
};

QTEST_MAIN(TestWindowTrust)
#include "tst_windowtrust.moc"
