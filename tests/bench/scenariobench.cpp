#include "scenariobench.h"

#include "benchinputs.h"
#include "session/scenariorunner.h"
#include "trace/tracerecorder.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <time.h>

using namespace ss;

namespace bench {

namespace {

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// CPU time of this thread, in ns. The scenario figures are single-threaded
// runs of up to a minute on a machine other work shares: wall time would
// measure the neighbours as much as the engine.
double threadCpuNs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
}

// One recorded run of `scenario` on a fresh in-memory engine, in ns of CPU
// time: open() and runAll() are timed; making the engine and its tables is not.
double timeScenario(const ScenarioDecl &scenario)
{
    TraceRecorder recorder;
    ScenarioRunner runner(scenario);
    runner.engine().dispatch().addListener(&recorder);
    const double start = threadCpuNs();
    runner.open();
    runner.runAll();
    const double ns = threadCpuNs() - start;
    runner.engine().dispatch().removeListener(&recorder);
    if (recorder.count() == 0)
        throw std::runtime_error("the signup scenario recorded nothing");
    return ns;
}

void check(bool ok, const QSqlQuery &query)
{
    if (!ok)
        throw std::runtime_error("SQL floor: " + query.lastError().text().toStdString());
}

// The SQL floor of the signup scenario: the statements the engine issues for
// one signup (on SQLite in memory), each prepared once on a plain QtSql
// connection with the engine's tables, then bound and executed per signup,
// reading back what the engine reads (the new ids, the profile rows):
//   INSERT user; INSERT profile (the post_save receiver); UPDATE user SET
//   email (save(update_fields)); SELECT profile WHERE user_id IN (?) (the
//   collector); BEGIN; DELETE profile WHERE id IN (?); DELETE user WHERE id
//   IN (?); COMMIT.
class SqlFloor
{
public:
    explicit SqlFloor(const QStringList &ddl)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(QStringLiteral(":memory:"));
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));   // as the engine opens it
        if (!db.open())
            throw std::runtime_error("SQL floor: cannot open an in-memory database");
        QSqlQuery setup(db);
        check(setup.exec(QStringLiteral("PRAGMA foreign_keys = ON")), setup);
        for (const QString &statement : ddl)
            check(setup.exec(statement), setup);
        setup.finish();
        const auto prepare = [&db](const char *sql) {
            auto query = std::make_unique<QSqlQuery>(db);
            check(query->prepare(QString::fromLatin1(sql)), *query);
            return query;
        };
        m_insertUser = prepare(R"(INSERT INTO "accounts_user" ("username", "email", "is_active") VALUES (?, ?, ?))");
        m_insertProfile = prepare(R"(INSERT INTO "accounts_billingprofile" ("user_id", "user_image") VALUES (?, ?))");
        m_updateEmail = prepare(R"(UPDATE "accounts_user" SET "email" = ? WHERE "id" = ?)");
        m_selectProfiles = prepare(R"(SELECT "id", "user_id", "user_image" FROM "accounts_billingprofile" WHERE "user_id" IN (?))");
        m_begin = prepare("BEGIN");
        m_deleteProfiles = prepare(R"(DELETE FROM "accounts_billingprofile" WHERE "id" IN (?))");
        m_deleteUsers = prepare(R"(DELETE FROM "accounts_user" WHERE "id" IN (?))");
        m_commit = prepare("COMMIT");
    }
    ~SqlFloor()
    {
        for (auto *query : {&m_insertUser, &m_insertProfile, &m_updateEmail, &m_selectProfiles, &m_begin, &m_deleteProfiles,
                            &m_deleteUsers, &m_commit})
            query->reset();
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }

    void signup(int n)
    {
        const QString name = QStringLiteral("user%1").arg(n);
        m_insertUser->bindValue(0, name);
        m_insertUser->bindValue(1, m_noEmail);
        m_insertUser->bindValue(2, qlonglong(1));
        check(m_insertUser->exec(), *m_insertUser);
        const qlonglong user = m_insertUser->lastInsertId().toLongLong();

        m_insertProfile->bindValue(0, user);
        m_insertProfile->bindValue(1, m_image);
        check(m_insertProfile->exec(), *m_insertProfile);

        m_updateEmail->bindValue(0, QString(name + QStringLiteral("@example.org")));
        m_updateEmail->bindValue(1, user);
        check(m_updateEmail->exec(), *m_updateEmail);

        m_selectProfiles->bindValue(0, user);
        check(m_selectProfiles->exec(), *m_selectProfiles);
        qlonglong profile = 0;
        while (m_selectProfiles->next()) {
            profile = m_selectProfiles->value(0).toLongLong();
            (void)m_selectProfiles->value(1);
            (void)m_selectProfiles->value(2).toString();
        }
        m_selectProfiles->finish();

        check(m_begin->exec(), *m_begin);
        m_deleteProfiles->bindValue(0, profile);
        check(m_deleteProfiles->exec(), *m_deleteProfiles);
        m_deleteUsers->bindValue(0, user);
        check(m_deleteUsers->exec(), *m_deleteUsers);
        check(m_commit->exec(), *m_commit);
        if (m_deleteUsers->numRowsAffected() != 1)
            throw std::runtime_error("SQL floor: the user was not deleted");
    }

private:
    const QString m_connection = QStringLiteral("bench-sql-floor");
    const QString m_noEmail = QStringLiteral("");
    const QString m_image = QStringLiteral("user_image.jpg");
    std::unique_ptr<QSqlQuery> m_insertUser, m_insertProfile, m_updateEmail, m_selectProfiles, m_begin, m_deleteProfiles,
        m_deleteUsers, m_commit;
};

double timeFloor(const QStringList &ddl, int signups)
{
    SqlFloor floor(ddl);
    const double start = threadCpuNs();
    for (int i = 0; i < signups; ++i)
        floor.signup(i);
    return threadCpuNs() - start;
}

QString perSignup(double ns)
{
    return QString::number(ns / 1e3, 'f', 1) + QStringLiteral(" us/signup");
}

} // namespace

std::vector<TimelineFigure> benchScale(const ScaleSizes &sizes, int reps, const std::function<void(const QString &)> &progress)
{
    progress(QStringLiteral("scale: loading the %1- and %2-signup scenarios").arg(sizes.small).arg(sizes.large));
    const ScenarioDecl small = signupScenario(sizes.small);
    const ScenarioDecl large = signupScenario(sizes.large);
    timeScenario(small);    // warm-up
    // Three large runs spread among the small runs, so both see the same
    // machine, and one slow moment of a busy machine does not decide the figure.
    constexpr int largeRuns = 3;
    std::vector<double> smallRuns, largeRunsNs;
    const int turns = std::max(reps, largeRuns);
    for (int rep = 0; rep < turns; ++rep) {
        if (rep * largeRuns / turns != (rep + 1) * largeRuns / turns) {     // largeRuns of the turns, evenly
            progress(QStringLiteral("scale: running %1 signups (%2 of %3)").arg(sizes.large).arg(largeRunsNs.size() + 1).arg(largeRuns));
            largeRunsNs.push_back(timeScenario(large));
        }
        if (rep < reps)
            smallRuns.push_back(timeScenario(small));
    }
    const double smallPer = median(smallRuns) / sizes.small, largePer = median(largeRunsNs) / sizes.large;
    TimelineFigure f;
    f.id = QStringLiteral("scale/per signup at %1 vs %2 signups").arg(sizes.large).arg(sizes.small);
    f.value = largePer;
    f.baselineName = QStringLiteral("at %1 (CPU time)").arg(sizes.small);
    f.baseline = smallPer;
    f.ratio = largePer / smallPer;
    f.target = 1.2;
    f.extra = QJsonObject{{QStringLiteral("small_signups"), sizes.small},
                          {QStringLiteral("large_signups"), sizes.large},
                          {QStringLiteral("large_runs"), int(largeRunsNs.size())},
                          {QStringLiteral("small_ns_per_signup"), smallPer},
                          {QStringLiteral("large_ns_per_signup"), largePer}};
    return {f};
}

std::vector<TimelineFigure> benchSqlFloor(int signups, int reps, const std::function<void(const QString &)> &progress)
{
    progress(QStringLiteral("SQL floor: %1 signups").arg(signups));
    QTemporaryDir dir;
    if (!dir.isValid())
        throw std::runtime_error("cannot make a temporary directory");
    const QStringList ddl = engineDdl(accountsSchema(true), dir.filePath(QStringLiteral("ddl.sqlite3")));
    const ScenarioDecl scenario = signupScenario(signups);
    std::vector<double> engineRuns, floorRuns;
    for (int rep = -1; rep < reps; ++rep) {     // rep -1: warm-up
        const double e = timeScenario(scenario);
        const double f = timeFloor(ddl, signups);
        if (rep >= 0) {
            engineRuns.push_back(e);
            floorRuns.push_back(f);
        }
    }
    const double engineNs = median(engineRuns), floorNs = median(floorRuns);
    TimelineFigure f;
    f.id = QStringLiteral("scenario/%1 signups, recorded, vs SQL floor").arg(signups);
    f.value = engineNs;
    f.baselineName = QStringLiteral("the same statements through QtSql (CPU time)");
    f.baseline = floorNs;
    f.ratio = engineNs / floorNs;
    f.target = 3;
    f.note = perSignup(engineNs / signups) + QStringLiteral(" vs ") + perSignup(floorNs / signups);
    f.extra = QJsonObject{{QStringLiteral("signups"), signups},
                          {QStringLiteral("ns_per_signup"), engineNs / signups},
                          {QStringLiteral("floor_ns_per_signup"), floorNs / signups}};
    return {f};
}

} // namespace bench
