// The wire format read back: projection to the canonical trace, nesting
// rebuilt from ids (threads interleaved), steps per command and request, and
// every kind of bad input (cut-off line, not JSON, unknown version, no hello,
// a process that died mid-send, several processes) giving a message that
// names it while keeping what arrived.

#include "trace/traceexport.h"
#include "trace/tracerecorder.h"
#include "trace/wireimport.h"

#include <QBuffer>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;

namespace {

QByteArray hello(int pid = 42, int version = 1)
{
    return QStringLiteral(R"({"e":"hello","format":"signalscope-wire","version":%1,"django":"3.2.25","python":"3.11.2",)"
                          R"("pid":%2,"ppid":1,"argv":["manage.py","test"],"cwd":"/proj"})")
               .arg(version)
               .arg(pid)
               .toUtf8()
           + '\n';
}

// A small run: post_save(Order) -> count_order -> order_placed (custom) with
// no receivers left, and a pre_init without receivers.
QByteArray run()
{
    return hello()
           + R"({"e":"receiver","rid":1,"name":"shop.signals.count_order","file":"/proj/shop/signals.py","line":9})" "\n"
             R"({"e":"connect","t":1,"signal":"django.db.models.signals.post_save","rid":1,"sender":{"$model":"shop.Order"},"weak":true,"uid":null,"added":true})" "\n"
             R"({"e":"send","id":2,"t":10,"signal":"django.db.models.signals.pre_init","sender":{"$model":"shop.Order"},"args":{"args":[],"kwargs":{"customer":{"$instance":"shop.Customer","pk":1},"total":7.0}},"depth":0,"parent":null,"nr":true})" "\n"
             R"({"e":"send","id":3,"t":20,"signal":"django.db.models.signals.post_save","sender":{"$model":"shop.Order"},"args":{"instance":{"$instance":"shop.Order","pk":5},"created":true,"update_fields":{"$set":["total","customer"]},"raw":false,"using":"default"},"depth":0,"parent":null})" "\n"
             R"({"e":"call","id":4,"send":3,"rid":1,"i":0,"t":21})" "\n"
             R"({"e":"send","id":5,"t":22,"signal":"shop.signals.order_placed","sender":{"$model":"shop.Order"},"args":{"instance":{"$instance":"shop.Order","pk":5},"note":"x"},"depth":1,"parent":4,"nr":true})" "\n"
             R"({"e":"send","id":6,"t":23,"signal":"django.db.backends.signals.connection_created","sender":{"$class":"django.db.backends.sqlite3.base.DatabaseWrapper"},"args":{"connection":{"$repr":"<conn>"}},"depth":1,"parent":4,"nr":true})" "\n"
             R"({"e":"return","id":4,"t":30,"dur":9})" "\n"
             R"({"e":"end","id":3,"t":31,"dur":11})" "\n";
}

QByteArray bye()
{
    return R"({"e":"bye","t":99})" "\n";
}

QStringList canonical(const TraceRecorder &recorder)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    writeCanonicalJsonl(recorder, buffer);
    const QString text = QString::fromUtf8(buffer.data());
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestWireImport : public QObject
{
    Q_OBJECT

private slots:
    void projectsToTheCanonicalTrace()
    {
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(run() + bye());
        wire.endStream();
        QVERIFY2(wire.problems().isEmpty(), qPrintable(wire.problems().join(QLatin1Char('\n'))));
        const QStringList lines = canonical(recorder);
        QCOMPARE(lines.size(), 3);     // connection_created is not canonical
        QCOMPARE(lines.at(0), QStringLiteral(
            R"({"args":[],"depth":0,"kwargs":{"customer":{"model":"Customer","pk":1},"total":7.0},"sender":"Order","seq":1,"signal":"pre_init","step":0})"));
        QCOMPARE(lines.at(1), QStringLiteral(
            R"({"created":true,"depth":0,"instance":{"model":"Order","pk":5},"raw":false,"sender":"Order","seq":2,"signal":"post_save","step":0,"update_fields":["customer","total"],"using":"default"})"));
        // A custom signal keeps `instance` only; nested under the receiver: depth 1.
        QCOMPARE(lines.at(2), QStringLiteral(
            R"({"depth":1,"instance":{"model":"Order","pk":5},"sender":"Order","seq":3,"signal":"order_placed","step":0})"));
    }

    void receiversAndTimesComeFromTheProcess()
    {
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(run() + bye());
        wire.endStream();
        int receiver = -1;
        for (int i = 0; i < recorder.count(); ++i)
            if (recorder.kindOf(i) == TraceEventKind::Receiver)
                receiver = i;
        QVERIFY(receiver >= 0);
        const TraceEvent e = recorder.event(receiver);
        QCOMPARE(e.label, QStringLiteral("shop.signals.count_order (shop/signals.py:9)"));
        QCOMPARE(e.startNs, qint64(21));
        QCOMPARE(e.durationNs, qint64(9));
        QVERIFY(!e.open);
        QCOMPARE(wire.connections().size(), 1);
        QCOMPARE(wire.connections().first().receiver.line, 9);
        QCOMPARE(wire.connections().first().sender.toString(), QStringLiteral("Order"));
        QCOMPARE(wire.processes().first().pid, qint64(42));
        QVERIFY(wire.processes().first().ended);
    }

    void anyChunkingGivesTheSameTrace()
    {
        const QByteArray bytes = run() + bye();
        TraceRecorder whole;
        {
            WireImport wire(&whole);
            wire.feed(bytes);
            wire.endStream();
        }
        TraceRecorder bytewise;
        WireImport wire(&bytewise);
        for (char c : bytes)
            wire.feed(QByteArray(1, c));
        wire.endStream();
        QVERIFY(wire.problems().isEmpty());
        QCOMPARE(canonical(bytewise), canonical(whole));
    }

    void threadsInterleavedAreNestedByIds()
    {
        // Two threads: send 10 (thread A) begins, send 20 (thread B) begins and
        // ends, then A's receiver makes a nested send.
        const QByteArray bytes = hello()
            + R"({"e":"send","id":10,"t":1,"signal":"django.db.models.signals.post_save","sender":{"$model":"a.A"},"args":{"instance":{"$instance":"a.A","pk":1},"created":true,"update_fields":null,"raw":false,"using":"default"},"depth":0,"parent":null})" "\n"
              R"({"e":"call","id":11,"send":10,"rid":1,"i":0,"t":2})" "\n"
              R"({"e":"send","id":20,"t":3,"signal":"django.db.models.signals.post_delete","sender":{"$model":"a.B"},"args":{"instance":{"$instance":"a.B","pk":2},"using":"default"},"depth":0,"parent":null,"nr":true})" "\n"
              R"({"e":"send","id":12,"t":4,"signal":"django.db.models.signals.pre_delete","sender":{"$model":"a.A"},"args":{"instance":{"$instance":"a.A","pk":1},"using":"default"},"depth":1,"parent":11,"nr":true})" "\n"
              R"({"e":"return","id":11,"t":5})" "\n"
              R"({"e":"end","id":10,"t":6})" "\n" + bye();
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(bytes);
        wire.endStream();
        const QStringList lines = canonical(recorder);
        QCOMPARE(lines.size(), 3);
        // B's send ended first: it comes first; A's tree follows, nested.
        QVERIFY(lines.at(0).contains(QLatin1String("\"signal\":\"post_delete\"")));
        QVERIFY(lines.at(1).contains(QLatin1String("\"signal\":\"post_save\"")));
        QVERIFY(lines.at(2).contains(QLatin1String("\"depth\":1")));
    }

    void robustReceiverErrorIsAnErrorLine()
    {
        const QByteArray bytes = hello()
            + R"({"e":"send","id":1,"t":1,"signal":"shop.signals.ping","sender":null,"args":{},"depth":0,"parent":null,"robust":true})" "\n"
              R"({"e":"call","id":2,"send":1,"rid":7,"i":0,"t":2})" "\n"
              R"({"e":"raise","id":2,"t":3,"exc":"ValueError","message":"boom"})" "\n"
              R"({"e":"end","id":1,"t":4})" "\n" + bye();
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(bytes);
        wire.endStream();
        const QStringList lines = canonical(recorder);
        QCOMPARE(lines, (QStringList{
            QStringLiteral(R"({"depth":0,"sender":null,"seq":1,"signal":"ping","step":0})"),
            QStringLiteral(R"({"depth":1,"error":"ValueError","message":"boom","seq":2,"step":0})")}));
    }

    void requestsAreSteps()
    {
        const QByteArray bytes = hello()
            + R"({"e":"send","id":1,"t":1,"signal":"django.db.models.signals.post_migrate","sender":{"$app":"shop"},"args":{"app_config":{"$app":"shop"},"verbosity":1,"interactive":false,"using":"default","apps":{"$repr":"<apps>"},"plan":[]},"depth":0,"parent":null,"nr":true})" "\n"
              R"({"e":"send","id":2,"t":2,"signal":"django.core.signals.request_started","sender":{"$class":"django.test.client.ClientHandler"},"args":{"environ":{"PATH_INFO":"/orders/","REQUEST_METHOD":"POST","HTTP_COOKIE":"********"}},"depth":0,"parent":null,"nr":true})" "\n"
              R"({"e":"send","id":3,"t":3,"signal":"django.core.signals.request_finished","sender":{"$class":"django.test.client.ClientHandler"},"args":{},"depth":0,"parent":null,"nr":true})" "\n"
              R"({"e":"send","id":4,"t":4,"signal":"django.core.signals.setting_changed","sender":{"$class":"django.conf.UserSettingsHolder"},"args":{"setting":"DEBUG","value":true,"enter":true},"depth":0,"parent":null,"nr":true})" "\n"
            + bye();
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(bytes);
        wire.endStream();
        QCOMPARE(canonical(recorder), (QStringList{
            QStringLiteral(R"({"app_label":"shop","depth":0,"sender":"shop","seq":1,"signal":"post_migrate","step":0,"using":"default"})"),
            QStringLiteral(R"({"depth":0,"environ":{"PATH_INFO":"/orders/","REQUEST_METHOD":"POST"},"sender":"ClientHandler","seq":2,"signal":"request_started","step":1})"),
            QStringLiteral(R"({"depth":0,"sender":"ClientHandler","seq":3,"signal":"request_finished","step":1})"),
            QStringLiteral(R"({"depth":0,"enter":true,"sender":"UserSettingsHolder","seq":4,"setting":"DEBUG","signal":"setting_changed","step":2,"value":true})")}));
        QCOMPARE(wire.stepCount(), 3);
        QCOMPARE(recorder.text(0), QStringLiteral("manage.py test"));
    }

    void cutOffLineIsNamedAndTheRestKept()
    {
        QByteArray bytes = run();
        bytes.append("{\"e\":\"send\",\"id\":9,\"t\":40,\"signal\":\"django.db.models.signals.pre_sa");
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(bytes);
        wire.endStream();
        QCOMPARE(canonical(recorder).size(), 3);
        QCOMPARE(wire.problems().size(), 2);
        QVERIFY2(wire.problems().at(0).contains(QLatin1String("pid 42: manage.py test: line 11 is cut off")),
                 qPrintable(wire.problems().at(0)));
        QVERIFY(wire.problems().at(1).contains(QLatin1String("without \"bye\"")));
    }

    void malformedLineStopsTheStreamWithItsNumber()
    {
        QByteArray bytes = hello() + "{not json\n" + run().mid(hello().size());
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(bytes + bye());
        wire.endStream();
        QVERIFY(!wire.problems().isEmpty());
        QVERIFY2(wire.problems().first().contains(QLatin1String("line 2 is not JSON")), qPrintable(wire.problems().first()));
        QCOMPARE(canonical(recorder).size(), 0);
        // A JSON value that is not an object, and an event without its fields.
        for (const QByteArray &bad : {QByteArray("[1,2]\n"), QByteArray(R"({"e":"send","signal":"x"})" "\n"),
                                      QByteArray(R"({"e":"call","id":3,"send":999})" "\n")}) {
            TraceRecorder r;
            WireImport i(&r);
            i.feed(hello() + bad + bye());
            i.endStream();
            QVERIFY2(!i.problems().isEmpty() && i.problems().first().contains(QLatin1String("line 2")),
                     qPrintable(i.problems().join(QLatin1Char('\n'))));
        }
    }

    void unknownVersionIsRefused()
    {
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(hello(42, 2) + run().mid(hello().size()) + bye());
        wire.endStream();
        QCOMPARE(recorder.count(), 0);
        QCOMPARE(wire.problems().size(), 1);
        QVERIFY2(wire.problems().first().contains(QLatin1String("unknown wire format signalscope-wire version 2")),
                 qPrintable(wire.problems().first()));
    }

    void streamWithoutHelloIsRefused()
    {
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(run().mid(hello().size()));
        wire.endStream();
        QCOMPARE(recorder.count(), 0);
        QVERIFY(wire.problems().first().contains(QLatin1String("does not begin with a \"hello\"")));
    }

    void processDyingMidSendKeepsItUnfinished()
    {
        // The stream stops inside count_order: post_save never ended.
        const QByteArray all = run();
        const QByteArray cut = all.left(all.indexOf(R"({"e":"return")"));
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(cut);
        wire.endStream();
        QCOMPARE(canonical(recorder).size(), 3);      // what arrived is kept
        bool openSend = false;
        for (int i = 0; i < recorder.count(); ++i)
            if (recorder.kindOf(i) == TraceEventKind::Send && recorder.event(i).signal == QLatin1String("post_save"))
                openSend = recorder.event(i).open;
        QVERIFY(openSend);
        QCOMPARE(wire.problems().size(), 1);
        QVERIFY2(wire.problems().first().contains(QLatin1String("while 1 send(s) were running")),
                 qPrintable(wire.problems().first()));
    }

    void severalProcessesFollowEachOther()
    {
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(run() + bye());
        wire.endStream();
        wire.feed(hello(43) + run().mid(hello().size()) + bye());
        wire.endStream();
        QVERIFY(wire.problems().isEmpty());
        QCOMPARE(wire.processes().size(), 2);
        const QStringList lines = canonical(recorder);
        QCOMPARE(lines.size(), 6);
        QVERIFY(lines.at(3).contains(QLatin1String("\"step\":1")));
        // A file holding both streams (signalscope record --format wire) reads the same.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two.wire.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(run() + bye() + hello(43) + run().mid(hello().size()) + bye());
        file.close();
        TraceRecorder fromFile;
        const WireFileResult result = importWireFile(path, &fromFile);
        QVERIFY(result.readable);
        QVERIFY(result.problems.isEmpty());
        QCOMPARE(canonical(fromFile), lines);
        QVERIFY(looksLikeWire(run()));
        QVERIFY(!looksLikeWire(QByteArray(R"({"depth":0,"seq":1,"signal":"pre_init","step":0})")));
        const WireFileResult missing = importWireFile(dir.filePath(QStringLiteral("none")), &fromFile);
        QVERIFY(!missing.readable);
        QVERIFY(missing.error.contains(QLatin1String("none")));
    }

    void refusalIsReported()
    {
        TraceRecorder recorder;
        WireImport wire(&recorder);
        wire.feed(hello() + R"({"e":"refused","reason":"DEBUG is off"})" "\n");
        wire.endStream();
        QCOMPARE(wire.problems().size(), 1);
        QVERIFY(wire.problems().first().contains(QLatin1String("did not record: DEBUG is off")));
        QVERIFY(wire.processes().first().refused);
    }
};

QTEST_GUILESS_MAIN(TestWireImport)
#include "tst_wireimport.moc"
