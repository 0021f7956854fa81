#include "trace/stringtable.h"

#include "model/value.h"

#include <algorithm>

namespace ss {

void StringTable::clear()
{
    m_names.clear();
    m_json.clear();
    m_isKey.clear();
    m_keyIds.clear();
    m_keyRanks.clear();
    m_rankedKeys = 0;
    intern(QString());                          // id 0: the empty string, "none"
}

void StringTable::added(quint32 id)
{
    // Ids added straight to names() since the last intern come first.
    for (quint32 next = quint32(m_json.size()); next <= id; ++next) {
        const QByteArray json = canonicalJson(QCborValue(m_names.text(next)));
        m_json.emplace_back(json.constData(), size_t(json.size()));
        m_isKey.push_back(false);
    }
}

void StringTable::markKey(quint32 id)
{
    m_isKey[id] = true;
    m_keyIds.push_back(id);
}

const std::vector<quint32> &StringTable::keyRanks() const
{
    if (m_rankedKeys != m_keyIds.size()) {
        std::vector<quint32> sorted = m_keyIds;
        // QString's order is value.cpp's (UTF-16 code units).
        std::sort(sorted.begin(), sorted.end(), [this](quint32 a, quint32 b) { return text(a) < text(b); });
        m_keyRanks.assign(m_json.size(), 0);
        for (size_t rank = 0; rank < sorted.size(); ++rank)
            m_keyRanks[sorted[rank]] = quint32(rank);
        m_rankedKeys = m_keyIds.size();
    }
    return m_keyRanks;
}

qint64 StringTable::memoryBytes() const
{
    constexpr qint64 heapHeader = 16;
    qint64 bytes = m_names.memoryBytes() + qint64(m_json.capacity() * sizeof(std::string));
    for (const std::string &json : m_json)
        bytes += json.capacity() > 15 ? heapHeader + qint64(json.capacity()) : 0;
    bytes += qint64(m_keyIds.capacity() * sizeof(quint32) + m_keyRanks.capacity() * sizeof(quint32) + m_isKey.capacity() / 8);
    return bytes;
}

} // namespace ss
