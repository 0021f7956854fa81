// The `signalscope` command line, run as a separate process (QProcess):
//  - `run SCENARIO` exits 0 and writes the canonical trace (contract section 4)
//    to stdout, byte for byte what Django's oracle writes;
//  - `--format csv|chrome` produce parseable CSV (RFC 4180) and Trace Event JSON;
//  - `--trace FILE` writes the file instead;
//  - an invalid input exits 2 with ONE message on stderr naming the offending
//    file (contract section 3, "Validation"), and no trace;
//  - `--db` on a place that cannot hold a database exits 1 with a clear
//    message, without crashing;
//  - `--help` and `--version` exit 0.
// Every input file is written into a QTemporaryDir at test time.

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

namespace {

QString str(const char *utf8) { return QString::fromUtf8(utf8); }

// A small scenario touching every kind of canonical line, and the trace
// Django 3.2 writes for it (produced by tests/conformance/django_oracle.py).
const QByteArray kGoodScenario = R"({"format": "signalscope-scenario/1", "name": "cli good",
 "schema": {"format": "signalscope-schema/1", "app": "cli", "models": [
   {"name": "Author", "fields": [{"name": "name", "type": "char"}]},
   {"name": "Book", "fields": [{"name": "author", "type": "foreign_key", "to": "Author", "on_delete": "CASCADE"}, {"name": "price", "type": "float", "default": 1.5}]}],
   "receivers": [{"name": "hello", "signal": "post_save", "sender": "Author", "when": {"created": true}, "do": [{"notify": "hello {instance.name}"}]}]},
 "steps": [
   {"op": "create", "model": "Author", "values": {"name": "ann"}, "as": "ann"},
   {"op": "create", "model": "Book", "values": {"author": "$ann"}},
   {"op": "save", "ref": "ann", "update_fields": ["name"]},
   {"op": "get", "model": "Author", "where": {"name": "nobody"}},
   {"op": "delete", "ref": "ann"}
 ]}
)";

const QByteArray kGoodTrace =
    R"({"args":[],"depth":0,"kwargs":{"name":"ann"},"sender":"Author","seq":1,"signal":"pre_init","step":0}
{"depth":0,"instance":{"model":"Author","pk":null},"sender":"Author","seq":2,"signal":"post_init","step":0}
{"depth":0,"instance":{"model":"Author","pk":null},"raw":false,"sender":"Author","seq":3,"signal":"pre_save","step":0,"update_fields":null,"using":"default"}
{"created":true,"depth":0,"instance":{"model":"Author","pk":1},"raw":false,"sender":"Author","seq":4,"signal":"post_save","step":0,"update_fields":null,"using":"default"}
{"depth":1,"effect":"notify","seq":5,"step":0,"text":"hello ann"}
{"args":[],"depth":0,"kwargs":{"author":{"model":"Author","pk":1}},"sender":"Book","seq":6,"signal":"pre_init","step":1}
{"depth":0,"instance":{"model":"Book","pk":null},"sender":"Book","seq":7,"signal":"post_init","step":1}
{"depth":0,"instance":{"model":"Book","pk":null},"raw":false,"sender":"Book","seq":8,"signal":"pre_save","step":1,"update_fields":null,"using":"default"}
{"created":true,"depth":0,"instance":{"model":"Book","pk":1},"raw":false,"sender":"Book","seq":9,"signal":"post_save","step":1,"update_fields":null,"using":"default"}
{"depth":0,"instance":{"model":"Author","pk":1},"raw":false,"sender":"Author","seq":10,"signal":"pre_save","step":2,"update_fields":["name"],"using":"default"}
{"created":false,"depth":0,"instance":{"model":"Author","pk":1},"raw":false,"sender":"Author","seq":11,"signal":"post_save","step":2,"update_fields":["name"],"using":"default"}
{"depth":0,"error":"DoesNotExist","message":"Author matching query does not exist.","seq":12,"step":3}
{"args":[1,1,1.5],"depth":0,"kwargs":{},"sender":"Book","seq":13,"signal":"pre_init","step":4}
{"depth":0,"instance":{"model":"Book","pk":1},"sender":"Book","seq":14,"signal":"post_init","step":4}
{"depth":0,"instance":{"model":"Book","pk":1},"sender":"Book","seq":15,"signal":"pre_delete","step":4,"using":"default"}
{"depth":0,"instance":{"model":"Author","pk":1},"sender":"Author","seq":16,"signal":"pre_delete","step":4,"using":"default"}
{"depth":0,"instance":{"model":"Book","pk":1},"sender":"Book","seq":17,"signal":"post_delete","step":4,"using":"default"}
{"depth":0,"instance":{"model":"Author","pk":1},"sender":"Author","seq":18,"signal":"post_delete","step":4,"using":"default"}
)";

const QByteArray kGoodSchema = R"({"format": "signalscope-schema/1", "app": "shop", "models": [
  {"name": "User", "fields": [{"name": "username", "type": "char", "unique": true}]}]})";

// A scenario that uses the schema file next to it.
QByteArray scenarioFor(const QString &schemaFile, const QByteArray &steps = "[]")
{
    return "{\"format\": \"signalscope-scenario/1\", \"name\": \"t\", \"schema\": \"" + schemaFile.toUtf8()
           + "\", \"steps\": " + steps + "}";
}

// A schema with one model whose fields are `fields`.
QByteArray schemaWith(const QByteArray &models)
{
    return "{\"format\": \"signalscope-schema/1\", \"app\": \"shop\", \"models\": " + models + "}";
}

struct Result
{
    int code = -1;
    QProcess::ExitStatus status = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
    bool finished = false;
};

// RFC 4180: fields separated by commas, quoted fields may hold commas, quotes
// ("" for one) and line breaks; records end with CRLF or LF. Returns false on
// a malformed quote.
bool parseCsv(const QByteArray &text, QVector<QStringList> &records)
{
    QStringList record;
    QByteArray field;
    bool quoted = false, fieldStarted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                    if (i + 1 < text.size() && text[i + 1] != ',' && text[i + 1] != '\n' && text[i + 1] != '\r')
                        return false;       // text after a closing quote
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"') {
            if (fieldStarted && !field.isEmpty())
                return false;               // a quote inside an unquoted field
            quoted = true;
            fieldStarted = true;
        } else if (c == ',') {
            record << QString::fromUtf8(field);
            field.clear();
            fieldStarted = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            record << QString::fromUtf8(field);
            records << record;
            record.clear();
            field.clear();
            fieldStarted = false;
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted)
        return false;
    if (fieldStarted || !record.isEmpty()) {
        record << QString::fromUtf8(field);
        records << record;
    }
    return true;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    QString m_binary;
    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    QString write(const QString &name, const QByteArray &bytes)
    {
        QFile file(path(name));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(file.fileName()));
        file.write(bytes);
        return file.fileName();
    }

    Result run(const QStringList &arguments, int timeoutMs = 60000) const
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        process.setProcessEnvironment(env);
        process.setWorkingDirectory(m_dir.path());
        process.start(m_binary, arguments);
        Result result;
        if (!process.waitForStarted(10000))
            return result;
        process.closeWriteChannel();
        result.finished = process.waitForFinished(timeoutMs);
        if (!result.finished) {
            process.kill();
            process.waitForFinished(5000);
        }
        result.code = process.exitCode();
        result.status = process.exitStatus();
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }

    // Exit 2, nothing on stdout, one line on stderr naming `culprit` (a file name).
    void expectRefused(const Result &r, const QString &culprit, const QString &mentions = {})
    {
        QVERIFY2(r.finished, "signalscope did not finish");
        QCOMPARE(r.status, QProcess::NormalExit);
        QVERIFY2(r.code == 2, qPrintable(QStringLiteral("exit %1, stderr: %2").arg(r.code).arg(QString::fromUtf8(r.err))));
        QVERIFY2(r.out.isEmpty(), r.out.left(200).constData());
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.endsWith(QLatin1Char('\n')), qPrintable(err));
        QVERIFY2(err.count(QLatin1Char('\n')) == 1, qPrintable(QStringLiteral("more than one line: ") + err));
        QVERIFY2(err.contains(culprit), qPrintable(QStringLiteral("does not name %1: %2").arg(culprit, err)));
        if (!mentions.isEmpty())
            QVERIFY2(err.contains(mentions), qPrintable(QStringLiteral("does not mention %1: %2").arg(mentions, err)));
        QVERIFY2(err.size() < 600, qPrintable(err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The test binary is <build>/tests/tst_cli and the app <build>/app/signalscope;
        // a deeper layout (<build>/tests/unit/) is accepted too.
        const QString here = QCoreApplication::applicationDirPath();
        for (const char *relative : {"/../app/signalscope", "/../../app/signalscope"}) {
            const QFileInfo candidate(here + QString::fromUtf8(relative));
            if (candidate.isFile() && candidate.isExecutable()) {
                m_binary = candidate.canonicalFilePath();
                break;
            }
        }
        const QByteArray overridden = qgetenv("SIGNALSCOPE_BIN");
        if (!overridden.isEmpty())
            m_binary = QString::fromLocal8Bit(overridden);
        QVERIFY2(!m_binary.isEmpty(), qPrintable(QStringLiteral("no signalscope executable next to ") + here));
        qInfo("using %s", qPrintable(m_binary));
    }

    // ---- good runs ----------------------------------------------------------

    void runWritesCanonicalTrace()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        const Result r = run({QStringLiteral("run"), scenario});
        QVERIFY(r.finished);
        QCOMPARE(r.status, QProcess::NormalExit);
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(QString::fromUtf8(r.out), QString::fromUtf8(kGoodTrace));
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        // `--format jsonl` is the same thing.
        const Result explicitFormat = run({QStringLiteral("run"), QStringLiteral("--format"), QStringLiteral("jsonl"), scenario});
        QCOMPARE(explicitFormat.code, 0);
        QCOMPARE(explicitFormat.out, r.out);
    }

    // A failing step is part of the trace, not a failure of the command.
    void failingStepStillExitsZero()
    {
        const QString schema = write(QStringLiteral("shop.schema.json"), kGoodSchema);
        Q_UNUSED(schema);
        const QString scenario = write(QStringLiteral("fails.scenario.json"), scenarioFor(QStringLiteral("shop.schema.json"), R"([
            {"op": "create", "model": "User", "values": {"username": "ann"}},
            {"op": "create", "model": "User", "values": {"username": "ann"}}])"));
        const Result r = run({QStringLiteral("run"), scenario});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(R"("error":"IntegrityError","message":"UNIQUE constraint failed: shop_user.username")"));
    }

    // The committed public scenarios run byte-identical to Django's traces.
    void publicScenarioMatchesDjango()
    {
        const QString base = QStringLiteral(SIGNALSCOPE_TEST_DATA "/conformance/");
        const QString scenario = base + QStringLiteral("scenarios/save_variants.scenario.json");
        const QString expected = base + QStringLiteral("expected/save_variants.trace.jsonl");
        if (!QFileInfo::exists(scenario) || !QFileInfo::exists(expected))
            QSKIP("public conformance files not present");
        QFile file(expected);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const Result r = run({QStringLiteral("run"), scenario});
        QCOMPARE(r.code, 0);
        QCOMPARE(QString::fromUtf8(r.out), QString::fromUtf8(file.readAll()));
    }

    void csvIsParseable()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        const Result r = run({QStringLiteral("run"), QStringLiteral("--format"), QStringLiteral("csv"), scenario});
        QCOMPARE(r.code, 0);
        QVector<QStringList> records;
        QVERIFY2(parseCsv(r.out, records), r.out.left(400).constData());
        QVERIFY(records.size() > 18);
        const QStringList header = records.first();
        for (const QStringList &record : std::as_const(records))
            QVERIFY2(record.size() == header.size(), qPrintable(record.join(QLatin1Char('|'))));
        const qsizetype signalColumn = header.indexOf(QStringLiteral("signal"));
        const qsizetype kindColumn = header.indexOf(QStringLiteral("kind"));
        QVERIFY2(signalColumn >= 0 && kindColumn >= 0, qPrintable(header.join(QLatin1Char(','))));
        // Every send of the trace has a row (receiver calls and steps have rows of their own).
        QStringList sent;
        for (qsizetype i = 1; i < records.size(); ++i)
            if (records[i][kindColumn] == QLatin1String("send"))
                sent << records[i][signalColumn];
        for (const char *name : {"pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete"})
            QVERIFY2(sent.contains(str(name)), name);
        QCOMPARE(sent.count(QStringLiteral("pre_init")), 3);
        QCOMPARE(sent.count(QStringLiteral("post_save")), 3);
        QCOMPARE(sent.count(QStringLiteral("post_delete")), 2);
    }

    void chromeTraceIsParseable()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        const Result r = run({QStringLiteral("run"), QStringLiteral("--format"), QStringLiteral("chrome"), scenario});
        QCOMPARE(r.code, 0);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QVERIFY(doc.isObject());
        const QJsonValue events = doc.object().value(QStringLiteral("traceEvents"));
        QVERIFY(events.isArray());
        QVERIFY(events.toArray().size() > 18);
        int postSaves = 0;
        for (const QJsonValue &event : events.toArray()) {
            QVERIFY(event.isObject());
            QVERIFY(event.toObject().value(QStringLiteral("ph")).isString());
            const QJsonObject args = event.toObject().value(QStringLiteral("args")).toObject();
            if (event.toObject().value(QStringLiteral("cat")) == QLatin1String("signal")
                && args.value(QStringLiteral("signal")) == QLatin1String("post_save"))
                ++postSaves;
        }
        QCOMPARE(postSaves, 3);
        // The alias named in the help text.
        const Result alias = run({QStringLiteral("run"), QStringLiteral("--format"), QStringLiteral("perfetto"), scenario});
        QCOMPARE(alias.code, 0);
        QVERIFY(QJsonDocument::fromJson(alias.out).isObject());
    }

    void traceOptionWritesFile()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        const QString out = path(QStringLiteral("out/trace.jsonl"));
        QDir(m_dir.path()).mkpath(QStringLiteral("out"));
        const Result r = run({QStringLiteral("run"), QStringLiteral("--trace"), out, scenario});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.isEmpty());
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), QString::fromUtf8(kGoodTrace));

        const QString csv = path(QStringLiteral("out/trace.csv"));
        QCOMPARE(run({QStringLiteral("run"), QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--trace"), csv,
                      scenario}).code, 0);
        QVERIFY(QFileInfo(csv).size() > 0);
        QCOMPARE(QDir(path(QStringLiteral("out"))).entryList(QDir::Files).size(), 2);   // no temporary left over
    }

    // A trace that cannot be written: exit 1, a message, no file.
    void traceOptionUnwritable()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        const QString out = path(QStringLiteral("no/such/dir/trace.jsonl"));
        const Result r = run({QStringLiteral("run"), QStringLiteral("--trace"), out, scenario});
        QCOMPARE(r.status, QProcess::NormalExit);
        QCOMPARE(r.code, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(out), r.err.constData());
        QVERIFY(!QFileInfo::exists(out));
    }

    // --db on a file: the same trace; the tables are emptied first, so a second run matches too.
    void dbOptionOnFile()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        const QString db = path(QStringLiteral("run.sqlite"));
        for (int i = 0; i < 2; ++i) {
            const Result r = run({QStringLiteral("run"), QStringLiteral("--db"), db, scenario});
            QVERIFY2(r.code == 0, r.err.constData());
            QCOMPARE(QString::fromUtf8(r.out), QString::fromUtf8(kGoodTrace));
        }
        QVERIFY(QFileInfo(db).size() > 0);
    }

    // --db in a directory where no file can be created: exit 1, one clear
    // message naming the path, no crash, no trace.
    void dbOptionReadOnlyDirectory()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        QString db;
        QDir(m_dir.path()).mkpath(QStringLiteral("readonly"));
        const QString dir = path(QStringLiteral("readonly"));
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup
                                       | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::ExeOther);
        if (::geteuid() != 0) {
            db = dir + QStringLiteral("/run.sqlite");
        } else {
            // root ignores directory permissions; /proc refuses new files to anybody.
            db = QStringLiteral("/proc/signalscope-readonly-test.sqlite");
        }
        const Result r = run({QStringLiteral("run"), QStringLiteral("--db"), db, scenario});
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QVERIFY(r.finished);
        QCOMPARE(r.status, QProcess::NormalExit);
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.isEmpty());
        const QString err = QString::fromUtf8(r.err);
        QCOMPARE(err.count(QLatin1Char('\n')), 1);
        QVERIFY2(err.contains(db), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("unable to open"), Qt::CaseInsensitive), qPrintable(err));
    }

    // --db on a file that is not a database: exit 1 and SQLite's own reason.
    void dbOptionNotADatabase()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        QByteArray junk(4096, '\0');
        QRandomGenerator generator(7);
        for (char &c : junk)
            c = char(generator.bounded(256));
        const QString db = write(QStringLiteral("junk.sqlite"), junk);
        const Result r = run({QStringLiteral("run"), QStringLiteral("--db"), db, scenario});
        QVERIFY(r.finished);
        QCOMPARE(r.status, QProcess::NormalExit);
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(QString::fromUtf8(r.err).count(QLatin1Char('\n')), 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(QStringLiteral("not a database")), r.err.constData());
    }

    // ---- refused inputs ---------------------------------------------------------

    void missingFile()
    {
        const QString missing = path(QStringLiteral("nowhere.scenario.json"));
        expectRefused(run({QStringLiteral("run"), missing}), QStringLiteral("nowhere.scenario.json"));
    }

    void refusedInput_data()
    {
        QTest::addColumn<QByteArray>("scenario");       // written as case.scenario.json
        QTest::addColumn<QByteArray>("schema");         // written as case.schema.json when not empty
        QTest::addColumn<QString>("culprit");           // "scenario" or "schema"
        QTest::addColumn<QString>("mentions");          // a word the message must contain

        const QByteArray user = R"({"name": "User", "fields": [{"name": "username", "type": "char"}]})";
        const QByteArray useSchema = scenarioFor(QStringLiteral("case.schema.json"));

        QTest::newRow("malformed JSON") << QByteArray("{\"format\": \"signalscope-scenario/1\",\n  \"steps\": [1,, 2]}")
                                        << QByteArray() << "scenario" << "";
        QTest::newRow("trailing garbage") << QByteArray(R"({"format": "signalscope-scenario/1"} x)") << QByteArray()
                                          << "scenario" << "";
        QTest::newRow("empty file") << QByteArray() << QByteArray() << "scenario" << "";
        QTest::newRow("not an object") << QByteArray("[1, 2]") << QByteArray() << "scenario" << "";
        QTest::newRow("wrong scenario format") << QByteArray(R"({"format": "signalscope-scenario/9", "name": "x", "schema": {}, "steps": []})")
                                               << QByteArray() << "scenario" << "format";
        QTest::newRow("wrong schema format") << useSchema << QByteArray(R"({"format": "signalscope-schema/0", "app": "shop", "models": []})")
                                             << "schema" << "format";
        QTest::newRow("unknown field type") << useSchema
                                            << schemaWith(R"([{"name": "User", "fields": [{"name": "x", "type": "decimal"}]}])")
                                            << "schema" << "decimal";
        QTest::newRow("unknown on_delete") << useSchema
                                           << schemaWith("[" + user + R"(, {"name": "Post", "fields": [{"name": "author", "type": "foreign_key", "to": "User", "on_delete": "EXPLODE"}]}])")
                                           << "schema" << "EXPLODE";
        QTest::newRow("relation to unknown model") << useSchema
                                                   << schemaWith(R"([{"name": "Post", "fields": [{"name": "author", "type": "foreign_key", "to": "Ghost", "on_delete": "CASCADE"}]}])")
                                                   << "schema" << "Ghost";
        QTest::newRow("duplicate model") << useSchema << schemaWith("[" + user + ", " + user + "]") << "schema" << "User";
        QTest::newRow("model name carrying SQL") << useSchema
                                                 << schemaWith("[{\"name\": \"x\\\"; DROP TABLE y; --\", \"fields\": []}]")
                                                 << "schema" << "";
        QTest::newRow("field name carrying SQL") << useSchema
                                                 << schemaWith("[{\"name\": \"User\", \"fields\": [{\"name\": \"a); DROP TABLE shop_user; --\", \"type\": \"char\"}]}]")
                                                 << "schema" << "";
        QTest::newRow("unknown op") << scenarioFor(QStringLiteral("case.schema.json"), R"([{"op": "explode", "model": "User"}])")
                                    << schemaWith("[" + user + "]") << "scenario" << "explode";
        QTest::newRow("unknown ref") << scenarioFor(QStringLiteral("case.schema.json"), R"([{"op": "delete", "ref": "ghost"}])")
                                     << schemaWith("[" + user + "]") << "scenario" << "ghost";
        QTest::newRow("unknown model in step") << scenarioFor(QStringLiteral("case.schema.json"), R"([{"op": "create", "model": "Ghost", "values": {}}])")
                                               << schemaWith("[" + user + "]") << "scenario" << "Ghost";
        QTest::newRow("integer beyond 64 bits") << scenarioFor(QStringLiteral("case.schema.json"), R"([{"op": "create", "model": "User", "values": {"username": 18446744073709551616}}])")
                                                << schemaWith("[" + user + "]") << "scenario" << "steps[0].values.username: the integer 18446744073709551616";
        QTest::newRow("lone surrogate escape") << scenarioFor(QStringLiteral("case.schema.json"), R"([{"op": "create", "model": "User", "values": {"username": "\udfff"}}])")
                                               << schemaWith("[" + user + "]") << "scenario" << "steps[0].values.username: a lone surrogate";
        QTest::newRow("lone surrogate in schema") << useSchema
                                                  << schemaWith(R"([{"name": "User", "fields": [{"name": "username", "type": "char", "default": "\ud83d"}]}])")
                                                  << "schema" << "models[0].fields[0].default: a lone surrogate";
        QTest::newRow("absurd nesting") << QByteArray(100000, '[') << QByteArray() << "scenario" << "";
        QTest::newRow("absurd nesting in schema") << useSchema << QByteArray(100000, '{') << "schema" << "";
        QByteArray garbage(4096, '\0');
        QRandomGenerator generator(42);
        for (char &c : garbage)
            c = char(generator.bounded(256));
        garbage[0] = char(0xff);            // never valid UTF-8
        QTest::newRow("binary garbage") << garbage << QByteArray() << "scenario" << "";
        QTest::newRow("schema file missing") << scenarioFor(QStringLiteral("missing.schema.json")) << QByteArray()
                                             << "scenario" << "schema file";
    }

    void refusedInput()
    {
        QFETCH(QByteArray, scenario);
        QFETCH(QByteArray, schema);
        QFETCH(QString, culprit);
        QFETCH(QString, mentions);
        // A directory per row, so no row sees another's files.
        const QString sub = QStringLiteral("case-%1").arg(QString::fromUtf8(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')));
        QVERIFY(QDir(m_dir.path()).mkpath(sub));
        const QString scenarioPath = write(sub + QStringLiteral("/case.scenario.json"), scenario);
        if (!schema.isEmpty())
            write(sub + QStringLiteral("/case.schema.json"), schema);
        const Result r = run({QStringLiteral("run"), scenarioPath});
        expectRefused(r, culprit == QLatin1String("schema") ? QStringLiteral("case.schema.json") : QStringLiteral("case.scenario.json"),
                      mentions);
        if (QByteArray(QTest::currentDataTag()) == "schema file missing") {
            // The message also names the file that is missing, in full.
            QVERIFY2(r.err.contains("missing.schema.json"), r.err.constData());
        }
        if (QByteArray(QTest::currentDataTag()) == "malformed JSON")
            QVERIFY2(QRegularExpression(QStringLiteral("case\\.scenario\\.json:2:\\d+:")).match(QString::fromUtf8(r.err)).hasMatch(),
                     r.err.constData());
    }

    // An inline schema that is wrong is the scenario file's fault.
    void inlineSchemaRefused()
    {
        const QString scenarioPath = write(QStringLiteral("inline.scenario.json"), R"({"format": "signalscope-scenario/1", "name": "x",
            "schema": {"format": "signalscope-schema/1", "app": "shop", "models": [{"name": "A", "fields": [{"name": "x", "type": "decimal"}]}]},
            "steps": []})");
        expectRefused(run({QStringLiteral("run"), scenarioPath}), QStringLiteral("inline.scenario.json"),
                      QStringLiteral("decimal"));
    }

    void unknownFormat()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        const Result r = run({QStringLiteral("run"), QStringLiteral("--format"), QStringLiteral("xml"), scenario});
        QCOMPARE(r.code, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(QString::fromUtf8(r.err).count(QLatin1Char('\n')), 1);
        QVERIFY2(r.err.contains("xml"), r.err.constData());
    }

    void badCommandLines()
    {
        // No scenario, two scenarios, an unknown option: exit 2 with a message.
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        for (const QStringList &arguments : {QStringList{QStringLiteral("run")},
                                             QStringList{QStringLiteral("run"), scenario, scenario},
                                             QStringList{QStringLiteral("run"), QStringLiteral("--bogus"), scenario},
                                             QStringList{QStringLiteral("run"), QStringLiteral("--db"), QStringLiteral("mysql://x/y"), scenario},
                                             QStringList{QStringLiteral("run"), QStringLiteral("--using"), QStringLiteral("nope"), scenario}}) {
            const Result r = run(arguments);
            QCOMPARE(r.status, QProcess::NormalExit);
            QVERIFY2(r.code == 2, qPrintable(arguments.join(QLatin1Char(' '))));
            QVERIFY(r.out.isEmpty());
            QVERIFY(!r.err.trimmed().isEmpty());
        }
    }

    // --django picks the version (contract 9.1), over the scenario's "django".
    void djangoOptionPicksTheVersion()
    {
        const QString base = QStringLiteral(SIGNALSCOPE_TEST_DATA "/conformance/");
        const QString name = QStringLiteral("delete_set_null_rows_not_loaded");
        const QString scenario = base + QStringLiteral("scenarios/") + name + QStringLiteral(".scenario.json");
        if (!QFileInfo::exists(scenario))
            QSKIP("public conformance files not present");
        auto expected = [&](const QString &dir) {
            QFile file(base + dir + QLatin1Char('/') + name + QStringLiteral(".trace.jsonl"));
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
        };
        const QString v32 = expected(QStringLiteral("expected")), v50 = expected(QStringLiteral("expected-5.0"));
        QVERIFY(!v32.isEmpty() && !v50.isEmpty() && v32 != v50);
        const Result byDefault = run({QStringLiteral("run"), scenario});
        QVERIFY2(byDefault.code == 0, byDefault.err.constData());
        QCOMPARE(QString::fromUtf8(byDefault.out), v32);
        const Result five = run({QStringLiteral("run"), QStringLiteral("--django"), QStringLiteral("5.0"), scenario});
        QVERIFY2(five.code == 0, five.err.constData());
        QCOMPARE(QString::fromUtf8(five.out), v50);

        // The scenario's own "django": "5.0", and --django 3.2 overriding it.
        QFile file(scenario);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray json = file.readAll();
        json.replace(QByteArray("\"schema\": \"../schemas/"), QByteArray(QByteArray("\"django\": \"5.0\", \"schema\": \"") + base.toUtf8() + QByteArray("schemas/")));
        const QString pinned = write(QStringLiteral("pinned.scenario.json"), json);
        const Result fromFile = run({QStringLiteral("run"), pinned});
        QVERIFY2(fromFile.code == 0, fromFile.err.constData());
        QCOMPARE(QString::fromUtf8(fromFile.out), v50);
        const Result overridden = run({QStringLiteral("run"), QStringLiteral("--django"), QStringLiteral("3.2"), pinned});
        QVERIFY2(overridden.code == 0, overridden.err.constData());
        QCOMPARE(QString::fromUtf8(overridden.out), v32);
    }

    void djangoOptionRefusesUnknownVersions()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        for (const char *version : {"4.2", "5", "", "five"}) {
            const Result r = run({QStringLiteral("run"), QStringLiteral("--django"), QString::fromUtf8(version), scenario});
            QCOMPARE(r.status, QProcess::NormalExit);
            QVERIFY2(r.code == 2, version);
            QVERIFY(r.out.isEmpty());
            QCOMPARE(QString::fromUtf8(r.err).count(QLatin1Char('\n')), 1);
            QVERIFY2(r.err.contains("--django") && r.err.contains("5.0"), r.err.constData());
        }
    }

    // --db ALIAS=LOCATION and --using: the alias is the signals' `using`.
    void usingAnAlias()
    {
        const QString scenario = write(QStringLiteral("good.scenario.json"), kGoodScenario);
        const Result r = run({QStringLiteral("run"), QStringLiteral("--db"), QStringLiteral("replica=") + path(QStringLiteral("replica.sqlite")),
                              QStringLiteral("--using"), QStringLiteral("replica"), scenario});
        QVERIFY2(r.code == 0, r.err.constData());
        QString expected = QString::fromUtf8(kGoodTrace);
        expected.replace(QStringLiteral("\"using\":\"default\""), QStringLiteral("\"using\":\"replica\""));
        QCOMPARE(QString::fromUtf8(r.out), expected);
    }

    // ---- help and version -----------------------------------------------------

    void helpAndVersion()
    {
        const Result help = run({QStringLiteral("--help")});
        QCOMPARE(help.status, QProcess::NormalExit);
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains("run"));
        QVERIFY(help.out.size() > 40);

        const Result version = run({QStringLiteral("--version")});
        QCOMPARE(version.code, 0);
        QVERIFY2(QRegularExpression(QStringLiteral("^signalscope \\d+\\.\\d+")).match(QString::fromUtf8(version.out)).hasMatch(),
                 version.out.constData());

        const Result runHelp = run({QStringLiteral("run"), QStringLiteral("--help")});
        QCOMPARE(runHelp.code, 0);
        for (const char *option : {"--format", "--trace", "--db", "--using", "postgresql://"})
            QVERIFY2(runHelp.out.contains(option), option);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
