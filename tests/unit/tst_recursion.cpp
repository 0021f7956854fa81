// Recursion loops of every shape are stopped by the depth bound (contract 5.9:
// RecursionError at depth 32), never by the stack: a receiver saving its own
// instance (post_save and pre_save), two models saving each other, a
// three-model cycle, a receiver creating another row of its own model, a
// pre_delete deleting its instance again, and a custom signal whose receiver
// saves, each run in a thread with a small stack (256 KiB by default,
// SIGNALSCOPE_TEST_STACK_KB to change) — in the ASan build too, where frames
// are larger.
#include "enginetestutil.h"

#include <QThread>
#include <QtTest>

using namespace ss;
using namespace sst;

namespace {

const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "loops",
  "models": [
    {"name": "Self", "fields": [{"name": "n", "type": "int", "default": 0}]},
    {"name": "PreSelf", "fields": [{"name": "n", "type": "int", "default": 0}]},
    {"name": "Ping", "fields": [{"name": "partner", "type": "foreign_key", "to": "Pong", "on_delete": "SET_NULL", "null": true}]},
    {"name": "Pong", "fields": [{"name": "partner", "type": "foreign_key", "to": "Ping", "on_delete": "SET_NULL", "null": true}]},
    {"name": "A", "fields": [{"name": "next", "type": "foreign_key", "to": "B", "on_delete": "SET_NULL", "null": true}]},
    {"name": "B", "fields": [{"name": "next", "type": "foreign_key", "to": "C", "on_delete": "SET_NULL", "null": true}]},
    {"name": "C", "fields": [{"name": "next", "type": "foreign_key", "to": "A", "on_delete": "SET_NULL", "null": true}]},
    {"name": "Spawn", "fields": [{"name": "n", "type": "int", "default": 0}]},
    {"name": "Undead", "fields": [{"name": "n", "type": "int", "default": 0}]},
    {"name": "Bell", "fields": [{"name": "n", "type": "int", "default": 0}]}
  ],
  "signals": ["ring"],
  "receivers": [
    {"name": "self_saves", "signal": "post_save", "sender": "Self", "do": [{"save": "$instance"}]},
    {"name": "pre_self_saves", "signal": "pre_save", "sender": "PreSelf", "do": [{"save": "$instance"}]},
    {"name": "ping_pushes", "signal": "post_save", "sender": "Ping", "when": {"created": false}, "do": [{"save": "$instance.partner"}]},
    {"name": "pong_pushes", "signal": "post_save", "sender": "Pong", "when": {"created": false}, "do": [{"save": "$instance.partner"}]},
    {"name": "a_pushes", "signal": "post_save", "sender": "A", "when": {"created": false}, "do": [{"save": "$instance.next"}]},
    {"name": "b_pushes", "signal": "post_save", "sender": "B", "when": {"created": false}, "do": [{"save": "$instance.next"}]},
    {"name": "c_pushes", "signal": "post_save", "sender": "C", "when": {"created": false}, "do": [{"save": "$instance.next"}]},
    {"name": "spawn_spawns", "signal": "post_save", "sender": "Spawn", "do": [{"create": "Spawn", "values": {"n": 1}}]},
    {"name": "undead_rises", "signal": "pre_delete", "sender": "Undead", "do": [{"delete": "$instance"}]},
    {"name": "bell_rings", "signal": "post_save", "sender": "Bell", "do": [{"send": "ring"}]},
    {"name": "ring_saves", "signal": "ring", "do": [{"save": "$instance"}]}
  ]
})";

QByteArray scenario(const QByteArray &steps)
{
    return R"({"format": "signalscope-scenario/1", "name": "loops", "schema": )" + kSchema + R"(, "steps": )" + steps + "}";
}

int stackKb()
{
    const int kb = qEnvironmentVariableIntValue("SIGNALSCOPE_TEST_STACK_KB");
    return kb > 0 ? kb : 256;
}

} // namespace

class TestRecursion : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loopsStopAtTheBound_data()
    {
        QTest::addColumn<QByteArray>("steps");
        QTest::addColumn<int>("failingStep");
        QTest::newRow("self, post_save") << QByteArray(R"([{"op": "create", "model": "Self", "values": {}}])") << 0;
        QTest::newRow("self, pre_save") << QByteArray(R"([{"op": "create", "model": "PreSelf", "values": {}}])") << 0;
        QTest::newRow("mutual") << QByteArray(R"([
            {"op": "create", "model": "Ping", "values": {}, "as": "ping"},
            {"op": "create", "model": "Pong", "values": {"partner": "$ping"}, "as": "pong"},
            {"op": "set", "ref": "ping", "values": {"partner": "$pong"}},
            {"op": "save", "ref": "ping"}])") << 3;
        QTest::newRow("3-model cycle") << QByteArray(R"([
            {"op": "create", "model": "A", "values": {}, "as": "a"},
            {"op": "create", "model": "C", "values": {"next": "$a"}, "as": "c"},
            {"op": "create", "model": "B", "values": {"next": "$c"}, "as": "b"},
            {"op": "set", "ref": "a", "values": {"next": "$b"}},
            {"op": "save", "ref": "a"}])") << 4;
        QTest::newRow("3-model cycle from the database") << QByteArray(R"([
            {"op": "create", "model": "A", "values": {}},
            {"op": "create", "model": "B", "values": {}},
            {"op": "create", "model": "C", "values": {"next_id": 1}},
            {"op": "update", "model": "A", "values": {"next_id": 1}},
            {"op": "update", "model": "B", "values": {"next_id": 1}},
            {"op": "get", "model": "A", "where": {"pk": 1}, "as": "a"},
            {"op": "save", "ref": "a"}])") << 6;
        QTest::newRow("spawning rows") << QByteArray(R"([{"op": "create", "model": "Spawn", "values": {}}])") << 0;
        QTest::newRow("pre_delete deleting again") << QByteArray(R"([
            {"op": "create", "model": "Undead", "values": {}, "as": "u"},
            {"op": "delete", "ref": "u"}])") << 1;
        QTest::newRow("custom signal") << QByteArray(R"([{"op": "create", "model": "Bell", "values": {}}])") << 0;
    }

    void loopsStopAtTheBound()
    {
        QFETCH(QByteArray, steps);
        QFETCH(int, failingStep);
        LoadError loadError;
        std::optional<ScenarioDecl> decl = parseScenario(scenario(steps), QStringLiteral("loops.scenario.json"), &loadError);
        QVERIFY2(decl, qPrintable(loadError.toString()));

        struct Outcome { QVector<std::optional<DjangoError>> failures; int maxDepth = -1; int lines = 0; bool done = false; };
        Outcome outcome;
        QThread *thread = QThread::create([&] {
            LineLog log;
            ScenarioRunner runner(std::move(*decl));
            runner.engine().dispatch().addListener(&log);
            runner.open();
            while (!runner.atEnd())
                outcome.failures << runner.runNext();
            runner.engine().dispatch().removeListener(&log);
            for (const Line &line : log.lines)
                outcome.maxDepth = std::max(outcome.maxDepth, line.depth);
            outcome.lines = log.size();
            outcome.done = true;
        });
        thread->setStackSize(uint(stackKb()) * 1024);
        thread->start();
        QVERIFY(thread->wait(120000));
        delete thread;
        QVERIFY(outcome.done);
        for (int i = 0; i < outcome.failures.size(); ++i) {
            const auto &failure = outcome.failures.at(i);
            if (i == failingStep) {
                QVERIFY2(failure, qPrintable(QStringLiteral("step %1 did not fail").arg(i)));
                QCOMPARE(failure->type(), str("RecursionError"));
                QCOMPARE(failure->message(), str("maximum recursion depth exceeded"));
            } else {
                QVERIFY2(!failure, qPrintable(QStringLiteral("step %1: %2").arg(i).arg(failure ? failure->message() : QString())));
            }
        }
        QCOMPARE(outcome.maxDepth, 31);   // the deepest recorded line; the send at 32 raised
        qInfo("%d lines, stack %d KiB", outcome.lines, stackKb());
    }
};

QTEST_GUILESS_MAIN(TestRecursion)
#include "tst_recursion.moc"
