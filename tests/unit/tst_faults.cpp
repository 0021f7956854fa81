// Faults: refusals that must leave the database exactly as it was (what
// tst_atomicity and tst_delete do not already check in the tables), and a
// database file that cannot be used — read-only, or locked by another process
// holding BEGIN EXCLUSIVE — giving a clear error that names the file, through
// the engine API and through `signalscope run --db` (exit 1), while the
// process keeps running.
#include "enginetestutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace ss;
using namespace sst;

namespace {

// Django's tests/delete models, reduced: P <- R (CASCADE) <- A (RESTRICT/PROTECT/CASCADE).
const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "faults",
  "models": [
    {"name": "P", "fields": [{"name": "name", "type": "char", "unique": true}]},
    {"name": "R", "fields": [
      {"name": "name", "type": "char"},
      {"name": "p", "type": "foreign_key", "to": "P", "on_delete": "CASCADE"}]},
    {"name": "A", "fields": [
      {"name": "name", "type": "char"},
      {"name": "cascade", "type": "foreign_key", "to": "R", "on_delete": "CASCADE", "null": true, "related_name": "cascade_set"},
      {"name": "setnull", "type": "foreign_key", "to": "P", "on_delete": "SET_NULL", "null": true, "related_name": "setnull_set"},
      {"name": "restrict", "type": "foreign_key", "to": "R", "on_delete": "RESTRICT", "null": true, "related_name": "restrict_set"},
      {"name": "protect", "type": "foreign_key", "to": "R", "on_delete": "PROTECT", "null": true, "related_name": "protect_set"}]},
    {"name": "Tag", "fields": [
      {"name": "label", "type": "char", "unique": true},
      {"name": "ps", "type": "many_to_many", "to": "P", "related_name": "tags"}]}
  ]
})";

const QByteArray kCliScenario = R"({"format": "signalscope-scenario/1", "name": "faults cli",
 "schema": {"format": "signalscope-schema/1", "app": "cli", "models": [
   {"name": "Item", "fields": [{"name": "name", "type": "char"}]}], "receivers": []},
 "steps": [{"op": "create", "model": "Item", "values": {"name": "x"}}]})";

// Every table of kSchema as stored: "P[..] R[..] A.restrict[..] A.setnull[..] Tag[..]".
QString tables(TestEngine &e)
{
    return QStringLiteral("P%1 R%2 A%3 A.setnull%4 Tag%5 P.name%6")
        .arg(e.pks("P"), e.pks("R"), e.pks("A"), e.column("A", "setnull"), e.pks("Tag"), e.column("P", "name"));
}

// Holds BEGIN EXCLUSIVE on `path` through a connection of its own (what
// another process would do) until destroyed.
class ExclusiveLock
{
public:
    explicit ExclusiveLock(const QString &path)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            m_locked = q.exec(QStringLiteral("BEGIN EXCLUSIVE"));
        }
    }
    ~ExclusiveLock()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            if (m_locked)
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    bool locked() const { return m_locked; }

private:
    QString m_name = QStringLiteral("faults-locker");
    bool m_locked = false;
};

// Root ignores file modes: drop to an unprivileged effective uid while a
// read-only file must be read-only (restored when destroyed).
class Unprivileged
{
public:
    Unprivileged()
    {
        if (::geteuid() != 0)
            return;
        m_dropped = ::setegid(65534) == 0 && ::seteuid(65534) == 0;
    }
    ~Unprivileged()
    {
        if (m_dropped) {
            if (::seteuid(0) != 0 || ::setegid(0) != 0)
                qFatal("cannot restore root");
        }
    }
    bool ok() const { return ::geteuid() != 0; }

private:
    bool m_dropped = false;
};

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    struct Result { bool finished = false; int code = -1; QProcess::ExitStatus status = QProcess::CrashExit; QString err; QByteArray out; qint64 ms = 0; };

    // The program uid 65534 runs: a copy in the test's own folder, because the
    // build tree may sit in a folder only its owner can enter (a clone in a
    // 0700 home or mktemp -d). Empty when the copy cannot be made.
    QString unprivilegedBinary() const
    {
        const QString copy = path(QStringLiteral("signalscope-unprivileged"));
        if (!QFile::exists(copy) && !QFile::copy(QStringLiteral(SIGNALSCOPE_BINARY), copy))
            return QString();
        QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                        | QFileDevice::ReadGroup | QFileDevice::ExeGroup
                                        | QFileDevice::ReadOther | QFileDevice::ExeOther);
        return copy;
    }

    // Exit codes of the unprivileged child before it runs the program.
    static constexpr int kCannotDropPrivileges = 99;
    static constexpr int kCannotReachProgram = 98;

    Result runCli(const QStringList &arguments, bool unprivileged = false) const
    {
        QProcess process;
        QString program = QStringLiteral(SIGNALSCOPE_BINARY);
        if (unprivileged && ::geteuid() == 0) {
            program = unprivilegedBinary();
            if (program.isEmpty()) {
                Result r;
                r.finished = true;
                r.status = QProcess::NormalExit;
                r.code = kCannotReachProgram;
                return r;
            }
            const QByteArray programPath = QFile::encodeName(program);
            process.setChildProcessModifier([programPath] {
                if (::setgid(65534) != 0 || ::setuid(65534) != 0)
                    ::_exit(kCannotDropPrivileges);
                // A folder above the test's own one may be closed to uid 65534 too.
                if (::access(programPath.constData(), X_OK) != 0)
                    ::_exit(kCannotReachProgram);
            });
        }
        QElapsedTimer timer;
        timer.start();
        process.start(program, arguments);
        Result r;
        if (!process.waitForStarted(10000))
            return r;
        r.finished = process.waitForFinished(60000);
        if (!r.finished) {
            process.kill();
            process.waitForFinished();
        }
        r.ms = timer.elapsed();
        r.code = process.exitCode();
        r.status = process.exitStatus();
        r.err = QString::fromUtf8(process.readAllStandardError());
        r.out = process.readAllStandardOutput();
        return r;
    }

    QString writeScenario() const
    {
        QFile file(path(QStringLiteral("faults.scenario.json")));
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write the scenario");
        file.write(kCliScenario);
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        return file.fileName();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // An unprivileged child must be able to reach the files.
        QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                                | QFileDevice::ReadGroup | QFileDevice::ExeGroup
                                                | QFileDevice::ReadOther | QFileDevice::ExeOther);
    }

    // ---- refusals leave the tables unchanged ----------------------------------

    // RESTRICT met two levels down a cascade (P -> R -> A.restrict): nothing
    // deleted, no SET_NULL applied; once allowed, the same delete goes through.
    void restrictMidCascadeChangesNothing()
    {
        auto e = makeEngine(kSchema);
        const InstancePtr p = e->create("P", kw({{"name", V("p")}}));
        const InstancePtr r1 = e->create("R", kw({{"name", V("r1")}, {"p", V(p)}}));
        const InstancePtr r2 = e->create("R", kw({{"name", V("r2")}, {"p", V(p)}}));
        e->create("A", kw({{"name", V("cascaded")}, {"cascade", V(r1)}, {"setnull", V(p)}}));
        const InstancePtr blocker = e->create("A", kw({{"name", V("blocker")}, {"restrict", V(r2)}}));
        const QString before = tables(*e);
        QCOMPARE(before, str(R"(P[1] R[1,2] A[1,2] A.setnull[1,null] Tag[] P.name["p"])"));
        const auto error = thrown([&] { e->engine->deleteInstance(p); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("RestrictedError"));
        QCOMPARE(tables(*e), before);
        QCOMPARE(p->pk().toInteger(), 1);    // pks are nulled only after a delete that happened

        e->engine->deleteInstance(blocker);
        e->engine->deleteInstance(p);
        QCOMPARE(tables(*e), str(R"(P[] R[] A[] A.setnull[] Tag[] P.name[])"));
    }

    // PROTECT found in the second branch of a cascade, after the first branch
    // was collected with m2m rows and a SET_NULL: nothing at all is applied.
    void protectMidCascadeKeepsM2mAndSetNull()
    {
        auto e = makeEngine(kSchema);
        const InstancePtr p = e->create("P", kw({{"name", V("p")}}));
        const InstancePtr r1 = e->create("R", kw({{"name", V("r1")}, {"p", V(p)}}));
        const InstancePtr r2 = e->create("R", kw({{"name", V("r2")}, {"p", V(p)}}));
        e->create("A", kw({{"name", V("setnull")}, {"setnull", V(p)}, {"cascade", V(r1)}}));
        e->create("A", kw({{"name", V("protector")}, {"protect", V(r2)}}));
        const InstancePtr tag = e->create("Tag", kw({{"label", V("t")}}));
        e->engine->m2m(tag, str("ps"), M2mAction::Add, {V(p)});
        const QString before = tables(*e);
        const QString throughBefore = e->pks("Tag_ps");
        const auto error = thrown([&] { e->engine->deleteInstance(p); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("ProtectedError"));
        QCOMPARE(tables(*e), before);
        QCOMPARE(e->pks("Tag_ps"), throughBefore);
        QCOMPARE(throughBefore, str("[1]"));
    }

    // QuerySet.update() making two rows clash on a unique column: one UPDATE
    // statement, so no row changes.
    void uniqueClashInUpdateChangesNothing()
    {
        auto e = makeEngine(kSchema);
        e->create("P", kw({{"name", V("a")}}));
        e->create("P", kw({{"name", V("b")}}));
        e->create("P", kw({{"name", V("c")}}));
        const auto error = thrown([&] { e->engine->update(e->model("P"), {}, kw({{"name", V("same")}})); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("IntegrityError"));
        QCOMPARE(error->message(), str("UNIQUE constraint failed: faults_p.name"));
        QCOMPARE(e->column("P", "name"), str(R"(["a","b","c"])"));
    }

    // A fixture whose last row clashes on a unique column: the whole fixture,
    // its m2m rows included, is rolled back.
    void uniqueClashInLoaddataRollsBackAll()
    {
        auto e = makeEngine(kSchema);
        e->create("P", kw({{"name", V("p")}}));
        e->create("Tag", kw({{"label", V("taken")}}));
        const QCborArray rows = QCborArray::fromJsonArray(QJsonDocument::fromJson(R"([
            {"pk": 10, "label": "new", "ps": [1]},
            {"pk": 1, "label": "taken", "ps": [1]},
            {"pk": 11, "label": "taken"}])").array());
        const auto error = thrown([&] { e->engine->loaddata(e->model("Tag"), rows); });
        QVERIFY(error);
        QVERIFY2(error->message().contains(str("UNIQUE constraint failed: faults_tag.label")), qPrintable(error->message()));
        QCOMPARE(e->pks("Tag"), str("[1]"));
        QCOMPARE(e->column("Tag", "label"), str(R"(["taken"])"));
        QCOMPARE(e->count("Tag_ps"), 0);
    }

    // ---- a database file that cannot be used -----------------------------------

    // Another connection holds BEGIN EXCLUSIVE: opening fails after the busy
    // timeout with OperationalError naming the file; once the lock is gone the
    // same process opens it and works.
    void lockedDatabaseThroughEngine()
    {
        const QString file = path(QStringLiteral("locked-engine.sqlite"));
        {
            Engine engine(schemaFrom(kSchema), file);   // tables exist
        }
        {
            ExclusiveLock lock(file);
            QVERIFY(lock.locked());
            QElapsedTimer timer;
            timer.start();
            const auto error = thrown([&] { Engine engine(schemaFrom(kSchema), file); });
            QVERIFY(error);
            QCOMPARE(error->type(), str("OperationalError"));
            QVERIFY2(error->message().contains(file), qPrintable(error->message()));
            QVERIFY2(error->message().contains(str("database is locked")), qPrintable(error->message()));
            QVERIFY2(timer.elapsed() < 10000, "the busy timeout is not bounded");
            qInfo("locked: %s after %lld ms", qPrintable(error->message()), timer.elapsed());
        }
        Engine engine(schemaFrom(kSchema), file);
        engine.create(engine.registry().model(str("P")), kw({{"name", V("after")}}));

        // Locked while an engine is open: the write fails the same way, the
        // engine stays usable afterwards.
        {
            ExclusiveLock lock(file);
            QVERIFY(lock.locked());
            const auto error = thrown([&] { engine.create(engine.registry().model(str("P")), kw({{"name", V("during")}})); });
            QVERIFY(error);
            QCOMPARE(error->type(), str("OperationalError"));
            QVERIFY2(error->message().contains(file), qPrintable(error->message()));
        }
        engine.create(engine.registry().model(str("P")), kw({{"name", V("later")}}));
        QCOMPARE(engine.filter(engine.registry().model(str("P")), {}).size(), 2);
    }

    void lockedDatabaseThroughCli()
    {
        const QString scenario = writeScenario();
        const QString file = path(QStringLiteral("locked-cli.sqlite"));
        QCOMPARE(runCli({QStringLiteral("run"), scenario, QStringLiteral("--db"), file}).code, 0);
        ExclusiveLock lock(file);
        QVERIFY(lock.locked());
        const Result r = runCli({QStringLiteral("run"), scenario, QStringLiteral("--db"), file});
        QVERIFY(r.finished);
        QCOMPARE(r.status, QProcess::NormalExit);
        QVERIFY2(r.code == 1, qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
        QVERIFY2(r.err.contains(file), qPrintable(r.err));
        QVERIFY2(r.err.contains(str("database is locked")), qPrintable(r.err));
        qInfo("cli: %s (%lld ms)", qPrintable(r.err.trimmed()), r.ms);
    }

    // chmod 0444 (and, as root, an unprivileged uid, since root writes anyway).
    void readOnlyDatabaseThroughEngine()
    {
        const QString file = path(QStringLiteral("readonly-engine.sqlite"));
        {
            Engine engine(schemaFrom(kSchema), file);
            engine.create(engine.registry().model(str("P")), kw({{"name", V("kept")}}));
        }
        QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        Unprivileged user;
        if (!user.ok())
            QSKIP("running as root and cannot drop to an unprivileged uid: root writes to 0444 files");
        std::optional<DjangoError> error;
        {
            // Opening reads only: it works, and reads work.
            Engine engine(schemaFrom(kSchema), file);
            QCOMPARE(engine.filter(engine.registry().model(str("P")), {}).size(), 1);
            error = thrown([&] { engine.create(engine.registry().model(str("P")), kw({{"name", V("x")}})); });
            QVERIFY(error);
            QCOMPARE(error->type(), str("OperationalError"));
            QVERIFY2(error->message().contains(file), qPrintable(error->message()));
            QVERIFY2(error->message().contains(str("readonly")), qPrintable(error->message()));
            QCOMPARE(engine.filter(engine.registry().model(str("P")), {}).size(), 1);   // still usable
        }
        // A schema with a table the file lacks: creating it fails the same way.
        const auto create = thrown([&] {
            Engine engine(schemaFrom(QByteArray(kSchema).replace("\"app\": \"faults\"", "\"app\": \"other\"")), file);
        });
        QVERIFY(create);
        QCOMPARE(create->type(), str("OperationalError"));
        QVERIFY2(create->message().contains(file), qPrintable(create->message()));
    }

    void readOnlyDatabaseThroughCli()
    {
        const QString scenario = writeScenario();
        const QString file = path(QStringLiteral("readonly-cli.sqlite"));
        QCOMPARE(runCli({QStringLiteral("run"), scenario, QStringLiteral("--db"), file}).code, 0);
        QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        const QByteArray before = [&] { QFile f(file); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        const Result r = runCli({QStringLiteral("run"), scenario, QStringLiteral("--db"), file}, true);
        QVERIFY(r.finished);
        QCOMPARE(r.status, QProcess::NormalExit);
        if (r.code == kCannotDropPrivileges)
            QSKIP("cannot run the command as an unprivileged user");
        if (r.code == kCannotReachProgram)
            QSKIP(qPrintable(QStringLiteral("uid 65534 cannot reach a copy of the program in %1 (a folder above it is closed to "
                                            "other users; set TMPDIR to a folder everyone can enter)").arg(m_dir.path())));
        QVERIFY2(r.code == 1, qPrintable(QStringLiteral("exit %1: %2").arg(r.code).arg(r.err)));
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
        QVERIFY2(r.err.contains(file), qPrintable(r.err));
        QVERIFY2(r.err.contains(str("readonly")), qPrintable(r.err));
        const QByteArray after = [&] { QFile f(file); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        QVERIFY(before == after);
        qInfo("cli: %s", qPrintable(r.err.trimmed()));
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
