#pragma once
// Begin/end hooks for everything the engine does, in the shape of Qt's signal-spy
// callback set. The trace recorder, the loop detector and the Qt bridge are all
// listeners; the engine never knows who is listening.
//
// Depth is the contract's: 0 for a send made by a step itself, n+1 for anything
// that happens while a receiver of a depth-n send runs.

#include "dispatch/steplabel.h"
#include "model/djangoerror.h"

#include <QCborMap>
#include <QString>

namespace ss {

class Signal;
class Instance;
struct SignalArgs;

// Who sent a signal: a model class, an app (migrate signals), another named
// object (a handler class, UserSettingsHolder, a template: section 8), or nobody.
struct Sender
{
    enum class Kind : quint8 { None, Model, App, Object };
    Kind kind = Kind::None;
    QString name;                               // model name or app label

    static Sender none() { return {}; }
    static Sender model(const QString &name) { return {Kind::Model, name}; }
    static Sender app(const QString &label) { return {Kind::App, label}; }
    static Sender object(const QString &name) { return {Kind::Object, name}; }
    bool isNone() const { return kind == Kind::None; }
    bool operator==(const Sender &o) const { return kind == o.kind && name == o.name; }
    bool operator!=(const Sender &o) const { return !(*this == o); }
};

// The effect kind of a request's `response` line (4.3): its text is the HTTP
// status, which the canonical trace writes as the number "status".
inline const QString &responseEffect()
{
    static const QString kind = QStringLiteral("response");
    return kind;
}

// A send's arguments reach listeners in one of two forms. The dispatcher
// passes the send's own SignalArgs (`liveArgs`), valid only during the listener
// call: the recorder packs them straight into its arena at sendBegin, which is
// the moment of the send (contract 4.1), and nobody pays for a frozen copy. A
// send that comes from elsewhere (a recorded Django run, a test) carries the
// frozen map in `args` instead. frozenArgs() gives the map either way.
struct SendEvent
{
    const Signal *signal = nullptr;
    QString signalName;
    quint32 signalKey = 0;      // NameKeys::keyOf(signalName), set by the dispatcher; 0: none
    Sender sender;
    QCborMap args;              // frozen arguments, when liveArgs is null; in Django's keyword order
    const SignalArgs *liveArgs = nullptr;
    int depth = 0;
    bool robust = false;
    // Identity of args["instance"] ("User:1", or "User@0x.." unsaved) for sends
    // without a liveInstance (imported, hand-made); empty if none. The dispatcher
    // leaves it empty: the loop detector keys the live instance by model and pk.
    QString instanceKey;
    quint64 id = 0;             // unique per send within a DispatchContext, increasing
    bool canonical = true;      // false for signals the canonical trace leaves out (connection_created)
    // The live args["instance"] (nullptr if none), valid only during the listener
    // call: lets a view snapshot the instance's field values at the moment of the send.
    const Instance *liveInstance = nullptr;
    // TraceClock ticks read by the dispatcher for this hook (begin, end); 0 when
    // none was read (the listener reads the clock itself).
    quint64 stamp = 0;

    QCborMap frozenArgs() const;    // the arguments as the trace encodes them now
    // A copy that stays valid after the listener call (arguments frozen, no live pointers).
    SendEvent detached() const;
};

struct ReceiverEvent
{
    QString label;              // receiver's name (declaration name, or a C++ label)
    quint32 labelKey = 0;       // NameKeys::keyOf(label), set by the dispatcher; 0: none
    quintptr receiverId = 0;
    int index = 0;              // position in the send's receiver list
    quint64 stamp = 0;          // TraceClock ticks of this hook (begin, end); 0: none read
};

class TraceListener
{
public:
    virtual ~TraceListener() = default;

    // A top-level user action: a scenario step or a GUI edit, labelled with its
    // Django code ("User.objects.create(username='ann')"); a listener that
    // shows or keeps the label asks `label.text()` (deferred for a scenario's
    // steps: see steplabel.h), one that does not never builds it.
    virtual void stepBegin(int /*step*/, const StepLabel & /*label*/) {}
    virtual void stepEnd(int /*step*/, const DjangoError * /*failure*/) {}

    virtual void sendBegin(const SendEvent &) {}
    // `escaped` is set when an exception leaves the send (plain send only).
    virtual void sendEnd(const SendEvent &, const DjangoError * /*escaped*/) {}
    virtual void receiverBegin(const SendEvent &, const ReceiverEvent &) {}
    virtual void receiverEnd(const SendEvent &, const ReceiverEvent &, const DjangoError * /*error*/) {}

    // A canonical `effect` line (notify) at `depth`.
    virtual void effect(int /*depth*/, const QString & /*kind*/, const QString & /*text*/) {}
    // A canonical `error` line: a step failed (depth 0) or a robust send swallowed
    // a receiver's exception (depth n+1).
    virtual void errorLine(int /*depth*/, const DjangoError &) {}
    // A send refused because it would exceed the recursion bound (contract 5.9).
    virtual void recursionStopped(const SendEvent &) {}
};

} // namespace ss
