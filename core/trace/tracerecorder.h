#pragma once
// The recording of everything the engine did: steps, sends, receiver calls,
// effect and error lines, refused sends. The timeline, the exporters and the
// loop list all read from here.
//
// A recording may hold millions of events (a GUI left running, a fuzzer), so
// it is kept compact (about 60 bytes per event plus the packed arguments):
//  - every event is one fixed-size POD TraceRecord, stored in fixed-size
//    chunks, so growing never copies what is there and indexes stay valid;
//  - names (signals, senders, receiver labels, argument keys, effect kinds,
//    error types and messages) are interned once in a string table;
//  - a send's frozen arguments are packed into a byte arena (see
//    tracerecorder.cpp: interned keys, varint integers), decoded on demand;
//  - a send's receiver calls are its child events, chained by `link`.
//
// Single-threaded like the engine: views read between engine calls (the
// TraceBridge tells them when). Not a QObject, so it never emits anything.

#include "dispatch/loopdetector.h"
#include "dispatch/tracelistener.h"

#include <QCborMap>
#include <QElapsedTimer>
#include <QHash>
#include <QPair>
#include <QString>
#include <QVarLengthArray>
#include <QVector>
#include <memory>
#include <string>
#include <vector>

namespace ss {

enum class TraceEventKind : quint8 {
    Step,               // a scenario step or GUI action (not in the canonical trace)
    Send,               // a Signal.send / send_robust (canonical unless the signal is not)
    Receiver,           // one receiver call of a send (not in the canonical trace)
    Effect,             // a canonical effect line (notify)
    Error,              // a canonical error line
    RecursionStop,      // a send refused by the recursion bound: no line (contract 5.9)
};

QString traceEventKindName(TraceEventKind kind);   // "step", "send", "receiver", "effect", "error", "stop"

// One event as stored. What the generic fields hold depends on the kind:
//
//   field    | Step        | Send / RecursionStop | Receiver           | Effect      | Error
//   name     | -           | signal name          | receiver label     | effect kind | -
//   sender   | -           | sender name          | position in send   | -           | -
//   payload  | code (text) | packed arguments     | -                  | text        | -
//   error    | failure     | escaped exception    | receiver's error   | -           | the line's error
//   link     | -           | first receiver call  | next receiver call | -           | -
//
// Strings are ids into the string table (0 is the empty string); payloads are
// arena references (NoPayload when absent); link is an event index or -1.
struct TraceRecord
{
    quint64 startNs;        // since the recording started
    quint64 durationNs;     // 0 for lines and open events
    quint64 payload;
    qint32 parent;          // enclosing event, -1 at the top
    qint32 step;
    quint32 name;
    quint32 sender;
    quint32 error;          // index into the error table, 0 = none
    qint32 link;
    qint32 loop;            // index into loops(), -1 = none
    qint16 depth;           // the contract's depth (a receiver call: its send's depth + 1)
    TraceEventKind kind;
    quint8 flags;

    enum Flag : quint8 {
        Canonical = 0x01,   // belongs in the canonical trace
        Open = 0x02,        // begun, never ended
        Robust = 0x04,      // sent with send_robust
        SenderShift = 3,    // 2 bits: Sender::Kind
        LoopShift = 5,      // 2 bits: LoopMark
    };
    static constexpr quint64 NoPayload = ~quint64(0);

    bool isCanonical() const { return flags & Canonical; }
    bool isOpen() const { return flags & Open; }
    bool isRobust() const { return flags & Robust; }
    Sender::Kind senderKind() const { return Sender::Kind((flags >> SenderShift) & 3); }
    LoopMark loopMark() const { return LoopMark((flags >> LoopShift) & 3); }
};

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
    void stepBegin(int step, const QString &code) override;
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
    void setPaused(bool paused) { m_paused = paused; }
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
    int count() const { return m_count; }
    const TraceRecord &record(int index) const { return m_chunks[size_t(index) >> ChunkBits][size_t(index) & ChunkMask]; }
    TraceEvent event(int index) const;
    int parentOf(int index) const { return record(index).parent; }
    // Events are stored in the order they began, so an event's descendants
    // follow it contiguously: [index + 1, subtreeEnd(index)).
    int subtreeEnd(int index) const;
    QVector<int> childrenOf(int index) const;           // direct children, in order
    TraceEventKind kindOf(int index) const { return record(index).kind; }
    QCborMap args(int index) const;                     // Send/RecursionStop; empty otherwise
    QString text(int index) const;                      // Effect text or Step code
    QVector<ReceiverOutcome> receiversOf(int sendIndex) const;
    QString errorType(int index) const;
    QString errorMessage(int index) const;
    qint64 elapsedNs() const { return now(); }   // "now", for open events
    // Events of another process (a recorded Django run) carry that process's
    // clock: while set (>= 0), this is "now" for every begin and end; -1 goes
    // back to the recorder's own clock.
    void setExternalTime(qint64 ns) { m_externalNs = ns; }

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
    struct PackedArg
    {
        quint32 key;                // string id
        const uchar *value;         // packed value, read by appendValueJson/valueAt
    };
    using PackedArgs = QVarLengthArray<PackedArg, 16>;
    void packedArgs(int index, PackedArgs &out) const; // in the order Django passed them
    void appendValueJson(std::string &out, const uchar *value) const;  // canonical JSON
    QCborValue valueAt(const uchar *value) const;
    // Where a packed value ends: [value, end) are its bytes, equal bytes the
    // same value (a search index keys argument texts by them).
    static const uchar *packedValueEnd(const uchar *value);
    void appendTextJson(std::string &out, int index) const;            // text as a JSON string
    const QString &string(quint32 id) const { return m_strings[id]; }
    const std::string &stringJson(quint32 id) const { return m_stringJson[id]; } // quoted, escaped
    static constexpr quint32 NoString = ~quint32(0);
    quint32 stringId(const QString &text) const;       // NoString when not interned
    quint32 errorTypeId(int index) const { return m_errors[record(index).error].type; }
    quint32 errorMessageId(int index) const { return m_errors[record(index).error].message; }
    // Sort order of every string used as a key (argument names, nested map
    // keys, and the keys canonical lines add: seq, step, depth, signal,
    // sender, effect, text, error, message), indexed by string id: comparing
    // ranks is comparing the keys as value.cpp sorts them.
    const std::vector<quint32> &keyRanks() const;

private:
    static constexpr int ChunkBits = 14;
    static constexpr size_t ChunkSize = size_t(1) << ChunkBits;
    static constexpr size_t ChunkMask = ChunkSize - 1;
    static constexpr size_t ArenaChunkSize = size_t(1) << 20;

    struct Frame
    {
        TraceEventKind kind;
        int event;                  // -1 when not recorded (paused, cleared)
        quint64 sendId;             // sends and receivers: the send's id
        int receiverIndex;
        int lastReceiver;           // sends: the latest receiver call recorded
    };
    struct ErrorEntry
    {
        quint32 type;
        quint32 message;
    };
    struct CachedKey
    {
        QCborValue key;
        quint32 id;
    };
    // Contexts of the key shape cache: a signal's arguments (its name's id) or
    // the maps under a key (the key's id with this bit set).
    static constexpr quint32 NestedContext = 0x80000000u;
    struct ArenaChunk
    {
        std::unique_ptr<uchar[]> bytes;
        size_t size;
        size_t used;
    };

    TraceRecord &recordRef(int index) { return m_chunks[size_t(index) >> ChunkBits][size_t(index) & ChunkMask]; }
    int append(TraceEventKind kind, int depth);
    qint64 now() const { return m_externalNs >= 0 ? m_externalNs : m_clock.nsecsElapsed(); }
    int appendSend(TraceEventKind kind, const SendEvent &event, quint8 flags);
    int innermostRecorded() const;
    quint32 intern(const QString &text);
    quint32 internKey(const QString &key);
    quint32 internError(const DjangoError *error);
    quint64 storeBytes(const std::string &bytes);
    const uchar *payloadAt(quint64 ref) const;
    quint64 storeText(const QString &text);
    quint64 storeArgs(const QCborMap &args, quint32 signal);
    void packMap(std::string &out, const QCborMap &map, quint32 context);
    void packValue(std::string &out, const QCborValue &value, quint32 context);
    void markChanged(int index);
    void closeFrame(const Frame &frame, const DjangoError *error, bool finished);
    void applyLoopMark(int index, LoopMark mark, int loop);

    std::vector<std::unique_ptr<TraceRecord[]>> m_chunks;
    int m_count = 0;
    std::vector<ArenaChunk> m_arena;
    std::vector<QString> m_strings;
    std::vector<std::string> m_stringJson;
    QHash<QString, quint32> m_stringIds;
    std::vector<bool> m_isKey;                  // per string id
    std::vector<quint32> m_keyIds;              // the strings used as keys
    mutable std::vector<quint32> m_keyRanks;    // per string id, rebuilt when keys were added
    mutable size_t m_rankedKeys = 0;
    QHash<quint32, std::vector<CachedKey>> m_shapes;   // see packMap()
    std::vector<ErrorEntry> m_errors;
    QHash<quint64, quint32> m_errorIds;
    std::string m_scratch;

    QVector<Frame> m_stack;
    int m_step = 0;
    int m_lastStepEvent = -1;
    bool m_paused = false;
    QString m_djangoVersion = QStringLiteral("3.2");
    int m_changedFirst = -1;
    int m_changedLast = -1;
    QElapsedTimer m_clock;
    qint64 m_externalNs = -1;
    LoopDetector m_loops;
};

} // namespace ss
