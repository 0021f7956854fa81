#include "trace/tracerecorder.h"

#include "model/value.h"
#include "python/pythonvalue.h"

#include <charconv>
#include <algorithm>
#include <cstring>

namespace ss {

static_assert(sizeof(TraceRecord) == 56, "TraceRecord is sized for a million-event recording; keep it compact");

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

// ------------------------------------------------------------ packed values
//
// A send's arguments are packed as: varint count, then per argument a varint
// key (string id) and a value. A value is a tag byte and its data:
//   Null, False, True, Undefined        nothing
//   Int                                 zigzag varint
//   Double                              8 raw bytes
//   String                              varint byte length, UTF-8
//   Interned                            varint string id (model names, "default",
//                                       m2m actions: strings already in the table)
//   Array                               varint count, values
//   Map                                 varint count, (varint key id, value)...
//   Cbor                                varint length, QCborValue::toCbor bytes
//                                       (anything else, e.g. non-string map keys)
// A typical post_save packs into about 25 bytes, against 70 as plain CBOR.
namespace {

enum Tag : uchar { TagNull, TagFalse, TagTrue, TagUndefined, TagInt, TagDouble, TagString, TagInterned, TagArray, TagMap, TagCbor };

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

inline quint64 zigzag(qint64 v) { return (quint64(v) << 1) ^ quint64(v >> 63); }
inline qint64 unzigzag(quint64 v) { return qint64(v >> 1) ^ -qint64(v & 1); }

void skipValue(const uchar *&p)
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
            skipValue(p);
        break;
    }
    case TagMap: {
        for (quint64 n = getVarint(p); n > 0; --n) {
            getVarint(p);
            skipValue(p);
        }
        break;
    }
    default:
        break;
    }
}

// Canonical JSON of UTF-8 text. Plain printable ASCII (nearly everything) is
// copied as is; anything else goes through value.cpp's escaping, so both paths
// give the same bytes.
void appendUtf8Json(std::string &out, const uchar *s, qsizetype n)
{
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

inline void appendInteger(std::string &out, qint64 v)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, size_t(result.ptr - buffer));
}

// A string as varint length and UTF-8, without a temporary for the ASCII it nearly always is.
void putString(std::string &out, const QString &s)
{
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

} // namespace

// ---------------------------------------------------------------- recorder

TraceRecorder::TraceRecorder()
{
    m_loops.setMarkCallback([this](int event, LoopMark mark, int loop) { applyLoopMark(event, mark, loop); });
    clear();
}

TraceRecorder::~TraceRecorder() = default;

void TraceRecorder::clear()
{
    m_chunks.clear();
    m_count = 0;
    m_arena.clear();
    m_strings.clear();
    m_stringJson.clear();
    m_stringIds.clear();
    m_errors.clear();
    m_errorIds.clear();
    m_errors.push_back({0, 0});                 // error 0: none
    m_shapes.clear();
    m_isKey.clear();
    m_keyIds.clear();
    m_keyRanks.clear();
    m_rankedKeys = 0;
    intern(QString());                          // string 0: empty / none
    // Values that recur in nearly every send: interned once, then packed as ids.
    for (const char *common : {"default", "pre_add", "post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"})
        intern(QString::fromLatin1(common));
    // The keys canonical lines add, so exporters can order them among the
    // argument keys by rank.
    for (const char *key : {"seq", "step", "depth", "signal", "sender", "effect", "text", "error", "message"})
        internKey(QString::fromLatin1(key));

    for (Frame &frame : m_stack) {
        frame.event = -1;
        frame.lastReceiver = -1;
    }
    m_lastStepEvent = -1;
    m_changedFirst = m_changedLast = -1;
    m_loops.forgetEvents();
    m_clock.start();
}

quint32 TraceRecorder::intern(const QString &text)
{
    const auto it = m_stringIds.constFind(text);
    if (it != m_stringIds.constEnd())
        return it.value();
    const quint32 id = quint32(m_strings.size());
    m_strings.push_back(text);
    const QByteArray json = canonicalJson(QCborValue(text));
    m_stringJson.emplace_back(json.constData(), size_t(json.size()));
    m_isKey.push_back(false);
    m_stringIds.insert(text, id);
    return id;
}

quint32 TraceRecorder::internKey(const QString &key)
{
    const quint32 id = intern(key);
    if (!m_isKey[id]) {
        m_isKey[id] = true;
        m_keyIds.push_back(id);
    }
    return id;
}

quint32 TraceRecorder::stringId(const QString &text) const
{
    const auto it = m_stringIds.constFind(text);
    return it == m_stringIds.constEnd() ? NoString : it.value();
}

const std::vector<quint32> &TraceRecorder::keyRanks() const
{
    if (m_rankedKeys != m_keyIds.size()) {
        std::vector<quint32> sorted = m_keyIds;
        // QString's order is value.cpp's (UTF-16 code units).
        std::sort(sorted.begin(), sorted.end(), [this](quint32 a, quint32 b) { return m_strings[a] < m_strings[b]; });
        m_keyRanks.assign(m_strings.size(), 0);
        for (size_t rank = 0; rank < sorted.size(); ++rank)
            m_keyRanks[sorted[rank]] = quint32(rank);
        m_rankedKeys = m_keyIds.size();
    }
    return m_keyRanks;
}

quint32 TraceRecorder::internError(const DjangoError *error)
{
    if (!error)
        return 0;
    const quint64 key = (quint64(intern(error->type())) << 32) | intern(error->message());
    const auto it = m_errorIds.constFind(key);
    if (it != m_errorIds.constEnd())
        return it.value();
    const quint32 id = quint32(m_errors.size());
    m_errors.push_back({quint32(key >> 32), quint32(key)});
    m_errorIds.insert(key, id);
    return id;
}

quint64 TraceRecorder::storeBytes(const std::string &bytes)
{
    const size_t n = bytes.size();
    if (m_arena.empty() || m_arena.back().size - m_arena.back().used < n) {
        // Fixed-size chunks: growing never moves what is stored. A payload
        // larger than a chunk gets a chunk of its own.
        const size_t size = std::max(ArenaChunkSize, n);
        m_arena.push_back({std::unique_ptr<uchar[]>(new uchar[size]), size, 0});
    }
    ArenaChunk &chunk = m_arena.back();
    const quint64 ref = (quint64(m_arena.size() - 1) << 32) | quint64(chunk.used);
    std::memcpy(chunk.bytes.get() + chunk.used, bytes.data(), n);
    chunk.used += n;
    return ref;
}

const uchar *TraceRecorder::payloadAt(quint64 ref) const
{
    return m_arena[size_t(ref >> 32)].bytes.get() + (ref & 0xffffffffu);
}

quint64 TraceRecorder::storeText(const QString &text)
{
    m_scratch.clear();
    putString(m_scratch, text);
    return storeBytes(m_scratch);
}

quint64 TraceRecorder::storeArgs(const QCborMap &args, quint32 signal)
{
    m_scratch.clear();
    packMap(m_scratch, args, signal);
    return storeBytes(m_scratch);
}

// Keys are found through the shape of the last map seen in the same place (a
// signal's arguments, or the map under a given key): post_save always passes
// instance, created, raw, using, update_fields, and an instance is always
// {model, pk}. Comparing a QCborValue key costs a third of converting it to a
// QString and hashing it, and a send has a handful of them.
void TraceRecorder::packMap(std::string &out, const QCborMap &map, quint32 context)
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
        const quint32 id = internKey(name);     // keys are field names: a bounded set
        // A fresh value, not `key`, which would keep the whole map alive.
        const CachedKey cached{QCborValue(name), id};
        if (k < shape.size())
            shape[k] = cached;
        else
            shape.push_back(cached);
        ids.append(id);
    }

    putVarint(out, quint64(map.size()));
    qsizetype k = 0;
    for (auto it = map.cbegin(); it != map.cend(); ++it, ++k) {
        putVarint(out, ids[k]);
        packValue(out, it.value(), ids[k] | NestedContext);
    }
}

void TraceRecorder::packValue(std::string &out, const QCborValue &value, quint32 context)
{
    switch (value.type()) {
    case QCborValue::Null:
        out.push_back(char(TagNull));
        return;
    case QCborValue::Undefined:
        out.push_back(char(TagUndefined));
        return;
    case QCborValue::False:
        out.push_back(char(TagFalse));
        return;
    case QCborValue::True:
        out.push_back(char(TagTrue));
        return;
    case QCborValue::Integer:
        out.push_back(char(TagInt));
        putVarint(out, zigzag(value.toInteger()));
        return;
    case QCborValue::Double: {
        const double d = value.toDouble();
        out.push_back(char(TagDouble));
        out.append(reinterpret_cast<const char *>(&d), sizeof d);
        return;
    }
    case QCborValue::String: {
        const QString s = value.toString();
        // Only strings already in the table are packed as ids: usernames and
        // other one-off values must not grow the table.
        const auto it = m_stringIds.constFind(s);
        if (it != m_stringIds.constEnd()) {
            out.push_back(char(TagInterned));
            putVarint(out, it.value());
        } else {
            out.push_back(char(TagString));
            putString(out, s);
        }
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

static QCborValue decodeValue(const uchar *&p, const std::vector<QString> &strings)
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
    case TagInterned: return QCborValue(strings[size_t(getVarint(p))]);
    case TagArray: {
        QCborArray array;
        for (quint64 n = getVarint(p); n > 0; --n)
            array.append(decodeValue(p, strings));
        return array;
    }
    case TagMap: {
        QCborMap map;
        for (quint64 n = getVarint(p); n > 0; --n) {
            const QString &key = strings[size_t(getVarint(p))];
            map.insert(key, decodeValue(p, strings));
        }
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

// ------------------------------------------------------------ hooks

int TraceRecorder::innermostRecorded() const
{
    for (auto it = m_stack.crbegin(); it != m_stack.crend(); ++it)
        if (it->event >= 0)
            return it->event;
    return -1;
}

int TraceRecorder::append(TraceEventKind kind, int depth)
{
    if (size_t(m_count) == m_chunks.size() * ChunkSize)
        m_chunks.emplace_back(new TraceRecord[ChunkSize]);
    const int index = m_count++;
    TraceRecord &r = recordRef(index);
    r.startNs = quint64(now());
    r.durationNs = 0;
    r.payload = TraceRecord::NoPayload;
    r.parent = innermostRecorded();
    r.step = m_step;
    r.name = 0;
    r.sender = 0;
    r.error = 0;
    r.link = -1;
    r.loop = -1;
    r.depth = qint16(depth);
    r.kind = kind;
    r.flags = 0;
    return index;
}

void TraceRecorder::markChanged(int index)
{
    if (index < 0 || index >= m_count)
        return;
    m_changedFirst = m_changedFirst < 0 ? index : std::min(m_changedFirst, index);
    m_changedLast = std::max(m_changedLast, index);
}

QPair<int, int> TraceRecorder::takeChangedRange()
{
    const QPair<int, int> range(m_changedFirst, m_changedLast);
    m_changedFirst = m_changedLast = -1;
    return range;
}

// `finished`: the matching end hook came. Frames popped without one (an end
// that skipped them) keep their Open flag: the view shows them unfinished.
void TraceRecorder::closeFrame(const Frame &frame, const DjangoError *error, bool finished)
{
    if (frame.event < 0)
        return;
    TraceRecord &r = recordRef(frame.event);
    r.durationNs = quint64(now()) - r.startNs;
    if (finished)
        r.flags &= quint8(~TraceRecord::Open);
    if (error)
        r.error = internError(error);
    markChanged(frame.event);
}

void TraceRecorder::stepBegin(int step, const QString &code)
{
    // A step starts with nothing open; leftovers of an aborted step stay unfinished.
    for (auto it = m_stack.crbegin(); it != m_stack.crend(); ++it)
        closeFrame(*it, nullptr, false);
    m_stack.clear();
    m_step = step;
    int index = -1;
    if (!m_paused) {
        index = append(TraceEventKind::Step, 0);
        TraceRecord &r = recordRef(index);
        r.payload = storeText(code);
        r.flags = TraceRecord::Open;
        m_lastStepEvent = index;
    }
    m_stack.append({TraceEventKind::Step, index, 0, -1, -1});
    m_loops.stepBegin(step, code);
}

void TraceRecorder::stepEnd(int step, const DjangoError *failure)
{
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        if (m_stack.at(i).kind == TraceEventKind::Step) {
            for (int j = int(m_stack.size()) - 1; j > i; --j)
                closeFrame(m_stack.at(j), nullptr, false);
            closeFrame(m_stack.at(i), failure, true);
            m_stack.resize(i);
            break;
        }
    }
    m_loops.stepEnd(step, failure);
}

// A send, or the send the recursion bound refused: its signal, sender and
// packed arguments; `flags` besides the robust bit and the sender kind.
int TraceRecorder::appendSend(TraceEventKind kind, const SendEvent &event, quint8 flags)
{
    const int index = append(kind, event.depth);
    const quint32 name = intern(event.signalName);
    const quint32 sender = intern(event.sender.name);
    const quint64 payload = storeArgs(event.args, name);
    TraceRecord &r = recordRef(index);
    r.name = name;
    r.sender = sender;
    r.payload = payload;
    r.flags = quint8(flags | (event.robust ? TraceRecord::Robust : 0)
                     | (quint8(event.sender.kind) << TraceRecord::SenderShift));
    return index;
}

void TraceRecorder::sendBegin(const SendEvent &event)
{
    int index = -1;
    if (!m_paused) {
        index = appendSend(TraceEventKind::Send, event,
                           quint8(TraceRecord::Open | (event.canonical ? TraceRecord::Canonical : 0)));
    }
    m_stack.append({TraceEventKind::Send, index, event.id, -1, -1});
    m_loops.beginSend(event, index);
}

void TraceRecorder::sendEnd(const SendEvent &event, const DjangoError *escaped)
{
    // The dispatcher always closes what it opened; if it ever did not, the
    // frames above the send end with it, unfinished.
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        const Frame &frame = m_stack.at(i);
        if (frame.kind == TraceEventKind::Send && frame.sendId == event.id) {
            for (int j = int(m_stack.size()) - 1; j > i; --j)
                closeFrame(m_stack.at(j), nullptr, false);
            closeFrame(frame, escaped, true);
            m_stack.resize(i);
            break;
        }
    }
    m_loops.endSend(event);
}

void TraceRecorder::receiverBegin(const SendEvent &send, const ReceiverEvent &receiver)
{
    Frame *sendFrame = nullptr;
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        if (m_stack[i].kind == TraceEventKind::Send && m_stack[i].sendId == send.id) {
            sendFrame = &m_stack[i];
            break;
        }
    }
    int index = -1;
    if (!m_paused) {
        index = append(TraceEventKind::Receiver, send.depth + 1);
        const quint32 label = intern(receiver.label);
        TraceRecord &r = recordRef(index);
        r.name = label;
        r.sender = quint32(receiver.index);
        r.flags = TraceRecord::Open;
        if (sendFrame && sendFrame->event >= 0) {
            if (sendFrame->lastReceiver >= 0)
                recordRef(sendFrame->lastReceiver).link = index;
            else
                recordRef(sendFrame->event).link = index;
            sendFrame->lastReceiver = index;
        }
    }
    m_stack.append({TraceEventKind::Receiver, index, send.id, receiver.index, -1});
    m_loops.beginReceiver(send, receiver, index);
}

void TraceRecorder::receiverEnd(const SendEvent &send, const ReceiverEvent &receiver, const DjangoError *error)
{
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        const Frame &frame = m_stack.at(i);
        if (frame.kind == TraceEventKind::Receiver && frame.sendId == send.id && frame.receiverIndex == receiver.index) {
            for (int j = int(m_stack.size()) - 1; j > i; --j)
                closeFrame(m_stack.at(j), nullptr, false);
            closeFrame(frame, error, true);
            m_stack.resize(i);
            break;
        }
        if (frame.kind == TraceEventKind::Send && frame.sendId == send.id)
            break;                      // never opened: leave its send alone
    }
    m_loops.endReceiver(send, receiver);
}

void TraceRecorder::effect(int depth, const QString &kind, const QString &text)
{
    if (m_paused)
        return;
    const int index = append(TraceEventKind::Effect, depth);
    const quint32 name = intern(kind);
    const quint64 payload = storeText(text);
    TraceRecord &r = recordRef(index);
    r.name = name;
    r.payload = payload;
    r.flags = TraceRecord::Canonical;
}

void TraceRecorder::errorLine(int depth, const DjangoError &error)
{
    if (m_paused)
        return;
    // send_robust writes the line after the failed receiver returned, so the
    // innermost open event is the send: the line belongs to its last receiver.
    // A step's line may come after the step closed: it belongs to that step.
    int parent = -1;
    for (auto it = m_stack.crbegin(); it != m_stack.crend(); ++it) {
        if (it->event < 0)
            continue;
        parent = it->event;
        if (it->kind == TraceEventKind::Send && it->lastReceiver >= 0 && depth == record(it->event).depth + 1)
            parent = it->lastReceiver;
        break;
    }
    if (parent < 0 && depth == 0)
        parent = m_lastStepEvent;
    const int index = append(TraceEventKind::Error, depth);
    const quint32 errorId = internError(&error);
    TraceRecord &r = recordRef(index);
    r.parent = parent;
    r.error = errorId;
    r.flags = TraceRecord::Canonical;
}

void TraceRecorder::recursionStopped(const SendEvent &event)
{
    int index = -1;
    if (!m_paused) {
        index = appendSend(TraceEventKind::RecursionStop, event, 0);
    }
    m_loops.stopRecursion(event, index);
}

void TraceRecorder::applyLoopMark(int index, LoopMark mark, int loop)
{
    if (index < 0 || index >= m_count)
        return;
    TraceRecord &r = recordRef(index);
    if (quint8(mark) <= quint8(r.loopMark()) && r.loop >= 0)
        return;
    if (quint8(mark) > quint8(r.loopMark()))
        r.flags = quint8((r.flags & ~(3 << TraceRecord::LoopShift)) | (quint8(mark) << TraceRecord::LoopShift));
    r.loop = loop;
    markChanged(index);
}

// ------------------------------------------------------------ reading

QString TraceRecorder::text(int index) const
{
    const TraceRecord &r = record(index);
    if (r.payload == TraceRecord::NoPayload || (r.kind != TraceEventKind::Effect && r.kind != TraceEventKind::Step))
        return {};
    const uchar *p = payloadAt(r.payload);
    const qsizetype n = qsizetype(getVarint(p));
    return QString::fromUtf8(reinterpret_cast<const char *>(p), n);
}

void TraceRecorder::appendTextJson(std::string &out, int index) const
{
    const TraceRecord &r = record(index);
    if (r.payload == TraceRecord::NoPayload || (r.kind != TraceEventKind::Effect && r.kind != TraceEventKind::Step)) {
        out.append("\"\"");
        return;
    }
    const uchar *p = payloadAt(r.payload);
    const qsizetype n = qsizetype(getVarint(p));
    appendUtf8Json(out, p, n);
}

QString TraceRecorder::errorType(int index) const
{
    return m_strings[m_errors[record(index).error].type];
}

QString TraceRecorder::errorMessage(int index) const
{
    return m_strings[m_errors[record(index).error].message];
}

TraceEvent TraceRecorder::event(int index) const
{
    const TraceRecord &r = record(index);
    TraceEvent e;
    e.index = index;
    e.kind = r.kind;
    e.parent = r.parent;
    e.depth = r.depth;
    e.step = r.step;
    e.startNs = qint64(r.startNs);
    e.durationNs = qint64(r.durationNs);
    e.canonical = r.isCanonical();
    e.open = r.isOpen();
    e.robust = r.isRobust();
    e.loopMark = r.loopMark();
    e.loop = r.loop;
    switch (r.kind) {
    case TraceEventKind::Step:
        e.text = text(index);
        break;
    case TraceEventKind::Send:
    case TraceEventKind::RecursionStop:
        e.signal = m_strings[r.name];
        e.sender = Sender{r.senderKind(), m_strings[r.sender]};
        break;
    case TraceEventKind::Receiver:
        e.label = m_strings[r.name];
        e.receiverIndex = int(r.sender);
        if (r.parent >= 0 && record(r.parent).kind == TraceEventKind::Send)
            e.signal = m_strings[record(r.parent).name];
        break;
    case TraceEventKind::Effect:
        e.effect = m_strings[r.name];
        e.text = text(index);
        break;
    case TraceEventKind::Error:
        break;
    }
    if (r.error) {
        e.errorType = m_strings[m_errors[r.error].type];
        e.errorMessage = m_strings[m_errors[r.error].message];
    }
    return e;
}

int TraceRecorder::subtreeEnd(int index) const
{
    // A later event outside the subtree has its parent before `index`
    // (every parent of an event inside lies in [index, that event)).
    int end = index + 1;
    while (end < m_count && record(end).parent >= index)
        ++end;
    return end;
}

QVector<int> TraceRecorder::childrenOf(int index) const
{
    QVector<int> children;
    const int end = subtreeEnd(index);
    for (int i = index + 1; i < end; ++i)
        if (record(i).parent == index)
            children.append(i);
    return children;
}

QVector<ReceiverOutcome> TraceRecorder::receiversOf(int sendIndex) const
{
    QVector<ReceiverOutcome> out;
    if (record(sendIndex).kind != TraceEventKind::Send)
        return out;
    for (int i = record(sendIndex).link; i >= 0; i = record(i).link) {
        const TraceRecord &r = record(i);
        ReceiverOutcome o;
        o.event = i;
        o.label = m_strings[r.name];
        o.index = int(r.sender);
        if (r.error) {
            o.errorType = m_strings[m_errors[r.error].type];
            o.errorMessage = m_strings[m_errors[r.error].message];
        }
        out.append(o);
    }
    return out;
}

void TraceRecorder::packedArgs(int index, PackedArgs &out) const
{
    out.clear();
    const TraceRecord &r = record(index);
    if (r.payload == TraceRecord::NoPayload || (r.kind != TraceEventKind::Send && r.kind != TraceEventKind::RecursionStop))
        return;
    const uchar *p = payloadAt(r.payload);
    for (quint64 n = getVarint(p); n > 0; --n) {
        const quint32 key = quint32(getVarint(p));
        out.append({key, p});
        skipValue(p);
    }
}

QCborMap TraceRecorder::args(int index) const
{
    PackedArgs packed;
    packedArgs(index, packed);
    QCborMap map;
    for (const PackedArg &arg : packed)
        map.insert(m_strings[arg.key], valueAt(arg.value));
    return map;
}

const uchar *TraceRecorder::packedValueEnd(const uchar *value)
{
    skipValue(value);
    return value;
}

QCborValue TraceRecorder::valueAt(const uchar *value) const
{
    return decodeValue(value, m_strings);
}

void TraceRecorder::appendValueJson(std::string &out, const uchar *p) const
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
        out.append(m_stringJson[size_t(getVarint(p))]);
        return;
    case TagArray: {
        out.push_back('[');
        for (quint64 n = getVarint(p), i = 0; i < n; ++i) {
            if (i)
                out.push_back(',');
            appendValueJson(out, p);
            skipValue(p);
        }
        out.push_back(']');
        return;
    }
    case TagMap: {
        // Keys sorted as value.cpp sorts them; instances ({model, pk}) come sorted already.
        const std::vector<quint32> &ranks = keyRanks();
        PackedArgs entries;
        for (quint64 n = getVarint(p); n > 0; --n) {
            const quint32 key = quint32(getVarint(p));
            entries.append({key, p});
            skipValue(p);
        }
        const auto byKey = [&ranks](const PackedArg &a, const PackedArg &b) { return ranks[a.key] < ranks[b.key]; };
        if (!std::is_sorted(entries.begin(), entries.end(), byKey))
            std::stable_sort(entries.begin(), entries.end(), byKey);
        out.push_back('{');
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (i)
                out.push_back(',');
            out.append(m_stringJson[entries[i].key]);
            out.push_back(':');
            appendValueJson(out, entries[i].value);
        }
        out.push_back('}');
        return;
    }
    case TagCbor: {
        const qsizetype n = qsizetype(getVarint(p));
        const QByteArray json = canonicalJson(QCborValue::fromCbor(QByteArray::fromRawData(reinterpret_cast<const char *>(p), n)));
        out.append(json.constData(), size_t(json.size()));
        return;
    }
    }
    out.append("null");
}

qint64 TraceRecorder::memoryBytes() const
{
    qint64 bytes = qint64(sizeof *this);
    bytes += qint64(m_chunks.size()) * qint64(ChunkSize * sizeof(TraceRecord));
    bytes += qint64(m_chunks.capacity() * sizeof(m_chunks[0]));
    for (const ArenaChunk &chunk : m_arena)
        bytes += qint64(chunk.size);
    bytes += qint64(m_arena.capacity() * sizeof(ArenaChunk));
    // Strings: the QString and its heap block, the JSON form, and a hash node.
    constexpr qint64 heapHeader = 16, hashNode = 2 * sizeof(void *) + sizeof(QString) + sizeof(quint32);
    for (size_t i = 0; i < m_strings.size(); ++i) {
        bytes += qint64(sizeof(QString)) + heapHeader + qint64(m_strings[i].capacity()) * 2;
        bytes += qint64(sizeof(std::string)) + (m_stringJson[i].capacity() > 15 ? heapHeader + qint64(m_stringJson[i].capacity()) : 0);
        bytes += hashNode;
    }
    bytes += qint64(m_errors.capacity() * sizeof(ErrorEntry)) + qint64(m_errorIds.size()) * (2 * sizeof(void *) + 16);
    bytes += qint64(m_keyIds.capacity() * sizeof(quint32) + m_keyRanks.capacity() * sizeof(quint32) + m_isKey.capacity() / 8);
    bytes += qint64(m_stack.capacity() * sizeof(Frame) + m_scratch.capacity());
    return bytes;
}

} // namespace ss
