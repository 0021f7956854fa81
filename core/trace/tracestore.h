#pragma once
// Where a recording's events live: one fixed-size POD TraceRecord per event in
// fixed-size chunks (growing never copies what is there, so indexes and
// references stay valid), and a byte arena for what varies in size (packed
// arguments, effect and step texts), also in chunks that never move.

#include "dispatch/loopdetector.h"
#include "dispatch/tracelistener.h"

#include <QString>

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

// One event as read. What the generic fields hold depends on the kind:
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
// TraceRecorder::record() decodes it from the StoredRecord below.
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

// One event as kept: 32 bytes. What is rare or derivable lives beside it in
// the recorder: the step (runs of equal steps), the error (events that failed),
// the loop (events a loop marked), durations of 4.3 s and more, and a send's
// first receiver call (nearly always the next event). A receiver call has no
// payload, so that field chains it to the next receiver call of its send.
struct StoredRecord
{
    quint64 startNs;
    quint32 durationNs;     // LongDuration: see the recorder's table
    qint32 parent;
    quint32 name;
    quint32 sender;
    quint32 payload;        // arena reference (NoRef); Receiver: next receiver call (NoRef: none)
    qint16 depth;
    TraceEventKind kind;
    quint8 flags;           // TraceRecord's, and HasError

    static constexpr quint32 NoRef = ~quint32(0);
    static constexpr quint32 LongDuration = ~quint32(0);
    static constexpr quint8 HasError = 0x80;
};

class TraceStore
{
public:
    void clear();

    int count() const { return m_count; }
    const StoredRecord &at(int index) const { return m_chunks[size_t(index) >> ChunkBits][size_t(index) & ChunkMask]; }
    StoredRecord &at(int index) { return m_chunks[size_t(index) >> ChunkBits][size_t(index) & ChunkMask]; }
    // A new record at the end (its fields unset); returns its index.
    int append()
    {
        if (m_tail == m_tailEnd)
            addChunk();
        ++m_tail;
        return m_count++;
    }
    // The same while the last chunk has room: the new record (its index is
    // count() before the call); nullptr when a chunk must be added (append()).
    StoredRecord *appendInChunk()
    {
        if (m_tail == m_tailEnd)
            return nullptr;
        ++m_count;
        return m_tail++;
    }

    // Copies `bytes` into the arena; returns their reference: a chunk number
    // (12 bits) and an offset in it (20 bits). A recording holds at most 4,095
    // chunks (about 4 GiB of arguments and texts); past that, NoRef.
    quint32 store(const std::string &bytes);
    // Room for up to n bytes at the arena's end (nullptr when the arena is
    // full), which commit() then stores without copying: a writer that knows
    // a bound on its length writes in place. Nothing is stored until commit.
    uchar *reserve(size_t n);
    quint32 commit(size_t n)                // n <= what reserve() was given
    {
        ArenaChunk &chunk = m_arena.back();
        const quint32 ref = (quint32(m_arena.size() - 1) << OffsetBits) | quint32(chunk.used);
        chunk.used += n;
        return ref;
    }
    const uchar *bytesAt(quint32 ref) const { return m_arena[ref >> OffsetBits].bytes.get() + (ref & OffsetMask); }

    qint64 memoryBytes() const;

private:
    static constexpr int ChunkBits = 14;
    static constexpr size_t ChunkSize = size_t(1) << ChunkBits;
    static constexpr size_t ChunkMask = ChunkSize - 1;
    static constexpr int OffsetBits = 20;
    static constexpr quint32 OffsetMask = (quint32(1) << OffsetBits) - 1;
    static constexpr size_t ArenaChunkSize = size_t(1) << OffsetBits;
    static constexpr size_t MaxArenaChunks = 4095;     // chunk 4095 + any offset could be NoRef

    struct ArenaChunk
    {
        std::unique_ptr<uchar[]> bytes;
        size_t size;
        size_t used;
    };

    void addChunk();

    std::vector<std::unique_ptr<StoredRecord[]>> m_chunks;
    int m_count = 0;
    StoredRecord *m_tail = nullptr;         // the next record's place in the last chunk
    StoredRecord *m_tailEnd = nullptr;      // the end of the last chunk
    std::vector<ArenaChunk> m_arena;
};

} // namespace ss
