// The window's logic in its own homes, tested without a window: the bundled
// samples, the loop banner's text, the status bar's counts, what is remembered
// between launches.

#include "loopbanner.h"
#include "recordactions.h"
#include "recordtablemodel.h"
#include "recordtables.h"
#include "undohistory.h"
#include "samplecatalog.h"
#include "session/session.h"
#include "statuscounts.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"
#include "windowsettings.h"

#include <QAbstractItemModelTester>
#include <QSettings>
#include <QTableView>
#include <QUndoStack>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

using namespace ss;

class TestWindowParts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_windowparts"));
    }
    void init() { QSettings().clear(); }

    void theSamplesInTeachingOrderWithWholeTitles()
    {
        const QVector<SampleInfo> samples = bundledSamples();
        QStringList names;
        for (const SampleInfo &s : samples) {
            names << s.name;
            QCOMPARE(s.path, samplePath(s.name));
            QVERIFY2(!s.title.isEmpty() && !s.lesson.isEmpty(), qPrintable(s.name));
            QVERIFY(s.menuText().startsWith(s.name + QStringLiteral(" — ")));
            QVERIFY2(!s.menuText().contains(s.name + QLatin1Char(':')), qPrintable(s.menuText()));
        }
        QCOMPARE(names.mid(0, 6), QStringList({QStringLiteral("shop"), QStringLiteral("blog"), QStringLiteral("reactions"),
                                               QStringLiteral("pizza"), QStringLiteral("cascade"), QStringLiteral("loops")}));
        SampleInfo info{QStringLiteral("shop"), samplePath(QStringLiteral("shop")), QStringLiteral("shop: a billing profile on signup"),
                        QStringLiteral("lesson")};
        QCOMPARE(info.menuText(), QStringLiteral("shop — a billing profile on signup"));
        info.title = QStringLiteral("Another title");
        QCOMPARE(info.menuText(), QStringLiteral("shop — Another title"));
        info.title.clear();
        QCOMPARE(info.menuText(), QStringLiteral("shop — lesson"));
    }

    void theLoopBannerListsEveryLoop()
    {
        QVERIFY(LoopBanner::of({}, 32).html.isEmpty());
        DetectedLoop reentry;
        reentry.path = QStringLiteral("post_save(GuardedCounter:1) → resave_with_guard → post_save(GuardedCounter:1)");
        reentry.reentries = 1;
        DetectedLoop stopped;
        stopped.path = QStringLiteral("post_save(Counter:1) → resave_counter → post_save(Counter:1)");
        stopped.reentries = 31;
        stopped.stopped = true;
        const LoopBanner amber = LoopBanner::of({reentry}, 32);
        QVERIFY(!amber.anyStopped);
        QVERIFY(amber.html.startsWith(QStringLiteral("<b>⚠ Re-entry loop:</b> post_save(GuardedCounter:1)")));
        QVERIFY(!amber.html.contains(QStringLiteral("times)")));
        QVERIFY(amber.styleSheet().contains(QStringLiteral("255,170,0")));
        const LoopBanner red = LoopBanner::of({reentry, stopped}, 32);
        QVERIFY(red.anyStopped);
        QCOMPARE(red.html.count(QStringLiteral("<br>")), 2);         // two loops, then the fixes
        QVERIFY(red.html.contains(QStringLiteral("<b>✗ Recursion loop stopped at depth 32:</b> post_save(Counter:1) → resave_counter → post_save(Counter:1) (31 times)")));
        QVERIFY(red.html.contains(QStringLiteral("<code>update_fields</code> guard")));
        QVERIFY(red.styleSheet().contains(QStringLiteral("220,40,40")));
        DetectedLoop html;
        html.path = QStringLiteral("a<b>");
        QVERIFY(LoopBanner::of({html}, 32).html.contains(QStringLiteral("a&lt;b&gt;")));
    }

    void theStatusCountsRowsOnlyWhenTheDataChanged()
    {
        Session session;
        StatusCounts status(&session);
        QSignalSpy changed(&status, &StatusCounts::changed);
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.scenario.json")));
        const int afterLoad = status.rowCounts();
        QVERIFY(afterLoad >= 1);
        QCOMPARE(status.rows(), 0);
        QVERIFY(status.databaseText().contains(QStringLiteral("app shop · 0 row(s)")));
        session.runNext();                      // bob = User.objects.create(...): a user and its profile
        QCOMPARE(status.rowCounts(), afterLoad + 1);
        QCOMPARE(status.rows(), 2);
        QVERIFY(status.databaseText().contains(QStringLiteral("2 row(s)")));
        // The timeline's batches refresh the event count, and count no row.
        const int spied = changed.count();
        session.bridge().flush();
        QCOMPARE(status.rowCounts(), afterLoad + 1);
        QCOMPARE(changed.count(), spied + 1);
        QCOMPARE(status.eventsText(), QStringLiteral("%1 event(s) · 0 loop(s)").arg(session.recorder().count()));
        session.recorder().setPaused(true);
        status.refresh();
        QVERIFY(status.eventsText().endsWith(QStringLiteral(" · PAUSED")));
    }

    void recordActionsAreUndoableAndSayWhatFailed()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/pizza.schema.json")));
        UndoHistory history;
        RecordActions actions(&session, &history);
        QSignalSpy failed(&actions, &RecordActions::failed);
        QSignalSpy note(&actions, &RecordActions::note);
        const Model *topping = session.registry().model(QStringLiteral("Topping"));
        const Model *pizza = session.registry().model(QStringLiteral("Pizza"));
        const Field *toppings = pizza->field(QStringLiteral("toppings"));
        const auto name = [](const char *text) { return Kwargs{{QStringLiteral("name"), Value(QCborValue(QString::fromUtf8(text)))}}; };
        QVERIFY(actions.createRow(topping, name("ham")).ok());
        QVERIFY(actions.createRow(topping, name("olive")).ok());
        QVERIFY(actions.createRow(pizza, name("margherita")).ok());
        QCOMPARE(history.stack()->count(), 3);
        QCOMPARE(failed.count(), 0);

        // m2m: a diff (add both), then a set() to one; each one undo step.
        const QCborValue pk = session.rows(pizza).first().at(pizza->pk->index);
        const QVector<QCborValue> ids = {session.rows(topping).at(0).at(topping->pk->index), session.rows(topping).at(1).at(topping->pk->index)};
        QVERIFY(actions.changeM2m(pizza, pk, toppings, ids, RecordActions::M2mMode::Diff).ok());
        QCOMPARE(session.linkedIds(pizza, pk, toppings), ids);
        QVERIFY(actions.changeM2m(pizza, pk, toppings, {ids.at(1)}, RecordActions::M2mMode::Set).ok());
        QCOMPARE(session.linkedIds(pizza, pk, toppings), QVector<QCborValue>{ids.at(1)});
        QCOMPARE(history.stack()->count(), 5);
        // Nothing changed: nothing to undo.
        QVERIFY(actions.changeM2m(pizza, pk, toppings, {ids.at(1)}, RecordActions::M2mMode::Diff).ok());
        QCOMPARE(history.stack()->count(), 5);
        history.stack()->undo();
        QCOMPARE(session.linkedIds(pizza, pk, toppings), ids);

        // A delete the confirmation refuses keeps the row; its preview is there.
        int asked = 0;
        actions.setConfirmDelete([&](const DeletePreview &) { return ++asked > 1; });
        actions.deleteRows(topping, {ids.at(0)});
        QCOMPARE(asked, 1);
        QCOMPARE(session.rows(topping).size(), 2);
        QVERIFY(!actions.lastDeletePreview().rows.isEmpty());
        QVERIFY(actions.deleteRows(topping, {ids.at(0)}).ok());
        QCOMPARE(session.rows(topping).size(), 1);
        QCOMPARE(history.stack()->count(), 5);          // the undone set() was replaced by the delete

        // A failure is said once, in words, and leaves no undo step.
        const Field *pizzaName = pizza->field(QStringLiteral("name"));
        QVERIFY(actions.updateRows(pizza, {pk}, pizzaName, QCborValue(QStringLiteral("marinara"))).ok());
        QCOMPARE(note.count(), 1);
        QVERIFY(note.last().at(0).toString().contains(QStringLiteral("no signal at all")));
        const int steps = history.stack()->count();
        const ActionResult bad = actions.createRow(pizza, Kwargs{{QStringLiteral("no_such_field"), Value(QCborValue(1))}});
        QVERIFY(!bad.ok());
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.last().at(0).toString().startsWith(QStringLiteral("✗ ")));
        QCOMPARE(history.stack()->count(), steps);
    }

    void recordTablesOnePerModelAndTheirEdits()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.scenario.json")));
        session.runNext();                              // a user and its profile
        RecordTables tables(&session);
        tables.rebuild(false);
        QCOMPARE(tables.count(), int(session.registry().models().size()));
        RecordTableModel *users = tables.model(QStringLiteral("User"));
        QVERIFY(users && tables.view(QStringLiteral("User")));
        QAbstractItemModelTester tester(users, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(users->rowCount(), 1);
        // The header tooltip is the schema panel's field details.
        const int username = [&] {
            for (int c = 0; c < users->columnCount(); ++c)
                if (users->fieldAt(c) && users->fieldAt(c)->name == QLatin1String("username"))
                    return c;
            return -1;
        }();
        QVERIFY(username >= 0);
        QVERIFY2(users->headerData(username, Qt::Horizontal, Qt::ToolTipRole).toString().startsWith(QStringLiteral("username: char")),
                 qPrintable(users->headerData(username, Qt::Horizontal, Qt::ToolTipRole).toString()));
        // Selection: the current row when nothing is selected.
        tables.setCurrentWidget(tables.view(QStringLiteral("User")));
        QVERIFY(tables.selectedPks().isEmpty());
        tables.view(QStringLiteral("User"))->setCurrentIndex(users->index(0, username));
        QCOMPARE(tables.selectedPks(), QVector<QCborValue>{users->pkAt(0)});
        QCOMPARE(tables.currentModel(), users);

        // An edit is announced once; RecordActions makes it undoable.
        UndoHistory history;
        RecordActions actions(&session, &history);
        QSignalSpy edited(&tables, &RecordTables::cellEdited);
        connect(&tables, &RecordTables::cellEdited, &actions,
                [&](const Model *m, const QCborValue &pk, const Field *f, const QCborValue &o, const QCborValue &n, const ActionResult &r) {
                    actions.cellEdited(m, pk, f, o, n, r, false);
                });
        const QString before = users->index(0, username).data().toString();
        QVERIFY(users->setData(users->index(0, username), QStringLiteral("robert")));
        users->refresh();
        QVERIFY2(users->index(0, username).data().toString().contains(QStringLiteral("robert")), qPrintable(users->index(0, username).data().toString()));
        QCOMPARE(edited.count(), 1);
        QCOMPARE(history.stack()->count(), 1);
        history.stack()->undo();
        users->refresh();
        QCOMPARE(users->index(0, username).data().toString(), before);

        // Across a reset the tab the user was on stays.
        tables.setCurrentIndex(1);
        tables.drop();
        QCOMPARE(tables.count(), 0);
        tables.rebuild(true);
        QCOMPARE(tables.currentIndex(), 1);
        tables.drop();
        tables.rebuild(false);
        QCOMPARE(tables.currentIndex(), 0);
    }

    void whatIsRememberedBetweenLaunches()
    {
        QVERIFY(WindowSettings::recentFiles().isEmpty());
        for (int i = 0; i < 10; ++i)
            WindowSettings::addRecentFile(QStringLiteral("/tmp/f%1.json").arg(i));
        QStringList recent = WindowSettings::addRecentFile(QStringLiteral("/tmp/f5.json"));
        QCOMPARE(recent.size(), WindowSettings::MaxRecentFiles);
        QCOMPARE(recent.first(), QStringLiteral("/tmp/f5.json"));
        QCOMPARE(recent.count(QStringLiteral("/tmp/f5.json")), 1);
        QCOMPARE(recent.at(1), QStringLiteral("/tmp/f9.json"));
        QCOMPARE(WindowSettings::recentFiles(), recent);
        WindowSettings::setLastFile(QStringLiteral("/tmp/f5.json"));
        QCOMPARE(WindowSettings::lastFile(), QStringLiteral("/tmp/f5.json"));
        QCOMPARE(WindowSettings::exportDir(), QDir::homePath());

        const WindowSettings::Preferences defaults = WindowSettings::Preferences::load();
        QVERIFY(defaults.hiddenSignals.isEmpty() && !defaults.updateFieldsOnly && defaults.showDjangoReceivers && defaults.followNewest);
        WindowSettings::Preferences prefs;
        prefs.hiddenSignals = {QStringLiteral("pre_init"), QStringLiteral("post_init")};
        prefs.updateFieldsOnly = true;
        prefs.showDjangoReceivers = false;
        prefs.followNewest = false;
        prefs.save();
        const WindowSettings::Preferences back = WindowSettings::Preferences::load();
        QCOMPARE(back.hiddenSignals, prefs.hiddenSignals);
        QVERIFY(back.updateFieldsOnly && !back.showDjangoReceivers && !back.followNewest);
    }
};

QTEST_MAIN(TestWindowParts)
#include "tst_windowparts.moc"
