#pragma once
// The recording of everything the engine did: steps, sends, receiver calls,
// effect and error lines, refused sends. The timeline, the exporters and the
// loop list all read from here.
//
// A recording may hold millions of events (a GUI left running, a fuzzer), so
// it is kept compact, in parts that are each tested on their own:
//  - TraceStore (tracestore.h): every event is one fixed-size POD TraceRecord
//    in fixed-size chunks, and a byte arena for packed arguments and texts;
//  - StringTable (stringtable.h): names (signals, senders, receiver labels,
//    argument keys, model names, effect kinds, error types and messages) are
//    interned once, by identity, and keep their canonical JSON;
//  - ArgPacker (argcodec.h): a send's arguments are packed straight from its
//    SignalArgs (interned keys, an instance as model id + pk, varints) and
//    decoded on demand;
//  - a send's receiver calls are its child events, chained by `link`;
//  - times are the dispatcher's TraceClock readings (one per send and one per
//    receiver call), turned into nanoseconds since the recording started.
//
// Single-threaded like the engine: views read between engine calls (the
// TraceBridge tells them when). Not a QObject, so it never emits anything.

#include "dispatch/loopdetector.h"
#include "dispatch/traceclock.h"
#include "dispatch/tracelistener.h"
#include "trace/argcodec.h"
#include "trace/stringtable.h"
#include "trace/tracestore.h"

#include <QCborMap>
#include <QHash>
#include <QPair>
#include <QString>
#include <QVarLengthArray>
#include <QVector>
#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace ss {

// One event decoded for a view. Strings are shared with the string table, so
// building one costs no string copies except the text of effects and steps.
struct TraceEvent
{
    int index = -1;
    TraceEventKind kind = TraceEventKind::Step;
    int parent = -1;
    int depth = 0;
    int step = 0;
    QString signal;             // Send, RecursionStop; Receiver: the signal of its send
    Sender sender;              // Send, RecursionStop
    QString label;              // Receiver
    int receiverIndex = -1;     // Receiver: position in its send's receiver list
    QString effect;             // Effect: the effect kind ("notify")
    QString text;               // Effect: its text; Step: its Django code
    QString errorType;          // Step failure, escaped exception, receiver error, Error line
    QString errorMessage;
    qint64 startNs = 0;
    qint64 durationNs = 0;
    bool canonical = false;
    bool open = false;          // never ended (shown as unfinished)
    bool robust = false;
    LoopMark loopMark = LoopMark::None;
    int loop = -1;              // index into TraceRecorder::loops()

    bool failed() const { return !errorType.isEmpty(); }
};

// A receiver call of a send, as listed under it.
struct ReceiverOutcome
{
    int event = -1;
    QString label;
    int index = -1;
    QString errorType;          // empty when it returned normally
    QString errorMessage;

    bool ok() const { return errorType.isEmpty(); }
};

class TraceRecorder : public TraceListener
{
public:
    TraceRecorder();
    ~TraceRecorder() override;
    TraceRecorder(const TraceRecorder &) = delete;
    TraceRecorder &operator=(const TraceRecorder &) = delete;

    // TraceListener
    void stepBegin(int step, const StepLabel &label) override;
    void stepEnd(int step, const DjangoError *failure) override;
    void sendBegin(const SendEvent &event) override;
    void sendEnd(const SendEvent &event, const DjangoError *escaped) override;
    void receiverBegin(const SendEvent &send, const ReceiverEvent &receiver) override;
    void receiverEnd(const SendEvent &send, const ReceiverEvent &receiver, const DjangoError *error) override;
    void effect(int depth, const QString &kind, const QString &text) override;
    void errorLine(int depth, const DjangoError &error) override;
    void recursionStopped(const SendEvent &event) override;

    // While paused nothing is recorded (the dispatch stack is still followed,
    // so recording resumes with correct parents). The canonical export of a
    // recording with a pause in it lacks the lines of the pause and renumbers
    // seq over what it has: it no longer compares equal to Django's trace.
    void setPaused(bool paused)
    {
        forgetQuick();
        m_paused = paused;
        m_quickBegin = !m_paused && m_externalNs < 0;
    }
    // The Django version ("3.2", "5.0") the recorded engine reproduces, named
    // by the exports that have room for it (the Trace Event JSON's otherData
    // and process name); the canonical trace has no such key (contract 9.1).
    void setDjangoVersion(const QString &version) { m_djangoVersion = version; }
    const QString &djangoVersion() const { return m_djangoVersion; }
    bool isPaused() const { return m_paused; }
    // Drops every event and loop; sends still open are followed to their end
    // but are not recorded. The clock restarts.
    void clear();

    // Reading. Indexes are stable for the life of the recording.
    int count() const { return m_store.count(); }
    // The event as a TraceRecord, decoded from its compact form (tracestore.h).
    TraceRecord record(int index) const;
    TraceEvent event(int index) const;
    int parentOf(int index) const { return m_store.at(index).parent; }
    int stepOf(int index) const;
    int loopOf(int index) const;                        // index into loops(), -1 = none
    // Events are stored in the order they began, so an event's descendants
    // follow it contiguously: [index + 1, subtreeEnd(index)).
    int subtreeEnd(int index) const;
    QVector<int> childrenOf(int index) const;           // direct children, in order
    TraceEventKind kindOf(int index) const { return m_store.at(index).kind; }
    QCborMap args(int index) const;                     // Send/RecursionStop; empty otherwise
    // Effect text or Step code. A step recorded with a deferred label has its
    // label built on the first read of its text, then kept like any other.
    QString text(int index) const;
    QVector<ReceiverOutcome> receiversOf(int sendIndex) const;
    QString errorType(int index) const;
    QString errorMessage(int index) const;
    qint64 elapsedNs() const { return now(0); }   // "now", for open events
    // Events of another process (a recorded Django run) carry that process's
    // clock: while set (>= 0), this is "now" for every begin and end; -1 goes
    // back to the recorder's own clock.
    void setExternalTime(qint64 ns)
    {
        forgetQuick();
        m_externalNs = ns;
        m_quickBegin = !m_paused && m_externalNs < 0;
    }

    // Loops found so far (the recorder owns the detector and marks its events).
    const QVector<DetectedLoop> &loops() const { return m_loops.loops(); }
    const LoopDetector &loopDetector() const { return m_loops; }

    // The range of events that changed after being appended (closed, failed,
    // marked), since the last call; (-1, -1) when none. For the TraceBridge.
    QPair<int, int> takeChangedRange();

    // Bytes held by the recording: records, arena, string and error tables.
    qint64 memoryBytes() const;

    // For exporters that write straight from the recording: a million-line
    // canonical export must not build a QCborMap per line. JSON is appended to
    // a std::string, whose tiny appends are far cheaper than QByteArray's.
    using PackedArg = ss::PackedArg;
    using PackedArgs = ss::PackedArgs;
    void packedArgs(int index, PackedArgs &out) const; // in the order Django passed them
    void appendValueJson(std::string &out, const uchar *value) const { appendArgJson(out, value, m_strings); }
    QCborValue valueAt(const uchar *value) const { return decodeArg(value, m_strings); }
    // Where a packed value ends: [value, end) are its bytes, equal bytes the
    // same value (a search index keys argument texts by them).
    static const uchar *packedValueEnd(const uchar *value)
    {
        skipArg(value);
        return value;
    }
    void appendTextJson(std::string &out, int index) const;            // text as a JSON string
    const QString &string(quint32 id) const { return m_strings.text(id); }
    const std::string &stringJson(quint32 id) const { return m_strings.json(id); } // quoted, escaped
    static constexpr quint32 NoString = StringTable::None;
    quint32 stringId(const QString &text) const { return m_strings.find(text); }  // NoString when not interned
    quint32 errorTypeId(int index) const { return m_errors[errorOf(index)].type; }
    quint32 errorMessageId(int index) const { return m_errors[errorOf(index)].message; }
    // Sort order of every string used as a key (argument names, nested map
    // keys, and the keys canonical lines add: seq, step, depth, signal,
    // sender, effect, text, error, message), indexed by string id: comparing
    // ranks is comparing the keys as value.cpp sorts them.
    const std::vector<quint32> &keyRanks() const { return m_strings.keyRanks(); }


private:
    // The dispatch stack as the recorder follows it: steps and sends. A send
    // runs one receiver call at a time, so its frame also holds the running
    // one (`running`): a receiver call costs no push and pop of its own. Only
    // a call that its send's frame cannot hold (the send is not innermost, or
    // unknown, or already running one: an imported stream out of order) gets a
    // Receiver frame of its own. Read innermost first, a send's running
    // receiver comes before the send itself.
    struct Frame
    {
        TraceEventKind kind;        // Step, Send or Receiver
        bool running;               // sends: one of their receiver calls is running, held here
        int event;                  // -1 when not recorded (paused, cleared)
        quint64 sendId;             // sends and receivers: the send's id
        int receiverIndex;          // receivers; sends: the running receiver's
        int receiverEvent;          // sends: the running receiver's event (-1: not recorded)
        int lastReceiver;           // sends: the latest receiver call recorded
        StoredRecord *lastRecord;   // sends: its record (records never move), null when none
    };
    struct ErrorEntry
    {
        quint32 type;
        quint32 message;
    };

    struct StepRun
    {
        int first;                  // the first event of a run of events of one step
        int step;
    };
    // Step events from `first` on whose label is deferred ask `labels` (a
    // Step event's payload is NoRef until its label is built; see text()).
    struct LabelSource
    {
        int first;
        std::shared_ptr<const StepLabels> labels;
    };

    StoredRecord &recordRef(int index) { return m_store.at(index); }
    quint32 errorOf(int index) const;
    void setError(int index, quint32 error);
    int linkOf(int index) const;
    int append(TraceEventKind kind, int depth, quint64 stamp);
    // Nanoseconds since the recording started at a TraceClock reading (0: now).
    qint64 now(quint64 stamp) const;
    qint64 stampNs(quint64 stamp) const       // now(), inline for the per-receiver hooks
    {
        if (m_externalNs >= 0)
            return m_externalNs;
        return qint64(ticksNs(stamp ? stamp : TraceClock::ticks()));
    }
    // A reading of the own clock as nanoseconds since the recording started.
    quint64 ticksNs(quint64 ticks) const
    {
        return ticks > m_startTicks ? TraceClock::toNs(ticks - m_startTicks) : 0;
    }
    int appendSend(TraceEventKind kind, const SendEvent &event, quint8 flags, quint32 name, quint32 sender);
    int innermostRecorded() const;
    quint32 internError(const DjangoError *error);
    // The string id of a name the dispatcher gave a key (NameKeys): an array
    // look-up after the first time; `key` 0 interns `text` as intern() does.
    quint32 internKeyed(quint32 key, const QString &text)
    {
        if (key < m_idOfKey.size() && m_idOfKey[key] != StringTable::None)
            return m_idOfKey[key];
        return internNewKey(key, text);
    }
    quint32 internNewKey(quint32 key, const QString &text);
    quint32 storeText(const QString &text);
    // A step's text reference, its deferred label built and stored first if
    // need be (logically const: the text was the step's all along).
    quint32 stepText(int index) const;
    void markChanged(int index)
    {
        if (index >= 0 && index < count())
            markChangedRecorded(index);
    }
    void markChangedRecorded(int index)
    {
        m_changedFirst = std::min(m_changedFirst, index);
        m_changedLast = std::max(m_changedLast, index);
    }
    void closeEvent(int event, const DjangoError *error, bool finished, quint64 stamp);
    // Closes the frames from stack index `from` up, innermost first, as
    // unfinished (an end that skipped them), and drops them.
    void unwindTo(size_t from, quint64 stamp);
    // The ends of a receiver call and of a send that returned in under 4.29 s,
    // closed in place (closeEvent() for the common case).
    bool closeQuickly(int event, quint64 stamp)
    {
        StoredRecord &r = recordRef(event);
        const quint64 end = quint64(stampNs(stamp));
        const quint64 duration = end > r.startNs ? end - r.startNs : 0;
        if (duration >= StoredRecord::LongDuration)
            return false;
        r.durationNs = quint32(duration);
        r.flags &= quint8(~TraceRecord::Open);
        markChanged(event);
        return true;
    }
    void receiverBeginElsewhere(const SendEvent &send, const ReceiverEvent &receiver);
    void receiverEndElsewhere(const SendEvent &send, const ReceiverEvent &receiver, const DjangoError *error);
    void sendEndElsewhere(const SendEvent &event, const DjangoError *escaped);
    void applyLoopMark(int index, LoopMark mark, int loop);

    TraceStore m_store;
    StringTable m_strings;
    std::vector<quint32> m_idOfKey;             // NameKeys key -> string id (None: not seen since clear())
    RecentName m_recentSender;                  // the sender name last interned
    ArgPacker m_packer{m_strings};
    std::vector<ErrorEntry> m_errors;
    QHash<quint64, quint32> m_errorIds;
    std::string m_scratch;
    // What a StoredRecord leaves out (see tracestore.h).
    std::vector<StepRun> m_stepRuns;
    mutable size_t m_stepRunHint = 0;
    std::vector<LabelSource> m_labelSources;
    QHash<int, quint32> m_errorOf;
    QHash<int, int> m_loopOf;
    QHash<int, quint64> m_longDurations;
    QHash<int, int> m_firstReceiver;            // sends whose first receiver call is not the next event

    std::vector<Frame> m_stack;
    int m_step = 0;
    int m_lastStepEvent = -1;
    bool m_paused = false;
    QString m_djangoVersion = QStringLiteral("3.2");
    int m_changedFirst = NoChange;          // NoChange and -1 when nothing changed
    int m_changedLast = -1;
    static constexpr int NoChange = std::numeric_limits<int>::max();
    quint64 m_startTicks = 0;           // TraceClock reading when the recording started
    qint64 m_externalNs = -1;
    bool m_quickBegin = true;           // neither paused nor on an external clock
    // What the last hook leaves for the next one when it took the fast path:
    // the dispatcher's receiver loop (end of one call, begin of the next)
    // then checks two integers instead of the stacks. Any other hook forgets
    // it first. `receiverIndex` -1: the innermost frame is this send's,
    // recorded, idle, and the next record continues it (its first call right
    // after it, or linked after its latest), not paused, on the own clock,
    // the detector's innermost frame the same send, idle. >= 0: that call of
    // the send runs, held by its frame (record top.lastRecord), on the own
    // clock, and the detector holds it too.
    struct QuickState
    {
        quint64 sendId = 0;
        int receiverIndex = -1;
        bool valid = false;
    };
    QuickState m_quick;
    void forgetQuick() { m_quick.valid = false; }
    LoopDetector m_loops;
};

} // namespace ss
