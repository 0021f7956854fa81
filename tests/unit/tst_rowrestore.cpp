// RowRestore: the undo of a delete puts back what the delete took away
// (cascaded rows, self-referential trees, symmetrical through rows, SET_NULL
// relations) as Django calls, in one transaction. Checked in the tables.

#include "enginetestutil.h"
#include "model/rowrestore.h"

#include <QtTest>

using namespace sst;

namespace {

const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "club",
  "models": [
    {"name": "Person", "fields": [
      {"name": "name", "type": "char"},
      {"name": "mentor", "type": "foreign_key", "to": "Person", "on_delete": "CASCADE", "null": true, "related_name": "mentees"},
      {"name": "friends", "type": "many_to_many", "to": "self"}]},
    {"name": "Book", "fields": [
      {"name": "owner", "type": "foreign_key", "to": "Person", "on_delete": "CASCADE"},
      {"name": "title", "type": "char"}]},
    {"name": "Loan", "fields": [
      {"name": "borrower", "type": "foreign_key", "to": "Person", "on_delete": "SET_NULL", "null": true},
      {"name": "note", "type": "text"}]}
  ]
})";

// Every table, as comparable text; through rows as (from, to) pairs, since
// re-adding them gives them new ids.
QString tables(TestEngine &e)
{
    QStringList out;
    for (const char *m : {"Person", "Book", "Loan"}) {
        QCborArray rows;
        for (const Row &row : e.rows(m)) {
            QCborArray r;
            for (const QCborValue &v : row)
                r.append(v);
            rows.append(r);
        }
        out << QString::fromLatin1(m) + QLatin1Char('=') + json(rows);
    }
    QStringList pairs;
    for (const Row &row : e.rows("Person_friends"))
        pairs << QStringLiteral("%1>%2").arg(row.at(1).toInteger()).arg(row.at(2).toInteger());
    pairs.sort();
    out << QStringLiteral("friends=") + pairs.join(QLatin1Char(','));
    return out.join(QLatin1Char('\n'));
}

} // namespace

class TestRowRestore : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestEngine> e;
    InstancePtr ann, bob, cy, dee;

private Q_SLOTS:
    void init()
    {
        e = std::make_unique<TestEngine>(kSchema);
        ann = e->create("Person", kw({{"name", V("ann")}}));
        bob = e->create("Person", kw({{"name", V("bob")}, {"mentor", V(ann)}}));
        cy = e->create("Person", kw({{"name", V("cy")}, {"mentor", V(bob)}}));     // a tree under ann
        dee = e->create("Person", kw({{"name", V("dee")}}));
        e->engine->m2m(ann, str("friends"), M2mAction::Add, {V(dee), V(cy)});   // symmetrical: 4 rows
        e->engine->m2m(bob, str("friends"), M2mAction::Add, {V(dee)});
        e->create("Book", kw({{"owner", V(cy)}, {"title", V("Dune")}}));
        e->create("Book", kw({{"owner", V(dee)}, {"title", V("Emma")}}));
        e->create("Loan", kw({{"borrower", V(bob)}, {"note", V("due friday")}}));
    }

    void restoresTheCascadeTheTreeTheLinksAndSetNull()
    {
        const QString before = tables(*e);
        const TablesSnapshot snapshotBefore = TablesSnapshot::take(*e->engine);
        e->engine->deleteInstance(ann);                       // ann, bob, cy, cy's book, 6 through rows; the loan loses its borrower
        QCOMPARE(e->pks("Person"), str("[4]"));
        QCOMPARE(e->column("Loan", "borrower"), str("[null]"));
        const RowRestore plan = RowRestore::plan(e->engine->registry(), snapshotBefore, TablesSnapshot::take(*e->engine));

        // One fixture, pointed-at rows first: ann before bob (bob.mentor) before
        // cy before cy's book; the loan's old row last (loaddata overwrites it).
        COMPARE_LINES(plan.code(), names({
            "call_command('loaddata', '-', format='json')  <<< ["
            "{\"model\": \"club.person\", \"pk\": 1, \"fields\": {\"name\": \"ann\", \"mentor\": null}}, "
            "{\"model\": \"club.person\", \"pk\": 2, \"fields\": {\"name\": \"bob\", \"mentor\": 1}}, "
            "{\"model\": \"club.person\", \"pk\": 3, \"fields\": {\"name\": \"cy\", \"mentor\": 2}}, "
            "{\"model\": \"club.book\", \"pk\": 1, \"fields\": {\"owner\": 3, \"title\": \"Dune\"}}, "
            "{\"model\": \"club.loan\", \"pk\": 1, \"fields\": {\"borrower\": 2, \"note\": \"due friday\"}}]",
            "person_1.friends.add(3, 4)",                      // the mirror rows need no add of their own
            "person_2.friends.add(4)"}));

        e->log.clear();
        plan.run(*e->engine);
        QCOMPARE(tables(*e), before);
        // The restore is made of ordinary Django calls with ordinary signals:
        // raw saves (a fixture load), then the m2m adds.
        QCOMPARE(e->log.only("post_save").size(), 5);
        QCOMPARE(e->log.only("m2m_changed").size(), 4);
    }

    void aReceiverThatRaisesLeavesTheTablesAsTheDeleteLeftThem()
    {
        const TablesSnapshot snapshotBefore = TablesSnapshot::take(*e->engine);
        e->engine->deleteInstance(ann);
        const QString afterDelete = tables(*e);
        const RowRestore plan = RowRestore::plan(e->engine->registry(), snapshotBefore, TablesSnapshot::take(*e->engine));
        e->connect(e->engine->m2mChanged, raiser("no links today"));
        const auto error = thrown([&] { plan.run(*e->engine); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("no links today"));
        QCOMPARE(tables(*e), afterDelete);                    // the Person and Book creates are undone too
    }

    void nothingTakenNothingToDo()
    {
        const TablesSnapshot snapshot = TablesSnapshot::take(*e->engine);
        const RowRestore plan = RowRestore::plan(e->engine->registry(), snapshot, snapshot);
        QVERIFY(plan.isEmpty());
        QCOMPARE(plan.operationCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRowRestore)
#include "tst_rowrestore.moc"
