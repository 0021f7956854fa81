#include "dispatch/nameids.h"

#include "dispatch/stabletext.h"

namespace ss {

void NameIds::clear()
{
    m_texts.clear();
    m_ids.clear();
    m_cache.fill(Slot());
}

quint32 NameIds::lookup(const QString &text, bool add)
{
    // Text with no owner (a literal, or raw data its owner may change) is
    // copied before it is kept; owned text is shared.
    const bool owned = text.data_ptr().isMutable();
    const QString kept = owned ? text : QString(text.constData(), text.size());
    quint32 id;
    const auto it = m_ids.constFind(text);
    if (it != m_ids.constEnd()) {
        id = it.value();
    } else if (add) {
        id = quint32(m_texts.size());
        m_texts.push_back(kept);
        m_ids.insert(kept, id);
    } else {
        return None;
    }
    // Remember this string object by the address of its characters. An owned
    // block stays referenced by the slot, so no other text can take its
    // address; read-only program data never changes; other unowned text is
    // compared by content on a hit.
    // The new entry takes the first way; the one it displaces moves to the second.
    const size_t set = setOf(text);
    m_cache[set + 1] = std::move(m_cache[set]);
    Slot &slot = m_cache[set];
    slot.text = kept;
    slot.chars = text.constData();
    slot.size = text.size();
    slot.stable = owned || isStableText(text);
    slot.id = id;
    return id;
}

quint32 RecentName::remember(const QString &name, quint32 id)
{
    m_text = name;                  // owned: shared; a literal: its address
    m_stable = isStableText(name);
    m_id = id;
    return id;
}

qint64 NameIds::memoryBytes() const
{
    // The text and its heap block, and a hash node.
    constexpr qint64 heapHeader = 16, hashNode = 2 * sizeof(void *) + sizeof(QString) + sizeof(quint32);
    qint64 bytes = qint64(m_texts.capacity() * sizeof(QString)) + qint64(sizeof m_cache);
    for (const QString &text : m_texts)
        bytes += heapHeader + qint64(text.capacity()) * 2 + hashNode;
    return bytes;
}

} // namespace ss
