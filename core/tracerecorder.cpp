#include "tracerecorder.h"

#include "value.h"

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

inline void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char(v | 0x80));
        v >>= 7;
    }
    out.append(char(v));
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
void appendUtf8Json(QByteArray &out, const uchar *s, qsizetype n)
{
    for (qsizetype i = 0; i < n; ++i) {
        const uchar c = s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
            appendCanonicalJson(out, QCborValue(QString::fromUtf8(reinterpret_cast<const char *>(s), n)));
            return;
        }
    }
    out.append('"');
    out.append(reinterpret_cast<const char *>(s), n);
    out.append('"');
}

inline void appendInteger(QByteArray &out, qint64 v)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, result.ptr - buffer);
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
    intern(QString());                          // string 0: empty / none
    // Values that recur in nearly every send: interned once, then packed as ids.
    for (const char *common : {"default", "pre_add", "post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"})
        intern(QString::fromLatin1(common));

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
    m_stringJson.push_back(canonicalJson(QCborValue(text)));
    m_stringIds.insert(text, id);
    return id;
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

quint64 TraceRecorder::storeBytes(const QByteArray &bytes)
{
    const size_t n = size_t(bytes.size());
    if (m_arena.empty() || m_arena.back().size - m_arena.back().used < n) {
        // Fixed-size chunks: growing never moves what is stored. A payload
        // larger than a chunk gets a chunk of its own.
        const size_t size = std::max(ArenaChunkSize, n);
        m_arena.push_back({std::unique_ptr<uchar[]>(new uchar[size]), size, 0});
    }
    ArenaChunk &chunk = m_arena.back();
    const quint64 ref = (quint64(m_arena.size() - 1) << 32) | quint64(chunk.used);
    std::memcpy(chunk.bytes.get() + chunk.used, bytes.constData(), n);
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
    const QByteArray utf8 = text.toUtf8();
    putVarint(m_scratch, quint64(utf8.size()));
    m_scratch.append(utf8);
    return storeBytes(m_scratch);
}

void TraceRecorder::packValue(QByteArray &out, const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::Null:
        out.append(char(TagNull));
        return;
    case QCborValue::Undefined:
        out.append(char(TagUndefined));
        return;
    case QCborValue::False:
        out.append(char(TagFalse));
        return;
    case QCborValue::True:
        out.append(char(TagTrue));
        return;
    case QCborValue::Integer:
        out.append(char(TagInt));
        putVarint(out, zigzag(value.toInteger()));
        return;
    case QCborValue::Double: {
        const double d = value.toDouble();
        out.append(char(TagDouble));
        out.append(reinterpret_cast<const char *>(&d), sizeof d);
        return;
    }
    case QCborValue::String: {
        const QString s = value.toString();
        // Only strings already in the table are packed as ids: usernames and
        // other one-off values must not grow the table.
        const auto it = m_stringIds.constFind(s);
        if (it != m_stringIds.constEnd()) {
            out.append(char(TagInterned));
            putVarint(out, it.value());
        } else {
            const QByteArray utf8 = s.toUtf8();
            out.append(char(TagString));
            putVarint(out, quint64(utf8.size()));
            out.append(utf8);
        }
        return;
    }
    case QCborValue::Array: {
        const QCborArray array = value.toArray();
        out.append(char(TagArray));
        putVarint(out, quint64(array.size()));
        for (const QCborValue &item : array)
            packValue(out, item);
        return;
    }
    case QCborValue::Map: {
        const QCborMap map = value.toMap();
        bool stringKeys = true;
        for (auto it = map.cbegin(); it != map.cend() && stringKeys; ++it)
            stringKeys = it.key().isString();
        if (stringKeys) {
            out.append(char(TagMap));
            putVarint(out, quint64(map.size()));
            for (auto it = map.cbegin(); it != map.cend(); ++it) {
                putVarint(out, intern(it.key().toString()));   // keys are field names: a bounded set
                packValue(out, it.value());
            }
            return;
        }
        break;
    }
    default:
        break;
    }
    const QByteArray cbor = value.toCbor();
    out.append(char(TagCbor));
    putVarint(out, quint64(cbor.size()));
    out.append(cbor);
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
    r.startNs = quint64(m_clock.nsecsElapsed());
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
    r.durationNs = quint64(m_clock.nsecsElapsed()) - r.startNs;
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

void TraceRecorder::sendBegin(const SendEvent &event)
{
    int index = -1;
    if (!m_paused) {
        index = append(TraceEventKind::Send, event.depth);
        const quint32 name = intern(event.signalName);
        const quint32 sender = intern(event.sender.name);
        m_scratch.clear();
        putVarint(m_scratch, quint64(event.args.size()));
        for (auto it = event.args.cbegin(); it != event.args.cend(); ++it) {
            putVarint(m_scratch, intern(it.key().toString()));
            packValue(m_scratch, it.value());
        }
        const quint64 payload = storeBytes(m_scratch);
        TraceRecord &r = recordRef(index);
        r.name = name;
        r.sender = sender;
        r.payload = payload;
        r.flags = quint8(TraceRecord::Open | (event.canonical ? TraceRecord::Canonical : 0)
                         | (event.robust ? TraceRecord::Robust : 0)
                         | (quint8(event.sender.kind) << TraceRecord::SenderShift));
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
        index = append(TraceEventKind::RecursionStop, event.depth);
        const quint32 name = intern(event.signalName);
        const quint32 sender = intern(event.sender.name);
        m_scratch.clear();
        putVarint(m_scratch, quint64(event.args.size()));
        for (auto it = event.args.cbegin(); it != event.args.cend(); ++it) {
            putVarint(m_scratch, intern(it.key().toString()));
            packValue(m_scratch, it.value());
        }
        const quint64 payload = storeBytes(m_scratch);
        TraceRecord &r = recordRef(index);
        r.name = name;
        r.sender = sender;
        r.payload = payload;
        r.flags = quint8((event.robust ? TraceRecord::Robust : 0) | (quint8(event.sender.kind) << TraceRecord::SenderShift));
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

void TraceRecorder::appendTextJson(QByteArray &out, int index) const
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

QCborValue TraceRecorder::valueAt(const uchar *value) const
{
    return decodeValue(value, m_strings);
}

void TraceRecorder::appendValueJson(QByteArray &out, const uchar *p) const
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
        out.append(pythonFloatRepr(d).toLatin1());
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
        out.append('[');
        for (quint64 n = getVarint(p), i = 0; i < n; ++i) {
            if (i)
                out.append(',');
            appendValueJson(out, p);
            skipValue(p);
        }
        out.append(']');
        return;
    }
    case TagMap: {
        // Keys sorted as value.cpp sorts them; instances ({model, pk}) come sorted already.
        PackedArgs entries;
        for (quint64 n = getVarint(p); n > 0; --n) {
            const quint32 key = quint32(getVarint(p));
            entries.append({key, p});
            skipValue(p);
        }
        const auto byKey = [this](const PackedArg &a, const PackedArg &b) { return m_strings[a.key] < m_strings[b.key]; };
        if (!std::is_sorted(entries.begin(), entries.end(), byKey))
            std::stable_sort(entries.begin(), entries.end(), byKey);
        out.append('{');
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (i)
                out.append(',');
            out.append(m_stringJson[entries[i].key]);
            out.append(':');
            appendValueJson(out, entries[i].value);
        }
        out.append('}');
        return;
    }
    case TagCbor: {
        const qsizetype n = qsizetype(getVarint(p));
        appendCanonicalJson(out, QCborValue::fromCbor(QByteArray::fromRawData(reinterpret_cast<const char *>(p), n)));
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
        bytes += qint64(sizeof(QByteArray)) + heapHeader + qint64(m_stringJson[i].capacity());
        bytes += hashNode;
    }
    bytes += qint64(m_errors.capacity() * sizeof(ErrorEntry)) + qint64(m_errorIds.size()) * (2 * sizeof(void *) + 16);
    bytes += qint64(m_stack.capacity() * sizeof(Frame)) + m_scratch.capacity();
    return bytes;
}

} // namespace ss
