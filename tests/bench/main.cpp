// signalscope-bench: how fast the engine is, each figure as a ratio against a
// baseline measured in the same run, so the numbers compare across machines.
//
//   1. Signal::send with 1 and 10 receivers, with no trace listener (target
//      <= 2x) and with the TraceRecorder attached (target <= 4x with one
//      receiver, <= 2x with ten), vs a plain Qt signal with as many direct
//      slot connections carrying the same payload.
//   2. Engine::create() with a pre_save and a post_save receiver and the
//      TraceRecorder attached vs a raw prepared QSqlQuery INSERT into a table of
//      the same shape (autocommit), file-backed and in memory.    target <= 1.5x
//   3. A signup scenario end to end (create User -> post_save creates its
//      BillingProfile, save(update_fields), cascade delete) through the
//      ScenarioRunner, recorded vs not recorded: the recording overhead.
//   4. Trace memory per event with 1,000,000 events recorded (target <= 50 B),
//      and their canonical export to a file (target <= 1 s; also vs writing as
//      many bytes with QFile::write in 64 KiB chunks).
//   5. (scenariobench.cpp) The signup scenario's time per signup at 100,000
//      vs 2,000 signups (target <= 1.2x; --scale SMALL,LARGE), and the
//      scenario vs the same SQL statements prepared once through QtSql, the
//      SQL floor (target <= 3x; --floor-signups N). The whole-process
//      comparison with Django 3.2 is tests/bench/compare_django.py, which
//      takes its scenario from --write-signup-scenario.
//
// Times come from QElapsedTimer (monotonic). A subject and its baseline run
// alternately (a warm-up run of each first), so a machine busy with something
// else slows both alike, and each reports the median of its runs (--reps, 7).
// Per-operation figures (1, and 2 in memory) size their runs to a few ms, so
// most runs fit in one time slice, and take 5 x reps pairs. `--quick` divides
// every size by 100 (the CTest smoke test: its timings mean nothing), `--json`
// prints one JSON object instead of the lines, `--strict` exits 1 when a target
// is missed, `--only GROUP` runs one group.

#include "dispatch/dispatcher.h"
#include "model/engine.h"
#include "model/instance.h"
#include "formats/loaders.h"
#include "model/modelregistry.h"
#include "qtbaseline.h"
#include "session/scenariorunner.h"
#include "trace/traceexport.h"
#include "benchinputs.h"
#include "scenariobench.h"
#include "timelinebench.h"
#include "trace/tracerecorder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#ifndef SIGNALSCOPE_BUILD_TYPE
#define SIGNALSCOPE_BUILD_TYPE "unknown"
#endif

using namespace ss;
using namespace bench;

namespace {

// ------------------------------------------------------------------ inputs

// ------------------------------------------------------------------ timing

struct Options
{
    bool quick = false;
    int reps = 7;
};

Options g_options;

qint64 sized(qint64 n)
{
    return std::max<qint64>(1, g_options.quick ? n / 100 : n);
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// One timed piece of work: `setup` runs untimed before each run of `body`.
struct Work
{
    std::function<void()> setup;
    std::function<void()> body;
};

double timeOnce(const Work &work)
{
    if (work.setup)
        work.setup();
    QElapsedTimer timer;
    timer.start();
    work.body();
    return double(timer.nsecsElapsed());
}

// The subject and its baseline, run alternately: one warm-up run of each, then
// `reps` timed runs of each. Returns the median run time of each in ns.
// Alternating means a machine busy with something else slows both alike.
struct PairNs
{
    double subject = 0;
    double baseline = 0;
};

PairNs timePair(const Work &subject, const Work &baseline, int reps = g_options.reps)
{
    std::vector<double> s, b;
    for (int rep = -1; rep < reps; ++rep) {
        const double ts = timeOnce(subject);
        const double tb = timeOnce(baseline);
        if (rep >= 0) {
            s.push_back(ts);
            b.push_back(tb);
        }
    }
    return {median(s), median(b)};
}

// Work that performs `ops` operations.
using WorkFor = std::function<Work(qint64 ops)>;

// Time per operation of the subject and its baseline, alternated. In full runs
// the number of operations per run is sized so that a subject run takes about
// `runNs` (at most `nominalOps`): short runs mostly fit in one time slice, so a
// busy machine spoils few of them, and the median of many pairs (5 x reps) is
// taken. With --quick: `nominalOps` / 100 per run, `reps` pairs.
struct PerOp
{
    double subject = 0;         // ns per operation
    double baseline = 0;
    qint64 ops = 0;             // operations per run
};

PerOp timePerOp(const WorkFor &subject, const WorkFor &baseline, qint64 nominalOps, double runNs = 2e6)
{
    qint64 ops = sized(nominalOps);
    int reps = g_options.reps;
    if (!g_options.quick) {
        const qint64 probe = std::max<qint64>(1, nominalOps / 100);
        timeOnce(subject(probe));                       // warm-up
        const double probeNs = std::max(1.0, timeOnce(subject(probe)));
        ops = std::clamp<qint64>(qint64(double(probe) * runNs / probeNs), 1, nominalOps);
        reps *= 5;
    }
    const PairNs t = timePair(subject(ops), baseline(ops), reps);
    return {t.subject / double(ops), t.baseline / double(ops), ops};
}

// ------------------------------------------------------------------ figures

enum class Unit { Ns, BytesPerEvent, EventsPerSec };

struct Figure
{
    QString id;                 // "send/1 receiver"
    Unit unit = Unit::Ns;
    double value = 0;
    QString baselineName;       // "Qt signal"
    double baseline = 0;
    double ratio = 0;           // cost of `value` over the baseline's (higher is slower / bigger)
    double target = 0;          // the ratio aimed at; 0 = none (information)
    QString note;               // what the ratio means when there is no target
    QJsonObject extra;          // sizes and counts, for --json

    bool hasTarget() const { return target > 0; }
    bool ok() const { return !hasTarget() || ratio <= target; }
};

std::vector<Figure> g_figures;

QString number(double v)
{
    // Three significant digits, no exponent.
    if (v >= 100)
        return QString::number(v, 'f', 0);
    if (v >= 10)
        return QString::number(v, 'f', 1);
    return QString::number(v, 'f', 2);
}

QString formatValue(double v, Unit unit)
{
    switch (unit) {
    case Unit::Ns:
        if (v < 1e3)
            return number(v) + QStringLiteral(" ns");
        if (v < 1e6)
            return number(v / 1e3) + QStringLiteral(" us");
        if (v < 1e9)
            return number(v / 1e6) + QStringLiteral(" ms");
        return number(v / 1e9) + QStringLiteral(" s");
    case Unit::BytesPerEvent:
        return number(v) + QStringLiteral(" B/event");
    case Unit::EventsPerSec:
        if (v >= 1e6)
            return number(v / 1e6) + QStringLiteral(" M events/s");
        if (v >= 1e3)
            return number(v / 1e3) + QStringLiteral(" k events/s");
        return number(v) + QStringLiteral(" events/s");
    }
    return {};
}

QString unitName(Unit unit)
{
    switch (unit) {
    case Unit::Ns: return QStringLiteral("ns");
    case Unit::BytesPerEvent: return QStringLiteral("B/event");
    case Unit::EventsPerSec: return QStringLiteral("events/s");
    }
    return {};
}

QString line(const Figure &f)
{
    QString text = f.id + QStringLiteral(": ") + formatValue(f.value, f.unit) + QStringLiteral(" vs ")
        + f.baselineName + QLatin1Char(' ') + formatValue(f.baseline, f.unit) + QStringLiteral(" = ")
        + QString::number(f.ratio, 'f', 2) + QLatin1Char('x');
    if (f.hasTarget())
        text += QStringLiteral(" (target <= ") + QString::number(f.target) + QStringLiteral("x) ")
            + (f.ok() ? QStringLiteral("OK") : QStringLiteral("OVER"))
            + (f.note.isEmpty() ? QString() : QStringLiteral(" — ") + f.note);
    else
        text += QStringLiteral(" (") + f.note + QLatin1Char(')');
    return text;
}

bool g_json = false;

void report(Figure f)
{
    if (!g_json) {
        QTextStream out(stdout);
        out << line(f) << Qt::endl;
    }
    g_figures.push_back(std::move(f));
}

void progress(const QString &text)
{
    // Long runs say what they are doing on stderr; stdout stays the figures.
    if (!g_json)
        QTextStream(stderr) << "# " << text << Qt::endl;
}

// ------------------------------------------------------ 1. Signal::send

void benchSend()
{
    const SchemaDecl schema = accountsSchema(false);
    const ModelRegistry registry(schema);
    const Model *user = registry.model(QStringLiteral("User"));

    // What post_save of a freshly created User carries.
    auto instance = std::make_shared<Instance>(user);
    instance->setPk(QCborValue(1));
    instance->setValue(user->field(QStringLiteral("username")), QCborValue(QStringLiteral("ann")));
    const SignalArgs args = SignalArgs()
                                .add(QStringLiteral("instance"), instance)
                                .add(QStringLiteral("created"), QCborValue(true))
                                .add(QStringLiteral("update_fields"), QCborValue(nullptr))
                                .add(QStringLiteral("raw"), QCborValue(false))
                                .add(QStringLiteral("using"), QCborValue(QStringLiteral("default")));
    const Sender sender = Sender::model(QStringLiteral("User"));

    for (const int receivers : {1, 10}) {
        quint64 calls = 0;

        // Baseline: a Qt signal with `receivers` direct connections to slots.
        QtEmitter emitter;
        std::vector<std::unique_ptr<QtReceiver>> qtReceivers;
        for (int i = 0; i < receivers; ++i) {
            qtReceivers.push_back(std::make_unique<QtReceiver>(&calls));
            QObject::connect(&emitter, &QtEmitter::fired, qtReceivers.back().get(), &QtReceiver::onFired, Qt::DirectConnection);
        }
        const WorkFor emitQt = [&](qint64 ops) {
            return Work{{}, [&emitter, &sender, &args, ops] {
                for (qint64 i = 0; i < ops; ++i)
                    Q_EMIT emitter.fired(sender, args);
            }};
        };

        // Signal::send: receivers connected for any sender, as the slots are.
        DispatchContext context;
        Signal signal(QStringLiteral("post_save"), &context);
        for (int i = 0; i < receivers; ++i)
            signal.connect(quintptr(i + 1), [&calls](const Sender &, const SignalArgs &) { ++calls; }, Sender(), QString(),
                           QStringLiteral("receiver_%1").arg(i));
        const auto send = [&](TraceRecorder *recorder) {
            return WorkFor([&signal, &sender, &args, recorder](qint64 ops) {
                return Work{[recorder] { if (recorder) recorder->clear(); }, [&signal, &sender, &args, ops] {
                    for (qint64 i = 0; i < ops; ++i)
                        signal.send(sender, args);
                }};
            });
        };

        const PerOp plain = timePerOp(send(nullptr), emitQt, receivers == 1 ? 200'000 : 50'000);

        // The same with the TraceRecorder attached (emptied before each run).
        TraceRecorder recorder;
        context.addListener(&recorder);
        const PerOp traced = timePerOp(send(&recorder), emitQt, receivers == 1 ? 20'000 : 5'000);
        context.removeListener(&recorder);

        const QString what = receivers == 1 ? QStringLiteral("1 receiver") : QStringLiteral("%1 receivers").arg(receivers);
        report({QStringLiteral("send/") + what, Unit::Ns, plain.subject, QStringLiteral("Qt signal"), plain.baseline,
                plain.subject / plain.baseline, 2, {},
                QJsonObject{{QStringLiteral("receivers"), receivers}, {QStringLiteral("sends_per_run"), plain.ops}}});
        report({QStringLiteral("send/") + what + QStringLiteral(", traced"), Unit::Ns, traced.subject, QStringLiteral("Qt signal"),
                traced.baseline, traced.subject / traced.baseline, receivers == 1 ? 4.0 : 2.0, {},
                QJsonObject{{QStringLiteral("receivers"), receivers}, {QStringLiteral("sends_per_run"), traced.ops}}});
    }
}

// ------------------------------------------------------ 2. Engine::create

// A raw QtSql connection with the engine's tables, and the INSERT the engine
// prepares for a User created with its defaults.
class RawUserTable
{
public:
    RawUserTable(const SchemaDecl &schema, const QStringList &ddl, const QString &path)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));   // as the engine opens it
        if (!db.open())
            throw std::runtime_error("cannot open the raw database");
        QSqlQuery setup(db);
        setup.exec(QStringLiteral("PRAGMA foreign_keys = ON"));
        for (const QString &statement : ddl)
            if (!setup.exec(statement))
                throw std::runtime_error(setup.lastError().text().toStdString());
        setup.finish();

        const ModelRegistry registry(schema);
        const Model *user = registry.model(QStringLiteral("User"));
        QStringList columns, marks;
        for (const Field *f : user->concreteFields) {
            if (f->autoIncrement)
                continue;
            columns << Database::quote(f->attname);
            marks << QStringLiteral("?");
        }
        m_insert = std::make_unique<QSqlQuery>(db);
        if (!m_insert->prepare(QStringLiteral("INSERT INTO ") + Database::quote(user->table) + QStringLiteral(" (")
                               + columns.join(QStringLiteral(", ")) + QStringLiteral(") VALUES (")
                               + marks.join(QStringLiteral(", ")) + QLatin1Char(')')))
            throw std::runtime_error(m_insert->lastError().text().toStdString());
    }
    ~RawUserTable()
    {
        m_insert.reset();
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }

    // Binds, executes, reads the new id: what creating a row takes.
    qint64 insert(const QString &username)
    {
        m_insert->bindValue(0, username);
        m_insert->bindValue(1, m_email);
        m_insert->bindValue(2, qlonglong(1));
        if (!m_insert->exec())
            throw std::runtime_error(m_insert->lastError().text().toStdString());
        return m_insert->lastInsertId().toLongLong();
    }

private:
    const QString m_connection = QStringLiteral("bench-raw");
    const QString m_email = QStringLiteral("");     // the default, not NULL
    std::unique_ptr<QSqlQuery> m_insert;
};

void benchCreate(bool fileBacked)
{
    const SchemaDecl schema = accountsSchema(false);
    QTemporaryDir dir;
    if (!dir.isValid())
        throw std::runtime_error("cannot make a temporary directory");
    const QStringList ddl = engineDdl(schema, dir.filePath(QStringLiteral("ddl.sqlite3")));
    const QString memory = QStringLiteral(":memory:");

    // Baseline: one prepared INSERT, bound and executed per row, autocommit.
    RawUserTable raw(schema, ddl, fileBacked ? dir.filePath(QStringLiteral("raw.sqlite3")) : memory);

    // Engine::create with a pre_save and a post_save receiver, recorded.
    Engine engine(schema, fileBacked ? dir.filePath(QStringLiteral("engine.sqlite3")) : memory);
    const Model *user = engine.registry().model(QStringLiteral("User"));
    const Sender userSender = Sender::model(user->name);
    quint64 calls = 0;
    engine.preSave->connect(1, [&calls](const Sender &, const SignalArgs &) { ++calls; }, userSender, QString(),
                            QStringLiteral("on_pre_save"));
    engine.postSave->connect(2, [&calls](const Sender &, const SignalArgs &) { ++calls; }, userSender, QString(),
                             QStringLiteral("on_post_save"));
    TraceRecorder recorder;
    engine.dispatch().addListener(&recorder);

    qint64 engineRows = 0, rawRows = 0;
    std::vector<Kwargs> rows;
    std::vector<QString> names;
    const WorkFor create = [&](qint64 ops) {
        return Work{[&, ops] {
            recorder.clear();
            rows.clear();
            for (qint64 i = 0; i < ops; ++i)
                rows.push_back({{QStringLiteral("username"), Value(QCborValue(QStringLiteral("user%1").arg(engineRows++)))}});
        }, [&] {
            for (const Kwargs &row : rows)
                engine.create(user, row);
        }};
    };
    const WorkFor insert = [&](qint64 ops) {
        return Work{[&, ops] {
            names.clear();
            for (qint64 i = 0; i < ops; ++i)
                names.push_back(QStringLiteral("user%1").arg(rawRows++));
        }, [&] {
            qint64 ids = 0;
            for (const QString &name : names)
                ids += raw.insert(name);
            if (ids <= 0)
                throw std::runtime_error("no rows inserted");
        }};
    };
    // On a file an fsync per autocommit INSERT dominates (milliseconds): a
    // fixed 20 rows per run there; in memory, runs of about 5 ms.
    PerOp times;
    if (fileBacked) {
        const qint64 ops = sized(20);
        const PairNs t = timePair(create(ops), insert(ops));
        times = {t.subject / double(ops), t.baseline / double(ops), ops};
    } else {
        times = timePerOp(create, insert, 20'000, 5e6);
    }
    engine.dispatch().removeListener(&recorder);

    const double createNs = times.subject, rawNs = times.baseline;
    const QString where = fileBacked ? QStringLiteral("file") : QStringLiteral("in-memory");
    report({QStringLiteral("create/") + where + QStringLiteral(", 2 receivers, traced"), Unit::Ns, createNs,
            QStringLiteral("raw prepared INSERT"), rawNs, createNs / rawNs, 1.5, {},
            QJsonObject{{QStringLiteral("rows_per_run"), times.ops}, {QStringLiteral("file_backed"), fileBacked}}});
}

// ------------------------------------------------------ 3. signup scenario

// Runs the scenario on a fresh in-memory engine (made untimed): open() and
// runAll() are timed. `recorder` may be null (no listener at all).
Work scenarioRun(const ScenarioDecl &scenario, std::unique_ptr<ScenarioRunner> &runner, TraceRecorder *recorder)
{
    return Work{[&scenario, &runner, recorder] {
        runner.reset();
        runner = std::make_unique<ScenarioRunner>(scenario);
        if (recorder) {
            recorder->clear();
            runner->engine().dispatch().addListener(recorder);
        }
    }, [&runner] {
        runner->open();
        runner->runAll();
    }};
}

// Returns the recorded events per signup, for sizing figure 4.
double benchScenario()
{
    const int signups = int(sized(10'000));
    progress(QStringLiteral("running a %1-signup scenario").arg(signups));
    const ScenarioDecl scenario = signupScenario(signups);

    TraceRecorder recorder;
    std::unique_ptr<ScenarioRunner> recordedRunner, plainRunner;
    const PairNs times = timePair(scenarioRun(scenario, recordedRunner, &recorder), scenarioRun(scenario, plainRunner, nullptr));
    recordedRunner->engine().dispatch().removeListener(&recorder);

    // Events: the canonical trace's lines (signals sent, effect and error lines).
    qint64 lines = 0;
    for (int i = 0; i < recorder.count(); ++i)
        lines += recorder.record(i).isCanonical() ? 1 : 0;
    const double recordedRate = double(lines) / (times.subject / 1e9), plainRate = double(lines) / (times.baseline / 1e9);
    report({QStringLiteral("scenario/%1 signups, recorded").arg(signups), Unit::EventsPerSec, recordedRate,
            QStringLiteral("unrecorded"), plainRate, times.subject / times.baseline, 0,
            QStringLiteral("time ratio = recording overhead; %1 trace lines, %2 recorded events, %3 ms recorded")
                .arg(lines).arg(recorder.count()).arg(times.subject / 1e6, 0, 'f', 1),
            QJsonObject{{QStringLiteral("signups"), signups},
                        {QStringLiteral("trace_lines"), lines},
                        {QStringLiteral("recorded_events"), recorder.count()},
                        {QStringLiteral("recorded_ms"), times.subject / 1e6},
                        {QStringLiteral("unrecorded_ms"), times.baseline / 1e6}}});
    return double(recorder.count()) / signups;
}

// ------------------------------------------------------ 4. memory and export

void benchRecording(double eventsPerSignup)
{
    const qint64 events = sized(1'000'000);
    const int signups = int(std::ceil(double(events) / eventsPerSignup)) + 16;
    progress(QStringLiteral("recording %1 events").arg(events));
    const ScenarioDecl scenario = signupScenario(signups);
    TraceRecorder recorder;
    {
        ScenarioRunner runner(scenario);
        runner.engine().dispatch().addListener(&recorder);
        runner.open();
        while (recorder.count() < events && !runner.atEnd())
            runner.runNext();
        runner.engine().dispatch().removeListener(&recorder);
    }
    const double bytesPerEvent = double(recorder.memoryBytes()) / recorder.count();
    report({QStringLiteral("trace memory/%1 events").arg(recorder.count()), Unit::BytesPerEvent, bytesPerEvent,
            QStringLiteral("target"), 50, bytesPerEvent / 50, 1, {},
            QJsonObject{{QStringLiteral("events"), recorder.count()}, {QStringLiteral("memory_bytes"), recorder.memoryBytes()}}});

    QTemporaryDir dir;
    if (!dir.isValid())
        throw std::runtime_error("cannot make a temporary directory");
    const QString tracePath = dir.filePath(QStringLiteral("export.trace.jsonl"));
    const QString rawPath = dir.filePath(QStringLiteral("raw.bin"));

    qint64 exportedBytes = 0;
    const Work exportTrace{[&] { QFile::remove(tracePath); }, [&] {
        QFile file(tracePath);
        if (!file.open(QIODevice::WriteOnly) || !writeCanonicalJsonl(recorder, file))
            throw std::runtime_error("cannot export the trace");
        file.close();
        exportedBytes = file.size();
    }};
    timeOnce(exportTrace);      // the size the baseline writes

    // Baseline: as many bytes written with QFile::write in 64 KiB chunks.
    const QByteArray chunk(64 * 1024, 'x');
    const Work writeRaw{[&] { QFile::remove(rawPath); }, [&] {
        QFile file(rawPath);
        if (!file.open(QIODevice::WriteOnly))
            throw std::runtime_error("cannot write the baseline file");
        for (qint64 left = exportedBytes; left > 0; left -= chunk.size())
            if (file.write(chunk.constData(), std::min<qint64>(left, chunk.size())) < 0)
                throw std::runtime_error("cannot write the baseline file");
        file.close();
    }};
    const PairNs times = timePair(exportTrace, writeRaw);

    const QJsonObject extra{{QStringLiteral("events"), recorder.count()}, {QStringLiteral("bytes"), exportedBytes}};
    report({QStringLiteral("export/%1 events").arg(recorder.count()), Unit::Ns, times.subject, QStringLiteral("target"), 1e9,
            times.subject / 1e9, 1, {}, extra});
    report({QStringLiteral("export/%1 events").arg(recorder.count()), Unit::Ns, times.subject,
            QStringLiteral("QFile::write 64 KiB"), times.baseline, times.subject / times.baseline, 0,
            QStringLiteral("%1 MB written").arg(double(exportedBytes) / 1e6, 0, 'f', 1), extra});
}

QJsonObject toJson(const Figure &f)
{
    QJsonObject o = f.extra;
    o[QStringLiteral("id")] = f.id;
    o[QStringLiteral("unit")] = unitName(f.unit);
    o[QStringLiteral("value")] = f.value;
    o[QStringLiteral("baseline_name")] = f.baselineName;
    o[QStringLiteral("baseline")] = f.baseline;
    o[QStringLiteral("ratio")] = f.ratio;
    if (f.hasTarget()) {
        o[QStringLiteral("target_ratio")] = f.target;
        o[QStringLiteral("ok")] = f.ok();
    } else {
        o[QStringLiteral("note")] = f.note;
    }
    o[QStringLiteral("line")] = line(f);
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    // A QApplication (offscreen unless a platform is set): the timeline figures need widgets.
    const std::unique_ptr<QCoreApplication> application = bench::createBenchApplication(argc, argv);
    QCoreApplication &app = *application;
    QCoreApplication::setApplicationName(QStringLiteral("signalscope-bench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures SignalScope's engine against baselines measured in the same run. "
        "Build with CMAKE_BUILD_TYPE=Release for real numbers."));
    parser.addHelpOption();
    const QCommandLineOption quickOption(QStringLiteral("quick"), QStringLiteral("Divide every size by 100 (smoke test; timings mean nothing)."));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Print one JSON object with all figures instead of lines."));
    const QCommandLineOption strictOption(QStringLiteral("strict"), QStringLiteral("Exit with status 1 when a figure misses its target."));
    const QCommandLineOption repsOption(QStringLiteral("reps"), QStringLiteral("Timed repetitions per figure (default 7; median reported)."),
                                        QStringLiteral("n"), QStringLiteral("7"));
    const QCommandLineOption onlyOption(QStringLiteral("only"),
                                        QStringLiteral("Run one group of figures: send, create, scenario, scale, floor, recording, timeline or "
                                                       "search (the timeline's search/filter figure alone)."),
                                        QStringLiteral("group"));
    const QCommandLineOption scaleOption(QStringLiteral("scale"),
                                         QStringLiteral("Signup counts of the scale figure (default 2000,100000)."),
                                         QStringLiteral("small,large"), QStringLiteral("2000,100000"));
    const QCommandLineOption floorOption(QStringLiteral("floor-signups"),
                                         QStringLiteral("Signups of the SQL-floor figure (default 2000)."),
                                         QStringLiteral("n"), QStringLiteral("2000"));
    const QCommandLineOption writeOption(QStringLiteral("write-signup-scenario"),
                                         QStringLiteral("Only write the N-signup scenario to <file> (for compare_django.py) and exit."),
                                         QStringLiteral("n:file"));
    parser.addOptions({quickOption, jsonOption, strictOption, repsOption, onlyOption, scaleOption, floorOption, writeOption});
    parser.process(app);

    if (parser.isSet(writeOption)) {
        const QString value = parser.value(writeOption);
        const qsizetype colon = value.indexOf(QLatin1Char(':'));
        bool ok = colon > 0;
        const int signups = ok ? value.left(colon).toInt(&ok) : 0;
        QFile file(value.mid(colon + 1));
        if (!ok || signups < 1 || !file.open(QIODevice::WriteOnly)
            || file.write(signupScenarioJson(signups)) < 0 || !file.flush()) {
            QTextStream(stderr) << "signalscope-bench: cannot write the scenario '" << value
                                << "' (expected N:FILE with N >= 1 and a writable FILE)" << Qt::endl;
            return 2;
        }
        return 0;
    }
    ScaleSizes scale;
    {
        const QStringList sizes = parser.value(scaleOption).split(QLatin1Char(','));
        bool okSmall = false, okLarge = false;
        if (sizes.size() == 2) {
            scale.small = sizes[0].toInt(&okSmall);
            scale.large = sizes[1].toInt(&okLarge);
        }
        if (!okSmall || !okLarge || scale.small < 1 || scale.large < 1) {
            QTextStream(stderr) << "signalscope-bench: --scale takes two signup counts, SMALL,LARGE" << Qt::endl;
            return 2;
        }
    }
    bool floorOk = false;
    const int floorSignups = parser.value(floorOption).toInt(&floorOk);
    if (!floorOk || floorSignups < 1) {
        QTextStream(stderr) << "signalscope-bench: --floor-signups takes a signup count" << Qt::endl;
        return 2;
    }

    g_options.quick = parser.isSet(quickOption);
    g_options.reps = std::max(1, parser.value(repsOption).toInt());
    g_json = parser.isSet(jsonOption);

    QString buildType = QString::fromLatin1(SIGNALSCOPE_BUILD_TYPE);
    if (buildType.isEmpty())
        buildType = QStringLiteral("unspecified");
    if (!g_json) {
        QTextStream(stdout) << "# signalscope-bench " << SIGNALSCOPE_VERSION << ", " << buildType << " build, Qt "
                            << qVersion() << (g_options.quick ? ", --quick (sizes /100)" : "") << ", median of "
                            << g_options.reps << Qt::endl;
    }
    if (buildType.compare(QLatin1String("Release"), Qt::CaseInsensitive) != 0 && !g_options.quick)
        QTextStream(stderr) << "# warning: not a Release build; the figures will not be representative" << Qt::endl;

    const QString only = parser.value(onlyOption);
    const QStringList groups = {QStringLiteral("send"), QStringLiteral("create"), QStringLiteral("scenario"), QStringLiteral("scale"),
                                 QStringLiteral("floor"), QStringLiteral("recording"), QStringLiteral("timeline"),
                                 QStringLiteral("search")};
    if (!only.isEmpty() && !groups.contains(only)) {
        QTextStream(stderr) << "signalscope-bench: unknown group '" << only << "' (use " << groups.join(QStringLiteral(", ")) << ")" << Qt::endl;
        return 2;
    }
    const auto runs = [&](const QString &group) { return only.isEmpty() || only == group; };
    try {
        if (runs(QStringLiteral("send")))
            benchSend();
        if (runs(QStringLiteral("create"))) {
            benchCreate(false);
            benchCreate(true);
        }
        double eventsPerSignup = 22;    // what the signup scenario records per signup
        if (runs(QStringLiteral("scenario")))
            eventsPerSignup = benchScenario();
        const auto reportAll = [](std::vector<bench::TimelineFigure> figures) {
            for (bench::TimelineFigure &t : figures)
                report({t.id, t.eventsPerSec ? Unit::EventsPerSec : Unit::Ns, t.value, t.baselineName, t.baseline,
                        t.ratio, t.target, t.note, t.extra});
        };
        if (runs(QStringLiteral("scale")))
            reportAll(bench::benchScale({int(sized(scale.small)), int(sized(scale.large))}, g_options.reps, progress));
        if (runs(QStringLiteral("floor")))
            reportAll(bench::benchSqlFloor(int(sized(floorSignups)), g_options.reps, progress));
        if (runs(QStringLiteral("recording")))
            benchRecording(eventsPerSignup);
        if (runs(QStringLiteral("timeline"))) {
            // 5. timeline intake, 6.-7. UI stall (timelinebench.cpp), 8. flame repaint (flamebench.cpp)
            reportAll(bench::benchTimeline(g_options.quick, g_options.reps, progress));
        }
        if (only == QLatin1String("search"))
            reportAll(bench::benchTimelineSearch(g_options.quick, progress));
    } catch (const DjangoError &error) {
        QTextStream(stderr) << "signalscope-bench: " << error.type() << ": " << error.message() << Qt::endl;
        return 2;
    } catch (const std::exception &error) {
        QTextStream(stderr) << "signalscope-bench: " << error.what() << Qt::endl;
        return 2;
    }

    bool allOk = true;
    QJsonArray figures;
    for (const Figure &f : g_figures) {
        allOk = allOk && f.ok();
        figures.append(toJson(f));
    }
    if (g_json) {
        const QJsonObject root{{QStringLiteral("benchmark"), QStringLiteral("signalscope-bench")},
                               {QStringLiteral("version"), QStringLiteral(SIGNALSCOPE_VERSION)},
                               {QStringLiteral("build_type"), buildType},
                               {QStringLiteral("qt"), QString::fromLatin1(qVersion())},
                               {QStringLiteral("quick"), g_options.quick},
                               {QStringLiteral("reps"), g_options.reps},
                               {QStringLiteral("all_ok"), allOk},
                               {QStringLiteral("figures"), figures}};
        QTextStream(stdout) << QJsonDocument(root).toJson(QJsonDocument::Indented);
    }
    return parser.isSet(strictOption) && !allOk ? 1 : 0;
}
