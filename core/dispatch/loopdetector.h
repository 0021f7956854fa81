#pragma once
// Finds the "my post_save saves its own instance" loops Django users ask about.
//
// A loop is a send of (signal, sender, instance) while a send of the very same
// triple is still open further down the dispatch stack: a receiver re-entered a
// save of that instance, directly or through other models' receivers. Sends
// without an instance are never loops (two pre_init of User are not a cycle).
//
// The detector keeps its own stack of open sends and receiver calls. Used
// alone (as a TraceListener) it only collects the loops; the TraceRecorder
// drives it through the begin*/end* methods with the index it gave each event,
// and gets the marks back through the mark callback. Everything here happens
// only on a re-entry, so an ordinary send costs one scan of the open stack.
// Frames hold integers only: names as NameIds ids, the instance as its model's
// name id and its pk (or its address while unsaved), so a send copies no
// string and builds no "User:1"; text is made only for a loop's path.

#include "dispatch/nameids.h"
#include "dispatch/tracelistener.h"

#include <QHash>
#include <QString>
#include <QVector>
#include <functional>
#include <vector>

namespace ss {

// Ordered by severity: a mark is only ever raised, never lowered.
enum class LoopMark : quint8 {
    None,
    InCycle,    // an open send or receiver call between a send and its re-entry
    Reentry,    // the send that re-entered (signal, sender, instance) already open
    Stopped,    // part of a chain the recursion bound stopped (contract 5.9)
};

QString loopMarkName(LoopMark mark);    // "none", "cycle", "reentry", "stopped"

struct DetectedLoop
{
    int firstEvent = -1;        // the send that was re-entered (first detection), -1 if not recorded
    int reentryEvent = -1;      // the first send that re-entered it
    int stopEvent = -1;         // the refused send, when the recursion bound stopped the loop
    QString path;               // "post_save(Counter:1) → resave_counter → post_save(Counter:1)"
    int reentries = 0;          // how many re-entering sends took exactly this path
    bool stopped = false;       // the recursion bound ended it
    int revision = 0;           // bumped on every change, so views can tell what to repaint
};

class LoopDetector : public TraceListener
{
public:
    // Called for every event a loop touches: (event index, its new mark, loop index).
    using MarkFn = std::function<void(int event, LoopMark mark, int loop)>;
    void setMarkCallback(MarkFn fn) { m_mark = std::move(fn); }

    // Standalone listener: events are not numbered, so no marks are reported.
    void stepBegin(int step, const StepLabel &label) override;
    void stepEnd(int step, const DjangoError *failure) override;
    void sendBegin(const SendEvent &event) override { beginSend(event, -1); }
    void sendEnd(const SendEvent &event, const DjangoError *) override { endSend(event); }
    void receiverBegin(const SendEvent &send, const ReceiverEvent &receiver) override { beginReceiver(send, receiver, -1); }
    void receiverEnd(const SendEvent &send, const ReceiverEvent &receiver, const DjangoError *) override { endReceiver(send, receiver); }
    void recursionStopped(const SendEvent &event) override { stopRecursion(event, -1); }

    // The recorder's entry points: `event` is the recorder's index (-1: not recorded).
    void beginSend(const SendEvent &event, int eventIndex);
    void endSend(const SendEvent &event);
    void beginReceiver(const SendEvent &send, const ReceiverEvent &receiver, int eventIndex);
    void endReceiver(const SendEvent &send, const ReceiverEvent &receiver)
    {
        // Nearly always the receiver call the innermost send's frame holds.
        if (holdsReceiver(send.id, receiver.index))
            releaseReceiver();
        else
            endReceiverBelow(send, receiver);
    }
    void stopRecursion(const SendEvent &event, int eventIndex);
    // The same, with the names already interned in names() by the caller: the
    // recorder shares its string table's ids, so a send's names are looked up
    // once, not once by the recorder and again here.
    void beginSend(const SendEvent &event, int eventIndex, quint32 signal, quint32 sender);
    void beginReceiver(const SendEvent &send, const ReceiverEvent &receiver, int eventIndex, quint32 label)
    {
        // Nearly always: held by its send's frame, innermost and running none.
        if (canHoldReceiver(send.id))
            holdReceiver(receiver.index, eventIndex, label);
        else
            pushReceiver(send, receiver, eventIndex, label);
    }
    // The in-place cases of beginReceiver() and endReceiver(), for a caller
    // (the recorder's fast path) that checks first and then makes no call.
    bool canHoldReceiver(quint64 sendId) const
    {
        return !m_stack.empty() && m_stack.back().sendId == sendId && m_stack.back().isSend && !m_stack.back().running;
    }
    void holdReceiver(int receiverIndex, int eventIndex, quint32 label)
    {
        Frame &top = m_stack.back();
        top.running = true;
        top.receiverIndex = receiverIndex;
        top.receiverEvent = eventIndex;
        top.receiverLabel = label;
    }
    bool holdsReceiver(quint64 sendId, int receiverIndex) const
    {
        return !m_stack.empty() && m_stack.back().running && m_stack.back().sendId == sendId
            && m_stack.back().receiverIndex == receiverIndex;
    }
    void releaseReceiver() { m_stack.back().running = false; }

    // Names go to `names` (owned by the caller, who keeps it alive) instead of
    // the detector's own table. When the caller rebuilds that table, it hands
    // every id the open frames hold to remapNames (old id in, new id out).
    void shareNames(NameIds *names)
    {
        m_names = names ? names : &m_ownNames;
        m_recentModel.clear();
    }
    NameIds &names() { return *m_names; }
    void remapNames(const std::function<quint32(quint32)> &map);

    const QVector<DetectedLoop> &loops() const { return m_loops; }

    // Forgets the loops and the event numbers (the recording was cleared); the
    // open stack stays, so sends in progress still close properly.
    void forgetEvents();

private:
    // Which instance a send is about, compared as integers.
    struct InstanceKey
    {
        enum Kind : quint8 { None, Pk, Unsaved, Text };
        Kind kind = None;
        quint32 model = 0;              // Pk, Unsaved: the model's name id
        qint64 value = 0;               // Pk: the pk; Unsaved: the instance's address; Text: the key's name id
        bool operator==(const InstanceKey &o) const { return kind == o.kind && value == o.value && model == o.model; }
    };
    // An open send, or a receiver call. A send runs one receiver call at a
    // time, so its frame holds the running one (`running`, receiverIndex,
    // receiverEvent, receiverLabel): a call costs no push and pop. Only a call
    // its send's frame cannot hold (the send is not innermost, or unknown, or
    // already running one: an imported stream out of order) gets a frame of
    // its own. In stack order a send's running receiver follows the send.
    struct Frame
    {
        bool isSend = false;
        bool running = false;           // sends: a receiver call of theirs is running
        Sender::Kind senderKind = Sender::Kind::None;
        int event = -1;
        quint64 sendId = 0;             // sends: SendEvent::id; receivers: their send's id
        int receiverIndex = -1;         // receivers; sends: the running receiver's
        quint32 signal = 0;             // sends: the signal's name id
        quint32 name = 0;               // sends: the sender's name id; receivers: the label's
        InstanceKey instance;
        int loop = -1;                  // sends that re-entered: their loop
        int receiverEvent = -1;         // sends: the running receiver's event
        quint32 receiverLabel = 0;      // sends: the running receiver's label id
    };

    InstanceKey instanceKey(const SendEvent &event);
    Frame sendFrame(const SendEvent &event, int eventIndex);
    Frame sendFrame(const SendEvent &event, int eventIndex, quint32 signal, quint32 sender);
    QString instanceText(const InstanceKey &key) const;
    QString frameText(const Frame &frame) const;
    QString receiverText(quint32 label, int index) const;
    // Marks the open frames from stack index `first` up (each send's running
    // receiver after the send).
    void markFrom(int first, LoopMark mark, int loop);
    void pushReceiver(const SendEvent &send, const ReceiverEvent &receiver, int eventIndex, quint32 label);
    static bool sameSend(const Frame &a, const Frame &b)
    {
        return a.isSend && a.instance == b.instance && a.signal == b.signal && a.name == b.name && a.senderKind == b.senderKind;
    }
    int innermostOccurrence(const Frame &send) const;
    QString pathFrom(int first, const Frame &send) const;
    int loopForPath(const QString &path);
    void mark(int eventIndex, LoopMark mark, int loop);
    void popTo(int size);
    void endReceiverBelow(const SendEvent &send, const ReceiverEvent &receiver);

    std::vector<Frame> m_stack;
    RecentName m_recentModel;           // the id of the model name last keyed (in *m_names)
    QVector<DetectedLoop> m_loops;
    QHash<QString, int> m_loopByPath;   // a repeated re-entry along the same path is the same loop
    MarkFn m_mark;
    NameIds m_ownNames;
    NameIds *m_names = &m_ownNames;
};

} // namespace ss
