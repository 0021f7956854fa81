// Crash safety: `signalscope run LONG --db FILE --trace OUT` killed with
// SIGKILL at random points, many times. After every kill the database file
// must pass PRAGMA integrity_check and PRAGMA foreign_key_check, no atomic
// operation may be half-applied, and the trace is either absent or complete
// under its final name (writeAtomically).
//
// The scenario is built so every step is one all-or-nothing operation whose
// effects can be checked from the tables alone:
//   - loaddata of a whole tree (13 Node rows, the root tagged 1,2,3) in one
//     transaction: every tree in the table has exactly 13 nodes;
//   - m2m set() on a root, flipping its tags between {1,2,3} and {4,5,6}
//     (removes three rows, adds three): a root's tags are exactly one of them;
//   - delete of a root, cascading to its 12 descendants and their m2m rows:
//     again 13 or nothing, and no orphan row (foreign_key_check);
//   - the reset before step 0 (`--db` empties the tables).
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <algorithm>

namespace {

constexpr int kNodesPerTree = 13;   // root, 3 children, 9 grandchildren

QByteArray treeRows(int tree)
{
    // pks tree*100 + 1 (root), +2..+4 (children), +5..+13 (grandchildren).
    const int base = tree * 100;
    QByteArray rows = "[";
    auto row = [&](int pk, const QByteArray &name, int parent, bool tags) {
        if (rows.size() > 1)
            rows += ", ";
        rows += "{\"pk\": " + QByteArray::number(pk) + ", \"tree\": " + QByteArray::number(tree) + ", \"name\": \"" + name
                + "\", \"parent\": " + (parent ? QByteArray::number(parent) : QByteArray("null"))
                + ", \"tags\": " + (tags ? "[1, 2, 3]" : "[]") + "}";
    };
    row(base + 1, "root" + QByteArray::number(tree), 0, true);
    for (int c = 0; c < 3; ++c) {
        row(base + 2 + c, "c" + QByteArray::number(tree) + "_" + QByteArray::number(c), base + 1, false);
        for (int g = 0; g < 3; ++g)
            row(base + 5 + c * 3 + g, "g" + QByteArray::number(tree) + "_" + QByteArray::number(c * 3 + g), base + 2 + c, false);
    }
    return rows + "]";
}

QByteArray longScenario(int trees)
{
    QByteArray steps;
    auto step = [&](const QByteArray &json) {
        if (!steps.isEmpty())
            steps += ",\n  ";
        steps += json;
    };
    step(R"({"op": "loaddata", "model": "Tag", "rows": [{"pk": 1, "label": "a1"}, {"pk": 2, "label": "a2"}, {"pk": 3, "label": "a3"}, {"pk": 4, "label": "b1"}, {"pk": 5, "label": "b2"}, {"pk": 6, "label": "b3"}]})");
    for (int t = 0; t < trees; ++t) {
        const QByteArray n = QByteArray::number(t);
        step(R"({"op": "loaddata", "model": "Node", "rows": )" + treeRows(t) + "}");
        step(R"({"op": "get", "model": "Node", "where": {"id": )" + QByteArray::number(t * 100 + 1) + R"(}, "as": "r)" + n + "\"}");
        step(R"({"op": "m2m", "ref": "r)" + n + R"(", "field": "tags", "action": "set", "targets": [4, 5, 6]})");
        step(R"({"op": "m2m", "ref": "r)" + n + R"(", "field": "tags", "action": "set", "targets": [1, 2, 3]})");
        step(R"({"op": "m2m", "ref": "r)" + n + R"(", "field": "tags", "action": "set", "targets": [4, 5, 6]})");
        if (t >= 2)
            step(R"({"op": "delete", "ref": "r)" + QByteArray::number(t - 2) + "\"}");
    }
    return R"({"format": "signalscope-scenario/1", "name": "crash safety",
 "schema": {"format": "signalscope-schema/1", "app": "crash", "models": [
   {"name": "Tag", "fields": [{"name": "label", "type": "char", "max_length": 10}]},
   {"name": "Node", "fields": [
     {"name": "tree", "type": "int"},
     {"name": "name", "type": "char", "max_length": 20},
     {"name": "parent", "type": "foreign_key", "to": "self", "on_delete": "CASCADE", "null": true, "related_name": "children"},
     {"name": "tags", "type": "many_to_many", "to": "Tag", "related_name": "nodes"}]}],
  "receivers": [
   {"name": "count_deletes", "signal": "post_delete", "sender": "Node", "do": [{"notify": "deleted {instance.name}"}]}]},
 "steps": [
  )" + steps + "\n ]}\n";
}

} // namespace

class TestCrashSafety : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_binary;
    QString m_scenario;
    QByteArray m_referenceTrace;
    qint64 m_fullRunMs = 0;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    void writeScenario(int trees)
    {
        QFile file(path(QStringLiteral("long.scenario.json")));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write the scenario");
        file.write(longScenario(trees));
        m_scenario = file.fileName();
    }

    // Milliseconds of a complete run over `trees` trees; -1 when it fails.
    qint64 timedRun(int trees)
    {
        writeScenario(trees);
        QProcess process;
        QElapsedTimer timer;
        timer.start();
        process.start(m_binary, arguments());
        if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
            return -1;
        return timer.elapsed();
    }

    QStringList arguments() const
    {
        return {QStringLiteral("run"), m_scenario, QStringLiteral("--db"), path(QStringLiteral("crash.sqlite")),
                QStringLiteral("--trace"), path(QStringLiteral("out/trace.jsonl"))};
    }

    // Every invariant of the file as the next opener of it sees it (SQLite
    // rolls a hot journal back on open). Returns an empty string when all hold.
    QString checkDatabase(bool expectComplete) const
    {
        const QString connection = QStringLiteral("crashcheck");
        QString problem;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(path(QStringLiteral("crash.sqlite")));
            if (!db.open())
                return QStringLiteral("cannot open: ") + db.lastError().text();
            QSqlQuery q(db);
            auto scalarRows = [&](const QString &sql) {
                QStringList out;
                if (!q.exec(sql)) {
                    problem = sql + QStringLiteral(": ") + q.lastError().text();
                    return out;
                }
                while (q.next()) {
                    QStringList cols;
                    for (int i = 0; i < q.record().count(); ++i)
                        cols << q.value(i).toString();
                    out << cols.join(QLatin1Char('|'));
                }
                return out;
            };
            const QStringList tables = scalarRows(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
            const QStringList integrity = scalarRows(QStringLiteral("PRAGMA integrity_check"));
            if (problem.isEmpty() && integrity != QStringList{QStringLiteral("ok")})
                problem = QStringLiteral("integrity_check: ") + integrity.join(QStringLiteral("; "));
            if (problem.isEmpty() && tables.contains(QStringLiteral("crash_node"))) {
                const QStringList fk = scalarRows(QStringLiteral("PRAGMA foreign_key_check"));
                if (problem.isEmpty() && !fk.isEmpty())
                    problem = QStringLiteral("foreign_key_check: ") + fk.join(QStringLiteral("; "));
                // Whole trees only.
                const QStringList trees = scalarRows(QStringLiteral("SELECT tree, count(*) FROM crash_node GROUP BY tree"));
                for (const QString &t : trees) {
                    if (problem.isEmpty() && !t.endsWith(QStringLiteral("|") + QString::number(kNodesPerTree)))
                        problem = QStringLiteral("partial tree (tree|nodes): ") + t;
                }
                // Tags: all six or none; a root's tags exactly {1,2,3} or {4,5,6}; only roots tagged.
                const QStringList tagCount = scalarRows(QStringLiteral("SELECT count(*) FROM crash_tag"));
                if (problem.isEmpty() && tagCount != QStringList{QStringLiteral("0")} && tagCount != QStringList{QStringLiteral("6")})
                    problem = QStringLiteral("partial tag fixture: ") + tagCount.join(QString());
                const QStringList sets = scalarRows(QStringLiteral(
                    "SELECT n.name, group_concat(t.tag_id) FROM (SELECT node_id, tag_id FROM crash_node_tags ORDER BY tag_id) t "
                    "JOIN crash_node n ON n.id = t.node_id GROUP BY t.node_id"));
                for (const QString &s : sets) {
                    const QStringList parts = s.split(QLatin1Char('|'));
                    if (problem.isEmpty() && (!parts.value(0).startsWith(QStringLiteral("root"))
                                              || (parts.value(1) != QStringLiteral("1,2,3") && parts.value(1) != QStringLiteral("4,5,6"))))
                        problem = QStringLiteral("half-applied m2m set (node|tags): ") + s;
                }
                const QStringList dangling = scalarRows(QStringLiteral(
                    "SELECT count(*) FROM crash_node_tags WHERE node_id NOT IN (SELECT id FROM crash_node) "
                    "OR tag_id NOT IN (SELECT id FROM crash_tag)"));
                if (problem.isEmpty() && dangling != QStringList{QStringLiteral("0")})
                    problem = QStringLiteral("dangling m2m rows: ") + dangling.join(QString());
                if (problem.isEmpty() && expectComplete) {
                    // After a full run: the last two trees remain, tagged {4,5,6}.
                    const QStringList count = scalarRows(QStringLiteral("SELECT count(*) FROM crash_node"));
                    if (count != QStringList{QString::number(2 * kNodesPerTree)})
                        problem = QStringLiteral("complete run left ") + count.join(QString()) + QStringLiteral(" nodes");
                }
            }
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        return problem;
    }

    // The trace under its final name is absent or exactly the complete trace.
    QString checkTrace() const
    {
        QFile trace(path(QStringLiteral("out/trace.jsonl")));
        if (!trace.exists())
            return {};
        if (!trace.open(QIODevice::ReadOnly))
            return QStringLiteral("cannot read the trace");
        const QByteArray bytes = trace.readAll();
        if (bytes != m_referenceTrace)
            return QStringLiteral("trace under the final name is not the complete trace (%1 of %2 bytes)")
                .arg(bytes.size()).arg(m_referenceTrace.size());
        return {};
    }

    void removeTraces() const
    {
        QDir out(path(QStringLiteral("out")));
        for (const QString &name : out.entryList(QDir::Files | QDir::Hidden))
            out.remove(name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_binary = QStringLiteral(SIGNALSCOPE_BINARY);
        const QByteArray overridden = qgetenv("SIGNALSCOPE_BIN");
        if (!overridden.isEmpty())
            m_binary = QString::fromLocal8Bit(overridden);
        QVERIFY2(QFileInfo(m_binary).isExecutable(), qPrintable(m_binary));
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("out")));
        // Sized so a complete run takes about 0.8 s on this machine and
        // build (a sanitizer build is several times slower): the kills are
        // spread over the run, so this bounds the test's time.
        QVERIFY2(timedRun(2) > 0, "the warm-up run failed");
        const qint64 twelve = timedRun(12);
        QVERIFY2(twelve > 0, "the calibration run failed");
        const int trees = std::clamp(int(12 * 800 / std::max<qint64>(twelve, 1)), 8, 40);
        qInfo("calibration: 12 trees in %lld ms: %d trees", twelve, trees);
        writeScenario(trees);
    }

    // An uninterrupted run: the reference trace and the final state.
    void completeRun()
    {
        QProcess process;
        QElapsedTimer timer;
        timer.start();
        process.start(m_binary, arguments());
        QVERIFY(process.waitForStarted(10000));
        QVERIFY(process.waitForFinished(60000));
        m_fullRunMs = timer.elapsed();
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QFile trace(path(QStringLiteral("out/trace.jsonl")));
        QVERIFY(trace.open(QIODevice::ReadOnly));
        m_referenceTrace = trace.readAll();
        QVERIFY(m_referenceTrace.count('\n') > 100);
        QVERIFY(!m_referenceTrace.contains("\"error\""));   // every step succeeds
        const QString problem = checkDatabase(true);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        qInfo("complete run: %lld ms, %lld trace lines", m_fullRunMs, qint64(m_referenceTrace.count('\n')));
    }

    // SIGKILL at seeded random points; the invariants after every kill.
    void killedAtRandomPoints()
    {
        QVERIFY(m_fullRunMs > 0);
        QRandomGenerator random(20261124);
        constexpr int kKills = 20;
        QElapsedTimer total;
        total.start();
        int killed = 0, finished = 0;
        // Runs vary in length on a busy machine: one that ends before its
        // kill does not count (its outcome is still checked) and its length
        // becomes the scale of the next kills; up to three times as many runs
        // as kills in all.
        qint64 scaleMs = m_fullRunMs;
        for (int i = 0; killed < kKills && i < 3 * kKills; ++i) {
            removeTraces();
            // Most kills anywhere in the run; every fourth near its end, where
            // the trace is written.
            const double from = i % 4 == 3 ? 0.85 : 0.0;
            const double to = i % 4 == 3 ? 1.05 : 1.0;
            const int delayMs = int(scaleMs * (from + (to - from) * random.generateDouble()));
            QProcess process;
            QElapsedTimer timer;
            timer.start();
            process.start(m_binary, arguments());
            QVERIFY(process.waitForStarted(10000));
            if (!process.waitForFinished(std::max(1, delayMs))) {
                process.kill();   // SIGKILL
                QVERIFY(process.waitForFinished(10000));
            }
            if (process.exitStatus() == QProcess::CrashExit) {
                ++killed;
            } else {   // it ended before the kill reached it
                scaleMs = std::max<qint64>(1, timer.elapsed());
                QCOMPARE(process.exitCode(), 0);
                ++finished;
            }
            const QString db = checkDatabase(false);
            QVERIFY2(db.isEmpty(), qPrintable(QStringLiteral("kill %1 after %2 ms: %3").arg(i).arg(delayMs).arg(db)));
            const QString trace = checkTrace();
            QVERIFY2(trace.isEmpty(), qPrintable(QStringLiteral("kill %1 after %2 ms: %3").arg(i).arg(delayMs).arg(trace)));
        }
        qInfo("%d runs killed, %d finished before their kill, %lld ms", killed, finished, total.elapsed());
        QVERIFY2(killed == kKills, qPrintable(QStringLiteral("only %1 kills in %2 runs").arg(killed).arg(killed + finished)));
        // The file still works: a complete run on it after all the kills.
        removeTraces();
        QProcess process;
        process.start(m_binary, arguments());
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        QCOMPARE(checkTrace(), QString());
        QVERIFY(QFileInfo::exists(path(QStringLiteral("out/trace.jsonl"))));
        const QString problem = checkDatabase(true);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
