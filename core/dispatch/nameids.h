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
// with no owner (literals, raw data) is compared by content on a hit as well
// (inline, a word at a time: the keywords and names are short).

#include <QHash>
#include <QString>

#include <array>
#include <cstring>
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
        const quint32 hit = cached(text);
        return hit != None ? hit : lookup(text, true);
    }
    // The id of `text`, or None when it was never added (nothing is added).
    quint32 find(const QString &text) const
    {
        const quint32 hit = cached(text);
        return hit != None ? hit : const_cast<NameIds *>(this)->lookup(text, false);
    }
    // Whether `a` and `b` hold the same n UTF-16 units. Inline: names are a few
    // words long, and the library's general compare costs more than they do.
    static bool sameChars(const QChar *a, const QChar *b, qsizetype n)
    {
        const char *x = reinterpret_cast<const char *>(a);
        const char *y = reinterpret_cast<const char *>(b);
        qsizetype bytes = n * qsizetype(sizeof(QChar));
        for (; bytes >= 8; bytes -= 8, x += 8, y += 8) {
            quint64 u, v;
            std::memcpy(&u, x, 8);
            std::memcpy(&v, y, 8);
            if (u != v)
                return false;
        }
        if (bytes >= 4) {
            quint32 u, v;
            std::memcpy(&u, x, 4);
            std::memcpy(&v, y, 4);
            if (u != v)
                return false;
            bytes -= 4, x += 4, y += 4;
        }
        if (bytes >= 2) {
            quint16 u, v;
            std::memcpy(&u, x, 2);
            std::memcpy(&v, y, 2);
            if (u != v)
                return false;
        }
        return true;
    }
    const QString &text(quint32 id) const { return m_texts[id]; }
    quint32 size() const { return quint32(m_texts.size()); }
    qint64 memoryBytes() const;

private:
    struct Slot
    {
        const QChar *chars = nullptr;
        qsizetype size = -1;
        bool stable = false;        // chars cannot change: counted by `text`, or read-only (stabletext.h)
        quint32 id = 0;
        QString text;
    };
    // Two ways per set, so two hot names whose addresses share a set do not
    // evict each other on every send; a multiplicative hash spreads the
    // neighbouring addresses of literals over the sets.
    static constexpr size_t Sets = 256;
    static size_t setOf(const QString &text)
    {
        const quint64 p = quint64(quintptr(text.constData())) ^ quint64(text.size());
        return size_t((p * 0x9E3779B97F4A7C15ull) >> 56) * 2;   // 8 bits: Sets
    }
    bool hits(const Slot &slot, const QString &text) const
    {
        return slot.chars == text.constData() && slot.size == text.size()
            && (slot.stable || sameChars(slot.text.constData(), text.constData(), text.size()));
    }
    quint32 cached(const QString &text) const
    {
        const size_t set = setOf(text);
        if (hits(m_cache[set], text))
            return m_cache[set].id;
        if (hits(m_cache[set + 1], text))
            return m_cache[set + 1].id;
        return None;
    }
    quint32 lookup(const QString &text, bool add);

    std::vector<QString> m_texts;
    QHash<QString, quint32> m_ids;
    std::array<Slot, 2 * Sets> m_cache;
};

// The id of the name last looked up at one place, remembered by its string's
// identity: consecutive sends nearly always name the same model and sender,
// one owned string (kept referenced here, so its address cannot be reused)
// or a literal (stabletext.h). Cheaper than a NameIds lookup, which hashes.
// Whoever clears the table the ids belong to clears this too.
class RecentName
{
public:
    template<typename Lookup>
    quint32 id(const QString &name, Lookup &&lookup)
    {
        if (name.constData() == m_text.constData() && name.size() == m_text.size() && m_stable)
            return m_id;
        return remember(name, lookup(name));
    }
    void clear()
    {
        m_text.clear();
        m_stable = false;
    }

private:
    quint32 remember(const QString &name, quint32 id);

    QString m_text;
    quint32 m_id = NameIds::None;
    bool m_stable = false;          // m_text's address and size say its content
};

} // namespace ss
