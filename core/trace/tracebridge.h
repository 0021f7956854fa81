#pragma once
// The recording as Qt signals, for views.
//
// Views must not hear of every event one by one: a scenario sends thousands of
// signals per second and one beginInsertRows per event is 5-7x slower than one
// per batch. The bridge only notes that something happened; a single-shot
// timer (100 ms while live) or an explicit flush() then tells views what is new
// in one go: the appended range, events that changed since they were announced
// (closed, failed, marked as part of a loop), new or changed loops, finished
// steps. It reads everything from the TraceRecorder, so its place among the
// DispatchContext's listeners does not matter.
//
// It also lets Qt code act as a Django receiver: connectSlot() ties the
// receiver to a QObject, which disconnects it by being destroyed.

#include "dispatch/dispatcher.h"
#include "dispatch/tracelistener.h"

#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTimer>
#include <QVector>

#include <algorithm>

namespace ss {

class TraceRecorder;

class TraceBridge : public QObject, public TraceListener
{
    Q_OBJECT

public:
    explicit TraceBridge(TraceRecorder *recorder, QObject *parent = nullptr);
    ~TraceBridge() override;

    TraceRecorder *recorder() const { return m_recorder; }

    // While live, news is delivered `interval` ms after the first event that
    // follows a delivery; when not live, only flush() delivers.
    void setInterval(int ms) { m_timer.setInterval(ms); }
    int interval() const { return m_timer.interval(); }
    void setLive(bool live);
    bool isLive() const { return m_live; }
    // A timed delivery announces at most this many events; the rest follow
    // from the event loop at once, a batch at a time. A view's cost per batch
    // grows with its size, so a run streaming 300k events a second must not
    // hand the UI thread one 30,000-event batch. flush() delivers everything.
    void setMaxBatch(int events) { m_maxBatch = std::max(1, events); }
    int maxBatch() const { return m_maxBatch; }

    // Connects `slot` to `signal` as a receiver living as long as `receiver`
    // (Django's weak reference to a bound method). Returns the receiver id, for
    // Signal::disconnect, or 0 when the connect was ignored (same uid and
    // sender already connected). `label` defaults to the object's class name.
    static quintptr connectSlot(Signal &signal, QObject *receiver, ReceiverFn slot, const Sender &sender = {},
                                const QString &label = {}, const QString &dispatchUid = {});

    // TraceListener: note, deliver later.
    void stepBegin(int step, const StepLabel &label) override;
    void stepEnd(int step, const DjangoError *failure) override;
    void sendBegin(const SendEvent &event) override;
    void sendEnd(const SendEvent &event, const DjangoError *escaped) override;
    void receiverBegin(const SendEvent &send, const ReceiverEvent &receiver) override;
    void receiverEnd(const SendEvent &send, const ReceiverEvent &receiver, const DjangoError *error) override;
    void effect(int depth, const QString &kind, const QString &text) override;
    void errorLine(int depth, const DjangoError &error) override;
    void recursionStopped(const SendEvent &event) override;

public Q_SLOTS:
    // Delivers everything pending now.
    void flush();
    // Delivers one batch of at most maxBatch() events now; while live, the
    // rest follows from the event loop. For the end of a long run, where a
    // flush() would hand the UI thread everything at once.
    void deliverBatch() { deliver(m_maxBatch); }
    // Clears the recorder and tells views so (recordingCleared). Clear through
    // here: a recorder cleared behind the bridge's back is only noticed when
    // it has fewer events than were announced.
    void clearRecording();

Q_SIGNALS:
    void eventsAppended(int first, int last);           // inclusive event indexes
    void eventsChanged(int first, int last);            // announced events that changed
    void loopDetected(int loop, const QString &path);   // index into TraceRecorder::loops()
    void loopChanged(int loop);                         // more re-entries, or stopped
    void stepFinished(int step, const QString &error);  // "Type: message", empty when it succeeded
    void recordingCleared();

private:
    void schedule();
    void deliver(int maxEvents);

    TraceRecorder *m_recorder;
    QTimer m_timer;
    QTimer m_catchUp;                                   // 0 ms: the rest of a capped delivery
    int m_maxBatch = 4096;
    bool m_live = true;
    int m_announced = 0;
    QVector<int> m_loopRevisions;
    QVector<QPair<int, QString>> m_finishedSteps;
};

} // namespace ss
