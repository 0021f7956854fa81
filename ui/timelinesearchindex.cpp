#include "timelinesearchindex.h"

#include "timelinemodel.h"
#include "trace/tracerecorder.h"

#include <cstring>

namespace ss {

namespace {

template<typename T>
void put(std::string &key, T value)
{
    key.append(reinterpret_cast<const char *>(&value), sizeof value);
}

void putText(std::string &key, const QString &text)
{
    key.append(reinterpret_cast<const char *>(text.constData()), size_t(text.size()) * sizeof(QChar));
}

} // namespace

TimelineSearchIndex::TimelineSearchIndex(const TimelineModel *timeline, const TraceRecorder *recorder)
    : m_timeline(timeline), m_recorder(recorder)
{
}

void TimelineSearchIndex::clear()
{
    m_parts.clear();
    m_parent.clear();
    m_kind.clear();
    m_name.clear();
    m_sender.clear();
    m_ids.clear();
    m_texts.clear();
    m_offsets.assign(1, 0);
}

void TimelineSearchIndex::append(int upTo)
{
    if (upTo <= indexed())
        return;
    lookUpKeys();
    for (int e = indexed(); e < upTo; ++e) {
        const TraceRecord &r = m_recorder->record(e);
        m_parent.push_back(r.parent);
        m_kind.push_back(r.kind);
        m_name.push_back(r.name);
        m_sender.push_back(r.sender);
        m_parts.push_back(partsOf(e));
    }
}

void TimelineSearchIndex::refresh(int event)
{
    if (event >= 0 && event < indexed()) {
        lookUpKeys();
        m_parts[size_t(event)] = partsOf(event);
    }
}

void TimelineSearchIndex::lookUpKeys()
{
    // Interned once a send passed them; NoString until then (never equal to a key).
    m_instanceKey = m_recorder->stringId(QStringLiteral("instance"));
    m_usingKey = m_recorder->stringId(QStringLiteral("using"));
}

quint32 TimelineSearchIndex::intern(char part, int event, const std::string &key)
{
    const auto it = m_ids.find(key);
    if (it != m_ids.end())
        return it->second;
    // The first event with this key: the model formats it, exactly as shown.
    const QByteArray text = m_timeline->searchPart(event, TimelineModel::SearchPart(part)).toLower().toUtf8();
    const quint32 id = quint32(distinctTexts());
    m_texts.append(text.constData(), size_t(text.size()));
    m_offsets.push_back(quint32(m_texts.size()));
    m_ids.emplace(key, id);
    return id;
}

// What each part's text is made of (TimelineModel::eventText, senderText,
// instanceText, sendArgumentsText read nothing else), as a key.
TimelineSearchIndex::Parts TimelineSearchIndex::partsOf(int event)
{
    using Part = TimelineModel::SearchPart;
    const TraceRecord &r = m_recorder->record(event);
    Parts parts;
    m_key.assign(1, char(Part::EventAndSender));
    put(m_key, r.kind);
    switch (r.kind) {
    case TraceEventKind::Step:
        putText(m_key, m_recorder->text(event));
        break;
    case TraceEventKind::Send:
    case TraceEventKind::RecursionStop:
        put(m_key, quint8(r.isRobust()));
        put(m_key, quint8(r.senderKind()));
        put(m_key, r.name);
        put(m_key, r.sender);
        break;
    case TraceEventKind::Receiver:
        put(m_key, r.name);
        put(m_key, r.error);
        break;
    case TraceEventKind::Effect:
        put(m_key, r.name);
        putText(m_key, m_recorder->text(event));
        break;
    case TraceEventKind::Error:
        put(m_key, r.error);
        break;
    }
    parts[0] = intern(char(Part::EventAndSender), event, m_key);

    // Instance: the packed bytes of the instance argument; Arguments: those
    // of every other argument but using, with their keys.
    std::string &key = m_key;
    std::string &arguments = m_argumentsKey;
    key.assign(1, char(Part::Instance));
    arguments.assign(1, char(Part::Arguments));
    if (r.kind == TraceEventKind::Send || r.kind == TraceEventKind::RecursionStop) {
        TraceRecorder::PackedArgs args;
        m_recorder->packedArgs(event, args);
        for (const TraceRecorder::PackedArg &arg : std::as_const(args)) {
            const uchar *end = TraceRecorder::packedValueEnd(arg.value);
            const char *begin = reinterpret_cast<const char *>(arg.value);
            if (arg.key == m_instanceKey) {
                key.append(begin, size_t(end - arg.value));
            } else if (arg.key != m_usingKey) {
                put(arguments, arg.key);
                arguments.append(begin, size_t(end - arg.value));
            }
        }
    }
    parts[1] = intern(char(Part::Instance), event, key);
    parts[2] = intern(char(Part::Arguments), event, arguments);
    return parts;
}

TimelineSearchIndex::Query::Query(const QString &text)
{
    const QByteArray needle = text.toLower().toUtf8();
    m_length = int(needle.size());
    m_spans = needle.contains(' ');
    if (m_length == 0)
        return;
    // The KMP automaton: from state j (the first j bytes matched), byte c leads
    // to the longest prefix of the needle that is a suffix of what was read.
    m_next.assign(size_t(m_length) * 256, 0);
    m_next[uchar(needle[0])] = 1;
    for (int j = 1, fallback = 0; j < m_length; ++j) {
        std::memcpy(&m_next[size_t(j) * 256], &m_next[size_t(fallback) * 256], 256 * sizeof(qint32));
        m_next[size_t(j) * 256 + uchar(needle[j])] = j + 1;
        fallback = m_next[size_t(fallback) * 256 + uchar(needle[j])];
    }
}

int TimelineSearchIndex::run(const Query &query, quint32 text, int state) const
{
    const uchar *p = reinterpret_cast<const uchar *>(m_texts.data()) + m_offsets[text];
    const uchar *end = reinterpret_cast<const uchar *>(m_texts.data()) + m_offsets[text + 1];
    const qint32 *next = query.m_next.data();
    for (; p < end; ++p) {
        state = next[size_t(state) * 256 + *p];
        if (state == query.m_length)
            return -1;
    }
    return state;
}

int TimelineSearchIndex::extendFromStart(const Query &query, quint32 text) const
{
    // Texts are met roughly in the order they were added: extend as needed.
    std::vector<qint32> &fromStart = query.m_fromStart;
    while (fromStart.size() <= text)
        fromStart.push_back(run(query, quint32(fromStart.size()), 0));
    return fromStart[text];
}

int TimelineSearchIndex::runFrom(const Query &query, quint32 text, int state) const
{
    if (state == 0)
        return runFromStart(query, text);
    const quint64 key = (quint64(text) << 32) | quint32(state);
    const auto it = query.m_fromState.constFind(key);
    if (it != query.m_fromState.constEnd())
        return it.value();
    const int end = run(query, text, state);
    query.m_fromState.insert(key, end);
    return end;
}

bool TimelineSearchIndex::matches(const Query &query, int event) const
{
    if (query.isEmpty())
        return false;
    // The joined text: part 0, ' ', part 1, ' ', part 2.
    const Parts &parts = m_parts[size_t(event)];
    if (!query.spansParts()) {
        // After the space between parts the automaton is back at its start.
        return runFromStart(query, parts[0]) < 0 || runFromStart(query, parts[1]) < 0 || runFromStart(query, parts[2]) < 0;
    }
    int state = runFromStart(query, parts[0]);
    for (int k = 1; k < 3 && state >= 0; ++k) {
        state = query.m_next[size_t(state) * 256 + uchar(' ')];
        if (state == query.m_length)
            return true;
        state = runFrom(query, parts[size_t(k)], state);
    }
    return state < 0;
}

} // namespace ss
