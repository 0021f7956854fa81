#include "trace/traceexport.h"

#include "formats/jsonreader.h"
#include "trace/tracerecorder.h"
#include "model/value.h"

#include <QSaveFile>
#include <QStringList>
#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <string>

namespace ss {

namespace {

constexpr size_t FlushThreshold = size_t(1) << 20;

// Buffered output: bytes are built in a std::string (cheap tiny appends) and
// handed to the device in megabyte pieces.
class ChunkWriter
{
public:
    explicit ChunkWriter(QIODevice &device) : m_device(device) { m_buffer.reserve(FlushThreshold + (64 << 10)); }
    std::string &buffer() { return m_buffer; }
    // Call after each record: false once the device refused a write.
    bool maybeFlush() { return m_buffer.size() < FlushThreshold ? m_ok : flush(); }
    bool flush()
    {
        size_t done = 0;
        while (m_ok && done < m_buffer.size()) {
            const qint64 n = m_device.write(m_buffer.data() + done, qint64(m_buffer.size() - done));
            if (n <= 0)
                m_ok = false;
            else
                done += size_t(n);
        }
        m_buffer.clear();               // keeps the capacity
        return m_ok;
    }

private:
    QIODevice &m_device;
    std::string m_buffer;
    bool m_ok = true;
};

inline void append(std::string &out, const QByteArray &bytes) { out.append(bytes.constData(), size_t(bytes.size())); }

inline void appendInteger(std::string &out, qint64 v)
{
    if (v >= 0 && v < 10) {             // depths, small steps: most integers of a trace
        out.push_back(char('0' + v));
        return;
    }
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, size_t(result.ptr - buffer));
}

// Nanoseconds as microseconds with three decimals: exact, no float rounding.
void appendMicros(std::string &out, qint64 ns)
{
    if (ns < 0) {
        out.push_back('-');
        ns = -ns;
    }
    appendInteger(out, ns / 1000);
    const char frac[4] = {'.', char('0' + (ns / 100) % 10), char('0' + (ns / 10) % 10), char('0' + ns % 10)};
    out.append(frac, 4);
}

void appendJsonString(std::string &out, const QString &text)
{
    append(out, canonicalJson(QCborValue(text)));
}

EventRange resolve(const TraceRecorder &recorder, std::optional<EventRange> range)
{
    EventRange r{0, recorder.count()};
    if (range) {
        r.begin = std::clamp(range->begin, 0, recorder.count());
        r.end = std::clamp(range->end, r.begin, recorder.count());
    }
    return r;
}

bool isCanonicalLine(const TraceRecord &r)
{
    if (!r.isCanonical())
        return false;
    return r.kind == TraceEventKind::Send || r.kind == TraceEventKind::Effect || r.kind == TraceEventKind::Error;
}

void appendSenderJson(std::string &out, const TraceRecorder &recorder, const TraceRecord &r)
{
    if (r.senderKind() == Sender::Kind::None)
        out.append("null");
    else
        out.append(recorder.stringJson(r.sender));
}

// Sorting by key rank is sorting by key (see TraceRecorder::keyRanks); the
// argument lists are short, so insertion sort.
void sortByRank(TraceRecorder::PackedArgs &args, const std::vector<quint32> &ranks)
{
    for (qsizetype i = 1; i < args.size(); ++i) {
        const TraceRecorder::PackedArg item = args[i];
        qsizetype j = i;
        for (; j > 0 && ranks[args[j - 1].key] > ranks[item.key]; --j)
            args[j] = args[j - 1];
        args[j] = item;
    }
}

// The arguments as one JSON object, keys sorted, optionally without "instance".
void appendArgsObject(std::string &out, const TraceRecorder &recorder, int index, quint32 skipKey = TraceRecorder::NoString)
{
    TraceRecorder::PackedArgs args;
    recorder.packedArgs(index, args);
    sortByRank(args, recorder.keyRanks());
    out.push_back('{');
    bool first = true;
    for (const auto &arg : args) {
        if (arg.key == skipKey)
            continue;
        if (!first)
            out.push_back(',');
        first = false;
        out.append(recorder.stringJson(arg.key));
        out.push_back(':');
        recorder.appendValueJson(out, arg.value);
    }
    out.push_back('}');
}

// "User:1" for an instance argument {"model": "User", "pk": 1}; empty without one.
QString instanceText(const TraceRecorder &recorder, int index, quint32 instanceKey)
{
    TraceRecorder::PackedArgs args;
    recorder.packedArgs(index, args);
    for (const auto &arg : args) {
        if (arg.key != instanceKey)
            continue;
        const QCborValue v = recorder.valueAt(arg.value);
        if (!v.isMap())
            return placeholderText(v);
        const QCborMap m = v.toMap();
        return m.value(QLatin1String("model")).toString() + QLatin1Char(':')
            + placeholderText(m.value(QLatin1String("pk")));
    }
    return {};
}

// "post_save(User:1)", or with the sender when there is no instance: "pre_migrate(shop)".
QString sendTitle(const TraceRecorder &recorder, int index, quint32 instanceKey)
{
    const TraceRecord &r = recorder.record(index);
    QString subject = instanceText(recorder, index, instanceKey);
    if (subject.isEmpty())
        subject = recorder.string(r.sender);
    const QString &signal = recorder.string(r.name);
    return subject.isEmpty() ? signal : signal + QLatin1Char('(') + subject + QLatin1Char(')');
}

QString errorText(const TraceRecorder &recorder, int index)
{
    if (!recorder.record(index).error)
        return {};
    return recorder.errorType(index) + QStringLiteral(": ") + recorder.errorMessage(index);
}

QString loopText(const TraceRecorder &recorder, const TraceRecord &r)
{
    if (r.loopMark() == LoopMark::None)
        return {};
    QString text = loopMarkName(r.loopMark());
    if (r.loop >= 0 && r.loop < recorder.loops().size())
        text += QStringLiteral(": ") + recorder.loops().at(r.loop).path;
    return text;
}

QString receiverText(const ReceiverOutcome &o)
{
    return o.ok() ? QStringLiteral("ok") : o.errorType + QStringLiteral(": ") + o.errorMessage;
}

} // namespace

// ------------------------------------------------------------ formats

std::optional<TraceFormat> formatFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("jsonl") || n == QLatin1String("canonical") || n == QLatin1String("trace.jsonl"))
        return TraceFormat::CanonicalJsonl;
    if (n == QLatin1String("csv"))
        return TraceFormat::Csv;
    if (n == QLatin1String("chrome") || n == QLatin1String("perfetto"))
        return TraceFormat::ChromeTrace;
    return std::nullopt;
}

QString formatName(TraceFormat format)
{
    switch (format) {
    case TraceFormat::CanonicalJsonl: return QStringLiteral("jsonl");
    case TraceFormat::Csv: return QStringLiteral("csv");
    case TraceFormat::ChromeTrace: return QStringLiteral("chrome");
    }
    return {};
}

QString formatSuffix(TraceFormat format)
{
    switch (format) {
    case TraceFormat::CanonicalJsonl: return QStringLiteral(".trace.jsonl");
    case TraceFormat::Csv: return QStringLiteral(".csv");
    case TraceFormat::ChromeTrace: return QStringLiteral(".json");
    }
    return {};
}

std::optional<EventRange> subtreesRange(const TraceRecorder &recorder, const QVector<int> &events)
{
    std::optional<EventRange> range;
    for (int event : events) {
        if (event < 0 || event >= recorder.count())
            continue;
        const int end = recorder.subtreeEnd(event);
        if (!range)
            range = EventRange{event, end};
        range->begin = std::min(range->begin, event);
        range->end = std::max(range->end, end);
    }
    return range;
}

bool writeTrace(TraceFormat format, const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range)
{
    switch (format) {
    case TraceFormat::CanonicalJsonl: return writeCanonicalJsonl(recorder, device, range);
    case TraceFormat::Csv: return writeCsv(recorder, device, range);
    case TraceFormat::ChromeTrace: return writeChromeTrace(recorder, device, range);
    }
    return false;
}

// ------------------------------------------------------------ canonical

std::optional<QCborMap> canonicalLine(const TraceRecorder &recorder, int index, qint64 seq)
{
    const TraceRecord &r = recorder.record(index);
    if (!isCanonicalLine(r))
        return std::nullopt;
    QCborMap line;
    switch (r.kind) {
    case TraceEventKind::Send: {
        // Arguments first: a fixed key of the same name replaces it.
        const QCborMap args = recorder.args(index);
        for (auto it = args.cbegin(); it != args.cend(); ++it)
            line.insert(it.key(), it.value());
        line.insert(QStringLiteral("signal"), recorder.string(r.name));
        line.insert(QStringLiteral("sender"), r.senderKind() == Sender::Kind::None ? QCborValue(nullptr)
                                                                                  : QCborValue(recorder.string(r.sender)));
        break;
    }
    case TraceEventKind::Effect:
        line.insert(QStringLiteral("effect"), recorder.string(r.name));
        if (recorder.string(r.name) == responseEffect())
            line.insert(QStringLiteral("status"), recorder.text(index).toLongLong());
        else
            line.insert(QStringLiteral("text"), recorder.text(index));
        break;
    default:
        line.insert(QStringLiteral("error"), recorder.errorType(index));
        line.insert(QStringLiteral("message"), recorder.errorMessage(index));
        break;
    }
    line.insert(QStringLiteral("seq"), seq);
    line.insert(QStringLiteral("step"), r.step);
    line.insert(QStringLiteral("depth"), r.depth);
    return line;
}

namespace {

// Writes canonical lines straight from the packed recording. The five keys of
// a signal line are merged into its sorted arguments by rank.
class CanonicalWriter
{
public:
    explicit CanonicalWriter(const TraceRecorder &recorder) : m_recorder(recorder), m_ranks(recorder.keyRanks())
    {
        const char *names[Fixed] = {"depth", "sender", "seq", "signal", "step"};   // sorted
        for (int k = 0; k < Fixed; ++k) {
            m_fixed[k] = recorder.stringId(QString::fromLatin1(names[k]));
            Q_ASSERT(m_fixed[k] != TraceRecorder::NoString);   // interned by the recorder
        }
    }

    // `r` is record(index), which the caller has (building one is not free).
    void signalLine(std::string &out, int index, const TraceRecord &r, qint64 seq)
    {
        m_recorder.packedArgs(index, m_args);
        // An argument named like a fixed key loses to it (canonicalLine does the same).
        m_args.erase(std::remove_if(m_args.begin(), m_args.end(),
                                    [this](const TraceRecorder::PackedArg &a) {
                                        return std::find(m_fixed, m_fixed + Fixed, a.key) != m_fixed + Fixed;
                                    }),
                     m_args.end());
        sortByRank(m_args, m_ranks);

        out.push_back('{');
        qsizetype a = 0;
        bool first = true;
        for (int k = 0; k <= Fixed; ++k) {
            const quint32 limit = k < Fixed ? m_ranks[m_fixed[k]] : std::numeric_limits<quint32>::max();
            for (; a < m_args.size() && m_ranks[m_args[a].key] < limit; ++a) {
                if (!first)
                    out.push_back(',');
                first = false;
                out.append(m_recorder.stringJson(m_args[a].key));
                out.push_back(':');
                m_recorder.appendValueJson(out, m_args[a].value);
            }
            if (k == Fixed)
                break;
            if (!first)
                out.push_back(',');
            first = false;
            switch (k) {
            case 0: out.append("\"depth\":"); appendInteger(out, r.depth); break;
            case 1: out.append("\"sender\":"); appendSenderJson(out, m_recorder, r); break;
            case 2: out.append("\"seq\":"); appendInteger(out, seq); break;
            case 3: out.append("\"signal\":"); out.append(m_recorder.stringJson(r.name)); break;
            case 4: out.append("\"step\":"); appendInteger(out, r.step); break;
            }
        }
        out.push_back('}');
    }

    void effectLine(std::string &out, int index, const TraceRecord &r, qint64 seq) const
    {
        out.append("{\"depth\":");
        appendInteger(out, r.depth);
        out.append(",\"effect\":");
        out.append(m_recorder.stringJson(r.name));
        out.append(",\"seq\":");
        appendInteger(out, seq);
        if (m_recorder.string(r.name) == responseEffect()) {
            // The response line (4.3) carries the status as a number.
            out.append(",\"status\":");
            appendInteger(out, m_recorder.text(index).toLongLong());
            out.append(",\"step\":");
            appendInteger(out, r.step);
            out.push_back('}');
            return;
        }
        out.append(",\"step\":");
        appendInteger(out, r.step);
        out.append(",\"text\":");
        m_recorder.appendTextJson(out, index);
        out.push_back('}');
    }

    void errorLine(std::string &out, int index, const TraceRecord &r, qint64 seq) const
    {
        out.append("{\"depth\":");
        appendInteger(out, r.depth);
        out.append(",\"error\":");
        out.append(m_recorder.stringJson(m_recorder.errorTypeId(index)));
        out.append(",\"message\":");
        out.append(m_recorder.stringJson(m_recorder.errorMessageId(index)));
        out.append(",\"seq\":");
        appendInteger(out, seq);
        out.append(",\"step\":");
        appendInteger(out, r.step);
        out.push_back('}');
    }

private:
    static constexpr int Fixed = 5;
    const TraceRecorder &m_recorder;
    const std::vector<quint32> &m_ranks;
    quint32 m_fixed[Fixed];
    TraceRecorder::PackedArgs m_args;
};

} // namespace

bool writeCanonicalJsonl(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range)
{
    const EventRange r = resolve(recorder, range);
    ChunkWriter writer(device);
    std::string &out = writer.buffer();
    CanonicalWriter lines(recorder);
    qint64 seq = 0;
    for (int i = r.begin; i < r.end; ++i) {
        const TraceRecord &record = recorder.record(i);
        if (!isCanonicalLine(record))
            continue;
        ++seq;
        switch (record.kind) {
        case TraceEventKind::Send: lines.signalLine(out, i, record, seq); break;
        case TraceEventKind::Effect: lines.effectLine(out, i, record, seq); break;
        default: lines.errorLine(out, i, record, seq); break;
        }
        out.push_back('\n');
        if (!writer.maybeFlush())
            return false;
    }
    return writer.flush();
}

// ------------------------------------------------------------ CSV

namespace {

void appendCsvField(std::string &out, const QByteArray &utf8)
{
    const bool quote = std::any_of(utf8.cbegin(), utf8.cend(), [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; });
    if (!quote) {
        append(out, utf8);
        return;
    }
    out.push_back('"');
    for (char c : utf8) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

void appendCsvField(std::string &out, const QString &text)
{
    appendCsvField(out, text.toUtf8());
}

} // namespace

bool writeCsv(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range)
{
    const EventRange r = resolve(recorder, range);
    const quint32 instanceKey = recorder.stringId(QStringLiteral("instance"));
    ChunkWriter writer(device);
    std::string &out = writer.buffer();
    out.append("seq,parent,step,depth,kind,signal,sender,instance,args,receivers,label,text,error,"
               "start_us,duration_us,status,loop\r\n");
    std::string args;
    for (int i = r.begin; i < r.end; ++i) {
        const TraceEvent e = recorder.event(i);
        const bool signalLike = e.kind == TraceEventKind::Send || e.kind == TraceEventKind::RecursionStop;

        appendInteger(out, i - r.begin + 1);
        out.push_back(',');
        if (e.parent >= r.begin && e.parent < r.end)
            appendInteger(out, e.parent - r.begin + 1);
        out.push_back(',');
        appendInteger(out, e.step);
        out.push_back(',');
        appendInteger(out, e.depth);
        out.push_back(',');
        append(out, traceEventKindName(e.kind).toLatin1());
        out.push_back(',');
        appendCsvField(out, e.signal);
        out.push_back(',');
        appendCsvField(out, e.sender.name);
        out.push_back(',');
        if (signalLike) {
            appendCsvField(out, instanceText(recorder, i, instanceKey));
            out.push_back(',');
            args.clear();
            appendArgsObject(args, recorder, i, instanceKey);
            appendCsvField(out, QByteArray::fromRawData(args.data(), qsizetype(args.size())));
        } else {
            out.push_back(',');
        }
        out.push_back(',');
        if (e.kind == TraceEventKind::Send) {
            QStringList receivers;
            for (const ReceiverOutcome &o : recorder.receiversOf(i))
                receivers.append(o.label + QLatin1Char('=') + receiverText(o));
            appendCsvField(out, receivers.join(QStringLiteral("; ")));
        }
        out.push_back(',');
        appendCsvField(out, e.kind == TraceEventKind::Effect ? e.effect : e.label);
        out.push_back(',');
        appendCsvField(out, e.text);
        out.push_back(',');
        appendCsvField(out, errorText(recorder, i));
        out.push_back(',');
        appendMicros(out, e.startNs);
        out.push_back(',');
        appendMicros(out, e.durationNs);
        out.push_back(',');
        const bool hasExtent = e.kind == TraceEventKind::Step || e.kind == TraceEventKind::Send
            || e.kind == TraceEventKind::Receiver;
        out.append(!hasExtent ? "" : e.open ? "unfinished" : e.failed() ? "failed" : "ok");
        out.push_back(',');
        appendCsvField(out, loopText(recorder, recorder.record(i)));
        out.append("\r\n");
        if (!writer.maybeFlush())
            return false;
    }
    return writer.flush();
}

// ------------------------------------------------------------ Trace Event Format

bool writeChromeTrace(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range)
{
    const EventRange r = resolve(recorder, range);
    const quint32 instanceKey = recorder.stringId(QStringLiteral("instance"));
    ChunkWriter writer(device);
    std::string &out = writer.buffer();
    out.append("{\"traceEvents\":[\n"
               "{\"ph\":\"M\",\"pid\":1,\"tid\":1,\"name\":\"process_name\",\"args\":{\"name\":\"SignalScope (Django " + recorder.djangoVersion().toStdString() + ")\"}},\n"
               "{\"ph\":\"M\",\"pid\":1,\"tid\":1,\"name\":\"thread_name\",\"args\":{\"name\":\"Django signals\"}}");

    // The end of time for events that never finished.
    qint64 horizon = recorder.elapsedNs();
    for (int i = r.begin; i < r.end; ++i)
        horizon = std::max(horizon, qint64(recorder.record(i).startNs + recorder.record(i).durationNs));

    // Slices must nest strictly on one thread (Perfetto rejects overlaps): each
    // slice is clamped into its parent and after its previous sibling. With a
    // nanosecond clock this only bites on open events and equal timestamps.
    struct Slice
    {
        int event;
        qint64 start;
        qint64 end;
        qint64 cursor;      // where the next child may start
    };
    std::vector<Slice> stack;
    qint64 rootCursor = 0;

    for (int i = r.begin; i < r.end; ++i) {
        const TraceRecord &rec = recorder.record(i);
        // Records come in begin order, so the parent is on the stack (unless
        // it lies outside the range: then the event is a root).
        while (!stack.empty() && stack.back().event != rec.parent)
            stack.pop_back();
        const qint64 lower = stack.empty() ? rootCursor : std::max(stack.back().start, stack.back().cursor);
        const qint64 upper = stack.empty() ? std::numeric_limits<qint64>::max() : stack.back().end;
        const qint64 start = std::clamp(qint64(rec.startNs), std::min(lower, upper), upper);

        const bool slice = rec.kind == TraceEventKind::Step || rec.kind == TraceEventKind::Send
            || rec.kind == TraceEventKind::Receiver;
        if (!slice) {
            out.append(",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":1,\"ts\":");
            appendMicros(out, start);
            switch (rec.kind) {
            case TraceEventKind::Effect:
                out.append(",\"cat\":\"effect\",\"name\":");
                out.append(recorder.stringJson(rec.name));
                out.append(",\"args\":{\"depth\":");
                appendInteger(out, rec.depth);
                out.append(",\"text\":");
                recorder.appendTextJson(out, i);
                break;
            case TraceEventKind::Error:
                out.append(",\"cat\":\"error\",\"name\":");
                out.append(recorder.stringJson(recorder.errorTypeId(i)));
                out.append(",\"args\":{\"depth\":");
                appendInteger(out, rec.depth);
                out.append(",\"message\":");
                out.append(recorder.stringJson(recorder.errorMessageId(i)));
                break;
            default:
                out.append(",\"cat\":\"loop\",\"name\":");
                appendJsonString(out, QStringLiteral("recursion stopped: ") + sendTitle(recorder, i, instanceKey));
                out.append(",\"args\":{\"depth\":");
                appendInteger(out, rec.depth);
                out.append(",\"args\":");
                appendArgsObject(out, recorder, i);
                break;
            }
            out.append("}}");
            if (!writer.maybeFlush())
                return false;
            continue;
        }

        qint64 end = qint64(rec.startNs + rec.durationNs);
        if (rec.isOpen() && rec.durationNs == 0)
            end = stack.empty() ? horizon : upper;
        end = std::clamp(end, start, upper);
        if (stack.empty())
            rootCursor = end;
        else
            stack.back().cursor = end;

        // A send caused by a receiver call: a flow arrow from the call to the
        // send. "s" comes before the send's slice, so at that timestamp it binds
        // to the receiver; "f" after it, binding to the send ("bp":"e").
        const bool caused = rec.kind == TraceEventKind::Send && !stack.empty()
            && recorder.record(stack.back().event).kind == TraceEventKind::Receiver;
        if (caused) {
            out.append(",\n{\"ph\":\"s\",\"cat\":\"cause\",\"name\":\"causes\",\"pid\":1,\"tid\":1,\"id\":");
            appendInteger(out, i + 1);
            out.append(",\"ts\":");
            appendMicros(out, start);
            out.push_back('}');
        }
        stack.push_back({i, start, end, start});

        out.append(",\n{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":");
        appendMicros(out, start);
        out.append(",\"dur\":");
        appendMicros(out, end - start);
        out.append(",\"cat\":");
        switch (rec.kind) {
        case TraceEventKind::Step:
            out.append("\"step\",\"name\":");
            appendJsonString(out, QStringLiteral("step ") + QString::number(rec.step) + QStringLiteral(": ")
                                      + recorder.text(i));
            out.append(",\"args\":{\"code\":");
            recorder.appendTextJson(out, i);
            break;
        case TraceEventKind::Send: {
            out.append("\"signal\",\"name\":");
            appendJsonString(out, sendTitle(recorder, i, instanceKey));
            out.append(",\"args\":{\"signal\":");
            out.append(recorder.stringJson(rec.name));
            out.append(",\"sender\":");
            appendSenderJson(out, recorder, rec);
            out.append(",\"depth\":");
            appendInteger(out, rec.depth);
            out.append(",\"robust\":");
            out.append(rec.isRobust() ? "true" : "false");
            out.append(",\"args\":");
            appendArgsObject(out, recorder, i);
            out.append(",\"receivers\":[");
            bool first = true;
            for (const ReceiverOutcome &o : recorder.receiversOf(i)) {
                if (!first)
                    out.push_back(',');
                first = false;
                appendJsonString(out, o.label + QStringLiteral(": ") + receiverText(o));
            }
            out.push_back(']');
            break;
        }
        default:
            out.append("\"receiver\",\"name\":");
            out.append(recorder.stringJson(rec.name));
            out.append(",\"args\":{\"index\":");
            appendInteger(out, qint64(rec.sender));
            out.append(",\"depth\":");
            appendInteger(out, rec.depth);
            break;
        }
        out.append(",\"event\":");
        appendInteger(out, i);
        out.append(",\"step\":");
        appendInteger(out, rec.step);
        if (rec.error) {
            out.append(",\"error\":");
            appendJsonString(out, errorText(recorder, i));
        }
        if (rec.isOpen())
            out.append(",\"unfinished\":true");
        if (rec.loopMark() != LoopMark::None) {
            out.append(",\"loop\":");
            appendJsonString(out, loopText(recorder, rec));
        }
        out.append("}}");

        if (caused) {
            out.append(",\n{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"cause\",\"name\":\"causes\",\"pid\":1,\"tid\":1,\"id\":");
            appendInteger(out, i + 1);
            out.append(",\"ts\":");
            appendMicros(out, start);
            out.push_back('}');
        }
        if (!writer.maybeFlush())
            return false;
    }
    out.append("\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"django\":\"" + recorder.djangoVersion().toStdString() + "\"}}\n");
    return writer.flush();
}

// ------------------------------------------------------------ files

bool writeAtomically(const QString &path, const std::function<bool(QIODevice &)> &writer, QString *error)
{
    // QSaveFile writes "<path>.XXXXXX" next to the target and renames it on
    // commit; destroyed without a commit it deletes the temporary file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    if (!writer(file)) {
        if (error)
            *error = file.error() != QFileDevice::NoError ? file.errorString() : QStringLiteral("export failed");
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

// ------------------------------------------------------------ reading

namespace {

// One line of a canonical trace checked and read; an empty optional with
// `error` saying what is wrong.
std::optional<QCborMap> readCanonicalLine(QByteArray line, QString *error)
{
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.trimmed().isEmpty()) {
        *error = QStringLiteral("empty line");
        return std::nullopt;
    }
    // Not QJsonDocument: it reads 7.0 as the integer 7 (see jsonreader.h).
    JsonSyntaxError syntax;
    const std::optional<QCborValue> parsed = readJson(line, &syntax);
    if (!parsed) {
        *error = syntax.message + QStringLiteral(" (column ") + QString::number(syntax.position.column) + QLatin1Char(')');
        return std::nullopt;
    }
    if (!parsed->isMap()) {
        *error = QStringLiteral("not a JSON object");
        return std::nullopt;
    }
    QCborMap map = parsed->toMap();
    for (const char *key : {"seq", "step", "depth"}) {
        if (!map.value(QLatin1String(key)).isInteger()) {
            *error = QStringLiteral("missing or non-integer \"") + QLatin1String(key) + QLatin1Char('"');
            return std::nullopt;
        }
    }
    const int kinds = int(map.contains(QLatin1String("signal"))) + int(map.contains(QLatin1String("effect")))
        + int(map.contains(QLatin1String("error")));
    if (kinds != 1) {
        *error = QStringLiteral("not exactly one of \"signal\", \"effect\", \"error\"");
        return std::nullopt;
    }
    return map;
}

void failAt(CanonicalTrace &trace, int line, const QString &what)
{
    trace.error = QStringLiteral("line ") + QString::number(line) + QStringLiteral(": ") + what;
    trace.errorLine = line;
}

} // namespace

CanonicalTrace readCanonicalJsonl(const QByteArray &bytes)
{
    CanonicalTrace trace;
    qsizetype pos = 0;
    int lineNumber = 0;
    QString error;
    while (pos < bytes.size()) {
        qsizetype eol = bytes.indexOf('\n', pos);
        if (eol < 0)
            eol = bytes.size();
        ++lineNumber;
        std::optional<QCborMap> map = readCanonicalLine(bytes.mid(pos, eol - pos), &error);
        pos = eol + 1;
        if (!map) {
            failAt(trace, lineNumber, error);
            return trace;
        }
        trace.lines.append(std::move(*map));
    }
    return trace;
}

CanonicalTrace readCanonicalJsonl(QIODevice &device)
{
    return readCanonicalJsonl(device.readAll());
}

CanonicalTrace readCanonicalJsonl(QIODevice &device, const std::function<bool(const QCborMap &)> &each)
{
    CanonicalTrace trace;
    int lineNumber = 0;
    QString error;
    while (!device.atEnd()) {
        const QByteArray line = device.readLine();
        if (line.isEmpty() && device.atEnd())
            break;
        ++lineNumber;
        const std::optional<QCborMap> map = readCanonicalLine(line, &error);
        if (!map) {
            failAt(trace, lineNumber, error);
            return trace;
        }
        if (!each(*map)) {
            trace.stoppedAt = lineNumber + 1;
            return trace;
        }
    }
    return trace;
}

} // namespace ss
