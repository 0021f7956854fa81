#pragma once
// The recording's string table: every name an event carries (signals, senders,
// receiver labels, argument keys, model names, effect kinds, error types and
// messages) is stored once and referred to by a small integer id; id 0 is the
// empty string. Each string also keeps its canonical JSON form, so exporters
// copy bytes instead of escaping text per line, and the strings used as keys
// keep their sort rank, so exporters order keys by comparing integers.
//
// Interning goes through NameIds: the same QString object (a signal's name, a
// connection's label, a literal keyword) costs a pointer compare, not a hash.

#include "dispatch/nameids.h"

#include <QString>

#include <string>
#include <vector>

namespace ss {

class StringTable
{
public:
    static constexpr quint32 None = NameIds::None;

    StringTable() { clear(); }
    // Back to the empty string alone.
    void clear();

    quint32 intern(const QString &text)
    {
        const quint32 id = m_names.id(text);
        if (id >= m_json.size())
            added(id);
        return id;
    }
    // Interns a string used as a key (see keyRanks()).
    quint32 internKey(const QString &key)
    {
        const quint32 id = intern(key);
        if (!m_isKey[id])
            markKey(id);
        return id;
    }
    quint32 find(const QString &text) const { return m_names.find(text); }   // None when absent
    // The ids themselves, for a reader that keys on the same names (the loop
    // detector): a name it adds there gets its JSON when next interned here.
    NameIds &names() { return m_names; }

    const QString &text(quint32 id) const { return m_names.text(id); }
    const std::string &json(quint32 id) const { return m_json[id]; }   // quoted, escaped
    quint32 size() const { return quint32(m_json.size()); }

    // Sort rank of every key, indexed by string id: comparing ranks is comparing
    // the keys as value.cpp sorts them (UTF-16 order). Rebuilt when keys were added.
    const std::vector<quint32> &keyRanks() const;

    qint64 memoryBytes() const;

private:
    void added(quint32 id);
    void markKey(quint32 id);

    NameIds m_names;
    std::vector<std::string> m_json;
    std::vector<bool> m_isKey;
    std::vector<quint32> m_keyIds;
    mutable std::vector<quint32> m_keyRanks;
    mutable size_t m_rankedKeys = 0;
};

} // namespace ss
