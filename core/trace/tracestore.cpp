#include "trace/tracestore.h"

#include <algorithm>
#include <cstring>

namespace ss {

static_assert(sizeof(StoredRecord) == 32, "StoredRecord is sized for a million-event recording; keep it compact");

QString traceEventKindName(TraceEventKind kind)
{
    switch (kind) {
    case TraceEventKind::Step: return QStringLiteral("step");
    case TraceEventKind::Send: return QStringLiteral("send");
    case TraceEventKind::Receiver: return QStringLiteral("receiver");
    case TraceEventKind::Effect: return QStringLiteral("effect");
    case TraceEventKind::Error: return QStringLiteral("error");
    case TraceEventKind::RecursionStop: return QStringLiteral("stop");
    }
    return {};
}

void TraceStore::clear()
{
    m_chunks.clear();
    m_count = 0;
    m_tail = m_tailEnd = nullptr;
    m_arena.clear();
}

void TraceStore::addChunk()
{
    m_chunks.emplace_back(new StoredRecord[ChunkSize]);
    m_tail = m_chunks.back().get();
    m_tailEnd = m_tail + ChunkSize;
}

uchar *TraceStore::reserve(size_t n)
{
    // A new chunk also when the offset would not fit (a chunk of its own is
    // only ever used from offset 0).
    if (m_arena.empty() || m_arena.back().size - m_arena.back().used < n || m_arena.back().used > OffsetMask) {
        if (m_arena.size() >= MaxArenaChunks)
            return nullptr;
        // Fixed-size chunks: growing never moves what is stored. A payload
        // larger than a chunk gets a chunk of its own.
        const size_t size = std::max(ArenaChunkSize, n);
        m_arena.push_back({std::unique_ptr<uchar[]>(new uchar[size]), size, 0});
    }
    ArenaChunk &chunk = m_arena.back();
    return chunk.bytes.get() + chunk.used;
}

quint32 TraceStore::store(const std::string &bytes)
{
    const size_t n = bytes.size();
    uchar *room = reserve(n);
    if (!room)
        return StoredRecord::NoRef;
    std::memcpy(room, bytes.data(), n);
    return commit(n);
}

qint64 TraceStore::memoryBytes() const
{
    qint64 bytes = qint64(m_chunks.size()) * qint64(ChunkSize * sizeof(StoredRecord));
    bytes += qint64(m_chunks.capacity() * sizeof(m_chunks[0]));
    for (const ArenaChunk &chunk : m_arena)
        bytes += qint64(chunk.size);
    bytes += qint64(m_arena.capacity() * sizeof(ArenaChunk));
    return bytes;
}

} // namespace ss
