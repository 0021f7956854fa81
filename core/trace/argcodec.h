#pragma once
// The packed form of a send's arguments in the recording's byte arena.
//
// Layout: a varint head, then the arguments. A head with its low bit set names
// a key layout (head >> 1: an index into ArgLayouts, the keys of a live send in
// order, stored once), and the values follow in that order; otherwise head >> 1
// is the count and each argument is a varint key (string id) and a value.
// A value is a tag byte and its data:
//   Null, False, True, Undefined        nothing
//   Int                                 zigzag varint
//   Double                              8 raw bytes
//   String                              varint byte length, UTF-8
//   Interned                            varint string id (strings already in the
//                                       table: model names, "default", m2m actions)
//   Array                               varint count, values
//   Map                                 varint count, (varint key id, value)...
//   Instance                            varint model-name id, the pk as a value:
//                                       Django's {"model": <name>, "pk": <pk>}
//   Cbor                                varint length, QCborValue::toCbor bytes
//                                       (anything else, e.g. non-string map keys)
// A post_save packs into about 11 bytes, against 70 as plain CBOR.
//
// ArgPacker writes it, straight from a send's SignalArgs (the dispatcher's
// sends: nothing frozen, keys and model names interned by identity) or from a
// frozen QCborMap (imported and hand-made sends). The free functions read it:
// into QCborValues for views, or as canonical JSON for exporters, which must
// not build a QCborMap per line.

#include "trace/stringtable.h"

#include <QCborMap>
#include <QCborValue>
#include <QHash>
#include <QVarLengthArray>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace ss {

struct SignalArgs;
class Value;

namespace argcodec {

inline void putVarint(std::string &out, quint64 v)
{
    while (v >= 0x80) {
        out.push_back(char(v | 0x80));
        v >>= 7;
    }
    out.push_back(char(v));
}

inline quint64 getVarint(const uchar *&p)
{
    quint64 v = 0;
    int shift = 0;
    for (;;) {
        const uchar b = *p++;
        v |= quint64(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
        shift += 7;
    }
}

// A string as varint byte length and UTF-8 (also the form of effect and step texts).
void putString(std::string &out, const QString &s);
// Canonical JSON of UTF-8 text, the same bytes value.cpp writes.
void appendUtf8Json(std::string &out, const uchar *s, qsizetype n);

} // namespace argcodec

// One argument of a packed list: its key and where its value starts.
struct PackedArg
{
    quint32 key;                // string id
    const uchar *value;         // packed value
};
using PackedArgs = QVarLengthArray<PackedArg, 16>;

// The key lists of live sends: every post_save passes instance, created,
// update_fields, raw, using, so a send stores the list's index, not its keys.
class ArgLayouts
{
public:
    static constexpr quint32 None = ~quint32(0);
    static constexpr size_t Max = 4096;     // beyond that, lists carry their keys

    // The layout of these keys, added when new; None when the table is full.
    quint32 find(const quint32 *keys, qsizetype n);
    const std::vector<quint32> &keys(quint32 layout) const { return m_keys[layout]; }
    void clear()
    {
        m_keys.clear();
        m_last = None;
    }
    qint64 memoryBytes() const;

private:
    bool matches(quint32 layout, const quint32 *keys, qsizetype n) const
    {
        const std::vector<quint32> &k = m_keys[layout];
        return qsizetype(k.size()) == n && std::equal(k.cbegin(), k.cend(), keys);
    }
    std::vector<std::vector<quint32>> m_keys;
    quint32 m_last = None;
};

// The arguments of a packed list, in the order Django passed them.
void unpackArgs(const uchar *payload, const ArgLayouts &layouts, PackedArgs &out);
// A packed value as the QCborValue the frozen arguments held.
QCborValue decodeArg(const uchar *value, const StringTable &strings);
// A packed value as canonical JSON (maps with sorted keys).
void appendArgJson(std::string &out, const uchar *value, const StringTable &strings);
// The bytes of the value starting at p; p is left after it.
void skipArg(const uchar *&p);

class ArgPacker
{
public:
    explicit ArgPacker(StringTable &strings) : m_strings(strings) {}
    void clear()
    {
        m_layouts.clear();
        m_shapes.clear();
        m_lastStrings.clear();
        m_keyLists.fill(KeyList());
        m_lastModel.clear();
    }

    // A send's live arguments, frozen by being packed: an instance as its
    // model and its pk of this moment.
    void pack(std::string &out, const SignalArgs &args);
    // The same, written straight into `room` (FastBytes long, e.g. the
    // recording's arena) when the keyword list is known and every value is of
    // the common kinds: returns the length. Otherwise returns 0, and the
    // packed bytes are appended to `spill` instead.
    static constexpr size_t FastArgs = 16;
    static constexpr size_t FastValueBytes = 24;
    static constexpr size_t FastBytes = 10 + FastArgs * FastValueBytes;
    size_t pack(char *room, std::string &spill, const SignalArgs &args);
    // Frozen arguments; `context` names where the map sits (the signal's name
    // id) for the key shape cache.
    void pack(std::string &out, const QCborMap &args, quint32 context);

    const ArgLayouts &layouts() const { return m_layouts; }
    qint64 memoryBytes() const;

private:
    struct CachedKey
    {
        QCborValue key;
        quint32 id;
    };
    // Contexts of the key shape cache: a signal's arguments (its name's id) or
    // the maps under a key (the key's id with this bit set).
    static constexpr quint32 NestedContext = 0x80000000u;

    void packMap(std::string &out, const QCborMap &map, quint32 context);
    void packEntries(std::string &out, const QCborMap &map, quint32 context);
    void packValue(std::string &out, const QCborValue &value, quint32 context);
    void packLive(std::string &out, const Value &value, quint32 key);
    // A keyword list not known by identity: keys interned, its layout found.
    void packNew(std::string &out, const SignalArgs &args);
    // packLive() for the values most sends pass (flags, None, integers, an
    // instance with an integer pk, the string last seen under `key`), written
    // at p: where they end, or nullptr when the value needs packLive().
    char *packLiveAt(char *p, const Value &value, quint32 key);
    // A string under `slot` (a key id; beyond m_lastStrings: none): an id when
    // the table has it, else its text. `keepIdentity`: a send's own argument,
    // kept to be recognised by identity next time (see LastString).
    void packString(std::string &out, const QCborValue &value, size_t slot, bool keepIdentity);

    // The last string value seen under each key (indexed by key id) and its
    // string id or None: "default" under "using" is compared, not converted
    // to a QString and looked up, on every send. A send's own argument is
    // also kept as `held`, so that its copies are recognised without
    // comparing text (cboridentity.h); it keeps its container alive until
    // the next string under that key, or clear().
    struct LastString
    {
        QCborValue value;
        QCborValue held;
        quint32 id = StringTable::None;
    };

    // The keyword lists of recent live sends, known by the identity of their
    // strings: the engine passes the literal keywords of its call site, the
    // same characters at the same address every time, so a send whose keys
    // are the very strings of a list seen before gets the list's key ids and
    // layout without interning each key. As in NameIds, an owned key is kept
    // referenced so that its address cannot be reused, a literal in the
    // program's read-only data cannot change (stabletext.h): both are known by
    // address and size; other text with no owner (raw data) is compared by
    // content as well.
    struct KnownKey
    {
        const QChar *chars;                 // where the key's characters were
        qsizetype size;
        bool stable;                        // known by address and size (stabletext.h)
        quint32 id;
        QString text;                       // owned: shared; unowned: a copy of the text
    };
    struct KeyList
    {
        std::vector<KnownKey> keys;
        quint32 layout = ArgLayouts::None;
        bool allStable = false;             // every key known by address and size
    };
    static constexpr size_t KeyListSlots = 64;
    static size_t keyListSlot(const SignalArgs &args);
    const KeyList *cachedKeys(const SignalArgs &args) const;
    void rememberKeys(const SignalArgs &args, const quint32 *ids, quint32 layout);

    quint32 modelNameId(const QString &name)
    {
        return m_lastModel.id(name, [this](const QString &text) { return m_strings.intern(text); });
    }

    StringTable &m_strings;
    RecentName m_lastModel;                 // an instance's model name
    std::array<KeyList, KeyListSlots> m_keyLists;
    ArgLayouts m_layouts;
    QHash<quint32, std::vector<CachedKey>> m_shapes;   // see packMap()
    std::vector<LastString> m_lastStrings;
};

} // namespace ss
