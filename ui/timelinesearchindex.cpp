#include "timelinesearchindex.h"

#include "timelinemodel.h"
#include "trace/tracerecorder.h"

#include <cstring>
#include <string_view>

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
    m_needle.assign(needle.constData(), size_t(needle.size()));
    for (int k = m_length; k >= 1; --k)
        if (needle[k - 1] == ' ')
            m_spaceEnds.push_back(k);
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

// The automaton's state after a text read from its start and the space that
// follows it: the longest prefix of the query that ends with a space and
// whose rest ends the text (-1: the query is in the text, or ends there).
int TimelineSearchIndex::afterSpace(const Query &query, quint32 text) const
{
    std::vector<qint32> &cache = query.m_afterSpace;
    if (text < cache.size() && cache[text] != -2)
        return cache[text];
    if (text >= cache.size())
        cache.resize(size_t(text) + 1, -2);
    int state = 0;
    if (hit(query, text)) {
        state = -1;
    } else {
        const char *begin = m_texts.data() + m_offsets[text];
        const size_t length = m_offsets[text + 1] - m_offsets[text];
        for (const int k : query.m_spaceEnds) {
            const size_t head = size_t(k) - 1;
            if (head <= length && std::memcmp(begin + length - head, query.m_needle.data(), head) == 0) {
                state = k == query.m_length ? -1 : k;
                break;
            }
        }
    }
    cache[text] = state;
    return state;
}

// Without a space in the query only whether a text contains it counts (the
// space between parts resets the automaton). The texts not looked at yet are
// searched in one go, as the one string they are stored in; a hit counts for
// the text it lies in when it does not run into the next one.
bool TimelineSearchIndex::extendHits(const Query &query, quint32 text) const
{
    std::vector<quint8> &hits = query.m_hit;
    const quint32 from = quint32(hits.size());
    // Up to the text asked about and some 64 KB beyond: a pass meets texts
    // roughly in the order they were added, so the search spreads over its slices.
    quint32 to = text + 1;
    while (to < quint32(distinctTexts()) && m_offsets[to] - m_offsets[from] < 65536)
        ++to;
    hits.resize(to, 0);
    const std::string &needle = query.m_needle;
    const size_t end = m_offsets[to];
    size_t pos = m_offsets[from];
    while (pos < end) {
        const void *found = memmem(m_texts.data() + pos, end - pos, needle.data(), needle.size());
        if (!found)
            break;
        pos = size_t(static_cast<const char *>(found) - m_texts.data());
        const quint32 id = quint32(std::upper_bound(m_offsets.begin(), m_offsets.end(), quint32(pos)) - m_offsets.begin()) - 1;
        if (pos + needle.size() <= m_offsets[id + 1]) {
            hits[id] = 1;
            pos = m_offsets[id + 1];        // the next text
        } else {
            ++pos;
        }
    }
    return hits[text];
}

int TimelineSearchIndex::runFrom(const Query &query, quint32 text, int state) const
{
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
        return hit(query, parts[0]) || hit(query, parts[1]) || hit(query, parts[2]);
    }
    // A query with a space may run from one part into the next: follow the
    // automaton across the spaces. From its start a part needs no walk (its
    // hit and the state after it and its space are known per text); from a
    // partial match it walks the part (memoised per text and state).
    int state = afterSpace(query, parts[0]);
    if (state < 0)
        return true;
    if (state == 0) {
        state = afterSpace(query, parts[1]);
        if (state < 0)
            return true;
    } else {
        state = runFrom(query, parts[1], state);
        if (state < 0)
            return true;
        state = query.m_next[size_t(state) * 256 + uchar(' ')];
        if (state == query.m_length)
            return true;
    }
    // The last part, with no space after it.
    return state == 0 ? hit(query, parts[2]) : runFrom(query, parts[2], state) < 0;
}

} // namespace ss
