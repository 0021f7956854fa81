// The window speaks Python and Django: receivers shown as the @receiver
// function a Django developer would write (a float written 99.0 stays 99.0),
// arguments as Django's reprs (None, True, {2}, <User: User object (1)>), and
// the foreign-key editor keeps a text primary key as text.

#include "editors.h"
#include "inspectorview.h"
#include "mainwindow.h"
#include "recordtablemodel.h"
#include "roles.h"
#include "session/session.h"
#include "timelinemodel.h"
#include "trace/tracerecorder.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

using namespace ss;

namespace {

const char kScenario[] = R"({
  "format": "signalscope-scenario/1",
  "name": "python spellings",
  "schema": {
    "format": "signalscope-schema/1",
    "app": "shop",
    "models": [
      {"name": "User", "fields": [{"name": "username", "type": "char"}]},
      {"name": "BillingProfile", "fields": [
        {"name": "user", "type": "foreign_key", "to": "User", "on_delete": "CASCADE"},
        {"name": "credit", "type": "float", "default": 0.0}
      ]},
      {"name": "Tag", "fields": [{"name": "name", "type": "char", "max_length": 20, "primary_key": true}]},
      {"name": "Ticket", "fields": [
        {"name": "title", "type": "char"},
        {"name": "tag", "type": "foreign_key", "to": "Tag", "on_delete": "CASCADE", "null": true}
      ]},
      {"name": "Box", "fields": [{"name": "items", "type": "many_to_many", "to": "Tag", "related_name": "boxes"}]}
    ],
    "receivers": [
      {"name": "create_billing_profile", "signal": "post_save", "sender": "User", "when": {"created": true},
       "do": [{"create": "BillingProfile", "values": {"user": "$instance", "credit": 99.0}}]}
    ]
  },
  "steps": [
    {"op": "create", "model": "User", "values": {"username": "ann"}},
    {"op": "create", "model": "Tag", "values": {"name": "urgent"}},
    {"op": "create", "model": "Tag", "values": {"name": "later"}},
    {"op": "create", "model": "Ticket", "values": {"title": "printer", "tag_id": "later"}},
    {"op": "create", "model": "Box", "values": {}, "as": "box"},
    {"op": "m2m", "ref": "box", "field": "items", "action": "add", "targets": ["urgent"]}
  ]
})";

int findEvent(TraceRecorder &r, TraceEventKind kind, const QString &signalOrLabel)
{
    for (int i = 0; i < r.count(); ++i) {
        if (r.kindOf(i) != kind)
            continue;
        const TraceEvent e = r.event(i);
        if (e.signal == signalOrLabel || e.label == signalOrLabel)
            return i;
    }
    return -1;
}

} // namespace

class TestPythonSpellings : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString scenarioFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("spellings.scenario.json"));
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(kScenario);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_pythonspellings"));
        QVERIFY(m_dir.isValid());
    }
    void init() { QSettings().clear(); }

    void theInspectorShowsTheReceiverAsPython()
    {
        MainWindow w;
        QVERIFY(w.openFile(scenarioFile()));
        w.runAll();
        w.flushTimeline();
        TraceRecorder &r = w.session()->recorder();
        const int receiver = findEvent(r, TraceEventKind::Receiver, QStringLiteral("create_billing_profile"));
        QVERIFY(receiver >= 0);
        w.selectEvent(receiver);
        const QString text = w.inspector()->visibleText();
        const QString code = QStringLiteral(
            "@receiver(post_save, sender=User)\n"
            "def create_billing_profile(sender, instance, created, **kwargs):\n"
            "    if created:\n"
            "        BillingProfile.objects.create(user=instance, credit=99.0)");
        QVERIFY2(text.contains(code), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("credit=99)")), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("$instance")), qPrintable(text));
    }

    void argumentsAreShownAsDjangoReprs()
    {
        MainWindow w;
        QVERIFY(w.openFile(scenarioFile()));
        w.runAll();
        w.flushTimeline();
        TimelineModel *timeline = w.timelineModel();
        QAbstractItemModelTester tester(timeline, QAbstractItemModelTester::FailureReportingMode::Fatal);
        TraceRecorder &r = w.session()->recorder();
        const int postSave = findEvent(r, TraceEventKind::Send, QStringLiteral("post_save"));
        QVERIFY(postSave >= 0);
        const QModelIndex saved = timeline->indexForEvent(postSave);
        QCOMPARE(timeline->index(saved.row(), TimelineColumn::Instance, saved.parent()).data().toString(),
                 QStringLiteral("<User: User object (1)>"));
        const QString savedArgs = timeline->index(saved.row(), TimelineColumn::Arguments, saved.parent()).data().toString();
        QVERIFY2(savedArgs.contains(QLatin1String("created=True")), qPrintable(savedArgs));
        QVERIFY2(savedArgs.contains(QLatin1String("update_fields=None")), qPrintable(savedArgs));

        int m2m = -1;
        for (int i = 0; i < r.count(); ++i)
            if (r.kindOf(i) == TraceEventKind::Send && r.event(i).signal == QLatin1String("m2m_changed"))
                m2m = i;
        QVERIFY(m2m >= 0);
        const QModelIndex changed = timeline->indexForEvent(m2m);
        const QString m2mArgs = timeline->index(changed.row(), TimelineColumn::Arguments, changed.parent()).data().toString();
        QVERIFY2(m2mArgs.contains(QLatin1String("pk_set={'urgent'}")), qPrintable(m2mArgs));
        QVERIFY2(m2mArgs.contains(QLatin1String("reverse=False")), qPrintable(m2mArgs));
        QVERIFY2(!m2mArgs.contains(QLatin1String("true")) && !m2mArgs.contains(QLatin1String("null")), qPrintable(m2mArgs));
        w.selectEvent(m2m);
        const QString html = w.inspector()->visibleText();
        QVERIFY2(html.contains(QLatin1String("{'urgent'}")), qPrintable(html));
        QVERIFY2(html.contains(QLatin1String("<Box: Box object (1)>")), qPrintable(html));
    }

    void theForeignKeyEditorKeepsATextPrimaryKey()
    {
        MainWindow w;
        QVERIFY(w.openFile(scenarioFile()));
        w.runAll();
        w.flushTimeline();
        RecordTableModel *tickets = w.tableModel(QStringLiteral("Ticket"));
        QTableView *view = w.tableView(QStringLiteral("Ticket"));
        QVERIFY(tickets && view);
        int tagColumn = -1;
        for (int c = 0; c < tickets->columnCount(); ++c)
            if (tickets->fieldAt(c) && tickets->fieldAt(c)->name == QLatin1String("tag"))
                tagColumn = c;
        QVERIFY(tagColumn >= 0);
        const QModelIndex cell = tickets->index(0, tagColumn);

        auto *delegate = qobject_cast<RecordDelegate *>(view->itemDelegate());
        QVERIFY(delegate);
        std::unique_ptr<QWidget> editor(delegate->createEditor(view->viewport(), QStyleOptionViewItem(), cell));
        auto *combo = qobject_cast<QComboBox *>(editor.get());
        QVERIFY(combo);
        delegate->setEditorData(combo, cell);
        QVERIFY2(combo->currentText().startsWith(QLatin1String("'later'")), qPrintable(combo->currentText()));
        const int urgent = combo->findText(QStringLiteral("'urgent'"), Qt::MatchStartsWith);
        QVERIFY(urgent >= 0);
        combo->setCurrentIndex(urgent);
        delegate->setModelData(combo, tickets, cell);

        TraceRecorder &r = w.session()->recorder();
        int step = -1;
        for (int i = r.count() - 1; i >= 0 && step < 0; --i)
            if (r.kindOf(i) == TraceEventKind::Step)
                step = i;
        QCOMPARE(r.text(step), QStringLiteral("ticket_1.tag_id = 'urgent'; ticket_1.save()"));
        QVERIFY(!r.event(step).failed());
        const QCborValue stored = tickets->index(0, tagColumn).data(RawValueRole).value<QCborValue>();
        QCOMPARE(stored, QCborValue(QStringLiteral("urgent")));
    }
};

QTEST_MAIN(TestPythonSpellings)
#include "tst_pythonspellings.moc"
