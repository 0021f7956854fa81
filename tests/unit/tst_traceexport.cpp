// Exporters: the canonical JSON Lines byte for byte (against Django's own
// trace), CSV parsed back, the Trace Event JSON parsed and checked for proper
// nesting, atomic writes, and reading canonical traces back.

#include "trace/traceexport.h"
#include "trace/tracerecorder.h"
#include "model/value.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;

namespace {

QCborMap instanceArg(const QString &model, const QCborValue &pk)
{
    QCborMap instance;
    instance.insert(QStringLiteral("model"), model);
    instance.insert(QStringLiteral("pk"), pk);
    return instance;
}

// Feeds a recorder the way the dispatcher does, with the arguments in
// Django's keyword order.
class Feed
{
public:
    explicit Feed(TraceRecorder &rec) : m_rec(rec) {}

    SendEvent begin(const QString &signal, const Sender &sender, const QCborMap &args, bool canonical = true)
    {
        SendEvent e;
        e.signalName = signal;
        e.sender = sender;
        e.args = args;
        e.depth = m_depth;
        e.id = ++m_id;
        e.canonical = canonical;
        m_rec.sendBegin(e);
        return e;
    }
    void end(const SendEvent &e, const DjangoError *escaped = nullptr) { m_rec.sendEnd(e, escaped); }
    void signal(const QString &name, const QString &model, const QCborMap &args)
    {
        end(begin(name, Sender::model(model), args));
    }
    // Runs `body` inside receiver `label` of `send`.
    void receiver(const SendEvent &send, const QString &label, const std::function<void()> &body,
                  const DjangoError *error = nullptr)
    {
        ReceiverEvent r;
        r.label = label;
        r.index = m_receiverIndex++;
        m_rec.receiverBegin(send, r);
        ++m_depth;
        if (body)
            body();
        --m_depth;
        m_rec.receiverEnd(send, r, error);
    }
    int depth() const { return m_depth; }

    // Model(**kwargs) then save(): pre_init, post_init, pre_save, post_save.
    void create(const QString &model, const QCborMap &kwargs, qint64 pk,
                const std::function<void(const SendEvent &postSave)> &receivers = nullptr)
    {
        QCborMap preInit;
        preInit.insert(QStringLiteral("args"), QCborArray());
        preInit.insert(QStringLiteral("kwargs"), kwargs);
        signal(QStringLiteral("pre_init"), model, preInit);
        QCborMap postInit;
        postInit.insert(QStringLiteral("instance"), instanceArg(model, QCborValue(nullptr)));
        signal(QStringLiteral("post_init"), model, postInit);
        QCborMap preSave;
        preSave.insert(QStringLiteral("instance"), instanceArg(model, QCborValue(nullptr)));
        preSave.insert(QStringLiteral("raw"), false);
        preSave.insert(QStringLiteral("using"), QStringLiteral("default"));
        preSave.insert(QStringLiteral("update_fields"), QCborValue(nullptr));
        signal(QStringLiteral("pre_save"), model, preSave);
        QCborMap postSave;
        postSave.insert(QStringLiteral("instance"), instanceArg(model, pk));
        postSave.insert(QStringLiteral("created"), true);
        postSave.insert(QStringLiteral("raw"), false);
        postSave.insert(QStringLiteral("using"), QStringLiteral("default"));
        postSave.insert(QStringLiteral("update_fields"), QCborValue(nullptr));
        const SendEvent post = begin(QStringLiteral("post_save"), Sender::model(model), postSave);
        if (receivers)
            receivers(post);
        end(post);
    }

private:
    TraceRecorder &m_rec;
    quint64 m_id = 0;
    int m_depth = 0;
    int m_receiverIndex = 0;
};

// Step 0 of signup_billing_profile: User.objects.create(username='ann'), whose
// post_save receiver creates the BillingProfile.
void recordSignup(TraceRecorder &rec)
{
    Feed feed(rec);
    rec.stepBegin(0, QStringLiteral("User.objects.create(username='ann')"));
    QCborMap kwargs;
    kwargs.insert(QStringLiteral("username"), QStringLiteral("ann"));
    feed.create(QStringLiteral("User"), kwargs, 1, [&](const SendEvent &post) {
        feed.receiver(post, QStringLiteral("create_billing_profile"), [&] {
            QCborMap profile;
            profile.insert(QStringLiteral("user"), instanceArg(QStringLiteral("User"), 1));
            feed.create(QStringLiteral("BillingProfile"), profile, 1);
        });
    });
    rec.stepEnd(0, nullptr);
}

const char signupGolden[] =
    R"({"args":[],"depth":0,"kwargs":{"username":"ann"},"sender":"User","seq":1,"signal":"pre_init","step":0})" "\n"
    R"({"depth":0,"instance":{"model":"User","pk":null},"sender":"User","seq":2,"signal":"post_init","step":0})" "\n"
    R"({"depth":0,"instance":{"model":"User","pk":null},"raw":false,"sender":"User","seq":3,"signal":"pre_save","step":0,"update_fields":null,"using":"default"})" "\n"
    R"({"created":true,"depth":0,"instance":{"model":"User","pk":1},"raw":false,"sender":"User","seq":4,"signal":"post_save","step":0,"update_fields":null,"using":"default"})" "\n"
    R"({"args":[],"depth":1,"kwargs":{"user":{"model":"User","pk":1}},"sender":"BillingProfile","seq":5,"signal":"pre_init","step":0})" "\n"
    R"({"depth":1,"instance":{"model":"BillingProfile","pk":null},"sender":"BillingProfile","seq":6,"signal":"post_init","step":0})" "\n"
    R"({"depth":1,"instance":{"model":"BillingProfile","pk":null},"raw":false,"sender":"BillingProfile","seq":7,"signal":"pre_save","step":0,"update_fields":null,"using":"default"})" "\n"
    R"({"created":true,"depth":1,"instance":{"model":"BillingProfile","pk":1},"raw":false,"sender":"BillingProfile","seq":8,"signal":"post_save","step":0,"update_fields":null,"using":"default"})" "\n";

QByteArray exportCanonical(const TraceRecorder &rec, std::optional<EventRange> range = {})
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!writeCanonicalJsonl(rec, buffer, range))
        qWarning("canonical export failed");
    return bytes;
}

// The slow, obvious encoding: one QCborMap per line through value.cpp.
QByteArray exportCanonicalSlowly(const TraceRecorder &rec)
{
    QByteArray out;
    qint64 seq = 0;
    for (int i = 0; i < rec.count(); ++i) {
        if (const auto line = canonicalLine(rec, i, seq + 1)) {
            ++seq;
            appendCanonicalJson(out, *line);
            out.append('\n');
        }
    }
    return out;
}

// RFC 4180 parser for the round trip.
QVector<QStringList> parseCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QVector<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    field.append(c);
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field.append(c);
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row.append(field);
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n')) {
            row.append(field);
            field.clear();
            rows.append(row);
            row.clear();
            ++i;
        } else {
            field.append(c);
        }
    }
    return rows;
}

QString sharedConformance(const QString &relative)
{
    return QStringLiteral("/work/shared/conformance/") + relative;
}

} // namespace

class TestTraceExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goldenSignup();
    void goldenMatchesDjangoTrace();
    void onlyCanonicalLines();
    void effectAndErrorLines();
    void rangeRenumbersSeq();
    void subtreesOfASelection();
    void fastWriterMatchesSlowEncoding();
    void readBackDjangoTraces();
    void readKeepsFloatsAndText();
    void readErrors_data();
    void readErrors();
    void csvRoundTrip();
    void chromeTraceNests();
    void atomicWriteLeavesNoPartialFile();
    void formatNames();
    void benchmarkMillionEvents();
};

void TestTraceExport::goldenSignup()
{
    TraceRecorder rec;
    recordSignup(rec);
    QCOMPARE(rec.count(), 10);          // the step, 4 User sends, the receiver, 4 BillingProfile sends
    QCOMPARE(exportCanonical(rec), QByteArray(signupGolden));
}

void TestTraceExport::goldenMatchesDjangoTrace()
{
    QFile file(sharedConformance(QStringLiteral("expected/signup_billing_profile.trace.jsonl")));
    if (!file.open(QIODevice::ReadOnly))
        QSKIP("conformance traces not available");
    QByteArray first8;
    for (int i = 0; i < 8; ++i)
        first8 += file.readLine();
    TraceRecorder rec;
    recordSignup(rec);
    QCOMPARE(exportCanonical(rec), first8);
}

void TestTraceExport::onlyCanonicalLines()
{
    TraceRecorder rec;
    Feed feed(rec);
    rec.stepBegin(0, QStringLiteral("migrate"));
    feed.end(feed.begin(QStringLiteral("connection_created"), Sender::none(), QCborMap(), false));
    QCborMap migrate;
    migrate.insert(QStringLiteral("app_label"), QStringLiteral("shop"));
    migrate.insert(QStringLiteral("using"), QStringLiteral("default"));
    const SendEvent pre = feed.begin(QStringLiteral("pre_migrate"), Sender::app(QStringLiteral("shop")), migrate);
    feed.receiver(pre, QStringLiteral("seed"), nullptr);
    feed.end(pre);
    rec.recursionStopped(pre);          // a refused send: no line
    feed.end(feed.begin(QStringLiteral("custom_ping"), Sender::none(), QCborMap()));
    rec.stepEnd(0, nullptr);

    QCOMPARE(exportCanonical(rec),
             QByteArray(R"({"app_label":"shop","depth":0,"sender":"shop","seq":1,"signal":"pre_migrate","step":0,"using":"default"})" "\n"
                        R"({"depth":0,"sender":null,"seq":2,"signal":"custom_ping","step":0})" "\n"));
}

void TestTraceExport::effectAndErrorLines()
{
    TraceRecorder rec;
    Feed feed(rec);
    rec.stepBegin(2, QString());
    SendEvent s = feed.begin(QStringLiteral("post_save"), Sender::model(QStringLiteral("Comment")), QCborMap());
    feed.receiver(s, QStringLiteral("notify_author"), [&] {
        rec.effect(1, QStringLiteral("notify"), QStringLiteral("email the author of post 1: \"new\" comment 1 — é"));
    });
    const DjangoError boom(QStringLiteral("ReceiverError"), QStringLiteral("boom 1"));
    feed.receiver(s, QStringLiteral("explode"), nullptr, &boom);
    rec.errorLine(1, boom);
    feed.end(s);
    const DjangoError failure(QStringLiteral("IntegrityError"), QStringLiteral("UNIQUE constraint failed: accounts_user.username"));
    rec.stepEnd(2, &failure);
    rec.errorLine(0, failure);

    // Non-ASCII text is escaped (or not) exactly as value.cpp's canonical JSON does.
    const QByteArray text = canonicalJson(QCborValue(QStringLiteral("email the author of post 1: \"new\" comment 1 — é")));
    QCOMPARE(exportCanonical(rec),
             QByteArray(R"({"depth":0,"sender":"Comment","seq":1,"signal":"post_save","step":2})" "\n"
                        R"({"depth":1,"effect":"notify","seq":2,"step":2,"text":)" + text + "}\n"
                        R"({"depth":1,"error":"ReceiverError","message":"boom 1","seq":3,"step":2})" "\n"
                        R"({"depth":0,"error":"IntegrityError","message":"UNIQUE constraint failed: accounts_user.username","seq":4,"step":2})" "\n"));
    QCOMPARE(exportCanonical(rec), exportCanonicalSlowly(rec));
}

void TestTraceExport::rangeRenumbersSeq()
{
    TraceRecorder rec;
    recordSignup(rec);
    // Events 5.. are the receiver and what it caused: the BillingProfile lines.
    const QByteArray part = exportCanonical(rec, EventRange{5, rec.count()});
    const QList<QByteArray> lines = part.split('\n');
    QCOMPARE(lines.size(), 5);          // 4 lines and the empty tail
    QVERIFY(lines[0].contains("\"seq\":1,"));
    QVERIFY(lines[0].contains("\"signal\":\"pre_init\""));
    QVERIFY(lines[3].contains("\"seq\":4,"));
    QCOMPARE(exportCanonical(rec, EventRange{3, 3}), QByteArray());
    QCOMPARE(exportCanonical(rec, EventRange{-5, 1000}), QByteArray(signupGolden));
}

void TestTraceExport::subtreesOfASelection()
{
    TraceRecorder rec;
    recordSignup(rec);
    recordSignup(rec);          // a second action after the first
    const int firstEnd = rec.subtreeEnd(0);
    QVERIFY(firstEnd > 5 && firstEnd < rec.count());
    // The action: itself and everything under it, not the next action.
    std::optional<EventRange> r = subtreesRange(rec, {0});
    QVERIFY(r);
    QCOMPARE(r->begin, 0);
    QCOMPARE(r->end, firstEnd);
    // The post_save (event 4): its receiver and the profile's signals come along.
    QCOMPARE(rec.event(4).signal, QStringLiteral("post_save"));
    r = subtreesRange(rec, {4});
    QCOMPARE(r->begin, 4);
    QCOMPARE(r->end, firstEnd);
    QCOMPARE(exportCanonical(rec, r).count('\n'), 5);     // post_save + the profile's four
    // A leaf is itself alone; several events span from the first to the last subtree's end.
    r = subtreesRange(rec, {2});
    QCOMPARE(r->begin, 2);
    QCOMPARE(r->end, 3);
    r = subtreesRange(rec, {firstEnd, 2});
    QCOMPARE(r->begin, 2);
    QCOMPARE(r->end, rec.count());
    // Nothing (or nothing that exists) selected: no range.
    QVERIFY(!subtreesRange(rec, {}));
    QVERIFY(!subtreesRange(rec, {-1, rec.count()}));
}

void TestTraceExport::fastWriterMatchesSlowEncoding()
{
    // Random arguments of every shape through both encodings.
    QRandomGenerator random(42);
    const std::function<QCborValue(int)> randomValue = [&](int level) -> QCborValue {
        switch (random.bounded(level > 2 ? 7 : 9)) {
        case 0: return QCborValue(nullptr);
        case 1: return QCborValue(random.bounded(2) == 1);
        case 2: return QCborValue(qint64(random.generate64()) >> random.bounded(64));
        case 3: return QCborValue(random.bounded(1000.0) - 500.0);
        case 4: return QCborValue(double(random.bounded(100)));
        case 5: {
            static const QString samples[] = {QStringLiteral("ann"), QStringLiteral("default"), QStringLiteral("post_add"),
                                              QStringLiteral("é\"\\\n"), QStringLiteral("😀"), QString()};
            return QCborValue(samples[random.bounded(6)]);
        }
        case 6: return QCborValue(instanceArg(QStringLiteral("User"), random.bounded(2) ? QCborValue(random.bounded(100)) : QCborValue(nullptr)));
        case 7: {
            QCborArray array;
            for (int n = random.bounded(4); n > 0; --n)
                array.append(randomValue(level + 1));
            return array;
        }
        default: {
            QCborMap map;
            static const QString keys[] = {QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("seq"),
                                           QStringLiteral("user_id"), QStringLiteral("Z"), QStringLiteral("é")};
            for (int n = random.bounded(4); n > 0; --n)
                map.insert(keys[random.bounded(6)], randomValue(level + 1));
            return map;
        }
        }
    };
    TraceRecorder rec;
    Feed feed(rec);
    static const QString argNames[] = {QStringLiteral("instance"), QStringLiteral("action"), QStringLiteral("pk_set"),
                                       QStringLiteral("zzz"), QStringLiteral("args"), QStringLiteral("kwargs"),
                                       QStringLiteral("signal"), QStringLiteral("depth_x")};
    for (int i = 0; i < 2000; ++i) {
        rec.stepBegin(i / 100, QString());
        QCborMap args;
        for (int n = random.bounded(6); n > 0; --n)
            args.insert(argNames[random.bounded(8)], randomValue(0));
        const Sender sender = random.bounded(3) == 0 ? Sender::none() : Sender::model(QStringLiteral("M%1").arg(random.bounded(3)));
        feed.end(feed.begin(QStringLiteral("sig_%1").arg(random.bounded(4)), sender, args));
        if (i % 7 == 0)
            rec.effect(0, QStringLiteral("notify"), QStringLiteral("n%1 ü").arg(i));
        rec.stepEnd(i / 100, nullptr);
    }
    const QByteArray fast = exportCanonical(rec);
    QCOMPARE(fast, exportCanonicalSlowly(rec));
    // And every line reads back as the map it came from.
    const CanonicalTrace back = readCanonicalJsonl(fast);
    QVERIFY2(back.ok(), qPrintable(back.error));
    qint64 seq = 0;
    for (int i = 0; i < rec.count(); ++i) {
        if (const auto line = canonicalLine(rec, i, seq + 1)) {
            QVERIFY(jsonEquals(back.lines.at(seq), *line));
            ++seq;
        }
    }
    QCOMPARE(qint64(back.lines.size()), seq);
}

void TestTraceExport::readBackDjangoTraces()
{
    // Django's traces read back and written again are the same bytes: the
    // reader and the canonical encoding agree with Python's json.dumps.
    QDir dir(sharedConformance(QStringLiteral("expected")));
    const QStringList files = dir.entryList({QStringLiteral("*.trace.jsonl")}, QDir::Files);
    if (files.isEmpty())
        QSKIP("conformance traces not available");
    for (const QString &name : files) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const CanonicalTrace trace = readCanonicalJsonl(bytes);
        QVERIFY2(trace.ok(), qPrintable(name + QStringLiteral(": ") + trace.error));
        QByteArray again;
        for (const QCborMap &line : trace.lines) {
            appendCanonicalJson(again, line);
            again.append('\n');
        }
        QCOMPARE(again, bytes);
        // Streamed a line at a time, the same lines.
        QVERIFY(file.seek(0));
        QVector<QCborMap> streamed;
        QVERIFY(readCanonicalJsonl(file, [&streamed](const QCborMap &line) { streamed.append(line); return true; }).ok());
        QCOMPARE(streamed, trace.lines);
        // Stopped after the first line: the line after it is named, no error.
        if (trace.lines.size() > 1) {
            QVERIFY(file.seek(0));
            int read = 0;
            const CanonicalTrace stopped = readCanonicalJsonl(file, [&read](const QCborMap &) { return ++read < 1; });
            QVERIFY(stopped.ok());
            QCOMPARE(read, 1);
            QCOMPARE(stopped.stoppedAt, 2);
        }
    }
}

void TestTraceExport::readKeepsFloatsAndText()
{
    const QByteArray floats = R"({"args":[7.0,7,2.5,1e+16,-0.0],"depth":0,"kwargs":{},"sender":"M","seq":1,"signal":"pre_init","step":0})";
    const QByteArray text = R"({"depth":1,"effect":"notify","seq":2,"step":0,"text":"caf\u00e9 \ud83d\ude00 \"q\" Zoë"})";
    const CanonicalTrace trace = readCanonicalJsonl(floats + '\n' + text + '\n');
    QVERIFY2(trace.ok(), qPrintable(trace.error));
    QCOMPARE(trace.lines.size(), 2);
    const QCborArray args = trace.lines.first().value(QStringLiteral("args")).toArray();
    QVERIFY(args.at(0).isDouble());     // Python's 7.0 stays a float
    QVERIFY(args.at(1).isInteger());
    QVERIFY(args.at(3).isDouble());
    QCOMPARE(canonicalJson(trace.lines.first()), floats);
    // Escaped or raw UTF-8, the text is the same.
    QCOMPARE(trace.lines.at(1).value(QStringLiteral("text")).toString(), QStringLiteral("café 😀 \"q\" Zoë"));
}

void TestTraceExport::readErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("contains");
    const QByteArray good = R"({"depth":0,"effect":"notify","seq":1,"step":0,"text":"x"})" "\n";
    QTest::newRow("bad json") << (good + "{\"seq\":2,\n") << 2 << QStringLiteral("line 2:");
    QTest::newRow("not object") << (good + good + "[1,2]\n") << 3 << QStringLiteral("not a JSON object");
    QTest::newRow("missing seq") << QByteArray(R"({"depth":0,"step":0,"signal":"x","sender":null})") << 1 << QStringLiteral("\"seq\"");
    QTest::newRow("float depth") << QByteArray(R"({"depth":0.0,"seq":1,"step":0,"signal":"x"})") << 1 << QStringLiteral("\"depth\"");
    QTest::newRow("no kind") << QByteArray(R"({"depth":0,"seq":1,"step":0})") << 1 << QStringLiteral("exactly one");
    QTest::newRow("empty line") << (good + "\n" + good) << 2 << QStringLiteral("empty line");
}

void TestTraceExport::readErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, line);
    QFETCH(QString, contains);
    const CanonicalTrace trace = readCanonicalJsonl(bytes);
    QVERIFY(!trace.ok());
    QCOMPARE(trace.errorLine, line);
    QVERIFY2(trace.error.startsWith(QStringLiteral("line %1: ").arg(line)), qPrintable(trace.error));
    QVERIFY2(trace.error.contains(contains), qPrintable(trace.error));
    QCOMPARE(trace.lines.size(), line - 1);

    // Read a line at a time from a device: the same lines handed over, the
    // same error at the same line.
    QBuffer device(&bytes);
    QVERIFY(device.open(QIODevice::ReadOnly));
    int handed = 0;
    const CanonicalTrace streamed = readCanonicalJsonl(device, [&handed](const QCborMap &) { ++handed; return true; });
    QCOMPARE(streamed.error, trace.error);
    QCOMPARE(streamed.errorLine, line);
    QCOMPARE(handed, line - 1);
    QVERIFY(streamed.lines.isEmpty());

    // A file without a final newline is fine.
    QVERIFY(readCanonicalJsonl(QByteArray(R"({"depth":0,"seq":1,"step":0,"signal":"x","sender":null})")).ok());
    QVERIFY(readCanonicalJsonl(QByteArray()).ok());
}

void TestTraceExport::csvRoundTrip()
{
    TraceRecorder rec;
    recordSignup(rec);
    Feed feed(rec);
    rec.stepBegin(1, QStringLiteral("Comment.objects.create(text='a, \"b\"\nc')"));
    const SendEvent s = feed.begin(QStringLiteral("post_save"), Sender::model(QStringLiteral("Comment")), QCborMap());
    feed.receiver(s, QStringLiteral("notify"), [&] { rec.effect(1, QStringLiteral("notify"), QStringLiteral("hi, \"you\"\r\nthere")); });
    feed.end(s);
    rec.stepEnd(1, nullptr);

    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QVERIFY(writeCsv(rec, buffer));
    const QVector<QStringList> rows = parseCsv(bytes);
    QCOMPARE(rows.size(), rec.count() + 1);
    const QStringList header = rows.first();
    QCOMPARE(header.mid(0, 5), (QStringList{QStringLiteral("seq"), QStringLiteral("parent"), QStringLiteral("step"),
                                            QStringLiteral("depth"), QStringLiteral("kind")}));
    for (const QStringList &row : rows)
        QCOMPARE(row.size(), header.size());
    const auto column = [&](const QString &name) { return int(header.indexOf(name)); };

    // Row 5 (event 4) is the post_save of User:1 with its receiver.
    const QStringList post = rows.at(5);
    QCOMPARE(post.at(column(QStringLiteral("seq"))), QStringLiteral("5"));
    QCOMPARE(post.at(column(QStringLiteral("parent"))), QStringLiteral("1"));
    QCOMPARE(post.at(column(QStringLiteral("kind"))), QStringLiteral("send"));
    QCOMPARE(post.at(column(QStringLiteral("signal"))), QStringLiteral("post_save"));
    QCOMPARE(post.at(column(QStringLiteral("sender"))), QStringLiteral("User"));
    QCOMPARE(post.at(column(QStringLiteral("instance"))), QStringLiteral("User:1"));
    QCOMPARE(post.at(column(QStringLiteral("args"))),
             QStringLiteral(R"({"created":true,"raw":false,"update_fields":null,"using":"default"})"));
    QCOMPARE(post.at(column(QStringLiteral("receivers"))), QStringLiteral("create_billing_profile=ok"));
    QCOMPARE(post.at(column(QStringLiteral("status"))), QStringLiteral("ok"));
    bool ok = false;
    QVERIFY(post.at(column(QStringLiteral("start_us"))).toDouble(&ok) >= 0 && ok);
    QVERIFY(post.at(column(QStringLiteral("duration_us"))).toDouble(&ok) >= 0 && ok);

    // Quoting: commas, quotes and line breaks survive.
    const QStringList step = rows.at(11);
    QCOMPARE(step.at(column(QStringLiteral("kind"))), QStringLiteral("step"));
    QCOMPARE(step.at(column(QStringLiteral("text"))), QStringLiteral("Comment.objects.create(text='a, \"b\"\nc')"));
    const QStringList effect = rows.last();
    QCOMPARE(effect.at(column(QStringLiteral("kind"))), QStringLiteral("effect"));
    QCOMPARE(effect.at(column(QStringLiteral("label"))), QStringLiteral("notify"));
    QCOMPARE(effect.at(column(QStringLiteral("text"))), QStringLiteral("hi, \"you\"\r\nthere"));
}

void TestTraceExport::chromeTraceNests()
{
    TraceRecorder rec;
    recordSignup(rec);
    Feed feed(rec);
    rec.stepBegin(1, QStringLiteral("c.save()"));
    QCborMap args;
    args.insert(QStringLiteral("instance"), instanceArg(QStringLiteral("Counter"), 1));
    SendEvent s = feed.begin(QStringLiteral("post_save"), Sender::model(QStringLiteral("Counter")), args);
    feed.receiver(s, QStringLiteral("resave"), [&] {
        rec.effect(1, QStringLiteral("notify"), QStringLiteral("saving"));
        feed.begin(QStringLiteral("pre_save"), Sender::model(QStringLiteral("Counter")), args);   // never ends
    });
    feed.end(s);
    const DjangoError failure(QStringLiteral("RecursionError"), QStringLiteral("maximum recursion depth exceeded"));
    rec.stepEnd(1, &failure);
    rec.errorLine(0, failure);

    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QVERIFY(writeChromeTrace(rec, buffer));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QVERIFY(doc.isObject());
    QCOMPARE(doc.object().value(QStringLiteral("displayTimeUnit")).toString(), QStringLiteral("ms"));
    const QJsonArray events = doc.object().value(QStringLiteral("traceEvents")).toArray();

    struct Slice { double ts, end; QString name; };
    QVector<Slice> slices;
    int metadata = 0, instants = 0, flowStarts = 0, flowEnds = 0;
    QSet<int> startIds, endIds;
    for (const QJsonValue &v : events) {
        const QJsonObject e = v.toObject();
        const QString ph = e.value(QStringLiteral("ph")).toString();
        QCOMPARE(e.value(QStringLiteral("pid")).toInt(), 1);
        QCOMPARE(e.value(QStringLiteral("tid")).toInt(), 1);
        if (ph == QLatin1String("M")) {
            ++metadata;
        } else if (ph == QLatin1String("X")) {
            const double ts = e.value(QStringLiteral("ts")).toDouble();
            const double dur = e.value(QStringLiteral("dur")).toDouble();
            QVERIFY(dur >= 0);
            QVERIFY(e.value(QStringLiteral("args")).isObject());
            slices.append({ts, ts + dur, e.value(QStringLiteral("name")).toString()});
        } else if (ph == QLatin1String("i")) {
            ++instants;
        } else if (ph == QLatin1String("s")) {
            ++flowStarts;
            startIds.insert(e.value(QStringLiteral("id")).toInt());
        } else if (ph == QLatin1String("f")) {
            ++flowEnds;
            QCOMPARE(e.value(QStringLiteral("bp")).toString(), QStringLiteral("e"));
            endIds.insert(e.value(QStringLiteral("id")).toInt());
        } else {
            QFAIL(qPrintable(QStringLiteral("unexpected phase ") + ph));
        }
    }
    QCOMPARE(metadata, 2);
    QCOMPARE(instants, 2);              // the notify effect and the step's error line
    // Sends caused by a receiver: the 4 BillingProfile signals and the dangling pre_save.
    QCOMPARE(flowStarts, 5);
    QCOMPARE(flowEnds, 5);
    QCOMPARE(startIds, endIds);
    // step 0, 8 sends, 1 receiver; step 1, post_save, receiver, pre_save
    QCOMPARE(slices.size(), 14);
    QVERIFY(slices.at(11).name.startsWith(QStringLiteral("post_save(Counter:1)")));
    // Any two slices on the thread are disjoint or nested: never overlapping.
    for (int i = 0; i < slices.size(); ++i) {
        for (int j = i + 1; j < slices.size(); ++j) {
            const Slice &a = slices.at(i), &b = slices.at(j);
            const bool disjoint = a.end <= b.ts || b.end <= a.ts;
            const bool nested = (a.ts <= b.ts && b.end <= a.end) || (b.ts <= a.ts && a.end <= b.end);
            QVERIFY2(disjoint || nested, qPrintable(a.name + QStringLiteral(" overlaps ") + b.name));
        }
    }
    // The never-ended pre_save is clamped into its receiver.
    QVERIFY(slices.at(13).end <= slices.at(12).end);
}

void TestTraceExport::atomicWriteLeavesNoPartialFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("out.trace.jsonl"));

    // A failing export leaves nothing under the final name, and no temporary file.
    QString error;
    QVERIFY(!writeAtomically(path, [](QIODevice &device) {
        device.write("{\"depth\":0,\"seq\":1,");
        return false;
    }, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!QFile::exists(path));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());

    // A good one writes it; a later failing one leaves the previous file intact.
    TraceRecorder rec;
    recordSignup(rec);
    QVERIFY(writeAtomically(path, [&](QIODevice &device) { return writeCanonicalJsonl(rec, device); }, &error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray(signupGolden));
    file.close();
    QVERIFY(!writeAtomically(path, [](QIODevice &device) {
        device.write("partial");
        return false;
    }));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray(signupGolden));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("out.trace.jsonl")});

    // An unwritable place reports an error.
    QVERIFY(!writeAtomically(dir.filePath(QStringLiteral("missing/dir/out.csv")), [](QIODevice &) { return true; }, &error));
    QVERIFY(!error.isEmpty());
}

void TestTraceExport::formatNames()
{
    QCOMPARE(formatFromName(QStringLiteral("jsonl")), std::optional<TraceFormat>(TraceFormat::CanonicalJsonl));
    QCOMPARE(formatFromName(QStringLiteral("CSV")), std::optional<TraceFormat>(TraceFormat::Csv));
    QCOMPARE(formatFromName(QStringLiteral("chrome")), std::optional<TraceFormat>(TraceFormat::ChromeTrace));
    QCOMPARE(formatFromName(QStringLiteral("perfetto")), std::optional<TraceFormat>(TraceFormat::ChromeTrace));
    QVERIFY(!formatFromName(QStringLiteral("xml")));
    for (TraceFormat f : {TraceFormat::CanonicalJsonl, TraceFormat::Csv, TraceFormat::ChromeTrace})
        QCOMPARE(formatFromName(formatName(f)), std::optional<TraceFormat>(f));
    QCOMPARE(formatSuffix(TraceFormat::CanonicalJsonl), QStringLiteral(".trace.jsonl"));
}

void TestTraceExport::benchmarkMillionEvents()
{
    // A measurement, not a pass/fail timing: run with SIGNALSCOPE_BENCH=1.
    if (!qEnvironmentVariableIsSet("SIGNALSCOPE_BENCH"))
        QSKIP("set SIGNALSCOPE_BENCH=1 to measure the 1M-event export");
    TraceRecorder rec;
    Feed feed(rec);
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 250000; ++i) {
        QCborMap kwargs;
        kwargs.insert(QStringLiteral("username"), QStringLiteral("user%1").arg(i));
        feed.create(QStringLiteral("User"), kwargs, i + 1);
    }
    const qint64 recordMs = clock.elapsed();
    QCOMPARE(rec.count(), 1000000);

    // Into a discarding device: the exporter's own cost.
    QFile null(QStringLiteral("/dev/null"));
    QVERIFY(null.open(QIODevice::WriteOnly));
    clock.restart();
    QVERIFY(writeCanonicalJsonl(rec, null));
    const qint64 nullMs = clock.elapsed();

    // Into a file, atomically, as the GUI does.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("million.trace.jsonl"));
    clock.restart();
    QVERIFY(writeAtomically(path, [&](QIODevice &device) { return writeCanonicalJsonl(rec, device); }));
    const qint64 fileMs = clock.elapsed();
    qInfo("1M events: record %lld ms; canonical export %lld ms to /dev/null, %lld ms to a file (%.1f MB); %.1f bytes/event",
          recordMs, nullMs, fileMs, QFileInfo(path).size() / 1e6, double(rec.memoryBytes()) / rec.count());
}

QTEST_APPLESS_MAIN(TestTraceExport)
#include "tst_traceexport.moc"
