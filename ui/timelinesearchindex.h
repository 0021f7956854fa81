#pragma once
// The timeline's search index: which events' shown text contains a query.
//
// A row's search text (TimelineModel::searchText: Event + Sender, Instance,
// Arguments, joined by a space) is made of three parts that very few distinct
// texts make up: a million pre_init sends share one Event+Sender text, one
// Arguments text, and one Instance text per instance. So the index keeps each
// DISTINCT part text once (lower-cased UTF-8), formatted by the model itself
// for the first event that has it, and per event three ids. An event's part is
// identified without formatting it, by what its text is made of in the
// recording (kind, interned name, sender and error ids; the packed bytes of
// its instance and of its other arguments), so indexing costs a few hash
// look-ups per event and no string building.
//
// A query is matched once against each distinct text (a KMP automaton over
// the bytes, so a query spanning two parts, "post_save user", matches exactly
// as it would in the joined text), then per event from three table reads.

#include <QByteArray>
#include <QHash>
#include <QString>
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

namespace ss {

class TimelineModel;
class TraceRecorder;
enum class TraceEventKind : quint8;

class TimelineSearchIndex
{
public:
    TimelineSearchIndex(const TimelineModel *timeline, const TraceRecorder *recorder);

    int indexed() const { return int(m_parts.size()); }
    // What filters read of an indexed event, kept compact (a pass over a
    // million events reads these rather than the recorder's 56-byte records).
    int parentOf(int event) const { return m_parent[size_t(event)]; }
    TraceEventKind kindOf(int event) const { return m_kind[size_t(event)]; }
    quint32 nameOf(int event) const { return m_name[size_t(event)]; }       // string id (TraceRecord::name)
    quint32 senderOf(int event) const { return m_sender[size_t(event)]; }   // string id (sends: the sender)
    // Indexes events [indexed(), upTo).
    void append(int upTo);
    // Re-reads an indexed event whose text may have changed (closed, failed).
    void refresh(int event);
    void clear();
    int distinctTexts() const { return int(m_offsets.size()) - 1; }

    // A query, case-insensitive, as an automaton over the index's texts. Empty
    // matches nothing (no search). Several may be in use at once (the one
    // applied and the one being decided).
    class Query
    {
    public:
        Query() = default;
        explicit Query(const QString &text);
        bool isEmpty() const { return m_length == 0; }
        // Without a space the parts are matched alone: a match cannot span them.
        bool spansParts() const { return m_spans; }

    private:
        friend class TimelineSearchIndex;
        // m_next[state * 256 + byte]; state m_length is a match.
        int m_length = 0;
        bool m_spans = false;
        std::string m_needle;                               // lower-cased UTF-8
        std::vector<qint32> m_next;
        std::vector<int> m_spaceEnds;                       // prefix lengths ending in a space, longest first
        mutable std::vector<quint8> m_hit;                  // text id -> contains the query
        mutable std::vector<qint32> m_afterSpace;           // text id -> state after it and a space (-1: a match)
        mutable QHash<quint64, qint32> m_fromState;         // (text id, state) -> end state
    };
    // Whether the event's search text contains the query (event < indexed()).
    bool matches(const Query &query, int event) const;

private:
    using Parts = std::array<quint32, 3>;
    Parts partsOf(int event);
    void lookUpKeys();
    quint32 intern(char part, int event, const std::string &key);
    int run(const Query &query, quint32 text, int state) const;     // end state, or -1 on a match
    int runFrom(const Query &query, quint32 text, int state) const; // memoised, for states other than 0
    int afterSpace(const Query &query, quint32 text) const;
    bool hit(const Query &query, quint32 text) const
    {
        return text < query.m_hit.size() ? query.m_hit[text] : extendHits(query, text);
    }
    bool extendHits(const Query &query, quint32 text) const;

    const TimelineModel *m_timeline;
    const TraceRecorder *m_recorder;
    std::vector<Parts> m_parts;                         // per event
    std::vector<qint32> m_parent;
    std::vector<TraceEventKind> m_kind;
    std::vector<quint32> m_name;
    std::vector<quint32> m_sender;
    std::unordered_map<std::string, quint32> m_ids;     // part key -> text id
    std::string m_key, m_argumentsKey;                  // scratch
    quint32 m_instanceKey = 0, m_usingKey = 0;          // string ids of the keys left out of Arguments
    std::string m_texts;                                // distinct texts, lower-cased UTF-8, back to back
    std::vector<quint32> m_offsets{0};                  // text id -> [offsets[id], offsets[id + 1])

};

} // namespace ss
