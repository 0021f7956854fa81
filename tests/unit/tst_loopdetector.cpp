// LoopDetector: re-entries of (signal, sender, instance) through receivers,
// alone and as driven by the TraceRecorder (marks on events), and loops ended
// by the recursion bound. Events are hand-made: no engine, no real Signal.

#include "dispatch/loopdetector.h"
#include "trace/tracerecorder.h"

#include <QtTest>

using namespace ss;

namespace {

// A little dispatch simulator: keeps send ids and depths like the dispatcher.
class Driver
{
public:
    explicit Driver(TraceListener &listener) : m_listener(listener) {}

    SendEvent send(const QString &signal, const QString &model, int pk, int depth)
    {
        SendEvent e;
        e.signalName = signal;
        e.sender = Sender::model(model);
        e.depth = depth;
        e.id = ++m_lastId;
        e.instanceKey = pk ? model + QLatin1Char(':') + QString::number(pk) : QString();
        QCborMap instance;
        instance.insert(QStringLiteral("model"), model);
        instance.insert(QStringLiteral("pk"), pk ? QCborValue(pk) : QCborValue(nullptr));
        e.args.insert(QStringLiteral("instance"), instance);
        return e;
    }
    void begin(const SendEvent &e) { m_listener.sendBegin(e); }
    void end(const SendEvent &e) { m_listener.sendEnd(e, nullptr); }
    ReceiverEvent receiver(const SendEvent &e, const QString &label, int index = 0)
    {
        ReceiverEvent r;
        r.label = label;
        r.index = index;
        m_listener.receiverBegin(e, r);
        return r;
    }
    void endReceiver(const SendEvent &e, const ReceiverEvent &r) { m_listener.receiverEnd(e, r, nullptr); }

    // save(): pre_save then post_save of the instance, the post_save's receiver
    // running `inside` (with the post_save event).
    void save(const QString &model, int pk, int depth, const QString &receiverLabel,
              const std::function<void(int depth)> &inside)
    {
        const SendEvent pre = send(QStringLiteral("pre_save"), model, pk, depth);
        begin(pre);
        end(pre);
        const SendEvent post = send(QStringLiteral("post_save"), model, pk, depth);
        begin(post);
        if (!receiverLabel.isEmpty()) {
            const ReceiverEvent r = receiver(post, receiverLabel);
            if (inside)
                inside(depth + 1);
            endReceiver(post, r);
        }
        end(post);
    }

private:
    TraceListener &m_listener;
    quint64 m_lastId = 0;
};

} // namespace

class TestLoopDetector : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void selfLoop();
    void repeatedSelfLoopIsOneLoop();
    void mutualLoop();
    void threeModelCycle();
    void differentInstancesAreNoLoop();
    void sendsWithoutInstanceAreNoLoop();
    void siblingSendsAreNoLoop();
    void marksThroughRecorder();
    void recursionStoppedMarksTheChain();
    void recursionStoppedWithoutLoop();
    void stepResetsTheStack();
    void pausedRecorderStillDetects();
};

void TestLoopDetector::selfLoop()
{
    LoopDetector detector;
    Driver d(detector);
    d.save(QStringLiteral("Counter"), 1, 0, QStringLiteral("resave_counter"), [&](int depth) {
        d.save(QStringLiteral("Counter"), 1, depth, QString(), nullptr);
    });
    QCOMPARE(detector.loops().size(), 1);
    const DetectedLoop &loop = detector.loops().first();
    QCOMPARE(loop.path, QStringLiteral("post_save(Counter:1) → resave_counter → post_save(Counter:1)"));
    QCOMPARE(loop.reentries, 1);
    QVERIFY(!loop.stopped);
    QCOMPARE(loop.firstEvent, -1);      // standalone: events are not numbered
}

void TestLoopDetector::repeatedSelfLoopIsOneLoop()
{
    LoopDetector detector;
    Driver d(detector);
    std::function<void(int)> again = [&](int depth) {
        d.save(QStringLiteral("Counter"), 1, depth, depth < 6 ? QStringLiteral("resave_counter") : QString(), again);
    };
    d.save(QStringLiteral("Counter"), 1, 0, QStringLiteral("resave_counter"), again);
    QCOMPARE(detector.loops().size(), 1);
    QCOMPARE(detector.loops().first().reentries, 6);
    QCOMPARE(detector.loops().first().revision, 6);
}

void TestLoopDetector::mutualLoop()
{
    LoopDetector detector;
    Driver d(detector);
    d.save(QStringLiteral("A"), 1, 0, QStringLiteral("touch_b"), [&](int depth) {
        d.save(QStringLiteral("B"), 1, depth, QStringLiteral("touch_a"), [&](int depth2) {
            d.save(QStringLiteral("A"), 1, depth2, QString(), nullptr);
        });
    });
    QCOMPARE(detector.loops().size(), 1);
    QCOMPARE(detector.loops().first().path,
             QStringLiteral("post_save(A:1) → touch_b → post_save(B:1) → touch_a → post_save(A:1)"));
}

void TestLoopDetector::threeModelCycle()
{
    LoopDetector detector;
    Driver d(detector);
    d.save(QStringLiteral("Order"), 7, 0, QStringLiteral("update_invoice"), [&](int d1) {
        d.save(QStringLiteral("Invoice"), 3, d1, QStringLiteral("update_ledger"), [&](int d2) {
            d.save(QStringLiteral("Ledger"), 1, d2, QStringLiteral("update_order"), [&](int d3) {
                d.save(QStringLiteral("Order"), 7, d3, QString(), nullptr);
            });
        });
    });
    QCOMPARE(detector.loops().size(), 1);
    QCOMPARE(detector.loops().first().path,
             QStringLiteral("post_save(Order:7) → update_invoice → post_save(Invoice:3) → update_ledger → "
                            "post_save(Ledger:1) → update_order → post_save(Order:7)"));
    QCOMPARE(detector.loops().first().reentries, 1);
}

void TestLoopDetector::differentInstancesAreNoLoop()
{
    LoopDetector detector;
    Driver d(detector);
    d.save(QStringLiteral("User"), 1, 0, QStringLiteral("save_other_user"), [&](int depth) {
        d.save(QStringLiteral("User"), 2, depth, QString(), nullptr);
    });
    QVERIFY(detector.loops().isEmpty());
}

void TestLoopDetector::sendsWithoutInstanceAreNoLoop()
{
    LoopDetector detector;
    Driver d(detector);
    const SendEvent outer = d.send(QStringLiteral("pre_init"), QStringLiteral("User"), 0, 0);
    d.begin(outer);
    const ReceiverEvent r = d.receiver(outer, QStringLiteral("make_user"));
    const SendEvent inner = d.send(QStringLiteral("pre_init"), QStringLiteral("User"), 0, 1);
    d.begin(inner);
    d.end(inner);
    d.endReceiver(outer, r);
    d.end(outer);
    QVERIFY(detector.loops().isEmpty());
}

void TestLoopDetector::siblingSendsAreNoLoop()
{
    LoopDetector detector;
    Driver d(detector);
    d.save(QStringLiteral("User"), 1, 0, QStringLiteral("noop"), nullptr);
    d.save(QStringLiteral("User"), 1, 0, QStringLiteral("noop"), nullptr);
    QVERIFY(detector.loops().isEmpty());
}

void TestLoopDetector::marksThroughRecorder()
{
    TraceRecorder recorder;
    Driver d(recorder);
    recorder.stepBegin(0, QStringLiteral("c.save()"));
    d.save(QStringLiteral("Counter"), 1, 0, QStringLiteral("resave_counter"), [&](int depth) {
        d.save(QStringLiteral("Counter"), 1, depth, QString(), nullptr);
    });
    recorder.stepEnd(0, nullptr);

    // 0 step, 1 pre_save, 2 post_save, 3 receiver, 4 pre_save, 5 post_save (re-entry)
    QCOMPARE(recorder.count(), 6);
    QCOMPARE(recorder.loops().size(), 1);
    const DetectedLoop &loop = recorder.loops().first();
    QCOMPARE(loop.firstEvent, 2);
    QCOMPARE(loop.reentryEvent, 5);
    QCOMPARE(recorder.event(0).loopMark, LoopMark::None);
    QCOMPARE(recorder.event(1).loopMark, LoopMark::None);
    QCOMPARE(recorder.event(2).loopMark, LoopMark::InCycle);
    QCOMPARE(recorder.event(3).loopMark, LoopMark::InCycle);
    QCOMPARE(recorder.event(4).loopMark, LoopMark::None);      // the inner pre_save finished before
    QCOMPARE(recorder.event(5).loopMark, LoopMark::Reentry);
    QCOMPARE(recorder.event(5).loop, 0);
    QCOMPARE(recorder.event(2).loop, 0);
    QCOMPARE(loopMarkName(recorder.event(5).loopMark), QStringLiteral("reentry"));
}

void TestLoopDetector::recursionStoppedMarksTheChain()
{
    TraceRecorder recorder;
    Driver d(recorder);
    recorder.stepBegin(0, QStringLiteral("c.save()"));
    std::function<void(int)> again = [&](int depth) {
        if (depth == 3) {
            // The bound: this send is refused, no line, no receivers.
            recorder.recursionStopped(d.send(QStringLiteral("pre_save"), QStringLiteral("Counter"), 1, depth));
            return;
        }
        d.save(QStringLiteral("Counter"), 1, depth, QStringLiteral("resave_counter"), again);
    };
    again(0);
    recorder.stepEnd(0, nullptr);

    int stops = 0;
    for (int i = 0; i < recorder.count(); ++i) {
        const TraceEvent e = recorder.event(i);
        if (e.kind == TraceEventKind::RecursionStop) {
            ++stops;
            QCOMPARE(e.loopMark, LoopMark::Stopped);
            QCOMPARE(e.signal, QStringLiteral("pre_save"));
            QCOMPARE(e.depth, 3);
            QVERIFY(!e.canonical);
        }
        // Every post_save and receiver of the chain was open when it was stopped.
        if (e.kind == TraceEventKind::Receiver || (e.kind == TraceEventKind::Send && e.signal == QLatin1String("post_save")))
            QCOMPARE(e.loopMark, LoopMark::Stopped);
    }
    QCOMPARE(stops, 1);
    // post_save(Counter:1) re-entered twice along the same path; the refused
    // pre_save is no re-entry itself, so the loop still open is the one stopped.
    QCOMPARE(recorder.loops().size(), 1);
    const DetectedLoop &loop = recorder.loops().first();
    QCOMPARE(loop.path, QStringLiteral("post_save(Counter:1) → resave_counter → post_save(Counter:1)"));
    QCOMPARE(loop.reentries, 2);
    QVERIFY(loop.stopped);
    QCOMPARE(recorder.event(loop.stopEvent).kind, TraceEventKind::RecursionStop);
    QCOMPARE(recorder.event(loop.firstEvent).signal, QStringLiteral("post_save"));
    QCOMPARE(recorder.event(loop.firstEvent).depth, 0);
}

void TestLoopDetector::recursionStoppedWithoutLoop()
{
    // A refused post_save that re-enters an open post_save: the stopped loop is
    // the re-entry loop itself.
    LoopDetector detector;
    Driver d(detector);
    const SendEvent outer = d.send(QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 0);
    d.begin(outer);
    const ReceiverEvent r = d.receiver(outer, QStringLiteral("resave_counter"));
    const SendEvent again = d.send(QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 1);
    d.begin(again);
    const ReceiverEvent r2 = d.receiver(again, QStringLiteral("resave_counter"));
    detector.recursionStopped(d.send(QStringLiteral("post_save"), QStringLiteral("Counter"), 1, 2));
    d.endReceiver(again, r2);
    d.end(again);
    d.endReceiver(outer, r);
    d.end(outer);
    QCOMPARE(detector.loops().size(), 1);
    QVERIFY(detector.loops().first().stopped);
    QCOMPARE(detector.loops().first().reentries, 1);

    // A chain of ever new instances has no re-entry: the whole stack is reported.
    LoopDetector chain;
    Driver c(chain);
    const SendEvent a = c.send(QStringLiteral("post_save"), QStringLiteral("Node"), 1, 0);
    c.begin(a);
    c.receiver(a, QStringLiteral("spawn_child"));
    chain.recursionStopped(c.send(QStringLiteral("pre_save"), QStringLiteral("Node"), 0, 1));
    QCOMPARE(chain.loops().size(), 1);
    QVERIFY(chain.loops().first().stopped);
    QCOMPARE(chain.loops().first().reentries, 0);
    QCOMPARE(chain.loops().first().path, QStringLiteral("post_save(Node:1) → spawn_child → pre_save(Node)"));

    // Unsaved instances are known by address; the path says "unsaved" instead.
    LoopDetector unsaved;
    Driver u(unsaved);
    SendEvent pre = u.send(QStringLiteral("pre_save"), QStringLiteral("Node"), 0, 0);
    pre.instanceKey = QStringLiteral("Node@0x55d0c0ffee");
    u.begin(pre);
    u.receiver(pre, QStringLiteral("again"));
    SendEvent reentry = pre;
    reentry.id = 99;
    reentry.depth = 1;
    u.begin(reentry);
    QCOMPARE(unsaved.loops().size(), 1);
    QCOMPARE(unsaved.loops().first().path, QStringLiteral("pre_save(Node, unsaved) → again → pre_save(Node, unsaved)"));
}

void TestLoopDetector::stepResetsTheStack()
{
    LoopDetector detector;
    Driver d(detector);
    detector.stepBegin(0, QString());
    const SendEvent leftover = d.send(QStringLiteral("post_save"), QStringLiteral("User"), 1, 0);
    d.begin(leftover);                  // never ended: the step was aborted
    detector.stepBegin(1, QString());
    const SendEvent next = d.send(QStringLiteral("post_save"), QStringLiteral("User"), 1, 0);
    d.begin(next);
    d.end(next);
    QVERIFY(detector.loops().isEmpty());
}

void TestLoopDetector::pausedRecorderStillDetects()
{
    TraceRecorder recorder;
    recorder.setPaused(true);
    Driver d(recorder);
    d.save(QStringLiteral("Counter"), 1, 0, QStringLiteral("resave_counter"), [&](int depth) {
        d.save(QStringLiteral("Counter"), 1, depth, QString(), nullptr);
    });
    QCOMPARE(recorder.count(), 0);
    QCOMPARE(recorder.loops().size(), 1);
    QCOMPARE(recorder.loops().first().firstEvent, -1);
}

QTEST_APPLESS_MAIN(TestLoopDetector)
#include "tst_loopdetector.moc"
