// The Database's prepared-statement cache and transaction statements: a
// statement is prepared once per shape (kind, model, fields, each condition's
// form, order, limit) and bound again with each call's values, so calls of one
// shape with other values, and calls of shapes that differ only in a
// condition's form or an IN list's length, must each read exactly their rows.
// BEGIN/COMMIT/ROLLBACK are prepared once and reused, also after a COMMIT that
// failed.

#include "enginetestutil.h"

#include <QtTest>

using namespace ss;
using namespace sst;

namespace {

const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "db",
  "models": [
    {"name": "Team", "fields": [{"name": "name", "type": "char"}]},
    {"name": "Player", "fields": [
      {"name": "team", "type": "foreign_key", "to": "Team", "on_delete": "CASCADE", "null": true},
      {"name": "name", "type": "char"},
      {"name": "score", "type": "int", "default": 0}]}
  ]
})";

QCborValue cborInt(qint64 n) { return QCborValue(n); }
QCborValue cborText(const char *s) { return QCborValue(QString::fromUtf8(s)); }

// The names of `rows` of Player (column 2), sorted.
QStringList rowNames(const QVector<Row> &rows, int column = 2)
{
    QStringList out;
    for (const Row &row : rows)
        out << row[column].toString();
    out.sort();
    return out;
}

} // namespace

class TestDatabase : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestEngine> m_engine;
    Database *db = nullptr;
    const Model *team = nullptr, *player = nullptr;
    const Field *playerTeam = nullptr, *playerName = nullptr, *playerScore = nullptr;

    qint64 addPlayer(const QCborValue &teamId, const char *name, qint64 score)
    {
        return db->insert(player, {playerTeam, playerName, playerScore}, {teamId, cborText(name), cborInt(score)});
    }

private Q_SLOTS:
    void init()
    {
        m_engine = makeEngine(kSchema);
        db = &m_engine->engine->database();
        team = m_engine->engine->registry().model(QStringLiteral("Team"));
        player = m_engine->engine->registry().model(QStringLiteral("Player"));
        playerTeam = player->field(QStringLiteral("team"));
        playerName = player->field(QStringLiteral("name"));
        playerScore = player->field(QStringLiteral("score"));
        const qint64 red = db->insert(team, {team->field(QStringLiteral("name"))}, {cborText("red")});
        const qint64 blue = db->insert(team, {team->field(QStringLiteral("name"))}, {cborText("blue")});
        QCOMPARE(red, 1);
        QCOMPARE(blue, 2);
        QCOMPARE(addPlayer(cborInt(1), "ann", 3), 1);
        QCOMPARE(addPlayer(cborInt(1), "bob", 5), 2);
        QCOMPARE(addPlayer(cborInt(2), "cy", 5), 3);
        QCOMPARE(addPlayer(QCborValue(nullptr), "dee", 7), 4);
    }
    void cleanup() { m_engine.reset(); }

    void oneShapeManyValues()
    {
        // The same SELECT shape again and again, each time with its own value.
        const std::pair<int, const char *> cases[] = {{1, "ann"}, {2, "bob"}, {3, "cy"}, {4, "dee"}, {1, "ann"}};
        for (const auto &[pk, name] : cases) {
            const QVector<Row> rows = db->select(player, {{player->pk, cborInt(pk)}}, {});
            QCOMPARE(rowNames(rows), QStringList{QString::fromUtf8(name)});
        }
        QCOMPARE(db->select(player, {{player->pk, cborInt(99)}}, {}).size(), 0);
    }

    void conditionFormsAreDifferentStatements()
    {
        // = value, IS NULL, IN of 0, 1, 2 and 3 values on the same field.
        QCOMPARE(rowNames(db->select(player, {{playerTeam, cborInt(1)}}, {})), sst::names({"ann", "bob"}));
        QCOMPARE(rowNames(db->select(player, {{playerTeam, QCborValue(nullptr)}}, {})), sst::names({"dee"}));
        QCOMPARE(rowNames(db->select(player, {{playerTeam, QCborArray{}, true}}, {})), QStringList{});
        QCOMPARE(rowNames(db->select(player, {{playerTeam, QCborArray{2}, true}}, {})), sst::names({"cy"}));
        QCOMPARE(rowNames(db->select(player, {{playerTeam, QCborArray{1, 2}, true}}, {})), sst::names({"ann", "bob", "cy"}));
        QCOMPARE(rowNames(db->select(player, {{player->pk, QCborArray{4, 1, 3}, true}}, {})), sst::names({"ann", "cy", "dee"}));
        // And back: the first shapes still read their own rows.
        QCOMPARE(rowNames(db->select(player, {{playerTeam, cborInt(2)}}, {})), sst::names({"cy"}));
        QCOMPARE(rowNames(db->select(player, {{playerTeam, QCborArray{1}, true}}, {})), sst::names({"ann", "bob"}));
    }

    void orderAndLimitArePartOfTheShape()
    {
        const QVector<Row> all = db->select(player, {{playerScore, cborInt(5)}}, {player->pk});
        QCOMPARE(all.size(), 2);
        QCOMPARE(all[0][2].toString(), QStringLiteral("bob"));
        const QVector<Row> one = db->select(player, {{playerScore, cborInt(5)}}, {player->pk}, 1);
        QCOMPARE(one.size(), 1);
        const QVector<Row> byName = db->select(player, {{playerScore, cborInt(5)}}, {playerName, player->pk});
        QCOMPARE(byName.size(), 2);
        QCOMPARE(db->exists(player, {{playerName, cborText("cy")}}), true);
        QCOMPARE(db->exists(player, {{playerName, cborText("zed")}}), false);
        QCOMPARE(db->selectColumn(player, playerName, {{playerTeam, cborInt(1)}}).size(), 2);
        QCOMPARE(db->count(player), 4);
    }

    // A statement keeps the values bound to it and only a changed one is bound
    // again: every row must still get exactly its own values, whether a value
    // repeats, changes, turns NULL or back, and after a failed execution.
    void aRepeatedValueIsNotCarriedIntoTheNextRow()
    {
        db->deleteWhere(player, {});
        struct Case { QCborValue team; QCborValue name; qint64 score; };
        const Case cases[] = {
            {cborInt(1), cborText("same"), 5},
            {cborInt(1), cborText("same"), 5},        // every value repeated
            {QCborValue(nullptr), cborText("same"), 5}, // one turns NULL
            {QCborValue(nullptr), cborText(""), 5},
            {cborInt(2), cborText(""), 0},            // back from NULL
            {cborInt(2), cborText("x"), 0},
            {cborInt(2), cborText("x"), 1},
        };
        QVector<qint64> ids;
        for (const Case &c : cases)
            ids << db->insert(player, {playerTeam, playerName, playerScore}, {c.team, c.name, cborInt(c.score)});
        // A failing INSERT (no such team: the deferred key fails at COMMIT,
        // so use NOT NULL instead) leaves its values bound; the next row with
        // other values must not keep them.
        QVERIFY_THROWS_EXCEPTION(DjangoError, db->insert(player, {playerTeam, playerName, playerScore},
                                                         {cborInt(1), QCborValue(nullptr), cborInt(9)}));
        ids << db->insert(player, {playerTeam, playerName, playerScore}, {cborInt(2), cborText("x"), cborInt(1)});

        QSqlQuery raw(db->connection());
        QVERIFY(raw.exec(QStringLiteral("SELECT id, team_id, name, score, typeof(team_id) FROM db_player ORDER BY id")));
        QStringList got;
        while (raw.next())
            got << QStringLiteral("%1|%2|%3|%4").arg(raw.value(4).toString(), raw.value(1).toString(),
                                                     raw.value(2).toString(), raw.value(3).toString());
        const QStringList expected = {
            QStringLiteral("integer|1|same|5"), QStringLiteral("integer|1|same|5"), QStringLiteral("null||same|5"),
            QStringLiteral("null|||5"),         QStringLiteral("integer|2||0"),     QStringLiteral("integer|2|x|0"),
            QStringLiteral("integer|2|x|1"),    QStringLiteral("integer|2|x|1")};
        QCOMPARE(got, expected);
        QCOMPARE(ids.size(), expected.size());
        // And a SELECT of one shape alternating between values reads each one's rows.
        for (int round = 0; round < 2; ++round) {
            QCOMPARE(db->select(player, {{playerName, cborText("same")}}, {}).size(), 3);
            QCOMPARE(db->select(player, {{playerName, cborText("same")}}, {}).size(), 3);
            QCOMPARE(db->select(player, {{playerName, cborText("x")}}, {}).size(), 3);
            QCOMPARE(db->select(player, {{playerName, cborText("")}}, {}).size(), 2);
        }
    }

    void updatesAndDeletesBindTheirValues()
    {
        QCOMPARE(db->update(player, {playerScore}, {cborInt(10)}, {{playerTeam, cborInt(1)}}), 2);
        QCOMPARE(db->update(player, {playerScore}, {cborInt(20)}, {{playerTeam, cborInt(2)}}), 1);
        QCOMPARE(db->update(player, {playerScore, playerName}, {cborInt(30), cborText("dora")}, {{playerTeam, QCborValue(nullptr)}}), 1);
        QCOMPARE(rowNames(db->select(player, {{playerScore, cborInt(10)}}, {})), sst::names({"ann", "bob"}));
        QCOMPARE(rowNames(db->select(player, {{playerScore, cborInt(30)}}, {})), sst::names({"dora"}));
        QCOMPARE(db->deleteWhere(player, {{player->pk, QCborArray{1, 3}, true}}), 2);
        QCOMPARE(db->deleteWhere(player, {{player->pk, QCborArray{2}, true}}), 1);
        QCOMPARE(db->count(player), 1);
    }

    void transactionsReuseTheirStatements()
    {
        for (int round = 0; round < 3; ++round) {
            db->begin();
            addPlayer(cborInt(1), "tmp", round);
            db->rollback();
            QCOMPARE(db->count(player), 4 + round);
            db->begin();
            addPlayer(cborInt(2), "kept", round);
            db->commit();
            QCOMPARE(db->count(player), 5 + round);
        }
        // A COMMIT that fails (a deferred foreign key) rolls back and raises;
        // the prepared statements still work afterwards.
        db->begin();
        addPlayer(cborInt(77), "orphan", 0);
        QVERIFY_THROWS_EXCEPTION(DjangoError, db->commit());
        QVERIFY(!db->inTransaction());
        QCOMPARE(db->select(player, {{playerName, cborText("orphan")}}, {}).size(), 0);
        db->begin();
        addPlayer(cborInt(1), "after", 0);
        db->commit();
        QCOMPARE(db->select(player, {{playerName, cborText("after")}}, {}).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
