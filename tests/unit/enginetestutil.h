#pragma once
// Shared helpers for the engine tests (header-only): an Engine built from a
// schema written inline as JSON, a listener that keeps the canonical lines the
// engine reports, short spellings for keyword arguments, and direct reads of
// the database (Database::select sends no signal, so checking the tables never
// disturbs the trace under test).

#include "db/database.h"
#include "dispatch/declarativereceivers.h"
#include "model/engine.h"
#include "formats/loaders.h"
#include "session/scenariorunner.h"
#include "dispatch/tracelistener.h"
#include "model/value.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QtTest>

#include <initializer_list>
#include <memory>
#include <optional>
#include <utility>

// QCOMPARE of two QStringLists does not show them when their sizes differ:
// compare them joined, so a failure prints both sequences.
#define COMPARE_LINES(actual, expected) \
    QCOMPARE(QStringList(actual).join(QStringLiteral(" | ")), QStringList(expected).join(QStringLiteral(" | ")))

namespace sst {

using namespace ss;

inline QString str(const char *utf8) { return QString::fromUtf8(utf8); }

// A receiver call as a hand-made stream reports it: no label key, no clock
// reading, so the recorder takes its general paths.
inline ReceiverEvent makeReceiver(const QString &label, int index)
{
    ReceiverEvent r;
    r.label = label;
    r.index = index;
    return r;
}

// ---- values --------------------------------------------------------------

inline Value V(const char *s) { return Value(QCborValue(QString::fromUtf8(s))); }
inline Value V(const QString &s) { return Value(QCborValue(s)); }
inline Value V(int n) { return Value(QCborValue(qint64(n))); }
inline Value V(qint64 n) { return Value(QCborValue(n)); }
inline Value V(double d) { return Value(QCborValue(d)); }
inline Value V(bool b) { return Value(QCborValue(b)); }
inline Value V(const InstancePtr &instance) { return Value(instance); }
inline Value Null() { return Value(QCborValue(nullptr)); }

// kw({{"name", V("x")}, {"owner", V(person)}}): keyword arguments as written.
inline Kwargs kw(std::initializer_list<std::pair<const char *, Value>> items = {})
{
    Kwargs out;
    for (const auto &item : items)
        out.append({QString::fromUtf8(item.first), item.second});
    return out;
}

inline QStringList names(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out << QString::fromUtf8(item);
    return out;
}

// Compact JSON with sorted keys, as the canonical trace writes it.
inline QString json(const QCborValue &value) { return QString::fromUtf8(canonicalJson(value)); }

// The exception a call throws (a DjangoError), or nothing.
template<typename F>
std::optional<DjangoError> thrown(F &&f)
{
    try {
        f();
    } catch (const DjangoError &e) {
        return e;
    }
    return std::nullopt;
}

// ---- schemas ---------------------------------------------------------------

inline SchemaDecl schemaFrom(const QByteArray &json)
{
    LoadError error;
    std::optional<SchemaDecl> schema = parseSchema(json, QStringLiteral("test.schema.json"), &error);
    if (!schema)
        qFatal("test schema refused: %s", qPrintable(error.toString()));
    return *schema;
}

// ---- the canonical lines ------------------------------------------------------

// One canonical line as the engine reported it (section 4 of the contract):
// a send of a canonical signal, a notify effect or an error line.
struct Line
{
    enum Kind { Signal, Effect, Error } kind = Signal;
    int depth = 0;
    QString signal;
    Sender sender;
    QCborMap args;          // frozen at the moment of the send
    QString text;           // effect text
    QString errorType;
    QString errorMessage;

    QCborValue arg(const char *name) const { return args.value(QString::fromUtf8(name)); }
    // The pk of args["instance"] as the trace encodes it (null while unsaved).
    QCborValue pk() const { return args.value(QStringLiteral("instance")).toMap().value(QStringLiteral("pk")); }
    QString instanceModel() const
    {
        return args.value(QStringLiteral("instance")).toMap().value(QStringLiteral("model")).toString();
    }

    // "pre_init Person", "post_save Person 1", "m2m_changed pre_add [1,2]",
    // "notify text", "error Type: message".
    QString brief() const
    {
        switch (kind) {
        case Effect: return QStringLiteral("notify ") + text;
        case Error: return QStringLiteral("error %1: %2").arg(errorType, errorMessage);
        case Signal: break;
        }
        if (signal == QLatin1String("m2m_changed"))
            return QStringLiteral("m2m_changed %1 %2").arg(arg("action").toString(), json(arg("pk_set")));
        const QString who = sender.isNone() ? QStringLiteral("None") : sender.name;
        if (signal == QLatin1String("pre_init"))
            return QStringLiteral("pre_init ") + who;
        if (args.contains(QStringLiteral("instance")))
            return QStringLiteral("%1 %2 %3").arg(signal, who, json(pk()));
        return QStringLiteral("%1 %2").arg(signal, who);
    }
};

class LineLog : public TraceListener
{
public:
    QVector<Line> lines;

    void sendBegin(const SendEvent &event) override
    {
        if (!event.canonical)
            return;
        Line line;
        line.kind = Line::Signal;
        line.depth = event.depth;
        line.signal = event.signalName;
        line.sender = event.sender;
        line.args = event.frozenArgs();
        lines.append(line);
    }
    void effect(int depth, const QString &, const QString &text) override
    {
        Line line;
        line.kind = Line::Effect;
        line.depth = depth;
        line.text = text;
        lines.append(line);
    }
    void errorLine(int depth, const DjangoError &error) override
    {
        Line line;
        line.kind = Line::Error;
        line.depth = depth;
        line.errorType = error.type();
        line.errorMessage = error.message();
        lines.append(line);
    }

    void clear() { lines.clear(); }
    int size() const { return lines.size(); }
    const Line &at(int i) const { return lines.at(i); }

    QStringList brief() const
    {
        QStringList out;
        for (const Line &line : lines)
            out << line.brief();
        return out;
    }
    // Only the lines of the given signals (brief form).
    QStringList brief(std::initializer_list<const char *> signalNames) const
    {
        QStringList out;
        for (const Line &line : lines)
            for (const char *name : signalNames)
                if (line.kind == Line::Signal && line.signal == QLatin1String(name))
                    out << line.brief();
        return out;
    }
    QVector<Line> only(const char *signal) const
    {
        QVector<Line> out;
        for (const Line &line : lines)
            if (line.kind == Line::Signal && line.signal == QLatin1String(signal))
                out << line;
        return out;
    }
};

// ---- an engine under test -------------------------------------------------------

class TestEngine
{
public:
    explicit TestEngine(const QByteArray &schemaJson, const QString &databasePath = QStringLiteral(":memory:"),
                        DjangoVersion version = DjangoVersion::V3_2)
        : engine(std::make_unique<Engine>(schemaFrom(schemaJson), databasePath, QStringLiteral("default"), version))
    {
        engine->dispatch().addListener(&log);
    }
    ~TestEngine() { engine->dispatch().removeListener(&log); }

    LineLog log;                                        // declared first: outlives the engine
    std::unique_ptr<Engine> engine;

    const Model *model(const char *name) const
    {
        const Model *m = engine->registry().model(QString::fromUtf8(name));
        if (!m)
            qFatal("no model %s in the test schema", name);
        return m;
    }
    const Field *field(const char *modelName, const char *fieldName) const
    {
        const Field *f = model(modelName)->field(QString::fromUtf8(fieldName));
        if (!f)
            qFatal("no field %s.%s in the test schema", modelName, fieldName);
        return f;
    }

    InstancePtr create(const char *modelName, const Kwargs &values = {}) { return engine->create(model(modelName), values); }
    InstancePtr construct(const char *modelName, const Kwargs &values = {}) { return engine->construct(model(modelName), values); }
    InstancePtr get(const char *modelName, const Kwargs &where) { return engine->get(model(modelName), where); }

    // ---- the tables, read without any signal ----
    QVector<Row> rows(const char *modelName)
    {
        const Model *m = model(modelName);
        return engine->database().select(m, {}, {m->pk});
    }
    int count(const char *modelName) { return rows(modelName).size(); }
    // One column of every row, in pk order, as compact JSON: "[1,2,null]".
    QString column(const char *modelName, const char *fieldName)
    {
        const Field *f = field(modelName, fieldName);
        QCborArray out;
        for (const Row &row : rows(modelName))
            out.append(row.at(f->index));
        return json(out);
    }
    QString pks(const char *modelName) { return column(modelName, "pk"); }
    // The stored row with that pk, as compact JSON; "none" when there is none.
    QString row(const char *modelName, const QCborValue &pk)
    {
        const Model *m = model(modelName);
        const QVector<Row> found = engine->database().select(m, {{m->pk, pk}}, {});
        if (found.isEmpty())
            return QStringLiteral("none");
        QCborArray out;
        for (const QCborValue &v : found.first())
            out.append(v);
        return json(out);
    }

    // Connects a C++ receiver; returns its id for disconnect().
    quintptr connect(Signal *signal, ReceiverFn fn, const Sender &sender = {}, QObject *lifetime = nullptr,
                     const QString &label = QStringLiteral("cpp"))
    {
        const quintptr id = ++m_nextId;
        signal->connect(id, std::move(fn), sender, {}, label, lifetime);
        return id;
    }

private:
    quintptr m_nextId = 1000;
};

inline std::unique_ptr<TestEngine> makeEngine(const QByteArray &schemaJson)
{
    return std::make_unique<TestEngine>(schemaJson);
}

inline Sender model(const char *name) { return Sender::model(QString::fromUtf8(name)); }

// The pk of the instance argument of a live send.
inline QCborValue livePk(const SignalArgs &args)
{
    const Value v = args.get(QStringLiteral("instance"));
    return v.isInstance() ? v.instance()->pk() : QCborValue(QCborValue::Undefined);
}

inline ReceiverFn raiser(const char *message)
{
    const QString text = QString::fromUtf8(message);
    return [text](const Sender &, const SignalArgs &) { throw DjangoError(QStringLiteral("ReceiverError"), text); };
}

// A receiver that raises only for one m2m_changed action.
inline ReceiverFn raiseOnAction(const char *action, const char *message)
{
    const QString a = QString::fromUtf8(action), text = QString::fromUtf8(message);
    return [a, text](const Sender &, const SignalArgs &args) {
        if (args.get(QStringLiteral("action")).scalar().toString() == a)
            throw DjangoError(QStringLiteral("ReceiverError"), text);
    };
}

// Runs an inline scenario (contract section 3) with ScenarioRunner and returns
// its canonical lines (failing steps included, as error lines).
inline QVector<Line> runScenario(const QByteArray &scenarioJson)
{
    LoadError error;
    std::optional<ScenarioDecl> scenario = parseScenario(scenarioJson, QStringLiteral("test.scenario.json"), &error);
    if (!scenario)
        qFatal("test scenario refused: %s", qPrintable(error.toString()));
    LineLog log;
    ScenarioRunner runner(std::move(*scenario));
    runner.engine().dispatch().addListener(&log);
    runner.open();
    runner.runAll();
    runner.engine().dispatch().removeListener(&log);
    return log.lines;
}

} // namespace sst
