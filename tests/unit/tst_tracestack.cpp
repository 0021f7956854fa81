// The dispatch stacks the TraceRecorder and the LoopDetector follow. A send's
// frame holds its running receiver call; these tests drive, by hand, every
// case where that is not enough or where something walks the stacks: a pause
// or a clear() inside a running receiver, ends that match nothing, receiver
// calls out of order (an imported stream), error lines, loop paths and marks
// through receivers of different sends.

#include "dispatch/loopdetector.h"
#include "enginetestutil.h"
#include "dispatch/namekeys.h"
#include "dispatch/traceclock.h"
#include "trace/tracerecorder.h"

#include <QtTest>

using namespace ss;
using sst::makeReceiver;

namespace {

SendEvent makeSend(quint64 id, const QString &signal, const QString &model, int pk, int depth)
{
    SendEvent e;
    e.signalName = signal;
    e.sender = Sender::model(model);
    e.depth = depth;
    e.id = id;
    if (pk) {
        e.instanceKey = model + QLatin1Char(':') + QString::number(pk);
        QCborMap instance;
        instance.insert(QStringLiteral("model"), model);
        instance.insert(QStringLiteral("pk"), pk);
        e.args.insert(QStringLiteral("instance"), instance);
    }
    return e;
}

// As the dispatcher makes them: the label's key and a clock reading, which
// let the recorder take its fast path once it has seen the label.
ReceiverEvent dispatcherReceiver(const QString &label, int index)
{
    ReceiverEvent r = makeReceiver(label, index);
    r.labelKey = NameKeys::keyOf(label);
    r.stamp = TraceClock::ticks();
    return r;
}

// One stream with every case the fast paths must hand on or get right: the
// first call after another event, ends that match nothing, a second call
// while one runs, a call of a send below the top, a pause, a failed call, a
// loop through calls of two sends. Receivers are made by `receiver`.
void feedStream(TraceRecorder &rec, const std::function<ReceiverEvent(const QString &, int)> &receiver)
{
    const QStringList labels{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")};
    quint64 id = 0;
    rec.stepBegin(0, QStringLiteral("warm-up"));
    const SendEvent warm = makeSend(++id, QStringLiteral("pre_init"), QStringLiteral("W"), 0, 0);
    rec.sendBegin(warm);
    for (int i = 0; i < labels.size(); ++i) {
        const ReceiverEvent r = receiver(labels[i], i);
        rec.receiverBegin(warm, r);
        rec.receiverEnd(warm, r, nullptr);
    }
    rec.sendEnd(warm, nullptr);
    rec.stepEnd(0, nullptr);

    rec.stepBegin(1, QStringLiteral("c.save()"));
    const SendEvent s1 = makeSend(++id, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 0);
    rec.sendBegin(s1);
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("before the first call"));
    const ReceiverEvent a = receiver(QStringLiteral("a"), 0);
    rec.receiverEnd(s1, a, nullptr);                // never began
    rec.receiverBegin(s1, a);
    rec.receiverEnd(s1, receiver(QStringLiteral("d"), 3), nullptr);   // another one runs
    const SendEvent s2 = makeSend(++id, QStringLiteral("post_save"), QStringLiteral("Other"), 2, 1);
    rec.sendBegin(s2);
    const ReceiverEvent b = receiver(QStringLiteral("b"), 0);
    rec.receiverBegin(s2, b);
    const SendEvent s3 = makeSend(++id, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 2);
    rec.sendBegin(s3);                              // the loop
    const ReceiverEvent c = receiver(QStringLiteral("c"), 0);
    rec.receiverBegin(s3, c);
    const DjangoError error(QStringLiteral("ValueError"), QStringLiteral("c failed"));
    rec.receiverEnd(s3, c, &error);
    rec.errorLine(3, error);
    rec.receiverBegin(s3, receiver(QStringLiteral("d"), 1));
    rec.receiverBegin(s3, receiver(QStringLiteral("a"), 2));    // while d runs
    rec.receiverEnd(s3, receiver(QStringLiteral("d"), 1), nullptr);
    rec.sendEnd(s3, nullptr);
    rec.receiverEnd(s2, b, nullptr);
    rec.receiverBegin(s1, receiver(QStringLiteral("b"), 7));    // s2 is innermost
    rec.receiverEnd(s1, receiver(QStringLiteral("b"), 7), nullptr);
    rec.setPaused(true);
    const ReceiverEvent b1 = receiver(QStringLiteral("b"), 1);
    rec.receiverBegin(s2, b1);
    rec.setPaused(false);
    rec.effect(2, QStringLiteral("notify"), QStringLiteral("in a paused call"));
    rec.receiverEnd(s2, b1, nullptr);
    const ReceiverEvent c2 = receiver(QStringLiteral("c"), 2);
    rec.receiverBegin(s2, c2);
    rec.receiverEnd(s2, c2, nullptr);
    rec.sendEnd(s2, nullptr);
    rec.receiverEnd(s1, a, nullptr);
    const ReceiverEvent d = receiver(QStringLiteral("d"), 1);
    rec.receiverBegin(s1, d);
    rec.receiverEnd(s1, d, nullptr);
    rec.sendEnd(s1, nullptr);
    rec.stepEnd(1, nullptr);
}

QVector<int> receiverEvents(const TraceRecorder &rec, int send)
{
    QVector<int> out;
    for (const ReceiverOutcome &o : rec.receiversOf(send))
        out.append(o.event);
    return out;
}

// Where two recordings of one stream differ ("" when they do not): every
// event's kind, parent, step, depth, link, loop, flags, sender, label, error,
// whether it lasted over 4 s (an external clock's), and each send's calls.
QByteArray firstDifference(const TraceRecorder &a, const TraceRecorder &b)
{
    if (a.count() != b.count())
        return "counts " + QByteArray::number(a.count()) + " and " + QByteArray::number(b.count());
    for (int i = 0; i < a.count(); ++i) {
        const TraceRecord x = a.record(i);
        const TraceRecord y = b.record(i);
        const bool same = x.kind == y.kind && x.parent == y.parent && x.step == y.step && x.depth == y.depth
            && x.link == y.link && x.loop == y.loop && x.flags == y.flags && x.sender == y.sender
            && a.event(i).label == b.event(i).label && a.event(i).errorType == b.event(i).errorType
            && (x.durationNs > 4'000'000'000ull) == (y.durationNs > 4'000'000'000ull)
            && (x.kind != TraceEventKind::Send || receiverEvents(a, i) == receiverEvents(b, i));
        if (!same)
            return "event " + QByteArray::number(i);
    }
    return {};
}

} // namespace

class TestTraceStack : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fastPathsRecordWhatTheGeneralOnesDo();
    void pauseInsideARunningReceiver();
    void receiverEndForACallNeverOpened();
    void secondCallWhileOneRuns();
    void receiverOfASendBelowTheTop();
    void clearInsideARunningReceiver();
    void errorLineInsideARunningReceiver();
    void stepEndClosesARunningReceiverUnfinished();
    void unwindingTimesTheRunningReceiver();
    void firstCallAfterAnotherEvent();
    void clearInsideALoopForgetsTheRunningReceiver();
    void loopThroughReceiversOfDifferentSends();
    void loopPathWithACallOutOfOrder();
    void standaloneDetectorFollowsReceivers();
    void quickHandOffsSurviveEveryOtherHook();
};

// Receiver calls as the dispatcher reports them (label keys, clock readings)
// take the recorder's fast paths; hand-made ones never do. Both must record
// the same events.
void TestTraceStack::fastPathsRecordWhatTheGeneralOnesDo()
{
    TraceRecorder fast;
    feedStream(fast, dispatcherReceiver);
    TraceRecorder general;
    feedStream(general, makeReceiver);
    QCOMPARE(fast.count(), 21);
    const QByteArray difference = firstDifference(fast, general);
    QVERIFY2(difference.isEmpty(), difference.constData());
    QCOMPARE(fast.loops().size(), 1);
    QCOMPARE(fast.loops().first().path, general.loops().first().path);
    QCOMPARE(fast.loops().first().path, QStringLiteral("post_save(Counter:1) → a → post_save(Other:2) → b → post_save(Counter:1)"));
    // Where the stream went: the first call after an effect, linked; calls
    // of s3 chained; the call of s1 made while s2 was innermost.
    QCOMPARE(fast.record(7).link, 9);
    QCOMPARE(fast.event(9).label, QStringLiteral("a"));
    QVERIFY(!fast.event(9).open);
    QCOMPARE(receiverEvents(fast, 12).size(), 3);
    QCOMPARE(fast.event(16).parent, 15);           // a second call of s3 while d runs
    QCOMPARE(fast.event(16).label, QStringLiteral("a"));
    QVERIFY(fast.event(16).open);
    QVERIFY(!fast.event(15).open);
    QCOMPARE(fast.event(17).parent, 10);           // s1's call while s2 is innermost
    QCOMPARE(fast.event(17).label, QStringLiteral("b"));
    QCOMPARE(fast.event(18).parent, 10);           // inside s2's paused call
    QCOMPARE(receiverEvents(fast, 7), (QVector<int>{9, 17, 20}));
    QCOMPARE(receiverEvents(fast, 10), (QVector<int>{11, 19}));
    QCOMPARE(fast.event(13).errorType, QStringLiteral("ValueError"));
    QCOMPARE(fast.event(14).parent, 13);
    for (int i : {7, 9, 10, 11})
        QCOMPARE(fast.event(i).loopMark, LoopMark::InCycle);
    QCOMPARE(fast.event(12).loopMark, LoopMark::Reentry);
}

// Paused inside a recorded receiver: its nested send is not recorded, but a
// send after the pause is still the receiver's child; the receiver then ends
// normally and the send's next receiver is linked after it.
void TestTraceStack::pauseInsideARunningReceiver()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent outer = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(outer);
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("first"), 0);
    rec.receiverBegin(outer, r0);                   // 2
    rec.setPaused(true);
    const SendEvent hidden = makeSend(2, QStringLiteral("pre_save"), QStringLiteral("B"), 1, 1);
    rec.sendBegin(hidden);
    const ReceiverEvent h0 = makeReceiver(QStringLiteral("hidden_receiver"), 0);
    rec.receiverBegin(hidden, h0);
    rec.setPaused(false);
    rec.effect(2, QStringLiteral("notify"), QStringLiteral("inside the hidden receiver"));   // 3
    rec.receiverEnd(hidden, h0, nullptr);
    rec.sendEnd(hidden, nullptr);
    const SendEvent seen = makeSend(3, QStringLiteral("pre_save"), QStringLiteral("C"), 1, 1);
    rec.sendBegin(seen);                            // 4
    rec.sendEnd(seen, nullptr);
    rec.receiverEnd(outer, r0, nullptr);
    const ReceiverEvent r1 = makeReceiver(QStringLiteral("second"), 1);
    rec.receiverBegin(outer, r1);                   // 5
    rec.receiverEnd(outer, r1, nullptr);
    rec.sendEnd(outer, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.count(), 6);
    QCOMPARE(rec.event(3).kind, TraceEventKind::Effect);
    QCOMPARE(rec.event(3).parent, 2);               // the hidden receiver is not recorded: the nearest one is
    QCOMPARE(rec.event(4).sender.name, QStringLiteral("C"));
    QCOMPARE(rec.event(4).parent, 2);
    QVERIFY(!rec.event(2).open);
    QCOMPARE(rec.event(5).parent, 1);
    QCOMPARE(receiverEvents(rec, 1), (QVector<int>{2, 5}));
    for (int i = 0; i < rec.count(); ++i)
        QVERIFY2(!rec.event(i).open, qPrintable(QString::number(i)));
}

// The end of a receiver call that never began leaves its send, and the call
// that is running, alone.
void TestTraceStack::receiverEndForACallNeverOpened()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent send = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(send);                            // 1
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("r0"), 0);
    const ReceiverEvent r5 = makeReceiver(QStringLiteral("r5"), 5);
    rec.receiverEnd(send, r5, nullptr);             // nothing running
    rec.receiverBegin(send, r0);                    // 2
    rec.receiverEnd(send, r5, nullptr);             // another call is running
    QVERIFY(rec.event(2).open);
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("still inside r0"));   // 3
    QCOMPARE(rec.event(3).parent, 2);
    rec.receiverEnd(send, r0, nullptr);
    QVERIFY(!rec.event(2).open);
    rec.receiverEnd(send, r0, nullptr);             // twice: the send stays open
    QVERIFY(rec.event(1).open);
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("after r0"));          // 4
    QCOMPARE(rec.event(4).parent, 1);
    rec.sendEnd(send, nullptr);
    QVERIFY(!rec.event(1).open);
    rec.stepEnd(0, nullptr);
    QCOMPARE(rec.count(), 5);
}

// A second call of a send while one still runs (only an imported stream does
// that): it nests under the running one, and ending the first ends it too,
// unfinished.
void TestTraceStack::secondCallWhileOneRuns()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent send = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(send);                            // 1
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("r0"), 0);
    const ReceiverEvent r1 = makeReceiver(QStringLiteral("r1"), 1);
    rec.receiverBegin(send, r0);                    // 2
    rec.receiverBegin(send, r1);                    // 3
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("in r1"));             // 4
    rec.receiverEnd(send, r0, nullptr);
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("after both"));        // 5
    rec.sendEnd(send, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.event(3).parent, 2);
    QCOMPARE(rec.event(4).parent, 3);
    QVERIFY(!rec.event(2).open);
    QVERIFY(rec.event(3).open);                     // ended by its send's other call, unfinished
    QCOMPARE(rec.event(5).parent, 1);
    QCOMPARE(receiverEvents(rec, 1), (QVector<int>{2, 3}));
    QVERIFY(!rec.event(1).open);
}

// A call of a send that is not the innermost one: its parent is the innermost
// recorded event, it is linked to its send's calls, and its end closes what
// is above it.
void TestTraceStack::receiverOfASendBelowTheTop()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent outer = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(outer);                           // 1
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("r0"), 0);
    rec.receiverBegin(outer, r0);                   // 2
    const SendEvent inner = makeSend(2, QStringLiteral("post_save"), QStringLiteral("B"), 2, 1);
    rec.sendBegin(inner);                           // 3
    const ReceiverEvent i0 = makeReceiver(QStringLiteral("i0"), 0);
    rec.receiverBegin(inner, i0);                   // 4
    const ReceiverEvent r1 = makeReceiver(QStringLiteral("r1"), 1);
    rec.receiverBegin(outer, r1);                   // 5: below the top
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("in r1"));             // 6
    rec.receiverEnd(outer, r1, nullptr);
    rec.effect(2, QStringLiteral("notify"), QStringLiteral("back in i0"));        // 7
    rec.receiverEnd(outer, r0, nullptr);            // ends inner and i0, unfinished
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("after r0"));          // 8
    // inner ended with r0, for the loop detector too: this is no re-entry.
    const SendEvent innerAgain = makeSend(3, QStringLiteral("post_save"), QStringLiteral("B"), 2, 1);
    rec.sendBegin(innerAgain);                      // 9
    rec.sendEnd(innerAgain, nullptr);
    rec.sendEnd(inner, nullptr);                    // already gone: ignored
    rec.sendEnd(outer, nullptr);
    rec.stepEnd(0, nullptr);

    QVERIFY(rec.loops().isEmpty());
    QCOMPARE(rec.count(), 10);
    QCOMPARE(rec.event(5).parent, 4);
    QCOMPARE(rec.event(5).depth, 1);
    QCOMPARE(rec.event(6).parent, 5);
    QVERIFY(!rec.event(5).open);
    QCOMPARE(rec.event(7).parent, 4);
    QVERIFY(!rec.event(2).open);
    QVERIFY(rec.event(3).open);
    QVERIFY(rec.event(4).open);
    QCOMPARE(rec.event(8).parent, 1);
    QCOMPARE(receiverEvents(rec, 1), (QVector<int>{2, 5}));
    QCOMPARE(receiverEvents(rec, 3), QVector<int>{4});
    QVERIFY(!rec.event(1).open);
}

// clear() while a receiver runs: what follows is recorded with parents among
// what is recorded after the clear; the send's later calls too, unlinked.
void TestTraceStack::clearInsideARunningReceiver()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent outer = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(outer);
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("r0"), 0);
    rec.receiverBegin(outer, r0);
    const ReceiverEvent r1 = makeReceiver(QStringLiteral("r1"), 1);
    rec.clear();
    const SendEvent inner = makeSend(2, QStringLiteral("pre_save"), QStringLiteral("B"), 2, 1);
    rec.sendBegin(inner);                           // 0
    rec.sendEnd(inner, nullptr);
    rec.receiverEnd(outer, r0, nullptr);
    rec.errorLine(1, DjangoError(QStringLiteral("ValueError"), QStringLiteral("after r0")));   // 1
    rec.receiverBegin(outer, r1);                   // 2
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("in r1"));             // 3
    rec.receiverEnd(outer, r1, nullptr);
    rec.sendEnd(outer, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.count(), 4);
    QCOMPARE(rec.event(0).parent, -1);
    QCOMPARE(rec.event(0).depth, 1);
    QVERIFY(!rec.event(0).open);
    QCOMPARE(rec.event(1).parent, -1);
    QCOMPARE(rec.event(2).kind, TraceEventKind::Receiver);
    QCOMPARE(rec.event(2).parent, -1);
    QCOMPARE(rec.event(2).label, QStringLiteral("r1"));
    QCOMPARE(rec.event(2).receiverIndex, 1);
    QVERIFY(!rec.event(2).open);
    QCOMPARE(rec.record(2).link, -1);
    QCOMPARE(rec.event(3).parent, 2);
}

// An error line written while a receiver call runs belongs to that call; one
// written after it returned (send_robust) to the send's latest call.
void TestTraceStack::errorLineInsideARunningReceiver()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent send = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(send);                            // 1
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("r0"), 0);
    rec.receiverBegin(send, r0);                    // 2
    const DjangoError error(QStringLiteral("ValueError"), QStringLiteral("boom"));
    rec.errorLine(1, error);                        // 3
    rec.errorLine(2, error);                        // 4: deeper, still the running call's
    rec.receiverEnd(send, r0, &error);
    rec.errorLine(1, error);                        // 5
    rec.setPaused(true);
    const ReceiverEvent r1 = makeReceiver(QStringLiteral("r1"), 1);
    rec.receiverBegin(send, r1);                    // not recorded
    rec.setPaused(false);
    rec.errorLine(1, error);                        // 6: r1 unrecorded, so r0, the latest recorded call
    rec.errorLine(2, error);                        // 7: not at a receiver's depth: the send
    rec.receiverEnd(send, r1, nullptr);
    rec.sendEnd(send, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.event(3).parent, 2);
    QCOMPARE(rec.event(4).parent, 2);
    QCOMPARE(rec.event(5).parent, 2);
    QCOMPARE(rec.event(6).parent, 2);
    QCOMPARE(rec.event(7).parent, 1);
    QCOMPARE(rec.errorType(2), QStringLiteral("ValueError"));
    QVERIFY(!rec.event(2).open);
}

void TestTraceStack::stepEndClosesARunningReceiverUnfinished()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent send = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(send);
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("r0"), 0);
    rec.receiverBegin(send, r0);
    rec.stepEnd(0, nullptr);
    QVERIFY(!rec.event(0).open);
    QVERIFY(rec.event(1).open);
    QVERIFY(rec.event(2).open);
    // The next step starts with nothing open: a late end changes nothing.
    rec.stepBegin(1, QStringLiteral("next"));
    rec.receiverEnd(send, r0, nullptr);
    QVERIFY(rec.event(2).open);
    rec.sendBegin(send);
    rec.receiverBegin(send, r0);
    rec.stepBegin(2, QStringLiteral("aborted before"));
    QVERIFY(rec.event(4).open);
    QVERIFY(rec.event(5).open);
    QCOMPARE(rec.event(5).parent, 4);
    QCOMPARE(rec.event(5).step, 1);
}

// A running call closed by an end that skipped it keeps its Open flag but gets
// its duration up to that end, as its send does.
void TestTraceStack::unwindingTimesTheRunningReceiver()
{
    TraceRecorder rec;
    rec.setExternalTime(100);
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent outer = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(outer);                           // 1
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("r0"), 0);
    rec.setExternalTime(200);
    rec.receiverBegin(outer, r0);                   // 2
    const SendEvent inner = makeSend(2, QStringLiteral("post_save"), QStringLiteral("B"), 2, 1);
    rec.sendBegin(inner);                           // 3
    const ReceiverEvent i0 = makeReceiver(QStringLiteral("i0"), 0);
    rec.setExternalTime(300);
    rec.receiverBegin(inner, i0);                   // 4
    rec.setExternalTime(1000);
    const DjangoError escaped(QStringLiteral("ValueError"), QStringLiteral("escaped"));
    rec.sendEnd(outer, &escaped);                   // skips i0, inner and r0
    QCOMPARE(rec.event(1).durationNs, 900);
    QVERIFY(!rec.event(1).open);
    QCOMPARE(rec.event(1).errorType, QStringLiteral("ValueError"));
    QCOMPARE(rec.event(2).durationNs, 800);
    QVERIFY(rec.event(2).open);
    QVERIFY(!rec.event(2).failed());
    QCOMPARE(rec.event(3).durationNs, 800);
    QCOMPARE(rec.event(4).durationNs, 700);
    QVERIFY(rec.event(4).open);

    const SendEvent next = makeSend(3, QStringLiteral("post_save"), QStringLiteral("C"), 3, 0);
    rec.sendBegin(next);                            // 5
    const ReceiverEvent n0 = makeReceiver(QStringLiteral("n0"), 0);
    rec.receiverBegin(next, n0);                    // 6
    rec.setExternalTime(1500);
    rec.stepEnd(0, nullptr);
    QCOMPARE(rec.event(6).durationNs, 500);
    QVERIFY(rec.event(6).open);
    QCOMPARE(rec.event(5).durationNs, 500);
    QCOMPARE(rec.event(0).durationNs, 1400);
}

// A send's first call that is not the event right after it is still linked.
void TestTraceStack::firstCallAfterAnotherEvent()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("step"));
    const SendEvent send = makeSend(1, QStringLiteral("post_save"), QStringLiteral("A"), 1, 0);
    rec.sendBegin(send);                            // 1
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("between"));   // 2
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("r0"), 0);
    rec.receiverBegin(send, r0);                    // 3
    rec.receiverEnd(send, r0, nullptr);
    const ReceiverEvent r1 = makeReceiver(QStringLiteral("r1"), 1);
    rec.receiverBegin(send, r1);                    // 4
    rec.receiverEnd(send, r1, nullptr);
    rec.sendEnd(send, nullptr);
    rec.stepEnd(0, nullptr);
    QCOMPARE(rec.record(1).link, 3);
    QCOMPARE(rec.record(3).link, 4);
    QCOMPARE(rec.record(4).link, -1);
    QCOMPARE(receiverEvents(rec, 1), (QVector<int>{3, 4}));
}

// clear() while a receiver of a send that later re-enters runs: the loop
// marks only what was recorded after the clear, never an old event number.
void TestTraceStack::clearInsideALoopForgetsTheRunningReceiver()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("c.save()"));
    const SendEvent a = makeSend(1, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 0);
    rec.sendBegin(a);                               // 1 before the clear
    const ReceiverEvent ra = makeReceiver(QStringLiteral("resave_counter"), 0);
    rec.receiverBegin(a, ra);                       // 2 before the clear
    rec.clear();
    for (int pk : {5, 6}) {
        const SendEvent other = makeSend(quint64(pk), QStringLiteral("post_save"), QStringLiteral("Other"), pk, 1);
        rec.sendBegin(other);                       // 0, 1
        rec.sendEnd(other, nullptr);
    }
    rec.effect(1, QStringLiteral("notify"), QStringLiteral("three"));    // 2
    const SendEvent again = makeSend(7, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 1);
    rec.sendBegin(again);                           // 3
    rec.sendEnd(again, nullptr);
    rec.receiverEnd(a, ra, nullptr);
    rec.sendEnd(a, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.count(), 4);
    QCOMPARE(rec.loops().size(), 1);
    QCOMPARE(rec.loops().first().path, QStringLiteral("post_save(Counter:1) → resave_counter → post_save(Counter:1)"));
    QCOMPARE(rec.loops().first().firstEvent, -1);
    QCOMPARE(rec.loops().first().reentryEvent, 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(rec.event(i).loopMark, LoopMark::None);
    QCOMPARE(rec.event(3).loopMark, LoopMark::Reentry);
}

// post_save(Counter:1) → bump_other → post_save(Other:2) → touch_counter →
// post_save(Counter:1): both running receivers are in the path and marked.
void TestTraceStack::loopThroughReceiversOfDifferentSends()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("c.save()"));
    const SendEvent a = makeSend(1, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 0);
    rec.sendBegin(a);                               // 1
    const ReceiverEvent ra0 = makeReceiver(QStringLiteral("log_counter"), 0);
    rec.receiverBegin(a, ra0);                      // 2
    rec.receiverEnd(a, ra0, nullptr);
    const ReceiverEvent ra = makeReceiver(QStringLiteral("bump_other"), 1);
    rec.receiverBegin(a, ra);                       // 3
    const SendEvent b = makeSend(2, QStringLiteral("post_save"), QStringLiteral("Other"), 2, 1);
    rec.sendBegin(b);                               // 4
    const ReceiverEvent rb = makeReceiver(QStringLiteral("touch_counter"), 0);
    rec.receiverBegin(b, rb);                       // 5
    const SendEvent again = makeSend(3, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 2);
    rec.sendBegin(again);                           // 6
    rec.sendEnd(again, nullptr);
    rec.receiverEnd(b, rb, nullptr);
    rec.sendEnd(b, nullptr);
    rec.receiverEnd(a, ra, nullptr);
    rec.sendEnd(a, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.loops().size(), 1);
    const DetectedLoop &loop = rec.loops().first();
    QCOMPARE(loop.path, QStringLiteral("post_save(Counter:1) → bump_other → post_save(Other:2) → touch_counter → post_save(Counter:1)"));
    QCOMPARE(loop.firstEvent, 1);
    QCOMPARE(loop.reentryEvent, 6);
    QCOMPARE(rec.event(0).loopMark, LoopMark::None);
    QCOMPARE(rec.event(2).loopMark, LoopMark::None);    // an earlier call, finished
    for (int i : {1, 3, 4, 5})
        QCOMPARE(rec.event(i).loopMark, LoopMark::InCycle);
    QCOMPARE(rec.event(6).loopMark, LoopMark::Reentry);
    QCOMPARE(rec.event(5).loop, 0);
}

// A call pushed on its own (its send is not innermost) is in the path where
// it sits on the stack.
void TestTraceStack::loopPathWithACallOutOfOrder()
{
    TraceRecorder rec;
    rec.stepBegin(0, QStringLiteral("c.save()"));
    const SendEvent a = makeSend(1, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 0);
    rec.sendBegin(a);
    const ReceiverEvent r0 = makeReceiver(QStringLiteral("first"), 0);
    rec.receiverBegin(a, r0);
    const SendEvent b = makeSend(2, QStringLiteral("post_save"), QStringLiteral("Other"), 2, 1);
    rec.sendBegin(b);
    const ReceiverEvent r1 = makeReceiver(QString(), 1);       // unnamed: "receiver #1"
    rec.receiverBegin(a, r1);
    const SendEvent again = makeSend(3, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 1);
    rec.sendBegin(again);
    rec.sendEnd(again, nullptr);
    rec.sendEnd(a, nullptr);
    rec.stepEnd(0, nullptr);

    QCOMPARE(rec.loops().size(), 1);
    QCOMPARE(rec.loops().first().path,
             QStringLiteral("post_save(Counter:1) → first → post_save(Other:2) → receiver #1 → post_save(Counter:1)"));
    for (int i = 1; i <= 4; ++i)
        QCOMPARE(rec.event(i).loopMark, LoopMark::InCycle);
    QCOMPARE(rec.event(5).loopMark, LoopMark::Reentry);
}

// The detector as a listener of its own: the same paths, and ends that match
// nothing leave the stack as it was.
void TestTraceStack::standaloneDetectorFollowsReceivers()
{
    LoopDetector detector;
    detector.stepBegin(0, QStringLiteral("c.save()"));
    const SendEvent a = makeSend(1, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 0);
    detector.sendBegin(a);
    const ReceiverEvent ra = makeReceiver(QStringLiteral("bump_other"), 0);
    detector.receiverBegin(a, ra);
    detector.receiverEnd(a, makeReceiver(QStringLiteral("never_began"), 3), nullptr);
    const SendEvent b = makeSend(2, QStringLiteral("post_save"), QStringLiteral("Other"), 2, 1);
    detector.sendBegin(b);
    const ReceiverEvent rb = makeReceiver(QStringLiteral("touch_counter"), 0);
    detector.receiverBegin(b, rb);
    const SendEvent again = makeSend(3, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 2);
    detector.sendBegin(again);
    detector.sendEnd(again, nullptr);
    detector.receiverEnd(b, rb, nullptr);
    detector.sendEnd(b, nullptr);
    // Still inside bump_other: a second re-entry takes the shorter path.
    const SendEvent direct = makeSend(4, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 1);
    detector.sendBegin(direct);
    detector.sendEnd(direct, nullptr);
    detector.receiverEnd(a, ra, nullptr);
    // bump_other has ended: a send of the same triple now is no loop through it.
    const SendEvent sibling = makeSend(5, QStringLiteral("post_save"), QStringLiteral("Other"), 2, 1);
    detector.sendBegin(sibling);
    detector.sendEnd(sibling, nullptr);
    detector.sendEnd(a, nullptr);
    detector.stepEnd(0, nullptr);

    QCOMPARE(detector.loops().size(), 2);
    QCOMPARE(detector.loops().at(0).path,
             QStringLiteral("post_save(Counter:1) → bump_other → post_save(Other:2) → touch_counter → post_save(Counter:1)"));
    QCOMPARE(detector.loops().at(1).path, QStringLiteral("post_save(Counter:1) → bump_other → post_save(Counter:1)"));
    QCOMPARE(detector.loops().at(0).firstEvent, -1);
}


// The recorder hands a fast-path state from one receiver hook to the next
// (the end of a call to the next call's begin, a begin to its end). Any other
// hook in between must make the next one check the stacks again: fed the
// same stream, dispatcher-style receivers (fast) and hand-made ones (general)
// record the same events whatever comes between, wherever it comes.
void TestTraceStack::quickHandOffsSurviveEveryOtherHook()
{
    using Hook = std::function<void(TraceRecorder &, const SendEvent &)>;
    const DjangoError error(QStringLiteral("ValueError"), QStringLiteral("boom"));
    const QList<QPair<const char *, Hook>> hooks = {
        {"effect", [](TraceRecorder &r, const SendEvent &s) { r.effect(s.depth + 1, QStringLiteral("notify"), QStringLiteral("x")); }},
        {"error line", [&](TraceRecorder &r, const SendEvent &s) { r.errorLine(s.depth + 1, error); }},
        {"refused send", [](TraceRecorder &r, const SendEvent &s) {
             r.recursionStopped(makeSend(90, QStringLiteral("pre_save"), QStringLiteral("Other"), 1, s.depth + 1));
         }},
        {"nested send", [](TraceRecorder &r, const SendEvent &s) {
             const SendEvent nested = makeSend(91, QStringLiteral("pre_save"), QStringLiteral("Other"), 1, s.depth + 1);
             r.sendBegin(nested);
             r.sendEnd(nested, nullptr);
         }},
        {"pause", [](TraceRecorder &r, const SendEvent &) {
             r.setPaused(true);
             r.setPaused(false);
         }},
        {"paused", [](TraceRecorder &r, const SendEvent &) { r.setPaused(true); }},
        {"external clock", [](TraceRecorder &r, const SendEvent &) { r.setExternalTime(5'000'000'000); }},
        {"clear", [](TraceRecorder &r, const SendEvent &) { r.clear(); }},
        {"step end", [](TraceRecorder &r, const SendEvent &) { r.stepEnd(0, nullptr); }},
        {"step begin", [](TraceRecorder &r, const SendEvent &) { r.stepBegin(1, QStringLiteral("next")); }},
        {"end of a call never begun", [](TraceRecorder &r, const SendEvent &s) {
             r.receiverEnd(s, makeReceiver(QStringLiteral("z"), 9), nullptr);
         }},
        {"call of another send", [](TraceRecorder &r, const SendEvent &) {
             const SendEvent other = makeSend(92, QStringLiteral("pre_save"), QStringLiteral("Other"), 1, 0);
             r.receiverBegin(other, makeReceiver(QStringLiteral("y"), 0));
         }},
    };
    const auto feed = [](TraceRecorder &rec, const std::function<ReceiverEvent(const QString &, int)> &receiver,
                         const Hook &hook, int where) {
        rec.stepBegin(0, QStringLiteral("c.save()"));
        const SendEvent send = makeSend(1, QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 0);
        rec.sendBegin(send);
        if (where == 0)
            hook(rec, send);                        // before the first call
        const ReceiverEvent first = receiver(QStringLiteral("a"), 0);
        rec.receiverBegin(send, first);
        if (where == 1)
            hook(rec, send);                        // inside it
        rec.receiverEnd(send, receiver(QStringLiteral("a"), 0), nullptr);
        if (where == 2)
            hook(rec, send);                        // between two calls
        const ReceiverEvent second = receiver(QStringLiteral("b"), 1);
        rec.receiverBegin(send, second);
        if (where == 3)
            hook(rec, send);                        // inside the second
        rec.receiverEnd(send, receiver(QStringLiteral("b"), 1), nullptr);
        rec.sendEnd(send, nullptr);
        rec.stepEnd(0, nullptr);
    };
    for (const auto &[name, hook] : hooks) {
        for (int where = 0; where < 4; ++where) {
            TraceRecorder fast;
            TraceRecorder general;
            // Labels keyed first, as a dispatcher's are after one send (a
            // clear() would forget them).
            feed(fast, dispatcherReceiver, [](TraceRecorder &, const SendEvent &) {}, -1);
            feed(general, makeReceiver, [](TraceRecorder &, const SendEvent &) {}, -1);
            feed(fast, dispatcherReceiver, hook, where);
            feed(general, makeReceiver, hook, where);
            const QByteArray difference = QByteArray(name) + " at " + QByteArray::number(where) + ": "
                + firstDifference(fast, general);
            QVERIFY2(difference.endsWith(": "), difference.constData());
        }
    }
}

QTEST_GUILESS_MAIN(TestTraceStack)
#include "tst_tracestack.moc"
