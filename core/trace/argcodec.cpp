#include "trace/argcodec.h"

#include "dispatch/dispatcher.h"
#include "dispatch/stabletext.h"
#include "trace/cboridentity.h"
#include "model/instance.h"
#include "model/value.h"
#include "python/pythonvalue.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace ss {

using namespace argcodec;

namespace {

enum Tag : uchar { TagNull, TagFalse, TagTrue, TagUndefined, TagInt, TagDouble, TagString, TagInterned, TagArray, TagMap, TagCbor, TagInstance };

inline quint64 zigzag(qint64 v) { return (quint64(v) << 1) ^ quint64(v >> 63); }
inline qint64 unzigzag(quint64 v) { return qint64(v >> 1) ^ -qint64(v & 1); }

// The values of a live send are written into a buffer on the stack, then
// appended at once (a byte at a time into a std::string costs a capacity
// check per byte). A varint takes at most 10 bytes.
constexpr size_t VarintBytes = 10;
inline char *putVarintAt(char *p, quint64 v)
{
    while (v >= 0x80) {
        *p++ = char(v | 0x80);
        v >>= 7;
    }
    *p++ = char(v);
    return p;
}

// The scalars most arguments are (created, raw, update_fields=None, integer
// pks), written at p: where they end, or nullptr for any other value (the
// caller packs it the general way). At most PlainScalarBytes.
constexpr size_t PlainScalarBytes = 1 + VarintBytes;
inline char *putPlainScalarAt(char *p, const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::Null:
        *p++ = char(TagNull);
        return p;
    case QCborValue::False:
        *p++ = char(TagFalse);
        return p;
    case QCborValue::True:
        *p++ = char(TagTrue);
        return p;
    case QCborValue::Integer:
        *p++ = char(TagInt);
        return putVarintAt(p, zigzag(value.toInteger()));
    default:
        return nullptr;
    }
}

// The same for the live path and packValue alike: false for any other value.
inline bool packPlainScalar(std::string &out, const QCborValue &value)
{
    char buffer[PlainScalarBytes];
    const char *end = putPlainScalarAt(buffer, value);
    if (!end)
        return false;
    out.append(buffer, size_t(end - buffer));
    return true;
}

inline void appendInteger(std::string &out, qint64 v)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, size_t(result.ptr - buffer));
}

const QString &modelKey()
{
    static const QString key = QStringLiteral("model");
    return key;
}

const QString &pkKey()
{
    static const QString key = QStringLiteral("pk");
    return key;
}

} // namespace

// ------------------------------------------------------------ helpers

void argcodec::putString(std::string &out, const QString &s)
{
    // Without a temporary for the ASCII it nearly always is.
    const bool ascii = std::all_of(s.cbegin(), s.cend(), [](QChar ch) { return ch.unicode() < 0x80; });
    if (ascii) {
        putVarint(out, quint64(s.size()));
        for (const QChar ch : s)
            out.push_back(char(ch.unicode()));
    } else {
        const QByteArray utf8 = s.toUtf8();
        putVarint(out, quint64(utf8.size()));
        out.append(utf8.constData(), size_t(utf8.size()));
    }
}

void argcodec::appendUtf8Json(std::string &out, const uchar *s, qsizetype n)
{
    // Plain printable ASCII (nearly everything) is copied as is; anything else
    // goes through value.cpp's escaping, so both paths give the same bytes.
    for (qsizetype i = 0; i < n; ++i) {
        const uchar c = s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
            const QByteArray json = canonicalJson(QCborValue(QString::fromUtf8(reinterpret_cast<const char *>(s), n)));
            out.append(json.constData(), size_t(json.size()));
            return;
        }
    }
    out.push_back('"');
    out.append(reinterpret_cast<const char *>(s), size_t(n));
    out.push_back('"');
}

// ------------------------------------------------------------ reading

void skipArg(const uchar *&p)
{
    switch (*p++) {
    case TagInt:
    case TagInterned:
        getVarint(p);
        break;
    case TagDouble:
        p += 8;
        break;
    case TagString:
    case TagCbor: {
        const quint64 n = getVarint(p);
        p += n;
        break;
    }
    case TagArray: {
        for (quint64 n = getVarint(p); n > 0; --n)
            skipArg(p);
        break;
    }
    case TagMap: {
        for (quint64 n = getVarint(p); n > 0; --n) {
            getVarint(p);
            skipArg(p);
        }
        break;
    }
    case TagInstance:
        getVarint(p);
        skipArg(p);
        break;
    default:
        break;
    }
}

void unpackArgs(const uchar *p, const ArgLayouts &layouts, PackedArgs &out)
{
    out.clear();
    const quint64 head = getVarint(p);
    if (head & 1) {
        for (const quint32 key : layouts.keys(quint32(head >> 1))) {
            out.append({key, p});
            skipArg(p);
        }
        return;
    }
    for (quint64 n = head >> 1; n > 0; --n) {
        const quint32 key = quint32(getVarint(p));
        out.append({key, p});
        skipArg(p);
    }
}

quint32 ArgLayouts::find(const quint32 *keys, qsizetype n)
{
    if (m_last != None && matches(m_last, keys, n))
        return m_last;
    for (quint32 layout = 0; layout < m_keys.size(); ++layout) {
        if (matches(layout, keys, n))
            return m_last = layout;
    }
    if (m_keys.size() >= Max)
        return None;
    m_keys.emplace_back(keys, keys + n);
    return m_last = quint32(m_keys.size() - 1);
}

qint64 ArgLayouts::memoryBytes() const
{
    qint64 bytes = qint64(m_keys.capacity() * sizeof(std::vector<quint32>));
    for (const std::vector<quint32> &keys : m_keys)
        bytes += qint64(keys.capacity() * sizeof(quint32)) + 16;
    return bytes;
}

static QCborValue decode(const uchar *&p, const StringTable &strings)
{
    switch (*p++) {
    case TagNull: return QCborValue(nullptr);
    case TagFalse: return QCborValue(false);
    case TagTrue: return QCborValue(true);
    case TagUndefined: return QCborValue();
    case TagInt: return QCborValue(unzigzag(getVarint(p)));
    case TagDouble: {
        double d;
        std::memcpy(&d, p, sizeof d);
        p += sizeof d;
        return QCborValue(d);
    }
    case TagString: {
        const qsizetype n = qsizetype(getVarint(p));
        const QString s = QString::fromUtf8(reinterpret_cast<const char *>(p), n);
        p += n;
        return QCborValue(s);
    }
    case TagInterned: return QCborValue(strings.text(quint32(getVarint(p))));
    case TagArray: {
        QCborArray array;
        for (quint64 n = getVarint(p); n > 0; --n)
            array.append(decode(p, strings));
        return array;
    }
    case TagMap: {
        QCborMap map;
        for (quint64 n = getVarint(p); n > 0; --n) {
            const QString &key = strings.text(quint32(getVarint(p)));
            map.insert(key, decode(p, strings));
        }
        return map;
    }
    case TagInstance: {
        // Value::freeze's map, in its order.
        QCborMap map;
        map.insert(modelKey(), strings.text(quint32(getVarint(p))));
        map.insert(pkKey(), decode(p, strings));
        return map;
    }
    case TagCbor: {
        const qsizetype n = qsizetype(getVarint(p));
        const QCborValue v = QCborValue::fromCbor(QByteArray::fromRawData(reinterpret_cast<const char *>(p), n));
        p += n;
        return v;
    }
    }
    return {};
}

QCborValue decodeArg(const uchar *value, const StringTable &strings)
{
    return decode(value, strings);
}

void appendArgJson(std::string &out, const uchar *p, const StringTable &strings)
{
    switch (*p++) {
    case TagNull:
    case TagUndefined:
        out.append("null");
        return;
    case TagFalse:
        out.append("false");
        return;
    case TagTrue:
        out.append("true");
        return;
    case TagInt:
        appendInteger(out, unzigzag(getVarint(p)));
        return;
    case TagDouble: {
        double d;
        std::memcpy(&d, p, sizeof d);
        const QByteArray repr = jsonFloatText(d).toLatin1();
        out.append(repr.constData(), size_t(repr.size()));
        return;
    }
    case TagString: {
        const qsizetype n = qsizetype(getVarint(p));
        appendUtf8Json(out, p, n);
        return;
    }
    case TagInterned:
        out.append(strings.json(quint32(getVarint(p))));
        return;
    case TagArray: {
        out.push_back('[');
        for (quint64 n = getVarint(p), i = 0; i < n; ++i) {
            if (i)
                out.push_back(',');
            appendArgJson(out, p, strings);
            skipArg(p);
        }
        out.push_back(']');
        return;
    }
    case TagMap: {
        // Keys sorted as value.cpp sorts them.
        const std::vector<quint32> &ranks = strings.keyRanks();
        PackedArgs entries;
        for (quint64 n = getVarint(p); n > 0; --n) {
            const quint32 key = quint32(getVarint(p));
            entries.append({key, p});
            skipArg(p);
        }
        const auto byKey = [&ranks](const PackedArg &a, const PackedArg &b) { return ranks[a.key] < ranks[b.key]; };
        if (!std::is_sorted(entries.begin(), entries.end(), byKey))
            std::stable_sort(entries.begin(), entries.end(), byKey);
        out.push_back('{');
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (i)
                out.push_back(',');
            out.append(strings.json(entries[i].key));
            out.push_back(':');
            appendArgJson(out, entries[i].value, strings);
        }
        out.push_back('}');
        return;
    }
    case TagInstance:
        // "model" < "pk": sorted already.
        out.append("{\"model\":");
        out.append(strings.json(quint32(getVarint(p))));
        out.append(",\"pk\":");
        appendArgJson(out, p, strings);
        out.push_back('}');
        return;
    case TagCbor: {
        const qsizetype n = qsizetype(getVarint(p));
        const QByteArray json = canonicalJson(QCborValue::fromCbor(QByteArray::fromRawData(reinterpret_cast<const char *>(p), n)));
        out.append(json.constData(), size_t(json.size()));
        return;
    }
    }
    out.append("null");
}

// ------------------------------------------------------------ writing

size_t ArgPacker::keyListSlot(const SignalArgs &args)
{
    const quint64 p = quint64(quintptr(args.items.constFirst().first.constData())) ^ quint64(args.items.size());
    return size_t((p * 0x9E3779B97F4A7C15ull) >> 58);      // 6 bits: KeyListSlots
}

const ArgPacker::KeyList *ArgPacker::cachedKeys(const SignalArgs &args) const
{
    const KeyList &list = m_keyLists[keyListSlot(args)];
    const size_t n = size_t(args.items.size());
    if (list.keys.size() != n)
        return nullptr;
    const KnownKey *known = list.keys.data();
    if (list.allStable) {
        // The usual case (literal or owned keywords): addresses and sizes only.
        for (const auto &item : args.items) {
            if (item.first.constData() != known->chars || item.first.size() != known->size)
                return nullptr;
            ++known;
        }
        return &list;
    }
    for (const auto &item : args.items) {
        const QString &key = item.first;
        if (key.constData() != known->chars || key.size() != known->size
            || (!known->stable && !NameIds::sameChars(known->text.constData(), key.constData(), key.size())))
            return nullptr;
        ++known;
    }
    return &list;
}

void ArgPacker::rememberKeys(const SignalArgs &args, const quint32 *ids, quint32 layout)
{
    KeyList &list = m_keyLists[keyListSlot(args)];
    list.keys.clear();
    for (const auto &item : args.items) {
        const QString &key = item.first;
        const bool owned = key.data_ptr().isMutable();
        list.keys.push_back({key.constData(), key.size(), owned || isStableText(key), *ids++,
                             owned ? key : QString(key.constData(), key.size())});
    }
    list.layout = layout;
    list.allStable = std::all_of(list.keys.cbegin(), list.keys.cend(), [](const KnownKey &k) { return k.stable; });
}

// Inline in pack()'s loop: a call per value costs more than most values do.
[[gnu::always_inline]] inline char *ArgPacker::packLiveAt(char *p, const Value &value, quint32 key)
{
    static_assert(FastValueBytes >= 1 + VarintBytes + PlainScalarBytes);
    static_assert(FastBytes >= VarintBytes + FastArgs * FastValueBytes);
    if (!value.isInstance()) {
        const QCborValue &scalar = value.scalar();
        if (char *end = putPlainScalarAt(p, scalar))
            return end;
        // A copy of the string argument last seen under this key (the
        // engine's `using`): its id, no text compared.
        if (scalar.isString() && key < m_lastStrings.size()) {
            const LastString &last = m_lastStrings[key];
            if (last.id != StringTable::None && isSameCborElement(last.held, scalar)) {
                *p++ = char(TagInterned);
                return putVarintAt(p, last.id);
            }
        }
        return nullptr;
    }
    // Value::freeze()'s {"model": <name>, "pk": <pk now>}, with a plain pk.
    const Instance &instance = *value.instance();
    const QCborValue &pk = instance.value(instance.model()->pk);
    *p++ = char(TagInstance);
    p = putVarintAt(p, modelNameId(instance.model()->name));
    return putPlainScalarAt(p, pk);
}

void ArgPacker::pack(std::string &out, const SignalArgs &args)
{
    char room[FastBytes];
    const size_t n = pack(room, out, args);
    out.append(room, n);
}

size_t ArgPacker::pack(char *room, std::string &spill, const SignalArgs &args)
{
    // The keys of this call site seen before: their ids and layout at once.
    const KeyList *known = args.items.isEmpty() ? nullptr : cachedKeys(args);
    if (known && known->layout != ArgLayouts::None) {
        // The values of the common kinds into the room; at the first other
        // one, what is there moves to `spill` and the rest goes the general way.
        const size_t n = known->keys.size();
        char *p = putVarintAt(room, (quint64(known->layout) << 1) | 1);
        size_t i = 0;
        for (; i < n && i < FastArgs; ++i) {
            char *end = packLiveAt(p, args.items[qsizetype(i)].second, known->keys[i].id);
            if (!end)
                break;
            p = end;
        }
        if (i == n)
            return size_t(p - room);
        spill.append(room, size_t(p - room));
        for (; i < n; ++i)
            packLive(spill, args.items[qsizetype(i)].second, known->keys[i].id);
        return 0;
    }
    packNew(spill, args);
    return 0;
}

void ArgPacker::packNew(std::string &out, const SignalArgs &args)
{
    // Keys are the literal keywords the engine passes: interned by identity.
    QVarLengthArray<quint32, 16> ids;
    for (const auto &item : args.items) {
        const quint32 id = m_strings.internKey(item.first);
        if (std::find(ids.cbegin(), ids.cend(), id) != ids.cend()) {
            // A repeated keyword: the frozen map keeps one entry (QCborMap::insert
            // replaces the value in place). Left to that path.
            pack(out, args.freeze(), NestedContext - 1);
            return;
        }
        ids.append(id);
    }
    const quint32 layout = m_layouts.find(ids.constData(), ids.size());
    if (layout != ArgLayouts::None) {
        if (!ids.isEmpty())
            rememberKeys(args, ids.constData(), layout);
        putVarint(out, (quint64(layout) << 1) | 1);
        for (qsizetype i = 0; i < ids.size(); ++i)
            packLive(out, args.items[i].second, ids[i]);
        return;
    }
    putVarint(out, quint64(ids.size()) << 1);
    for (qsizetype i = 0; i < ids.size(); ++i) {
        putVarint(out, ids[i]);
        packLive(out, args.items[i].second, ids[i]);
    }
}

void ArgPacker::packLive(std::string &out, const Value &value, quint32 key)
{
    // The common values as pack() writes them; the rest the general way.
    char buffer[FastValueBytes];
    if (const char *end = packLiveAt(buffer, value, key)) {
        out.append(buffer, size_t(end - buffer));
        return;
    }
    if (!value.isInstance()) {
        const QCborValue &scalar = value.scalar();
        if (scalar.isString())
            packString(out, scalar, key, true);
        else
            packValue(out, scalar, key | NestedContext);
        return;
    }
    // Value::freeze()'s {"model": <name>, "pk": <pk now>} with a pk of another
    // kind (a string, a float).
    const Instance &instance = *value.instance();
    out.push_back(char(TagInstance));
    putVarint(out, modelNameId(instance.model()->name));
    packValue(out, instance.value(instance.model()->pk), key | NestedContext);
}

void ArgPacker::pack(std::string &out, const QCborMap &args, quint32 context)
{
    putVarint(out, quint64(args.size()) << 1);      // keys in the list (see the header)
    packEntries(out, args, context);
}

// Keys are found through the shape of the last map seen in the same place (a
// signal's arguments, or the map under a given key): post_save always passes
// instance, created, raw, using, update_fields, and an instance is always
// {model, pk}. Comparing a QCborValue key costs a third of converting it to a
// QString and hashing it, and a send has a handful of them.
void ArgPacker::packMap(std::string &out, const QCborMap &map, quint32 context)
{
    putVarint(out, quint64(map.size()));
    packEntries(out, map, context);
}

void ArgPacker::packEntries(std::string &out, const QCborMap &map, quint32 context)
{
    // Keys first: packing a value may add shapes to m_shapes, which moves them.
    QVarLengthArray<quint32, 16> ids;
    std::vector<CachedKey> &shape = m_shapes[context];
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        const size_t k = size_t(ids.size());
        const QCborValue key = it.key();
        if (k < shape.size() && key == shape[k].key) {
            ids.append(shape[k].id);
            continue;
        }
        const QString name = key.toString();
        const quint32 id = m_strings.internKey(name);   // keys are field names: a bounded set
        // A fresh value, not `key`, which would keep the whole map alive.
        const CachedKey cached{QCborValue(name), id};
        if (k < shape.size())
            shape[k] = cached;
        else
            shape.push_back(cached);
        ids.append(id);
    }

    qsizetype k = 0;
    for (auto it = map.cbegin(); it != map.cend(); ++it, ++k) {
        putVarint(out, ids[k]);
        packValue(out, it.value(), ids[k] | NestedContext);
    }
}

void ArgPacker::packString(std::string &out, const QCborValue &value, size_t slot, bool keepIdentity)
{
    if (slot < m_lastStrings.size()) {
        LastString &last = m_lastStrings[slot];
        const bool same = isSameCborElement(last.held, value);
        if (last.id != StringTable::None && (same || last.value == value)) {
            if (keepIdentity && !same)
                last.held = value;
            out.push_back(char(TagInterned));
            putVarint(out, last.id);
            return;
        }
    }
    // Only strings already in the table are packed as ids: usernames and
    // other one-off values must not grow the table.
    const QString s = value.toString();
    const quint32 id = m_strings.find(s);
    if (id != StringTable::None && slot < 4096) {
        if (slot >= m_lastStrings.size())
            m_lastStrings.resize(slot + 1);
        // A fresh value for content: a nested `value` may share (and keep
        // alive) a whole map. A send's own argument is kept as well, for
        // isSameCborElement: the engine's `using` is one value, passed as copies.
        m_lastStrings[slot] = {QCborValue(s), keepIdentity ? value : QCborValue(), id};
    }
    if (id != StringTable::None) {
        out.push_back(char(TagInterned));
        putVarint(out, id);
    } else {
        out.push_back(char(TagString));
        putString(out, s);
    }
}

void ArgPacker::packValue(std::string &out, const QCborValue &value, quint32 context)
{
    if (packPlainScalar(out, value))
        return;
    switch (value.type()) {
    case QCborValue::Undefined:
        out.push_back(char(TagUndefined));
        return;
    case QCborValue::Double: {
        const double d = value.toDouble();
        out.push_back(char(TagDouble));
        out.append(reinterpret_cast<const char *>(&d), sizeof d);
        return;
    }
    case QCborValue::String: {
        const size_t slot = (context & NestedContext) ? size_t(context & ~NestedContext) : ~size_t(0);
        packString(out, value, slot, false);
        return;
    }
    case QCborValue::Array: {
        const QCborArray array = value.toArray();
        out.push_back(char(TagArray));
        putVarint(out, quint64(array.size()));
        for (const QCborValue &item : array)
            packValue(out, item, context);
        return;
    }
    case QCborValue::Map: {
        const QCborMap map = value.toMap();
        bool stringKeys = true;
        for (auto it = map.cbegin(); it != map.cend() && stringKeys; ++it)
            stringKeys = it.key().isString();
        if (stringKeys) {
            out.push_back(char(TagMap));
            packMap(out, map, context);
            return;
        }
        break;
    }
    default:
        break;
    }
    const QByteArray cbor = value.toCbor();
    out.push_back(char(TagCbor));
    putVarint(out, quint64(cbor.size()));
    out.append(cbor.constData(), size_t(cbor.size()));
}

qint64 ArgPacker::memoryBytes() const
{
    qint64 bytes = m_layouts.memoryBytes();
    for (const auto &shape : m_shapes)
        bytes += qint64(shape.capacity() * sizeof(CachedKey)) + 32;
    return bytes;
}

} // namespace ss
