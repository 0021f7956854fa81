#pragma once
// Small integer ids for names (signal names, senders, receiver labels, model
// names, argument keys), each name text stored once.
//
// A traced send names the same few strings again and again, and they are the
// very same QString objects each time: the signal's own name, the connection's
// label, the model's name, the literal keyword of the argument. So before
// hashing the text, id() looks the string up by the address of its characters
// in a small direct-mapped cache: a hit costs a pointer compare, and only a new
// string object is hashed. A cache entry keeps a reference to the string it
// saw, so no other string can reuse that address while the entry lives; text
// with no owner (literals, raw data) is compared by content on a hit as well.

#include <QHash>
#include <QString>

#include <array>
#include <vector>

namespace ss {

class NameIds
{
public:
    static constexpr quint32 None = ~quint32(0);

    NameIds() { clear(); }
    void clear();

    // The id of `text`, added when new.
    quint32 id(const QString &text)
    {
        Slot &slot = m_cache[slotOf(text)];
        if (slot.chars == text.constData() && slot.size == text.size() && (slot.owned || slot.text == text))
            return slot.id;
        return lookup(text, true);
    }
    // The id of `text`, or None when it was never added (nothing is added).
    quint32 find(const QString &text) const
    {
        const Slot &slot = m_cache[slotOf(text)];
        if (slot.chars == text.constData() && slot.size == text.size() && (slot.owned || slot.text == text))
            return slot.id;
        return const_cast<NameIds *>(this)->lookup(text, false);
    }
    const QString &text(quint32 id) const { return m_texts[id]; }
    quint32 size() const { return quint32(m_texts.size()); }
    qint64 memoryBytes() const;

private:
    struct Slot
    {
        const QChar *chars = nullptr;
        qsizetype size = -1;
        bool owned = false;         // `text` holds a counted reference to chars
        quint32 id = 0;
        QString text;
    };
    static constexpr size_t CacheSize = 256;
    static size_t slotOf(const QString &text)
    {
        const quintptr p = quintptr(text.constData());
        return size_t((p >> 4) ^ (p >> 12)) & (CacheSize - 1);
    }
    quint32 lookup(const QString &text, bool add);

    std::vector<QString> m_texts;
    QHash<QString, quint32> m_ids;
    std::array<Slot, CacheSize> m_cache;
};

} // namespace ss
