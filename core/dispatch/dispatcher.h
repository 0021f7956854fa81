#pragma once
// Django's Signal (django/dispatch/dispatcher.py) for C++.
//
//  - connect(receiver, sender, dispatch_uid): a connection is identified by the
//    pair (dispatch_uid or receiver id, sender); a second connect with the same
//    pair is ignored. A null sender means "any sender".
//  - Receivers run in connection order, among those whose sender matches
//    (null sender, or equal sender).
//  - The receiver list is fixed when a send starts: connecting or disconnecting
//    inside a receiver does not change the send in progress.
//  - send() stops at the first exception and lets it propagate; sendRobust()
//    catches every receiver's exception and returns it with the receiver.
//  - A receiver may be tied to a QObject: when the object is destroyed the
//    receiver is gone, as Django's weak references to bound methods are.
//
// Every signal belongs to a DispatchContext, which keeps the dispatch stack
// (hence the depth of the contract), the recursion bound, and the trace
// listeners that see every send and every receiver call.

#include "dispatch/tracelistener.h"
#include "model/value.h"

#include <QObject>
#include <QPointer>
#include <QPair>
#include <QString>
#include <QVector>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace ss {

// The keyword arguments of one send, in the order Django passes them
// (e.g. instance, created, raw, using, update_fields). "instance" holds the live object.
struct SignalArgs
{
    QVector<QPair<QString, Value>> items;

    SignalArgs &add(const QString &name, Value value) { items.append({name, std::move(value)}); return *this; }
    bool has(const QString &name) const;
    Value get(const QString &name) const;       // null Value when absent
    QCborMap freeze() const;                    // as the trace encodes them now
};

using ReceiverFn = std::function<void(const Sender &sender, const SignalArgs &args)>;

struct RobustResult
{
    ReceiverEvent receiver;
    std::optional<DjangoError> error;           // empty when the receiver returned normally
};

// Information about a connected receiver, for views ("under each signal the
// receivers connected to it in dispatch order").
struct ConnectedReceiver
{
    quintptr receiverId = 0;
    QString label;
    Sender sender;
    QString dispatchUid;                        // empty when none
    bool muted = false;
};

class DispatchContext
{
public:
    DispatchContext();
    ~DispatchContext();

    void addListener(TraceListener *listener);
    void removeListener(TraceListener *listener);
    const QVector<TraceListener *> &listeners() const { return m_listeners; }

    // Receivers currently running: the depth a send made now is recorded at.
    int depth() const { return m_depth; }

    // A send that would be recorded at this depth raises RecursionError
    // ("maximum recursion depth exceeded") instead: no line, no receivers run.
    // The contract's value is 32; the GUI may tighten it.
    void setMaxDepth(int depth) { m_maxDepth = depth; }
    int maxDepth() const { return m_maxDepth; }

    // One step at depth 0, as a scenario or the window runs it: stepBegin,
    // the body, then (when it raised) the step's error line, and stepEnd.
    // Returns the error the body raised; any other exception becomes
    // Exception(what()). `label` is handed to the listeners as it is: a
    // deferred one is built only by a listener that wants its text.
    std::optional<DjangoError> runStep(int step, const StepLabel &label, const std::function<void()> &body);

    // Helpers for the engine's own lines, so they carry the current depth.
    void emitEffect(const QString &kind, const QString &text);
    void emitErrorLine(int depth, const DjangoError &error);

    // Internal bookkeeping used by Signal.
    quint64 nextSendId() { return ++m_lastSendId; }
    void enterReceiver() { ++m_depth; }
    void leaveReceiver() { --m_depth; }
    // A send holds the listener list it started with by its address, not by a
    // counted copy (an atomic increment and decrement per send). While any
    // send is in progress, a change to the list first keeps the old list here
    // (a shared copy, so the change detaches), until the outermost send ends.
    void sendStarted() { ++m_sendsInProgress; }
    void sendFinished()
    {
        if (--m_sendsInProgress == 0 && !m_retiredListeners.empty())
            m_retiredListeners.clear();
    }

private:
    void retireListeners();

    QVector<TraceListener *> m_listeners;
    int m_sendsInProgress = 0;
    std::vector<QVector<TraceListener *>> m_retiredListeners;
    int m_depth = 0;
    int m_maxDepth = 32;
    quint64 m_lastSendId = 0;
};

class Signal
{
public:
    // `canonical`: whether the canonical trace records this signal's sends
    // (the nine built-ins and custom signals: yes; connection_created: no).
    Signal(QString name, DispatchContext *context, bool canonical = true);
    bool isCanonical() const { return m_canonical; }

    const QString &name() const { return m_name; }
    DispatchContext *context() const { return m_context; }

    // Returns true when a receiver was added, false when the (uid or receiver,
    // sender) slot was already taken (Django ignores the connect silently).
    // `lifetime`: the receiver vanishes when this object is destroyed.
    bool connect(quintptr receiverId, ReceiverFn fn, const Sender &sender = {},
                 const QString &dispatchUid = {}, const QString &label = {},
                 QObject *lifetime = nullptr);
    // Returns whether anything was removed.
    bool disconnect(quintptr receiverId, const Sender &sender = {}, const QString &dispatchUid = {});
    bool hasListeners(const Sender &sender = {}) const;

    // A muted receiver stays connected (keeps its place) but is skipped by sends.
    bool setMuted(quintptr receiverId, const Sender &sender, const QString &dispatchUid, bool muted);

    QVector<ConnectedReceiver> receivers() const;                 // in connection order, live ones
    QVector<ConnectedReceiver> liveReceivers(const Sender &sender) const; // those a send from `sender` would call

    // Throws the first receiver's exception (DjangoError; other exceptions are
    // wrapped as DjangoError("Exception", what())). Throws RecursionError when
    // the depth bound is reached.
    void send(const Sender &sender, const SignalArgs &args);
    QVector<RobustResult> sendRobust(const Sender &sender, const SignalArgs &args);

private:
    struct Connection
    {
        quintptr receiverId = 0;
        QString dispatchUid;
        Sender sender;
        ReceiverFn fn;
        QString label;
        // What listeners hear of this receiver's calls. Kept here so a call
        // copies no label: only `index` and `stamp` change, set before each
        // notification (a nested send of the same signal sets them anew).
        ReceiverEvent event;
        bool tiedToObject = false;
        QPointer<QObject> lifetime;
        bool muted = false;
        bool isDead() const { return tiedToObject && lifetime.isNull(); }
        // Django's _live_receivers filter: a receiver connected with no sender
        // hears everyone; one connected with a sender hears only that sender.
        bool hears(const Sender &s) const { return sender.isNone() || sender == s; }
        // Django's lookup_key equality: (dispatch_uid, sender) when a uid is
        // given, else (receiver id, sender). A uid key never equals an id key.
        bool hasKey(quintptr id, const Sender &s, const QString &uid) const
        {
            return sender == s && (uid.isEmpty() ? dispatchUid.isEmpty() && receiverId == id
                                                 : dispatchUid == uid);
        }
    };
    // Live connections hearing `sender`, muted ones included (Django's _live_receivers).
    QVector<std::shared_ptr<Connection>> matching(const Sender &sender) const;
    void pruneDead();
    // send() and sendRobust() share one body; `results` is null for a plain send.
    void dispatch(const Sender &sender, const SignalArgs &args, QVector<RobustResult> *results);
    SendEvent makeEvent(const Sender &sender, const SignalArgs &args, int depth, bool robust) const;
    void fillEvent(SendEvent &event, const Sender &sender, const SignalArgs &args, int depth, bool robust) const;
    // Drops the connection at `i`; kept alive while a send may still call it.
    void removeConnection(qsizetype i);
    friend class SendScope;

    QString m_name;
    quint32 m_nameKey = 0;                      // NameKeys::keyOf(m_name)
    DispatchContext *m_context;
    bool m_canonical = true;
    QVector<std::shared_ptr<Connection>> m_connections;
    // A send resolves its receivers as plain pointers into m_connections' objects
    // (copying the list would cost an atomic count per send). A connection removed
    // while sends of this signal are in progress waits here until the last one ends.
    int m_sending = 0;
    std::vector<std::shared_ptr<Connection>> m_retired;
};

} // namespace ss
