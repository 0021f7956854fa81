// Django's Signal (django/dispatch/dispatcher.py, 3.2) for C++. See dispatcher.h.
//
// What follows Django line by line, and where it cannot:
//  - The receiver list is a list of (lookup_key, receiver) in connection order;
//    a duplicate key is dropped, so a reconnect keeps the original place.
//  - _live_receivers(sender) takes receivers connected with sender None or with
//    that very sender. For sender None that is *only* the sender-None ones, so
//    has_listeners() (sender None) ignores receivers tied to a sender.
//  - Dead weak receivers are cleared lazily, before connect/disconnect look for
//    a key (Django's _clear_dead_receivers), so a dead receiver never blocks a
//    reconnect under the same key.
//  - The list is resolved once when a send starts. Django's resolved list holds
//    strong references, so a receiver dying mid-send would still be called; in
//    C++ its QObject is freed memory, so we skip it instead (the only deviation;
//    only receivers tied to a QObject can show it).
//  - send_robust catches Exception and returns it per receiver; anything else
//    (BaseException) escapes. Here DjangoError and std::exception are caught;
//    any other C++ exception escapes both send() and sendRobust().
//  - A send does not copy the receiver or listener lists (an atomic count per
//    send): it counts itself on its signal and context (SendScope), and what
//    is removed meanwhile waits until the last send ends. So a signal, like
//    its context, must outlive its sends (the engine owns both together).
// Single-threaded by design (the engine runs on one thread), so no lock.

#include "dispatch/dispatcher.h"

#include "dispatch/namekeys.h"
#include "dispatch/traceclock.h"
#include "model/instance.h"

#include <QVarLengthArray>
#include <algorithm>
#include <type_traits>

namespace ss {

namespace {

const QString instanceArg = QStringLiteral("instance");

// Depth is "receivers currently running": entered around each receiver call and
// left on every path out of it, exceptions included.
class ReceiverScope
{
public:
    explicit ReceiverScope(DispatchContext &context) : m_context(context) { m_context.enterReceiver(); }
    ~ReceiverScope() { m_context.leaveReceiver(); }
    ReceiverScope(const ReceiverScope &) = delete;
    ReceiverScope &operator=(const ReceiverScope &) = delete;

private:
    DispatchContext &m_context;
};

// The listeners a send started with: the address of the context's list then,
// which stays valid until the send ends (DispatchContext::sendStarted).
struct ListenerSnapshot
{
    TraceListener *const *data;
    qsizetype size;
};

// Calls `f` on the listeners seen when the send started, skipping any removed
// since (it may be gone). A listener added mid-send waits for the next send, so
// every listener sees matched begin/end pairs.
template<typename F>
void notify(const DispatchContext &context, ListenerSnapshot snapshot, F &&f)
{
    const QVector<TraceListener *> &current = context.listeners();
    if (current.constData() == snapshot.data) {             // nobody was added or removed: all still there
        for (qsizetype i = 0; i < snapshot.size; ++i)
            f(snapshot.data[i]);
        return;
    }
    for (qsizetype i = 0; i < snapshot.size; ++i)
        if (current.contains(snapshot.data[i]))
            f(snapshot.data[i]);
}

} // namespace

// A send in progress: counted on its signal and its context, so that what it
// resolved at its start (receivers, listeners) outlives any change meanwhile.
class SendScope
{
public:
    SendScope(Signal &signal, DispatchContext &context) : m_signal(signal), m_context(context)
    {
        ++m_signal.m_sending;
        m_context.sendStarted();
    }
    ~SendScope()
    {
        if (--m_signal.m_sending == 0 && !m_signal.m_retired.empty()) {
            // Moved out first: a receiver's destruction may reach this signal again.
            const std::vector<std::shared_ptr<Signal::Connection>> retired = std::move(m_signal.m_retired);
            m_signal.m_retired.clear();
        }
        m_context.sendFinished();
    }
    SendScope(const SendScope &) = delete;
    SendScope &operator=(const SendScope &) = delete;

private:
    Signal &m_signal;
    DispatchContext &m_context;
};

// ---------------------------------------------------------------- SignalArgs

bool SignalArgs::has(const QString &name) const
{
    return std::any_of(items.cbegin(), items.cend(), [&](const auto &item) { return item.first == name; });
}

Value SignalArgs::get(const QString &name) const
{
    for (const auto &item : items)
        if (item.first == name)
            return item.second;
    // Explicitly null: a default QCborValue is Undefined, which isNull() denies.
    return Value(QCborValue(nullptr));
}

// Freezing runs for every observed send, and a QCborMap built key by key is
// slow: each insert searches the keys and re-encodes the new one. But every
// send of a signal has the same keywords in the same order, and every frozen
// instance of a model the same {"model", "pk"} shape. So those layouts are kept
// (per thread, a bounded few) as maps whose values are null; a freeze copies
// one and overwrites its values in place. The maps are exactly the ones the
// plain inserts build: same keys, same order, same values.
namespace {

constexpr size_t MaxLayouts = 64;           // beyond that, the oldest is dropped

// The keys of `items`, in order, as a map with null values; null when a key
// repeats (insert() would merge the two: left to the plain path).
const QCborMap *keyLayout(const QVector<QPair<QString, Value>> &items)
{
    struct Layout
    {
        QStringList keys;
        QCborMap skeleton;
    };
    thread_local std::vector<Layout> layouts;
    for (const Layout &layout : layouts) {
        if (layout.keys.size() != items.size())
            continue;
        qsizetype i = 0;
        while (i < items.size() && layout.keys.at(i) == items.at(i).first)
            ++i;
        if (i == items.size())
            return &layout.skeleton;
    }
    Layout layout;
    for (const auto &item : items) {
        // A key with no owner (raw data) may change in place: keep its text.
        const QString &key = item.first;
        layout.keys.append(key.data_ptr().isMutable() ? key : QString(key.constData(), key.size()));
        layout.skeleton.insert(item.first, QCborValue(nullptr));
    }
    if (layout.skeleton.size() != items.size())
        return nullptr;
    if (layouts.size() >= MaxLayouts)
        layouts.erase(layouts.begin());
    layouts.push_back(std::move(layout));
    return &layouts.back().skeleton;
}

// Value::freeze(), with an instance's {"model": <name>, "pk": <pk now>} made
// from its model's cached layout; Undefined becomes null (JSON only knows null).
QCborValue frozenValue(const Value &value)
{
    if (!value.isInstance()) {
        QCborValue v = value.freeze();
        return v.isUndefined() ? QCborValue(nullptr) : std::move(v);
    }
    struct InstanceLayout
    {
        QString model;
        QCborMap skeleton;                  // Value::freeze's map, its pk null
        qsizetype pk;                       // position of "pk" in it
    };
    thread_local std::vector<InstanceLayout> layouts;
    const QString &model = value.instance()->model()->name;
    const InstanceLayout *found = nullptr;
    for (const InstanceLayout &layout : layouts) {
        if (layout.model == model) {
            found = &layout;
            break;
        }
    }
    if (!found) {
        // The first instance of the model: Value::freeze's own map is the layout.
        const QCborMap frozen = value.freeze().toMap();
        InstanceLayout layout{model, frozen, -1};
        for (auto it = layout.skeleton.begin(); it != layout.skeleton.end(); ++it) {
            if (it.key() == QCborValue(QStringLiteral("pk"))) {
                it.value() = QCborValue(nullptr);
                layout.pk = it - layout.skeleton.begin();
            }
        }
        if (layout.pk < 0)
            return frozen;
        if (layouts.size() >= MaxLayouts)
            layouts.erase(layouts.begin());
        layouts.push_back(std::move(layout));
        return frozen;
    }
    QCborMap map = found->skeleton;
    (map.begin() + found->pk).value() = value.instance()->pk();   // begin() detaches: the layout stays
    Q_ASSERT(QCborValue(map) == value.freeze());
    return map;
}

} // namespace

QCborMap SignalArgs::freeze() const
{
    // QCborMap keeps insertion order, so the keywords stay in Django's order.
    if (items.isEmpty())
        return {};
    if (const QCborMap *layout = keyLayout(items)) {
        QCborMap map = *layout;
        auto it = map.begin();              // detaches: the layout stays all null
        for (const auto &item : items) {
            it.value() = frozenValue(item.second);
            ++it;
        }
        return map;
    }
    QCborMap map;
    for (const auto &item : items)
        map.insert(item.first, frozenValue(item.second));
    return map;
}

// ----------------------------------------------------------------- SendEvent

QCborMap SendEvent::frozenArgs() const
{
    return liveArgs ? liveArgs->freeze() : args;
}

SendEvent SendEvent::detached() const
{
    SendEvent copy = *this;
    if (liveArgs)
        copy.args = liveArgs->freeze();
    copy.liveArgs = nullptr;
    copy.liveInstance = nullptr;
    if (liveInstance && copy.instanceKey.isEmpty())
        copy.instanceKey = liveInstance->identityKey();
    return copy;
}

// ----------------------------------------------------------- DispatchContext

DispatchContext::DispatchContext() = default;
DispatchContext::~DispatchContext() = default;

void DispatchContext::addListener(TraceListener *listener)
{
    TraceClock::calibrate();                // before the first stamp a listener hears (once per process)
    if (listener && !m_listeners.contains(listener)) {
        retireListeners();
        m_listeners.append(listener);
    }
}

void DispatchContext::removeListener(TraceListener *listener)
{
    if (m_listeners.contains(listener)) {
        retireListeners();
        m_listeners.removeAll(listener);
    }
}

void DispatchContext::retireListeners()
{
    if (m_sendsInProgress > 0)
        m_retiredListeners.push_back(m_listeners);  // shared: the change that follows detaches
}

void DispatchContext::emitEffect(const QString &kind, const QString &text)
{
    const QVector<TraceListener *> listeners = m_listeners;
    for (TraceListener *listener : listeners)
        listener->effect(m_depth, kind, text);
}

std::optional<DjangoError> DispatchContext::runStep(int step, const StepLabel &label, const std::function<void()> &body)
{
    // The listener list is read again at the end: a step may add or remove listeners.
    const QVector<TraceListener *> listeners = m_listeners;
    for (TraceListener *l : listeners)
        l->stepBegin(step, label);
    std::optional<DjangoError> failure;
    try {
        body();
    } catch (const DjangoError &error) {
        failure = error;
    } catch (const std::exception &error) {
        failure = DjangoError(QStringLiteral("Exception"), QString::fromUtf8(error.what()));
    }
    if (failure)
        emitErrorLine(0, *failure);
    const QVector<TraceListener *> after = m_listeners;
    for (TraceListener *l : after)
        l->stepEnd(step, failure ? &*failure : nullptr);
    return failure;
}

void DispatchContext::emitErrorLine(int depth, const DjangoError &error)
{
    const QVector<TraceListener *> listeners = m_listeners;
    for (TraceListener *listener : listeners)
        listener->errorLine(depth, error);
}

// -------------------------------------------------------------------- Signal

Signal::Signal(QString name, DispatchContext *context, bool canonical)
    : m_name(std::move(name)), m_nameKey(NameKeys::keyOf(m_name)), m_context(context), m_canonical(canonical)
{
}

bool Signal::connect(quintptr receiverId, ReceiverFn fn, const Sender &sender,
                     const QString &dispatchUid, const QString &label, QObject *lifetime)
{
    // Django clears dead receivers first: a dead entry must not hold the key.
    pruneDead();
    for (const auto &c : std::as_const(m_connections))
        if (c->hasKey(receiverId, sender, dispatchUid))
            return false;                   // Django ignores the connect silently

    auto c = std::make_shared<Connection>();
    c->receiverId = receiverId;
    c->dispatchUid = dispatchUid;
    c->sender = sender;
    c->fn = std::move(fn);
    c->label = label;
    c->event.label = label;
    c->event.labelKey = NameKeys::keyOf(label);
    c->event.receiverId = receiverId;
    c->tiedToObject = lifetime != nullptr;
    c->lifetime = lifetime;
    // A send in progress resolved its receivers already: it never sees this one.
    m_connections.append(std::move(c));
    return true;
}

bool Signal::disconnect(quintptr receiverId, const Sender &sender, const QString &dispatchUid)
{
    // With a uid Django ignores the receiver entirely: (uid, sender) is the key.
    pruneDead();
    for (qsizetype i = 0; i < m_connections.size(); ++i) {
        if (m_connections.at(i)->hasKey(receiverId, sender, dispatchUid)) {
            removeConnection(i);            // keys are unique: at most one match
            return true;
        }
    }
    return false;
}

bool Signal::hasListeners(const Sender &sender) const
{
    // bool(self._live_receivers(sender)). A muted receiver is still connected
    // (muting only skips the call), so it counts, as a connected receiver does
    // for Django's own has_listeners() checks such as the fast-delete test.
    for (const auto &c : m_connections)
        if (c->hears(sender) && !c->isDead())
            return true;
    return false;
}

bool Signal::setMuted(quintptr receiverId, const Sender &sender, const QString &dispatchUid, bool muted)
{
    for (const auto &c : std::as_const(m_connections)) {
        if (c->hasKey(receiverId, sender, dispatchUid) && !c->isDead()) {
            c->muted = muted;               // shared with any send in progress, which took
            return true;                    // its decision at its start
        }
    }
    return false;
}

QVector<ConnectedReceiver> Signal::receivers() const
{
    QVector<ConnectedReceiver> out;
    out.reserve(m_connections.size());
    for (const auto &c : m_connections)
        if (!c->isDead())
            out.append({c->receiverId, c->label, c->sender, c->dispatchUid, c->muted});
    return out;
}

QVector<ConnectedReceiver> Signal::liveReceivers(const Sender &sender) const
{
    QVector<ConnectedReceiver> out;
    for (const auto &c : matching(sender))
        if (!c->muted)
            out.append({c->receiverId, c->label, c->sender, c->dispatchUid, c->muted});
    return out;
}

QVector<std::shared_ptr<Signal::Connection>> Signal::matching(const Sender &sender) const
{
    QVector<std::shared_ptr<Connection>> out;
    for (const auto &c : m_connections)
        if (c->hears(sender) && !c->isDead())
            out.append(c);
    return out;
}

void Signal::pruneDead()
{
    for (qsizetype i = m_connections.size() - 1; i >= 0; --i)
        if (m_connections.at(i)->isDead())
            removeConnection(i);
}

void Signal::removeConnection(qsizetype i)
{
    if (m_sending > 0)
        m_retired.push_back(m_connections.at(i));
    m_connections.removeAt(i);
}

void Signal::send(const Sender &sender, const SignalArgs &args)
{
    dispatch(sender, args, nullptr);
}

QVector<RobustResult> Signal::sendRobust(const Sender &sender, const SignalArgs &args)
{
    QVector<RobustResult> results;
    dispatch(sender, args, &results);
    return results;
}

SendEvent Signal::makeEvent(const Sender &sender, const SignalArgs &args, int depth, bool robust) const
{
    SendEvent event;
    fillEvent(event, sender, args, depth, robust);
    return event;
}

void Signal::fillEvent(SendEvent &event, const Sender &sender, const SignalArgs &args, int depth, bool robust) const
{
    event.signal = this;
    event.signalName = m_name;
    event.signalKey = m_nameKey;
    event.sender = sender;
    event.liveArgs = &args;                 // read during the listener calls: the values of this moment (4.1)
    event.depth = depth;
    event.robust = robust;
    for (const auto &item : args.items) {
        if (item.first == instanceArg) {
            if (item.second.isInstance())
                event.liveInstance = item.second.instance().get();
            break;
        }
    }
    event.id = m_context->nextSendId();
    event.canonical = m_canonical;
}

void Signal::dispatch(const Sender &sender, const SignalArgs &args, QVector<RobustResult> *results)
{
    DispatchContext &context = *m_context;
    const bool robust = results != nullptr;
    const int depth = context.depth();
    const SendScope scope(*this, context);
    // The listener list by address (see DispatchContext::sendStarted). With no
    // listeners nothing is frozen, no event is built.
    const ListenerSnapshot listeners{context.listeners().constData(), context.listeners().size()};
    const bool observed = listeners.size > 0;

    // Contract 5.9: the bound replaces Python's stack limit. Real Python raises
    // RecursionError on entering the call, before send or send_robust can run
    // any code of their own, so both raise it to their caller (the robust send
    // that catches it, if any, is an enclosing one). No line, no receivers; the
    // listeners only hear of it so the loop detector can mark the loop.
    if (depth >= context.maxDepth()) {
        if (observed) {
            const SendEvent event = makeEvent(sender, args, depth, robust);
            notify(context, listeners, [&](TraceListener *l) { l->recursionStopped(event); });
        }
        throw DjangoError(QStringLiteral("RecursionError"), QStringLiteral("maximum recursion depth exceeded"));
    }

    // Django resolves the receivers once (the list comprehension over
    // _live_receivers): the raw pointers are the resolved list, on the stack for
    // up to 16 receivers. The connections stay alive whatever receivers connect
    // or disconnect meanwhile (removeConnection keeps them while we send).
    QVarLengthArray<Connection *, 16> targets;
    for (const auto &c : std::as_const(m_connections))
        if (c->hears(sender) && !c->muted && !c->isDead())
            targets.append(c.get());

    if (robust)
        results->reserve(targets.size());   // one allocation, not one per receiver

    // Timestamps (when observed): one clock reading as the send starts and one
    // as each receiver returns; a receiver starts at the previous reading.
    SendEvent event;
    quint64 last = 0;
    if (observed) {
        fillEvent(event, sender, args, depth, robust);         // in place: no second SendEvent
        event.stamp = last = TraceClock::ticks();
        notify(context, listeners, [&](TraceListener *l) { l->sendBegin(event); });
    } else {
        context.nextSendId();               // ids stay the same whoever listens
    }

    // The end of a receiver that failed; returns normally only for sendRobust.
    const auto failed = [&](ReceiverEvent &receiver, int index, const DjangoError &error) {
        if (observed) {
            receiver.index = index;
            receiver.stamp = event.stamp = last = TraceClock::ticks();
            notify(context, listeners, [&](TraceListener *l) { l->receiverEnd(event, receiver, &error); });
        }
        if (!robust) {
            if (observed)
                notify(context, listeners, [&](TraceListener *l) { l->sendEnd(event, &error); });
            return false;
        }
        // send_robust's except clause: the receiver has returned, the next one
        // has not started; the error line sits at the receiver's level.
        context.emitErrorLine(depth + 1, error);
        results->append({receiver, error});
        return true;
    };

    // The loop is made twice, observed or not, so that neither tests
    // `observed` per receiver.
    const auto callReceivers = [&](auto observedTag) {
        constexpr bool Observed = decltype(observedTag)::value;
        for (int index = 0; index < targets.size(); ++index) {
            Connection *c = targets[index];
            // An earlier receiver of this send destroyed its QObject: calling it
            // would touch freed memory (see the header comment).
            if (c->isDead())
                continue;

            ReceiverEvent &receiver = c->event;
            if constexpr (Observed) {
                receiver.index = index;
                receiver.stamp = last;
                notify(context, listeners, [&](TraceListener *l) { l->receiverBegin(event, receiver); });
            }

            try {
                ReceiverScope scope(context);
                c->fn(sender, args);            // through the pointer: the std::function is never copied
            } catch (const DjangoError &error) {
                receiver.index = index;         // a nested send of this signal may have changed it
                if (!failed(receiver, index, error))
                    throw;                      // the original object, dynamic type kept
                continue;
            } catch (const std::exception &e) {
                receiver.index = index;
                const DjangoError error(QStringLiteral("Exception"), QString::fromUtf8(e.what()));
                if (!failed(receiver, index, error))
                    throw error;
                continue;
            } catch (...) {
                // Not an Exception in Django's sense: it escapes even send_robust.
                // Listeners still get their end calls so their stacks stay balanced.
                const DjangoError error(QStringLiteral("Exception"), QStringLiteral("unknown C++ exception"));
                if constexpr (Observed) {
                    receiver.index = index;
                    receiver.stamp = event.stamp = TraceClock::ticks();
                    notify(context, listeners, [&](TraceListener *l) { l->receiverEnd(event, receiver, &error); });
                    notify(context, listeners, [&](TraceListener *l) { l->sendEnd(event, &error); });
                }
                throw;
            }

            if constexpr (Observed) {
                receiver.index = index;
                receiver.stamp = last = TraceClock::ticks();
                notify(context, listeners, [&](TraceListener *l) { l->receiverEnd(event, receiver, nullptr); });
            }
            if (robust) {
                receiver.index = index;
                results->append({receiver, std::nullopt});
            }
        }
    };
    if (observed)
        callReceivers(std::true_type{});
    else
        callReceivers(std::false_type{});

    if (observed) {
        event.stamp = last;
        notify(context, listeners, [&](TraceListener *l) { l->sendEnd(event, nullptr); });
    }
}

} // namespace ss
