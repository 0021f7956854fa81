// TraceRecorder (structure, arguments, pause/clear, memory per event) and
// TraceBridge (batched Qt signals, slots as receivers). Events are fed to the
// listener hooks by hand, as the dispatcher would.

#include "dispatch/dispatcher.h"
#include "enginetestutil.h"
#include "model/modelregistry.h"
#include "model/instance.h"
#include "trace/traceexport.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"
#include "model/value.h"

#include <QBuffer>
#include <QSignalSpy>
#include <QtTest>

using namespace ss;
using sst::makeReceiver;

namespace {

QCborMap instanceArg(const QString &model, const QCborValue &pk)
{
    QCborMap instance;
    instance.insert(QStringLiteral("model"), model);
    instance.insert(QStringLiteral("pk"), pk);
    return instance;
}

SendEvent makeSend(quint64 id, const QString &signal, const QString &model, int depth, const QCborMap &args = {})
{
    SendEvent e;
    e.signalName = signal;
    e.sender = Sender::model(model);
    e.args = args;
    e.depth = depth;
    e.id = id;
    return e;
}

QCborMap postSaveArgs(const QString &model, qint64 pk, bool created)
{
    QCborMap args;
    args.insert(QStringLiteral("instance"), instanceArg(model, pk));
    args.insert(QStringLiteral("created"), created);
    args.insert(QStringLiteral("raw"), false);
    args.insert(QStringLiteral("using"), QStringLiteral("default"));
    args.insert(QStringLiteral("update_fields"), QCborValue(nullptr));
    return args;
}

// A slot owner for connectSlot.
class Listener : public QObject
{
    Q_OBJECT
public:
    int calls = 0;
};

} // namespace

class TestTraceRecorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsStructure();
    void receiverOutcomes();
    void robustErrorLineBelongsToReceiver();
    void escapedExceptionFinishesWithError();
    void stepErrorLineAfterStepEnd();
    void unfinishedEventsStayOpen();
    void argumentsRoundTrip_data();
    void argumentsRoundTrip();
    void argumentsKeepDjangoOrder();
    void manyNestedMaps();
    void nonCanonicalFlag();
    void pauseSkipsEvents();
    void clearStartsOver();
    void changedRange();
    void millionEventsFitInBudget();
    void compactRecordsKeepRareFields();
    void dispatcherStampsAndLiveArgs();
    void realDispatcherLoopStopped();
    void realDispatcherRobustSend();
    void clearInsideALoopKeepsItsNames();

    void bridgeBatchesAppends();
    void bridgeDeliversOnTimer();
    void bridgeCapsTimedBatches();
    void bridgeReportsChangesLoopsAndSteps();
    void bridgeClearRecording();
    void bridgeConnectSlotFollowsLifetime();
};

void TestTraceRecorder::recordsStructure()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("User.objects.create(username='ann')"));
    const SendEvent post = makeSend(1, QStringLiteral("post_save"), QStringLiteral("User"), 0, postSaveArgs(QStringLiteral("User"), 1, true));
    rec.sendBegin(post);
    const ReceiverEvent r = makeReceiver(QStringLiteral("create_billing_profile"), 0);
    rec.receiverBegin(post, r);
    const SendEvent inner = makeSend(2, QStringLiteral("post_save"), QStringLiteral("BillingProfile"), 1,
                                     postSaveArgs(QStringLiteral("BillingProfile"), 1, true));
    rec.sendBegin(inner);
    rec.sendEnd(inner, nullptr);
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("welcome ann"));
    rec.receiverEnd(post, r, nullptr);
    rec.sendEnd(post, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.count(), 5);
    const TraceEvent step = rec.event(0);
    QCOMPARE(step.kind, TraceEventKind::Step);
    QCOMPARE(step.parent, -1);
    QCOMPARE(step.text, QStringLiteral("User.objects.create(username='ann')"));
    QVERIFY(!step.open);
    QVERIFY(!step.canonical);

    const TraceEvent send = rec.event(1);
    QCOMPARE(send.kind, TraceEventKind::Send);
    QCOMPARE(send.parent, 0);
    QCOMPARE(send.depth, 0);
    QCOMPARE(send.step, 0);
    QCOMPARE(send.signal, QStringLiteral("post_save"));
    QVERIFY(send.sender == Sender::model(QStringLiteral("User")));
    QVERIFY(send.canonical);
    QVERIFY(!send.open);
    QVERIFY(!send.failed());
    QCOMPARE(rec.args(1), postSaveArgs(QStringLiteral("User"), 1, true));

    const TraceEvent receiver = rec.event(2);
    QCOMPARE(receiver.kind, TraceEventKind::Receiver);
    QCOMPARE(receiver.parent, 1);
    QCOMPARE(receiver.depth, 1);
    QCOMPARE(receiver.label, QStringLiteral("create_billing_profile"));
    QCOMPARE(receiver.signal, QStringLiteral("post_save"));
    QCOMPARE(receiver.receiverIndex, 0);

    QCOMPARE(rec.event(3).parent, 2);
    QCOMPARE(rec.event(3).depth, 1);
    QCOMPARE(rec.event(3).sender.name, QStringLiteral("BillingProfile"));

    const TraceEvent effect = rec.event(4);
    QCOMPARE(effect.kind, TraceEventKind::Effect);
    QCOMPARE(effect.parent, 2);
    QCOMPARE(effect.effect, QStringLiteral("notify"));
    QCOMPARE(effect.text, QStringLiteral("welcome ann"));
    QVERIFY(effect.canonical);

    // Children lie within their parents in time.
    for (int i = 1; i < rec.count(); ++i) {
        const TraceEvent e = rec.event(i);
        const TraceEvent p = rec.event(e.parent);
        QVERIFY(e.startNs >= p.startNs);
        QVERIFY(e.startNs + e.durationNs <= p.startNs + p.durationNs);
    }
    QCOMPARE(rec.parentOf(3), 2);
    QCOMPARE(rec.kindOf(4), TraceEventKind::Effect);
    QCOMPARE(rec.childrenOf(0), QVector<int>{1});
    QCOMPARE(rec.childrenOf(2), (QVector<int>{3, 4}));
    QCOMPARE(rec.childrenOf(4), QVector<int>());
    QCOMPARE(rec.subtreeEnd(0), 5);
    QCOMPARE(rec.subtreeEnd(1), 5);
    QCOMPARE(rec.subtreeEnd(3), 4);
}

void TestTraceRecorder::receiverOutcomes()
{
    TraceRecorder rec;
    SendEvent send = makeSend(1, QStringLiteral("post_save"), QStringLiteral("User"), 0, postSaveArgs(QStringLiteral("User"), 1, true));
    send.robust = true;
    rec.sendBegin(send);
    const ReceiverEvent a = makeReceiver(QStringLiteral("audit"), 0);
    rec.receiverBegin(send, a);
    rec.receiverEnd(send, a, nullptr);
    const ReceiverEvent b = makeReceiver(QStringLiteral("explode"), 1);
    rec.receiverBegin(send, b);
    const DjangoError boom(QStringLiteral("ReceiverError"), QStringLiteral("boom"));
    rec.receiverEnd(send, b, &boom);
    rec.errorLine(1, boom);
    const ReceiverEvent c = makeReceiver(QString(), 2);
    rec.receiverBegin(send, c);
    rec.receiverEnd(send, c, nullptr);
    rec.sendEnd(send, nullptr);

    const QVector<ReceiverOutcome> outcomes = rec.receiversOf(0);
    QCOMPARE(outcomes.size(), 3);
    QCOMPARE(outcomes[0].label, QStringLiteral("audit"));
    QVERIFY(outcomes[0].ok());
    QCOMPARE(outcomes[1].label, QStringLiteral("explode"));
    QCOMPARE(outcomes[1].index, 1);
    QCOMPARE(outcomes[1].errorType, QStringLiteral("ReceiverError"));
    QCOMPARE(outcomes[1].errorMessage, QStringLiteral("boom"));
    QVERIFY(outcomes[2].ok());
    QVERIFY(rec.event(0).robust);
    QVERIFY(rec.receiversOf(1).isEmpty());      // not a send
}

void TestTraceRecorder::robustErrorLineBelongsToReceiver()
{
    TraceRecorder rec;
    rec.stepBegin(0, QString());
    SendEvent send = makeSend(1, QStringLiteral("order_placed"), QStringLiteral("Order"), 0);
    send.robust = true;
    rec.sendBegin(send);
    const ReceiverEvent r = makeReceiver(QStringLiteral("charge"), 0);
    rec.receiverBegin(send, r);
    const DjangoError error(QStringLiteral("ReceiverError"), QStringLiteral("card declined"));
    rec.receiverEnd(send, r, &error);
    rec.errorLine(1, error);             // send_robust writes it after the receiver returned
    rec.sendEnd(send, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.count(), 4);
    const TraceEvent line = rec.event(3);
    QCOMPARE(line.kind, TraceEventKind::Error);
    QCOMPARE(line.parent, 2);
    QCOMPARE(line.depth, 1);
    QCOMPARE(line.errorType, QStringLiteral("ReceiverError"));
    QCOMPARE(line.errorMessage, QStringLiteral("card declined"));
    QCOMPARE(rec.event(2).errorType, QStringLiteral("ReceiverError"));
    QVERIFY(!rec.event(1).failed());     // the robust send itself returned normally
    QCOMPARE(rec.childrenOf(2), QVector<int>{3});
    QCOMPARE(rec.subtreeEnd(0), 4);
}

void TestTraceRecorder::escapedExceptionFinishesWithError()
{
    TraceRecorder rec;
    rec.stepBegin(3, QStringLiteral("node.delete()"));
    const SendEvent send = makeSend(1, QStringLiteral("pre_delete"), QStringLiteral("Node"), 0);
    rec.sendBegin(send);
    const ReceiverEvent r = makeReceiver(QStringLiteral("guard"), 0);
    rec.receiverBegin(send, r);
    const DjangoError error(QStringLiteral("ReceiverError"), QStringLiteral("no"));
    rec.receiverEnd(send, r, &error);
    rec.sendEnd(send, &error);
    rec.stepEnd(3, &error);

    const TraceEvent e = rec.event(1);
    QVERIFY(!e.open);
    QVERIFY(e.failed());
    QCOMPARE(e.errorMessage, QStringLiteral("no"));
    QCOMPARE(e.step, 3);
    QCOMPARE(rec.event(0).errorType, QStringLiteral("ReceiverError"));
}

void TestTraceRecorder::stepErrorLineAfterStepEnd()
{
    TraceRecorder rec;
    rec.stepBegin(0, QString());
    rec.stepEnd(0, nullptr);
    rec.stepBegin(1, QString());
    const DjangoError error(QStringLiteral("DoesNotExist"), QStringLiteral("User matching query does not exist."));
    rec.stepEnd(1, &error);
    rec.errorLine(0, error);
    QCOMPARE(rec.event(2).parent, 1);
    QCOMPARE(rec.event(2).step, 1);

    // Inside the step the line belongs to it too.
    rec.stepBegin(2, QString());
    rec.errorLine(0, error);
    rec.stepEnd(2, &error);
    QCOMPARE(rec.event(4).parent, 3);
}

void TestTraceRecorder::unfinishedEventsStayOpen()
{
    TraceRecorder rec;
    rec.stepBegin(0, QString());
    const SendEvent outer = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 0);
    rec.sendBegin(outer);
    const ReceiverEvent r = makeReceiver(QStringLiteral("r"), 0);
    rec.receiverBegin(outer, r);
    const SendEvent inner = makeSend(2, QStringLiteral("post_save"), QStringLiteral("B"), 1);
    rec.sendBegin(inner);
    // The outer send ends although the inner send and the receiver never did.
    rec.sendEnd(outer, nullptr);
    QVERIFY(!rec.event(1).open);
    QVERIFY(rec.event(2).open);
    QVERIFY(rec.event(3).open);
    // A send begun and never ended before the step ends stays open too.
    const SendEvent dangling = makeSend(3, QStringLiteral("pre_save"), QStringLiteral("A"), 0);
    rec.sendBegin(dangling);
    rec.stepEnd(0, nullptr);
    QVERIFY(rec.event(4).open);
    QVERIFY(!rec.event(0).open);
    // Ends that match nothing are ignored.
    rec.sendEnd(inner, nullptr);
    rec.receiverEnd(outer, r, nullptr);
    QVERIFY(rec.event(2).open);
    QCOMPARE(rec.event(4).parent, 0);
}

void TestTraceRecorder::argumentsRoundTrip_data()
{
    QTest::addColumn<QCborValue>("value");
    QTest::newRow("null") << QCborValue(nullptr);
    QTest::newRow("undefined") << QCborValue();
    QTest::newRow("true") << QCborValue(true);
    QTest::newRow("false") << QCborValue(false);
    QTest::newRow("zero") << QCborValue(0);
    QTest::newRow("negative") << QCborValue(-12345);
    QTest::newRow("int64 min") << QCborValue(std::numeric_limits<qint64>::min());
    QTest::newRow("int64 max") << QCborValue(std::numeric_limits<qint64>::max());
    QTest::newRow("float 7.0") << QCborValue(7.0);
    QTest::newRow("float 2.5") << QCborValue(2.5);
    QTest::newRow("float 1e16") << QCborValue(1e16);
    QTest::newRow("float -0.0") << QCborValue(-0.0);
    QTest::newRow("interned") << QCborValue(QStringLiteral("default"));
    QTest::newRow("string") << QCborValue(QStringLiteral("ann"));
    QTest::newRow("empty string") << QCborValue(QString());
    QTest::newRow("escapes") << QCborValue(QStringLiteral("a \"quoted\" \\ line\nbreak\ttab\x01"));
    QTest::newRow("non-ascii") << QCborValue(QStringLiteral("café ☕ 😀"));
    QTest::newRow("del") << QCborValue(QStringLiteral("x\x7fy"));
    QCborArray array{1, 2.0, QStringLiteral("three"), QCborValue(nullptr), QCborArray{4}};
    QTest::newRow("array") << QCborValue(array);
    QTest::newRow("empty array") << QCborValue(QCborArray());
    QCborMap map;
    map.insert(QStringLiteral("zeta"), 1);
    map.insert(QStringLiteral("alpha"), instanceArg(QStringLiteral("User"), 3));
    map.insert(QStringLiteral("émoji"), QStringLiteral("😀"));
    QTest::newRow("unsorted map") << QCborValue(map);
    QTest::newRow("empty map") << QCborValue(QCborMap());
    QCborMap intKeys;
    intKeys.insert(1, QStringLiteral("one"));
    QTest::newRow("integer keys") << QCborValue(intKeys);
    QTest::newRow("bytes") << QCborValue(QByteArray("\x00\x01", 2));
}

void TestTraceRecorder::argumentsRoundTrip()
{
    QFETCH(QCborValue, value);
    TraceRecorder rec;
    QCborMap args;
    args.insert(QStringLiteral("value"), value);
    rec.sendBegin(makeSend(1, QStringLiteral("custom"), QStringLiteral("M"), 0, args));

    // Decoded for views: the very same value.
    QCOMPARE(rec.args(0).value(QStringLiteral("value")), value);

    // Written as JSON straight from the packed form: the bytes value.cpp writes.
    TraceRecorder::PackedArgs packed;
    rec.packedArgs(0, packed);
    QCOMPARE(packed.size(), 1);
    std::string json;
    rec.appendValueJson(json, packed[0].value);
    QCOMPARE(QByteArray::fromStdString(json), canonicalJson(value));
}

void TestTraceRecorder::argumentsKeepDjangoOrder()
{
    TraceRecorder rec;
    rec.sendBegin(makeSend(1, QStringLiteral("post_save"), QStringLiteral("User"), 0, postSaveArgs(QStringLiteral("User"), 1, true)));
    const QCborMap args = rec.args(0);
    QStringList keys;
    for (auto it = args.cbegin(); it != args.cend(); ++it)
        keys.append(it.key().toString());
    QCOMPARE(keys, (QStringList{QStringLiteral("instance"), QStringLiteral("created"), QStringLiteral("raw"),
                                QStringLiteral("using"), QStringLiteral("update_fields")}));
}

void TestTraceRecorder::manyNestedMaps()
{
    // Every nested map has its own key-shape cache entry: fifty of them,
    // created while the outer map is being packed, and shapes that change.
    TraceRecorder rec;
    for (int round = 0; round < 3; ++round) {
        QCborMap args;
        for (int i = 0; i < 50; ++i) {
            QCborMap inner;
            inner.insert(QStringLiteral("b%1").arg((i + round) % 3), QCborMap{{QStringLiteral("c"), i}});
            inner.insert(QStringLiteral("a"), round);
            args.insert(QStringLiteral("k%1").arg(i), inner);
        }
        rec.sendBegin(makeSend(quint64(round + 1), QStringLiteral("custom"), QStringLiteral("M"), 0, args));
        QCOMPARE(rec.args(round), args);
    }
}

void TestTraceRecorder::nonCanonicalFlag()
{
    TraceRecorder rec;
    SendEvent e = makeSend(1, QStringLiteral("connection_created"), QString(), 0);
    e.sender = Sender::none();
    e.canonical = false;
    rec.sendBegin(e);
    rec.sendEnd(e, nullptr);
    QVERIFY(!rec.event(0).canonical);
    QVERIFY(rec.event(0).sender.isNone());
}

void TestTraceRecorder::pauseSkipsEvents()
{
    TraceRecorder rec;
    rec.stepBegin(0, QString());
    const SendEvent outer = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 0);
    rec.sendBegin(outer);
    rec.setPaused(true);
    QVERIFY(rec.isPaused());
    const ReceiverEvent r = makeReceiver(QStringLiteral("r"), 0);
    rec.receiverBegin(outer, r);
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("unseen"));
    rec.setPaused(false);
    // Resumed inside the unrecorded receiver: the parent is the nearest recorded event.
    const SendEvent inner = makeSend(2, QStringLiteral("pre_save"), QStringLiteral("B"), 1);
    rec.sendBegin(inner);
    rec.sendEnd(inner, nullptr);
    rec.receiverEnd(outer, r, nullptr);
    rec.sendEnd(outer, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.count(), 3);
    QCOMPARE(rec.event(2).signal, QStringLiteral("pre_save"));
    QCOMPARE(rec.event(2).parent, 1);
    QVERIFY(rec.receiversOf(1).isEmpty());
    QVERIFY(!rec.event(1).open);
}

void TestTraceRecorder::clearStartsOver()
{
    TraceRecorder rec;
    rec.stepBegin(0, QString());
    const SendEvent outer = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 0);
    rec.sendBegin(outer);
    rec.clear();
    QCOMPARE(rec.count(), 0);
    QVERIFY(rec.loops().isEmpty());
    const SendEvent inner = makeSend(2, QStringLiteral("pre_save"), QStringLiteral("A"), 0, postSaveArgs(QStringLiteral("A"), 1, false));
    rec.sendBegin(inner);
    rec.sendEnd(inner, nullptr);
    rec.sendEnd(outer, nullptr);        // begun before the clear: nothing to close
    rec.stepEnd(0, nullptr);
    QCOMPARE(rec.count(), 1);
    QCOMPARE(rec.event(0).parent, -1);
    QCOMPARE(rec.args(0), postSaveArgs(QStringLiteral("A"), 1, false));
}

void TestTraceRecorder::changedRange()
{
    TraceRecorder rec;
    rec.stepBegin(0, QString());
    const SendEvent s = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 0);
    rec.sendBegin(s);
    QCOMPARE(rec.takeChangedRange(), qMakePair(-1, -1));
    rec.sendEnd(s, nullptr);
    QCOMPARE(rec.takeChangedRange(), qMakePair(1, 1));
    rec.stepEnd(0, nullptr);
    QCOMPARE(rec.takeChangedRange(), qMakePair(0, 0));
    QCOMPARE(rec.takeChangedRange(), qMakePair(-1, -1));
}

void TestTraceRecorder::millionEventsFitInBudget()
{
    // 1,000,000 signal events with typical pre_save/post_save arguments, as
    // they arrive: one frozen QCborMap per send.
    TraceRecorder rec;
    const int sends = 1000000;
    QCborMap pre;
    pre.insert(QStringLiteral("instance"), instanceArg(QStringLiteral("User"), 0));
    pre.insert(QStringLiteral("raw"), false);
    pre.insert(QStringLiteral("using"), QStringLiteral("default"));
    pre.insert(QStringLiteral("update_fields"), QCborValue(nullptr));
    for (int i = 0; i < sends; ++i) {
        const qint64 pk = i / 2 + 1;
        SendEvent e;
        e.id = quint64(i + 1);
        e.sender = Sender::model(QStringLiteral("User"));
        if (i % 2 == 0) {
            e.signalName = QStringLiteral("pre_save");
            pre.insert(QStringLiteral("instance"), instanceArg(QStringLiteral("User"), pk));
            e.args = pre;
        } else {
            e.signalName = QStringLiteral("post_save");
            e.args = postSaveArgs(QStringLiteral("User"), pk, true);
        }
        rec.sendBegin(e);
        rec.sendEnd(e, nullptr);
    }
    QCOMPARE(rec.count(), sends);
    const double perEvent = double(rec.memoryBytes()) / rec.count();
    qInfo("%d events: %.1f bytes/event (%.1f MB)", rec.count(), perEvent, rec.memoryBytes() / 1e6);
    QVERIFY2(perEvent <= 150.0, qPrintable(QStringLiteral("%1 bytes/event").arg(perEvent)));
    QCOMPARE(rec.args(sends - 1), postSaveArgs(QStringLiteral("User"), sends / 2, true));
}

// ------------------------------------------------------------ with the dispatcher

// A StoredRecord leaves the step, the error, the loop, long durations and a
// send's first receiver call out (tracestore.h): record() must give them back.
void TestTraceRecorder::compactRecordsKeepRareFields()
{
    TraceRecorder rec;
    rec.setExternalTime(0);
    rec.stepBegin(7, QStringLiteral("slow()"));
    const SendEvent send = makeSend(1, QStringLiteral("custom"), QStringLiteral("M"), 0);
    rec.sendBegin(send);
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("between the send and its receiver"));
    const ReceiverEvent first = makeReceiver(QStringLiteral("first"), 0);
    rec.receiverBegin(send, first);
    const DjangoError boom(QStringLiteral("ValueError"), QStringLiteral("boom"));
    rec.receiverEnd(send, first, &boom);
    const ReceiverEvent second = makeReceiver(QStringLiteral("second"), 1);
    rec.receiverBegin(send, second);
    rec.receiverEnd(send, second, nullptr);
    rec.setExternalTime(10'000'000'000);            // 10 s: more than 32 bits of nanoseconds
    rec.sendEnd(send, nullptr);
    rec.stepEnd(7, nullptr);
    rec.stepBegin(8, QStringLiteral("next()"));
    rec.effect(0, QStringLiteral("notify"), QStringLiteral("in step 8"));
    rec.stepEnd(8, nullptr);

    QCOMPARE(rec.count(), 7);
    QCOMPARE(rec.record(1).durationNs, quint64(10'000'000'000));
    QCOMPARE(rec.record(0).durationNs, quint64(10'000'000'000));
    QCOMPARE(rec.record(3).durationNs, quint64(0));
    QCOMPARE(rec.record(1).link, 3);                // not the next event: the effect is
    QCOMPARE(rec.record(3).link, 4);
    QCOMPARE(rec.record(4).link, -1);
    QCOMPARE(rec.record(2).link, -1);
    const QVector<ReceiverOutcome> outcomes = rec.receiversOf(1);
    QCOMPARE(outcomes.size(), 2);
    QCOMPARE(outcomes[0].errorType, QStringLiteral("ValueError"));
    QVERIFY(outcomes[1].ok());
    QVERIFY(rec.record(3).error != 0);
    QCOMPARE(rec.record(4).error, 0u);
    QCOMPARE(rec.errorMessage(3), QStringLiteral("boom"));
    for (int i = 0; i < 5; ++i)
        QCOMPARE(rec.record(i).step, 7);
    QCOMPARE(rec.record(6).step, 8);
    QCOMPARE(rec.record(5).step, 8);
    QCOMPARE(rec.record(2).step, 7);                // read out of order
    QCOMPARE(rec.record(1).loop, -1);
    QCOMPARE(rec.record(1).flags & 0x80, 0);        // the stored error bit stays inside
}

// What the dispatcher hands over: live arguments (packed at the send, so a
// later change of the instance does not show) and one clock reading per hook.
void TestTraceRecorder::dispatcherStampsAndLiveArgs()
{
    const SchemaDecl schema = sst::schemaFrom(R"({"format": "signalscope-schema/1", "app": "a",
        "models": [{"name": "User", "fields": [{"name": "username", "type": "char"}]}]})");
    const ModelRegistry registry(schema);
    auto user = std::make_shared<Instance>(registry.model(QStringLiteral("User")));
    user->setPk(QCborValue(1));
    DispatchContext ctx;
    TraceRecorder rec;
    ctx.addListener(&rec);
    Signal postSave(QStringLiteral("post_save"), &ctx);
    postSave.connect(1, [&](const Sender &, const SignalArgs &) { user->setPk(QCborValue(2)); }, {}, {}, QStringLiteral("renumber"));
    postSave.connect(2, [](const Sender &, const SignalArgs &) {}, {}, {}, QStringLiteral("idle"));
    const SignalArgs args = SignalArgs().add(QStringLiteral("instance"), user).add(QStringLiteral("created"), QCborValue(true));
    postSave.send(Sender::model(QStringLiteral("User")), args);
    QCOMPARE(rec.count(), 3);
    QCOMPARE(rec.args(0).value(QStringLiteral("instance")).toMap().value(QStringLiteral("pk")), QCborValue(1));
    QCOMPARE(rec.args(0), QCborMap({{QStringLiteral("instance"), QCborMap({{QStringLiteral("model"), QStringLiteral("User")},
                                                                            {QStringLiteral("pk"), 1}})},
                                    {QStringLiteral("created"), true}}));
    // The first receiver starts as the send does, the second as the first
    // ends, and the send ends as the last receiver does.
    const TraceRecord send = rec.record(0), first = rec.record(1), second = rec.record(2);
    QCOMPARE(first.startNs, send.startNs);
    QCOMPARE(second.startNs, first.startNs + first.durationNs);
    QCOMPARE(send.startNs + send.durationNs, second.startNs + second.durationNs);
    QCOMPARE(rec.event(1).label, QStringLiteral("renumber"));
    QCOMPARE(rec.event(2).receiverIndex, 1);
}

void TestTraceRecorder::realDispatcherLoopStopped()
{
    // A post_save receiver that saves its own instance, until the bound stops it.
    DispatchContext context;
    context.setMaxDepth(5);
    TraceRecorder rec;
    context.addListener(&rec);
    Signal postSave(QStringLiteral("post_save"), &context);
    Field id;
    id.name = id.attname = QStringLiteral("id");
    id.index = 0;
    Model counter;
    counter.name = QStringLiteral("Counter");
    counter.concreteFields = {&id};
    counter.pk = &id;
    const InstancePtr c = std::make_shared<Instance>(&counter);
    c->setPk(1);
    postSave.connect(1, [&](const Sender &sender, const SignalArgs &args) { postSave.send(sender, args); }, {}, {},
                     QStringLiteral("resave_counter"));

    rec.stepBegin(0, QStringLiteral("c.save()"));
    std::optional<DjangoError> failure;
    try {
        postSave.send(Sender::model(QStringLiteral("Counter")), SignalArgs().add(QStringLiteral("instance"), Value(c)));
    } catch (const DjangoError &error) {
        failure = error;
    }
    QVERIFY(failure);
    context.emitErrorLine(0, *failure);
    rec.stepEnd(0, &*failure);

    // step, 5 sends and their 5 receivers, the refused send, the error line
    QCOMPARE(rec.count(), 13);
    int sends = 0;
    for (int i = 0; i < rec.count(); ++i) {
        const TraceEvent e = rec.event(i);
        QVERIFY(!e.open);
        if (e.kind == TraceEventKind::Send) {
            QCOMPARE(e.depth, sends++);
            QCOMPARE(e.errorType, QStringLiteral("RecursionError"));
            QCOMPARE(e.loopMark, LoopMark::Stopped);
        }
    }
    QCOMPARE(sends, 5);
    QCOMPARE(rec.event(11).kind, TraceEventKind::RecursionStop);
    QCOMPARE(rec.event(11).depth, 5);
    QCOMPARE(rec.event(12).kind, TraceEventKind::Error);
    QCOMPARE(rec.event(12).parent, 0);
    QCOMPARE(rec.loops().size(), 1);
    QCOMPARE(rec.loops().first().path, QStringLiteral("post_save(Counter:1) → resave_counter → post_save(Counter:1)"));
    QCOMPARE(rec.loops().first().reentries, 4);
    QVERIFY(rec.loops().first().stopped);

    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QVERIFY(writeCanonicalJsonl(rec, buffer));
    const QList<QByteArray> lines = bytes.split('\n');
    QCOMPARE(lines.size(), 7);          // 5 signal lines, the error line, the empty tail
    QCOMPARE(lines.at(4), QByteArray(R"({"depth":4,"instance":{"model":"Counter","pk":1},"sender":"Counter","seq":5,"signal":"post_save","step":0})"));
    QCOMPARE(lines.at(5), QByteArray(R"({"depth":0,"error":"RecursionError","message":"maximum recursion depth exceeded","seq":6,"step":0})"));
}

// The loop detector names its open frames by the string table's ids: a
// recording cleared while sends are open (the window's Clear button during a
// step) must not leave those frames pointing at other names.
void TestTraceRecorder::clearInsideALoopKeepsItsNames()
{
    DispatchContext context;
    context.setMaxDepth(4);
    TraceRecorder rec;
    context.addListener(&rec);
    Signal postSave(QStringLiteral("post_save"), &context);
    Field id;
    id.name = id.attname = QStringLiteral("id");
    id.index = 0;
    Model counter;
    counter.name = QStringLiteral("Counter");
    counter.concreteFields = {&id};
    counter.pk = &id;
    const InstancePtr c = std::make_shared<Instance>(&counter);
    c->setPk(1);
    int calls = 0;
    postSave.connect(1, [&](const Sender &sender, const SignalArgs &args) {
        if (calls++ == 0) {
            rec.clear();                // the open send's names must survive this
            // Names the new table gets first, so that old ids would mean these.
            SendEvent other;
            other.signalName = QStringLiteral("zzz_other_signal");
            other.sender = Sender::model(QStringLiteral("Elsewhere"));
            other.id = 999999;
            other.depth = context.depth();
            rec.recursionStopped(other);
        }
        postSave.send(sender, args);
    }, {}, {}, QStringLiteral("resave_counter"));

    rec.stepBegin(0, QStringLiteral("c.save()"));
    try {
        postSave.send(Sender::model(QStringLiteral("Counter")), SignalArgs().add(QStringLiteral("instance"), Value(c)));
        QFAIL("the bound should stop the loop");
    } catch (const DjangoError &) {
    }
    rec.stepEnd(0, nullptr);
    QStringList paths;
    int reentries = -1;
    for (const DetectedLoop &loop : rec.loops()) {
        paths << loop.path;
        if (loop.path == QStringLiteral("post_save(Counter:1) → resave_counter → post_save(Counter:1)"))
            reentries = loop.reentries;
    }
    // The refused stranger is named after the open frames, in their own names...
    QVERIFY2(paths.contains(QStringLiteral("post_save(Counter:1) → resave_counter → zzz_other_signal(Elsewhere)")),
             qPrintable(paths.join(QLatin1Char('|'))));
    // ...and the first nested save already re-enters the send opened before the clear.
    QCOMPARE(reentries, 3);
}

void TestTraceRecorder::realDispatcherRobustSend()
{
    DispatchContext context;
    TraceRecorder rec;
    context.addListener(&rec);
    Signal placed(QStringLiteral("order_placed"), &context);
    placed.connect(1, [](const Sender &, const SignalArgs &) {
        throw DjangoError(QStringLiteral("ReceiverError"), QStringLiteral("card declined"));
    }, {}, {}, QStringLiteral("charge"));
    placed.connect(2, [&](const Sender &, const SignalArgs &) { context.emitEffect(QStringLiteral("notify"), QStringLiteral("mail")); },
                   {}, {}, QStringLiteral("mail"));

    rec.stepBegin(0, QString());
    const QVector<RobustResult> results = placed.sendRobust(Sender::none(), SignalArgs());
    rec.stepEnd(0, nullptr);
    QCOMPARE(results.size(), 2);

    // step, send, charge (failed), its error line, mail, its effect
    QCOMPARE(rec.count(), 6);
    QCOMPARE(rec.event(2).errorMessage, QStringLiteral("card declined"));
    QCOMPARE(rec.event(3).kind, TraceEventKind::Error);
    QCOMPARE(rec.event(3).parent, 2);
    QCOMPARE(rec.event(3).depth, 1);
    QCOMPARE(rec.event(5).parent, 4);
    QCOMPARE(rec.event(5).depth, 1);
    QVERIFY(rec.event(1).robust);
    QVERIFY(!rec.event(1).failed());
    const QVector<ReceiverOutcome> outcomes = rec.receiversOf(1);
    QCOMPARE(outcomes.size(), 2);
    QVERIFY(!outcomes[0].ok());
    QVERIFY(outcomes[1].ok());
}

// ------------------------------------------------------------ TraceBridge

void TestTraceRecorder::bridgeBatchesAppends()
{
    TraceRecorder rec;
    TraceBridge bridge(&rec);
    bridge.setLive(false);
    QSignalSpy appended(&bridge, &TraceBridge::eventsAppended);
    QSignalSpy changed(&bridge, &TraceBridge::eventsChanged);

    // The bridge listens after the recorder, as a DispatchContext would call them.
    const auto both = [&](auto &&hook) {
        hook(static_cast<TraceListener &>(rec));
        hook(static_cast<TraceListener &>(bridge));
    };
    for (quint64 id = 1; id <= 10; ++id) {
        const SendEvent e = makeSend(id, QStringLiteral("post_init"), QStringLiteral("A"), 0);
        both([&](TraceListener &l) { l.sendBegin(e); });
        both([&](TraceListener &l) { l.sendEnd(e, nullptr); });
    }
    QCOMPARE(appended.count(), 0);      // not live: nothing until flush
    bridge.flush();
    QCOMPARE(appended.count(), 1);
    QCOMPARE(appended.at(0).at(0).toInt(), 0);
    QCOMPARE(appended.at(0).at(1).toInt(), 9);
    QCOMPARE(changed.count(), 0);       // they closed before they were announced
    bridge.flush();
    QCOMPARE(appended.count(), 1);      // nothing new, no signal
}

void TestTraceRecorder::bridgeDeliversOnTimer()
{
    TraceRecorder rec;
    TraceBridge bridge(&rec);
    QVERIFY(bridge.isLive());
    QCOMPARE(bridge.interval(), 100);
    bridge.setInterval(20);
    QSignalSpy appended(&bridge, &TraceBridge::eventsAppended);
    const SendEvent e = makeSend(1, QStringLiteral("post_init"), QStringLiteral("A"), 0);
    rec.sendBegin(e);
    bridge.sendBegin(e);
    rec.sendEnd(e, nullptr);
    bridge.sendEnd(e, nullptr);
    QCOMPARE(appended.count(), 0);
    QTRY_COMPARE(appended.count(), 1);
    QCOMPARE(appended.at(0).at(1).toInt(), 0);
}

void TestTraceRecorder::bridgeCapsTimedBatches()
{
    // 25 events, batches of at most 10: the timer delivers 10, the rest follow
    // at once from the event loop (10, then 5); the finished step comes last.
    TraceRecorder rec;
    TraceBridge bridge(&rec);
    bridge.setInterval(1);
    bridge.setMaxBatch(10);
    QCOMPARE(bridge.maxBatch(), 10);
    QSignalSpy appended(&bridge, &TraceBridge::eventsAppended);
    QSignalSpy steps(&bridge, &TraceBridge::stepFinished);
    rec.stepBegin(0, QStringLiteral("x"));
    bridge.stepBegin(0, QStringLiteral("x"));
    for (int i = 0; i < 24; ++i) {
        const SendEvent e = makeSend(i + 1, QStringLiteral("post_init"), QStringLiteral("A"), 1);
        rec.sendBegin(e);
        bridge.sendBegin(e);
        rec.sendEnd(e, nullptr);
        bridge.sendEnd(e, nullptr);
    }
    rec.stepEnd(0, nullptr);
    bridge.stepEnd(0, nullptr);
    QCOMPARE(rec.count(), 25);
    QTRY_COMPARE(steps.count(), 1);
    QCOMPARE(appended.count(), 3);
    QCOMPARE(appended.at(0).at(0).toInt(), 0);
    QCOMPARE(appended.at(0).at(1).toInt(), 9);
    QCOMPARE(appended.at(1).at(0).toInt(), 10);
    QCOMPARE(appended.at(1).at(1).toInt(), 19);
    QCOMPARE(appended.at(2).at(0).toInt(), 20);
    QCOMPARE(appended.at(2).at(1).toInt(), 24);

    // An explicit flush is never capped.
    for (int i = 0; i < 30; ++i) {
        const SendEvent e = makeSend(100 + i, QStringLiteral("post_init"), QStringLiteral("A"), 0);
        rec.sendBegin(e);
        rec.sendEnd(e, nullptr);
    }
    appended.clear();
    bridge.flush();
    QCOMPARE(appended.count(), 1);
    QCOMPARE(appended.at(0).at(1).toInt(), 54);
}

void TestTraceRecorder::bridgeReportsChangesLoopsAndSteps()
{
    TraceRecorder rec;
    TraceBridge bridge(&rec);
    bridge.setLive(false);
    QSignalSpy appended(&bridge, &TraceBridge::eventsAppended);
    QSignalSpy changed(&bridge, &TraceBridge::eventsChanged);
    QSignalSpy loops(&bridge, &TraceBridge::loopDetected);
    QSignalSpy loopChanges(&bridge, &TraceBridge::loopChanged);
    QSignalSpy steps(&bridge, &TraceBridge::stepFinished);

    DispatchContext context;            // only its listener list is used
    context.addListener(&rec);
    context.addListener(&bridge);
    const auto all = [&](auto &&hook) {
        for (TraceListener *l : context.listeners())
            hook(*l);
    };
    QCborMap args;
    args.insert(QStringLiteral("instance"), instanceArg(QStringLiteral("Counter"), 1));
    SendEvent outer = makeSend(1, QStringLiteral("post_save"), QStringLiteral("Counter"), 0, args);
    outer.instanceKey = QStringLiteral("Counter:1");
    all([&](TraceListener &l) { l.stepBegin(0, QStringLiteral("c.save()")); });
    all([&](TraceListener &l) { l.sendBegin(outer); });
    const ReceiverEvent r = makeReceiver(QStringLiteral("resave"), 0);
    all([&](TraceListener &l) { l.receiverBegin(outer, r); });
    bridge.flush();
    QCOMPARE(appended.count(), 1);      // step, send, receiver: all still open

    SendEvent inner = outer;
    inner.id = 2;
    inner.depth = 1;
    all([&](TraceListener &l) { l.sendBegin(inner); });
    all([&](TraceListener &l) { l.sendEnd(inner, nullptr); });
    all([&](TraceListener &l) { l.receiverEnd(outer, r, nullptr); });
    all([&](TraceListener &l) { l.sendEnd(outer, nullptr); });
    const DjangoError error(QStringLiteral("RecursionError"), QStringLiteral("maximum recursion depth exceeded"));
    all([&](TraceListener &l) { l.stepEnd(0, &error); });
    bridge.flush();

    QCOMPARE(appended.count(), 2);
    QCOMPARE(appended.at(1).at(0).toInt(), 3);
    QCOMPARE(appended.at(1).at(1).toInt(), 3);
    // The announced step, send and receiver closed and were marked: changed.
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toInt(), 0);
    QCOMPARE(changed.at(0).at(1).toInt(), 2);
    QCOMPARE(loops.count(), 1);
    QCOMPARE(loops.at(0).at(1).toString(), QStringLiteral("post_save(Counter:1) → resave → post_save(Counter:1)"));
    QCOMPARE(steps.count(), 1);
    QCOMPARE(steps.at(0).at(0).toInt(), 0);
    QCOMPARE(steps.at(0).at(1).toString(), QStringLiteral("RecursionError: maximum recursion depth exceeded"));

    // The recursion bound stops it: the loop changes.
    all([&](TraceListener &l) { l.stepBegin(1, QString()); });
    all([&](TraceListener &l) { l.sendBegin(outer); });
    all([&](TraceListener &l) { l.receiverBegin(outer, r); });
    all([&](TraceListener &l) { l.recursionStopped(inner); });
    bridge.flush();
    QCOMPARE(loopChanges.count(), 1);
    QVERIFY(rec.loops().first().stopped);
}

void TestTraceRecorder::bridgeClearRecording()
{
    TraceRecorder rec;
    TraceBridge bridge(&rec);
    bridge.setLive(false);
    QSignalSpy appended(&bridge, &TraceBridge::eventsAppended);
    QSignalSpy cleared(&bridge, &TraceBridge::recordingCleared);
    rec.effect(0, QStringLiteral("notify"), QStringLiteral("a"));
    rec.effect(0, QStringLiteral("notify"), QStringLiteral("b"));
    bridge.flush();
    bridge.clearRecording();
    QCOMPARE(cleared.count(), 1);
    QCOMPARE(rec.count(), 0);
    rec.effect(0, QStringLiteral("notify"), QStringLiteral("c"));
    bridge.flush();
    QCOMPARE(appended.count(), 2);
    QCOMPARE(appended.at(1).at(0).toInt(), 0);
    QCOMPARE(appended.at(1).at(1).toInt(), 0);

    // Cleared behind the bridge's back: noticed when fewer events than announced.
    rec.effect(0, QStringLiteral("notify"), QStringLiteral("d"));
    bridge.flush();
    rec.clear();
    rec.effect(0, QStringLiteral("notify"), QStringLiteral("e"));
    bridge.flush();
    QCOMPARE(cleared.count(), 2);
    QCOMPARE(appended.last().at(0).toInt(), 0);
}

void TestTraceRecorder::bridgeConnectSlotFollowsLifetime()
{
    DispatchContext context;
    Signal signal(QStringLiteral("order_placed"), &context);
    auto *listener = new Listener;
    int calls = 0;
    const quintptr id = TraceBridge::connectSlot(signal, listener,
                                                 [&](const Sender &, const SignalArgs &) { ++calls; });
    QVERIFY(id != 0);
    QCOMPARE(signal.receivers().size(), 1);
    QCOMPARE(signal.receivers().first().label, QStringLiteral("Listener"));
    const quintptr other = TraceBridge::connectSlot(signal, listener, [](const Sender &, const SignalArgs &) {},
                                                    Sender::model(QStringLiteral("Order")), QStringLiteral("second"));
    QVERIFY(other != 0 && other != id);
    // Same uid and sender twice: Django ignores the second connect.
    QVERIFY(TraceBridge::connectSlot(signal, listener, [](const Sender &, const SignalArgs &) {}, {}, {}, QStringLiteral("uid")) != 0);
    QCOMPARE(TraceBridge::connectSlot(signal, listener, [](const Sender &, const SignalArgs &) {}, {}, {}, QStringLiteral("uid")), quintptr(0));

    signal.send(Sender::none(), SignalArgs());
    QCOMPARE(calls, 1);
    delete listener;                    // the receivers go with their object
    signal.send(Sender::none(), SignalArgs());
    QCOMPARE(calls, 1);
    QVERIFY(signal.receivers().isEmpty());
}

QTEST_GUILESS_MAIN(TestTraceRecorder)
#include "tst_tracerecorder.moc"
