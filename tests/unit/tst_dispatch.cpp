// The dispatcher against Django's own behaviour: tests/dispatch/tests.py
// (DispatcherTests), ported, plus the contract's additions: depth, trace
// listeners, the recursion bound (5.9), the robust error line (4.3), muting.
// No Instance is needed: arguments here are scalars only.

#include "dispatch/dispatcher.h"

#include <QObject>
#include <QStringList>
#include <QtTest>
#include <stdexcept>

using namespace ss;

namespace {

const Sender A = Sender::model(QStringLiteral("A"));
const Sender B = Sender::model(QStringLiteral("B"));

// Records everything the engine reports, one short line per hook.
class Recorder : public TraceListener
{
public:
    QStringList log;
    QVector<SendEvent> sends;
    QVector<SendEvent> stopped;
    int open = 0;               // receiverBegin without its receiverEnd yet
    int maxOpen = 0;

    void sendBegin(const SendEvent &e) override
    {
        sends.append(e.detached());
        log << QStringLiteral("send %1 d%2").arg(e.signalName).arg(e.depth);
    }
    void sendEnd(const SendEvent &e, const DjangoError *escaped) override
    {
        log << QStringLiteral("end %1 d%2%3").arg(e.signalName).arg(e.depth)
                   .arg(escaped ? QStringLiteral(" !") + escaped->type() : QString());
    }
    void receiverBegin(const SendEvent &, const ReceiverEvent &r) override
    {
        maxOpen = qMax(maxOpen, ++open);
        log << QStringLiteral("rb %1#%2").arg(r.label).arg(r.index);
    }
    void receiverEnd(const SendEvent &, const ReceiverEvent &r, const DjangoError *error) override
    {
        --open;
        log << QStringLiteral("re %1%2").arg(r.label, error ? QStringLiteral(" !") + error->type() : QString());
    }
    void effect(int depth, const QString &kind, const QString &text) override
    {
        log << QStringLiteral("effect d%1 %2 %3").arg(depth).arg(kind, text);
    }
    void errorLine(int depth, const DjangoError &e) override
    {
        log << QStringLiteral("error d%1 %2: %3").arg(depth).arg(e.type(), e.message());
    }
    void recursionStopped(const SendEvent &e) override
    {
        stopped.append(e.detached());
        log << QStringLiteral("stop %1 d%2").arg(e.signalName).arg(e.depth);
    }
};

// A receiver that appends its name to `calls`.
ReceiverFn recorder(QStringList &calls, const QString &name)
{
    return [&calls, name](const Sender &, const SignalArgs &) { calls << name; };
}

ReceiverFn raiser(const QString &type, const QString &message)
{
    return [type, message](const Sender &, const SignalArgs &) { throw DjangoError(type, message); };
}

// The DjangoError a call throws, or an empty one.
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

} // namespace

class TestDispatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Sender filtering: _live_receivers(sender) = sender-None receivers + that sender's.
    void senderFiltering()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        sig.connect(1, recorder(calls, QStringLiteral("any")));
        sig.connect(2, recorder(calls, QStringLiteral("a")), A);
        sig.connect(3, recorder(calls, QStringLiteral("b")), B);

        sig.send(A, {});
        QCOMPARE(calls, QStringList({QStringLiteral("any"), QStringLiteral("a")}));
        calls.clear();
        // A sender of another kind with the same name is another sender.
        sig.send(Sender::app(QStringLiteral("A")), {});
        QCOMPARE(calls, QStringList({QStringLiteral("any")}));
        calls.clear();
        // send(sender=None) reaches only receivers connected with sender None.
        sig.send(Sender::none(), {});
        QCOMPARE(calls, QStringList({QStringLiteral("any")}));
    }

    // Dispatch order = connection order; a rejected duplicate keeps the first place.
    void connectionOrder()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        QVERIFY(sig.connect(1, recorder(calls, QStringLiteral("1")), A));
        QVERIFY(sig.connect(2, recorder(calls, QStringLiteral("2"))));
        QVERIFY(sig.connect(3, recorder(calls, QStringLiteral("3")), A));
        QVERIFY(!sig.connect(1, recorder(calls, QStringLiteral("1bis")), A));
        sig.send(A, {});
        QCOMPARE(calls, QStringList({QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")}));
        QCOMPARE(sig.receivers().size(), 3);
        QCOMPARE(sig.receivers().at(1).receiverId, quintptr(2));
    }

    // test_ignored_sender / duplicate connects: same receiver + same sender once.
    void dedupByReceiverId()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        QVERIFY(sig.connect(7, recorder(calls, QStringLiteral("r"))));
        QVERIFY(!sig.connect(7, recorder(calls, QStringLiteral("r"))));
        QVERIFY(sig.connect(7, recorder(calls, QStringLiteral("rA")), A));   // another sender: connects
        QVERIFY(!sig.connect(7, recorder(calls, QStringLiteral("rA")), A));
        sig.send(A, {});
        QCOMPARE(calls, QStringList({QStringLiteral("r"), QStringLiteral("rA")}));
        calls.clear();
        sig.send(B, {});
        QCOMPARE(calls, QStringList({QStringLiteral("r")}));
    }

    // test_uid_registration: the key is (uid, sender), whatever the receiver.
    void dedupByUid()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx), other(QStringLiteral("o"), &ctx);
        const QString uid = QStringLiteral("uid");
        QStringList calls;
        QVERIFY(sig.connect(1, recorder(calls, QStringLiteral("first")), A, uid));
        QVERIFY(!sig.connect(2, recorder(calls, QStringLiteral("second")), A, uid));   // same uid, same sender
        QVERIFY(sig.connect(3, recorder(calls, QStringLiteral("onB")), B, uid));       // same uid, other sender
        QVERIFY(sig.connect(4, recorder(calls, QStringLiteral("onAny")), {}, uid));    // same uid, no sender
        QVERIFY(!sig.connect(5, recorder(calls, QStringLiteral("onAny2")), {}, uid));
        QVERIFY(other.connect(2, recorder(calls, QStringLiteral("other")), A, uid));   // another signal
        sig.send(A, {});
        QCOMPARE(calls, QStringList({QStringLiteral("first"), QStringLiteral("onAny")}));
        QCOMPARE(sig.receivers().size(), 3);
    }

    // A uid key and a receiver-id key never collide: the same receiver connects
    // once under its uid and once more without one.
    void uidAndIdAreDistinctKeys()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        QVERIFY(sig.connect(1, recorder(calls, QStringLiteral("r")), A, QStringLiteral("u")));
        QVERIFY(sig.connect(1, recorder(calls, QStringLiteral("r")), A));
        sig.send(A, {});
        QCOMPARE(calls.size(), 2);
        // disconnect(receiver) removes only the id-keyed one.
        QVERIFY(sig.disconnect(1, A));
        QVERIFY(!sig.disconnect(1, A));
        QCOMPARE(sig.receivers().size(), 1);
        QCOMPARE(sig.receivers().at(0).dispatchUid, QStringLiteral("u"));
    }

    // test_disconnection / disconnect's return value (Django 2.0+).
    void disconnectReturnValue()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        sig.connect(1, recorder(calls, QStringLiteral("1")));
        sig.connect(2, recorder(calls, QStringLiteral("2")), A);
        QVERIFY(!sig.disconnect(9));            // never connected
        QVERIFY(!sig.disconnect(2));            // connected with sender A, not None
        QVERIFY(!sig.disconnect(2, B));
        QVERIFY(sig.disconnect(2, A));
        QVERIFY(!sig.disconnect(2, A));         // already gone
        QVERIFY(!sig.disconnect(1, A));         // connected with sender None
        QVERIFY(sig.disconnect(1));
        QVERIFY(!sig.hasListeners(A));
        sig.send(A, {});
        QVERIFY(calls.isEmpty());
    }

    // Disconnecting by uid ignores the receiver argument, as Django does.
    void disconnectByUid()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        sig.connect(1, recorder(calls, QStringLiteral("u")), A, QStringLiteral("uid"));
        sig.connect(2, recorder(calls, QStringLiteral("u-any")), {}, QStringLiteral("uid"));
        QVERIFY(!sig.disconnect(1, A));                             // id key: the uid connection is not found
        QVERIFY(!sig.disconnect(0, B, QStringLiteral("uid")));      // wrong sender
        QVERIFY(sig.disconnect(0, A, QStringLiteral("uid")));       // receiver irrelevant
        QVERIFY(!sig.disconnect(1, A, QStringLiteral("uid")));
        sig.send(A, {});
        QCOMPARE(calls, QStringList({QStringLiteral("u-any")}));
        QVERIFY(sig.disconnect(12345, {}, QStringLiteral("uid")));
        QVERIFY(!sig.hasListeners());
    }

    // test_send_robust_fail's counterpart: plain send stops at the first error.
    void sendPropagatesFirstError()
    {
        DispatchContext ctx;
        Recorder rec;
        ctx.addListener(&rec);
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        sig.connect(1, recorder(calls, QStringLiteral("1")), {}, {}, QStringLiteral("one"));
        sig.connect(2, raiser(QStringLiteral("ReceiverError"), QStringLiteral("boom")), {}, {}, QStringLiteral("two"));
        sig.connect(3, recorder(calls, QStringLiteral("3")), {}, {}, QStringLiteral("three"));
        const auto e = thrown([&] { sig.send(A, {}); });
        QVERIFY(e);
        QCOMPARE(e->type(), QStringLiteral("ReceiverError"));
        QCOMPARE(e->message(), QStringLiteral("boom"));
        QCOMPARE(calls, QStringList({QStringLiteral("1")}));
        QCOMPARE(ctx.depth(), 0);
        QCOMPARE(rec.log, QStringList({
            QStringLiteral("send s d0"),
            QStringLiteral("rb one#0"), QStringLiteral("re one"),
            QStringLiteral("rb two#1"), QStringLiteral("re two !ReceiverError"),
            QStringLiteral("end s d0 !ReceiverError")}));
    }

    // Any other std::exception becomes DjangoError("Exception", what()).
    void stdExceptionWrapped()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        sig.connect(1, [](const Sender &, const SignalArgs &) { throw std::runtime_error("bad thing"); });
        const auto e = thrown([&] { sig.send({}, {}); });
        QVERIFY(e);
        QCOMPARE(e->type(), QStringLiteral("Exception"));
        QCOMPARE(e->message(), QStringLiteral("bad thing"));
        QCOMPARE(ctx.depth(), 0);
    }

    // A non-std exception is no Exception in Django's sense: it escapes even
    // send_robust, with the depth restored and the listener stack balanced.
    void foreignExceptionEscapesRobust()
    {
        DispatchContext ctx;
        Recorder rec;
        ctx.addListener(&rec);
        Signal sig(QStringLiteral("s"), &ctx);
        sig.connect(1, [](const Sender &, const SignalArgs &) { throw 42; });
        bool caught = false;
        try {
            sig.sendRobust({}, {});
        } catch (int v) {
            caught = v == 42;
        }
        QVERIFY(caught);
        QCOMPARE(ctx.depth(), 0);
        QCOMPARE(rec.open, 0);
        QCOMPARE(rec.log.last(), QStringLiteral("end s d0 !Exception"));
    }

    // test_send_robust_success / _fail / _ignored: one result per receiver, in
    // order; the error line at depth+1 when the receiver fails.
    void sendRobustCollectsErrors()
    {
        DispatchContext ctx;
        Recorder rec;
        ctx.addListener(&rec);
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        sig.connect(1, recorder(calls, QStringLiteral("1")), {}, {}, QStringLiteral("r1"));
        sig.connect(2, raiser(QStringLiteral("ReceiverError"), QStringLiteral("no")), {}, {}, QStringLiteral("r2"));
        sig.connect(3, [](const Sender &, const SignalArgs &) { throw std::logic_error("std"); }, {}, {}, QStringLiteral("r3"));
        sig.connect(4, recorder(calls, QStringLiteral("4")), {}, {}, QStringLiteral("r4"));

        const QVector<RobustResult> results = sig.sendRobust(A, {});
        QCOMPARE(results.size(), 4);
        QCOMPARE(calls, QStringList({QStringLiteral("1"), QStringLiteral("4")}));
        QVERIFY(!results[0].error);
        QCOMPARE(results[1].error->type(), QStringLiteral("ReceiverError"));
        QCOMPARE(results[1].error->message(), QStringLiteral("no"));
        QCOMPARE(results[2].error->type(), QStringLiteral("Exception"));
        QCOMPARE(results[2].error->message(), QStringLiteral("std"));
        QVERIFY(!results[3].error);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(results[i].receiver.index, i);
            QCOMPARE(results[i].receiver.receiverId, quintptr(i + 1));
            QCOMPARE(results[i].receiver.label, QStringLiteral("r%1").arg(i + 1));
        }
        QCOMPARE(rec.log, QStringList({
            QStringLiteral("send s d0"),
            QStringLiteral("rb r1#0"), QStringLiteral("re r1"),
            QStringLiteral("rb r2#1"), QStringLiteral("re r2 !ReceiverError"),
            QStringLiteral("error d1 ReceiverError: no"),
            QStringLiteral("rb r3#2"), QStringLiteral("re r3 !Exception"),
            QStringLiteral("error d1 Exception: std"),
            QStringLiteral("rb r4#3"), QStringLiteral("re r4"),
            QStringLiteral("end s d0")}));
        QVERIFY(rec.sends[0].robust);

        // Results are filled without any listener too.
        ctx.removeListener(&rec);
        QCOMPARE(sig.sendRobust(A, {}).size(), 4);
    }

    // test_has_listeners, plus Django's has_listeners(None) subtlety: it only
    // sees receivers connected with sender None.
    void hasListeners()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QVERIFY(!sig.hasListeners());
        QVERIFY(!sig.hasListeners(A));
        sig.connect(1, [](const Sender &, const SignalArgs &) {}, A);
        QVERIFY(sig.hasListeners(A));
        QVERIFY(!sig.hasListeners(B));
        QVERIFY(!sig.hasListeners());           // sender None: the A-only receiver does not count
        sig.connect(2, [](const Sender &, const SignalArgs &) {});
        QVERIFY(sig.hasListeners());
        QVERIFY(sig.hasListeners(B));
        QVERIFY(sig.disconnect(2));
        QVERIFY(!sig.hasListeners(B));
        QVERIFY(sig.disconnect(1, A));
        QVERIFY(!sig.hasListeners(A));
    }

    // The receiver list is resolved when the send starts.
    void connectDisconnectDuringSend()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        sig.connect(1, [&](const Sender &, const SignalArgs &) {
            calls << QStringLiteral("1");
            sig.connect(9, recorder(calls, QStringLiteral("late")));    // not called by this send
            sig.disconnect(2);                                          // still called by this send
            sig.disconnect(1);                                          // removing itself is fine too
        });
        sig.connect(2, recorder(calls, QStringLiteral("2")));
        sig.send({}, {});
        QCOMPARE(calls, QStringList({QStringLiteral("1"), QStringLiteral("2")}));
        calls.clear();
        sig.send({}, {});
        QCOMPARE(calls, QStringList({QStringLiteral("late")}));
    }

    // A receiver disconnected by an earlier one is still called by the send in
    // progress, and freed once that send (and any nested one) has ended.
    void disconnectedReceiverLivesUntilTheSendEnds()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        auto token = std::make_shared<int>(7);
        const std::weak_ptr<int> watch = token;
        int nested = 0;
        sig.connect(1, [&](const Sender &, const SignalArgs &) {
            calls << QStringLiteral("1");
            if (nested++ == 0) {
                sig.disconnect(2);
                sig.send({}, {});               // nested: resolves without receiver 2
            }
        });
        sig.connect(2, [&calls, token = std::move(token)](const Sender &, const SignalArgs &) {
            calls << QStringLiteral("2:%1").arg(*token);
        });
        sig.send({}, {});
        QCOMPARE(calls, QStringList({QStringLiteral("1"), QStringLiteral("1"), QStringLiteral("2:7")}));
        QVERIFY(watch.expired());               // gone with the send that still held it
        QCOMPARE(sig.receivers().size(), 1);
    }

    // A listener added by a receiver hears the next send, not the rest of this
    // one; a listener removed by a receiver hears nothing more.
    void listenersChangedDuringSend()
    {
        DispatchContext ctx;
        Recorder first, late;
        ctx.addListener(&first);
        Signal sig(QStringLiteral("s"), &ctx);
        Signal inner(QStringLiteral("inner"), &ctx);
        sig.connect(1, [&](const Sender &, const SignalArgs &) {
            ctx.addListener(&late);
            ctx.removeListener(&first);
            inner.send({}, {});
        }, {}, {}, QStringLiteral("changer"));
        sig.send({}, {});
        QCOMPARE(first.log, QStringList({QStringLiteral("send s d0"), QStringLiteral("rb changer#0")}));
        QCOMPARE(late.log, QStringList({QStringLiteral("send inner d1"), QStringLiteral("end inner d1")}));
        ctx.removeListener(&late);
        ctx.addListener(&first);
        sig.send({}, {});                       // changes again mid-send: `first` leaves after its rb
        QCOMPARE(first.log.size(), 4);
        QCOMPARE(late.log.size(), 4);           // heard `inner` of the second send only
    }

    // Weak references: a receiver tied to a QObject vanishes with it.
    void qobjectLifetime()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        auto *owner = new QObject;
        QVERIFY(sig.connect(1, recorder(calls, QStringLiteral("tied")), A, {}, {}, owner));
        QVERIFY(sig.hasListeners(A));
        delete owner;
        QVERIFY(!sig.hasListeners(A));
        QVERIFY(sig.receivers().isEmpty());
        QVERIFY(sig.liveReceivers(A).isEmpty());
        sig.send(A, {});
        QVERIFY(calls.isEmpty());
        QVERIFY(!sig.disconnect(1, A));         // pruned: nothing to remove
        // A dead receiver does not hold its key (Django clears dead ones first).
        auto *again = new QObject;
        QVERIFY(sig.connect(1, recorder(calls, QStringLiteral("again")), A, {}, {}, again));
        sig.send(A, {});
        QCOMPARE(calls, QStringList({QStringLiteral("again")}));
        delete again;
    }

    // A receiver destroyed by an earlier receiver of the same send is not called.
    void qobjectDestroyedDuringSend()
    {
        DispatchContext ctx;
        Recorder rec;
        ctx.addListener(&rec);
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        auto *owner = new QObject;
        sig.connect(1, [&](const Sender &, const SignalArgs &) { delete owner; owner = nullptr; }, {}, {}, QStringLiteral("killer"));
        sig.connect(2, recorder(calls, QStringLiteral("victim")), {}, {}, QStringLiteral("victim"), owner);
        sig.connect(3, recorder(calls, QStringLiteral("after")), {}, {}, QStringLiteral("after"));
        sig.send({}, {});
        QCOMPARE(calls, QStringList({QStringLiteral("after")}));
        QCOMPARE(rec.log, QStringList({
            QStringLiteral("send s d0"),
            QStringLiteral("rb killer#0"), QStringLiteral("re killer"),
            QStringLiteral("rb after#2"), QStringLiteral("re after"),
            QStringLiteral("end s d0")}));
    }

    // Depth: 0 for a step's send, n+1 inside a receiver of a depth-n send.
    void nestedDepth()
    {
        DispatchContext ctx;
        Recorder rec;
        ctx.addListener(&rec);
        Signal s1(QStringLiteral("one"), &ctx), s2(QStringLiteral("two"), &ctx), s3(QStringLiteral("three"), &ctx);
        QVector<int> seen;
        s1.connect(1, [&](const Sender &snd, const SignalArgs &) { seen << ctx.depth(); s2.send(snd, {}); ctx.emitEffect(QStringLiteral("notify"), QStringLiteral("x")); }, {}, {}, QStringLiteral("a"));
        s2.connect(2, [&](const Sender &snd, const SignalArgs &) { seen << ctx.depth(); s3.send(snd, {}); }, {}, {}, QStringLiteral("b"));
        s3.connect(3, [&](const Sender &, const SignalArgs &) { seen << ctx.depth(); }, {}, {}, QStringLiteral("c"));
        ctx.emitEffect(QStringLiteral("notify"), QStringLiteral("top"));
        s1.send(A, {});
        QCOMPARE(seen, QVector<int>({1, 2, 3}));
        QCOMPARE(ctx.depth(), 0);
        QCOMPARE(rec.maxOpen, 3);
        QCOMPARE(rec.open, 0);
        QCOMPARE(rec.log, QStringList({
            QStringLiteral("effect d0 notify top"),
            QStringLiteral("send one d0"), QStringLiteral("rb a#0"),
            QStringLiteral("send two d1"), QStringLiteral("rb b#0"),
            QStringLiteral("send three d2"), QStringLiteral("rb c#0"), QStringLiteral("re c"), QStringLiteral("end three d2"),
            QStringLiteral("re b"), QStringLiteral("end two d1"),
            QStringLiteral("effect d1 notify x"),
            QStringLiteral("re a"), QStringLiteral("end one d0")}));
        // Ids are unique and increasing, including sends nobody listens to.
        QCOMPARE(rec.sends[0].id + 1, rec.sends[1].id);
        QCOMPARE(rec.sends[1].id + 1, rec.sends[2].id);
        ctx.removeListener(&rec);
        s3.send({}, {});
        ctx.addListener(&rec);
        s3.send({}, {});
        QCOMPARE(rec.sends.last().id, rec.sends[2].id + 2);
    }

    // Robust error lines are at the failing receiver's level; an error escaping
    // nested plain sends is recorded once, by the robust send that catches it.
    void robustErrorLineDepth()
    {
        DispatchContext ctx;
        Recorder rec;
        ctx.addListener(&rec);
        Signal outer(QStringLiteral("outer"), &ctx), mid(QStringLiteral("mid"), &ctx), inner(QStringLiteral("inner"), &ctx);
        outer.connect(1, [&](const Sender &, const SignalArgs &) { mid.sendRobust({}, {}); }, {}, {}, QStringLiteral("o"));
        mid.connect(2, [&](const Sender &, const SignalArgs &) { inner.send({}, {}); }, {}, {}, QStringLiteral("m"));
        inner.connect(3, raiser(QStringLiteral("ReceiverError"), QStringLiteral("deep")), {}, {}, QStringLiteral("i"));
        outer.send({}, {});
        QCOMPARE(rec.log.filter(QStringLiteral("error")),
                 QStringList({QStringLiteral("error d2 ReceiverError: deep")}));
        QCOMPARE(rec.log.last(), QStringLiteral("end outer d0"));
        QCOMPARE(ctx.depth(), 0);
    }

    // Contract 5.9: a receiver re-sending its own signal. Exactly maxDepth
    // sends are recorded (depths 0..maxDepth-1), then RecursionError reaches
    // the caller through every enclosing plain send.
    void recursionBound_data()
    {
        QTest::addColumn<int>("maxDepth");
        QTest::newRow("contract") << 32;
        QTest::newRow("tightened") << 5;
        QTest::newRow("one") << 1;
    }
    void recursionBound()
    {
        QFETCH(int, maxDepth);
        DispatchContext ctx;
        ctx.setMaxDepth(maxDepth);
        Recorder rec;
        ctx.addListener(&rec);
        Signal sig(QStringLiteral("loop"), &ctx);
        int calls = 0;
        sig.connect(1, [&](const Sender &snd, const SignalArgs &args) { ++calls; sig.send(snd, args); });
        SignalArgs args;
        args.add(QStringLiteral("created"), QCborValue(true));
        const auto e = thrown([&] { sig.send(A, args); });
        QVERIFY(e);
        QCOMPARE(e->type(), QStringLiteral("RecursionError"));
        QCOMPARE(e->message(), QStringLiteral("maximum recursion depth exceeded"));
        QCOMPARE(rec.sends.size(), maxDepth);
        for (int i = 0; i < maxDepth; ++i)
            QCOMPARE(rec.sends[i].depth, i);
        QCOMPARE(calls, maxDepth);
        QCOMPARE(rec.stopped.size(), 1);
        QCOMPARE(rec.stopped[0].depth, maxDepth);
        QCOMPARE(rec.stopped[0].args.value(QStringLiteral("created")), QCborValue(true));
        const auto count = [&](const QString &prefix) {
            return std::count_if(rec.log.cbegin(), rec.log.cend(), [&](const QString &l) { return l.startsWith(prefix); });
        };
        QCOMPARE(int(count(QStringLiteral("end loop"))), maxDepth);
        QCOMPARE(int(count(QStringLiteral("re "))), maxDepth);
        QCOMPARE(rec.log.filter(QStringLiteral("!RecursionError")).size(), 2 * maxDepth);
        QVERIFY(rec.log.filter(QStringLiteral("error d")).isEmpty());
        QCOMPARE(rec.open, 0);
        QCOMPARE(ctx.depth(), 0);
    }

    // The bound is checked by sendRobust too, and raised to its caller: a robust
    // send cannot swallow its own RecursionError, only an enclosing one can.
    void recursionBoundRobust()
    {
        DispatchContext ctx;
        Recorder rec;
        ctx.addListener(&rec);
        Signal sig(QStringLiteral("s"), &ctx);
        sig.connect(1, [](const Sender &, const SignalArgs &) {});
        ctx.setMaxDepth(0);
        const auto e = thrown([&] { sig.sendRobust({}, {}); });
        QVERIFY(e);
        QCOMPARE(e->type(), QStringLiteral("RecursionError"));
        QVERIFY(rec.sends.isEmpty());
        QCOMPARE(rec.stopped.size(), 1);
        QVERIFY(rec.stopped[0].robust);

        // Bound 2: the depth-1 plain send's RecursionError (from its depth-2
        // child) is swallowed by the depth-0 robust send as its receiver's error.
        ctx.setMaxDepth(2);
        rec.log.clear();
        Signal top(QStringLiteral("top"), &ctx), loop(QStringLiteral("loop"), &ctx);
        top.connect(1, [&](const Sender &, const SignalArgs &) { loop.send({}, {}); }, {}, {}, QStringLiteral("t"));
        loop.connect(2, [&](const Sender &, const SignalArgs &) { loop.send({}, {}); }, {}, {}, QStringLiteral("l"));
        const QVector<RobustResult> results = top.sendRobust({}, {});
        QCOMPARE(results.size(), 1);
        QCOMPARE(results[0].error->type(), QStringLiteral("RecursionError"));
        QCOMPARE(rec.log, QStringList({
            QStringLiteral("send top d0"), QStringLiteral("rb t#0"),
            QStringLiteral("send loop d1"), QStringLiteral("rb l#0"),
            QStringLiteral("stop loop d2"),
            QStringLiteral("re l !RecursionError"), QStringLiteral("end loop d1 !RecursionError"),
            QStringLiteral("re t !RecursionError"),
            QStringLiteral("error d1 RecursionError: maximum recursion depth exceeded"),
            QStringLiteral("end top d0")}));
        QCOMPARE(ctx.depth(), 0);
    }

    // Muted receivers keep their place and their connection but are skipped.
    void muted()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        QStringList calls;
        sig.connect(1, recorder(calls, QStringLiteral("1")));
        sig.connect(2, recorder(calls, QStringLiteral("2")), A, QStringLiteral("u"));
        sig.connect(3, recorder(calls, QStringLiteral("3")));
        QVERIFY(!sig.setMuted(2, A, {}, true));                 // keyed by uid, not id
        QVERIFY(sig.setMuted(0, A, QStringLiteral("u"), true));
        QVERIFY(sig.setMuted(1, {}, {}, true));
        sig.send(A, {});
        QCOMPARE(calls, QStringList({QStringLiteral("3")}));
        QCOMPARE(sig.liveReceivers(A).size(), 1);
        QCOMPARE(sig.receivers().size(), 3);
        QVERIFY(sig.receivers().at(0).muted);
        QVERIFY(sig.hasListeners(A));                           // still connected
        QVERIFY(!sig.connect(1, recorder(calls, QStringLiteral("1"))));
        QVERIFY(sig.setMuted(1, {}, {}, false));
        QVERIFY(sig.setMuted(0, A, QStringLiteral("u"), false));
        calls.clear();
        sig.send(A, {});
        QCOMPARE(calls, QStringList({QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")}));

        // Muting or unmuting during a send does not change that send: the
        // decision is part of the receiver list resolved at its start.
        sig.disconnect(3);
        sig.connect(3, [&](const Sender &, const SignalArgs &) {
            calls << QStringLiteral("3");
            sig.setMuted(4, {}, {}, false);
            sig.setMuted(5, {}, {}, true);
        });
        sig.connect(4, recorder(calls, QStringLiteral("4")));
        sig.connect(5, recorder(calls, QStringLiteral("5")));
        QVERIFY(sig.setMuted(4, {}, {}, true));
        calls.clear();
        sig.send({}, {});
        QCOMPARE(calls, QStringList({QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("5")}));
        calls.clear();
        sig.send({}, {});
        QCOMPARE(calls, QStringList({QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("4")}));
    }

    // The SendEvent carries what the trace line needs, frozen at the send.
    void sendEventContents()
    {
        DispatchContext ctx;
        Recorder rec;
        ctx.addListener(&rec);
        Signal sig(QStringLiteral("post_save"), &ctx), hidden(QStringLiteral("connection_created"), &ctx, false);
        SignalArgs args;
        args.add(QStringLiteral("raw"), QCborValue(false))
            .add(QStringLiteral("using"), QCborValue(QStringLiteral("default")))
            .add(QStringLiteral("update_fields"), Value());        // frozen as null, not Undefined
        QVERIFY(args.has(QStringLiteral("raw")));
        QVERIFY(!args.has(QStringLiteral("instance")));
        QCOMPARE(args.get(QStringLiteral("using")).scalar(), QCborValue(QStringLiteral("default")));
        QVERIFY(args.get(QStringLiteral("nope")).isNull());

        sig.send(A, args);          // recorded with no receiver at all (contract 4.1)
        hidden.send({}, {});
        QCOMPARE(rec.sends.size(), 2);
        const SendEvent &e = rec.sends[0];
        QCOMPARE(e.signal, &sig);
        QCOMPARE(e.signalName, QStringLiteral("post_save"));
        QVERIFY(e.sender == A);
        QVERIFY(!e.robust);
        QVERIFY(e.canonical);
        QVERIFY(e.instanceKey.isEmpty());
        QCOMPARE(e.args.keys(), QVector<QCborValue>({QCborValue(QStringLiteral("raw")),
                                                     QCborValue(QStringLiteral("using")),
                                                     QCborValue(QStringLiteral("update_fields"))}));
        QVERIFY(e.args.value(QStringLiteral("update_fields")).isNull());
        QCOMPARE(e.args.value(QStringLiteral("raw")), QCborValue(false));
        QVERIFY(!rec.sends[1].canonical);
        QVERIFY(rec.sends[1].sender.isNone());
        QCOMPARE(rec.log, QStringList({QStringLiteral("send post_save d0"), QStringLiteral("end post_save d0"),
                                       QStringLiteral("send connection_created d0"), QStringLiteral("end connection_created d0")}));
    }

    // Receivers get the sender and the very arguments of the send.
    void receiverSeesSenderAndArgs()
    {
        DispatchContext ctx;
        Signal sig(QStringLiteral("s"), &ctx);
        Sender got;
        QCborValue created;
        sig.connect(1, [&](const Sender &s, const SignalArgs &a) { got = s; created = a.get(QStringLiteral("created")).scalar(); });
        sig.send(B, SignalArgs().add(QStringLiteral("created"), QCborValue(1)));
        QVERIFY(got == B);
        QCOMPARE(created, QCborValue(1));
    }
};

QTEST_GUILESS_MAIN(TestDispatch)
#include "tst_dispatch.moc"
