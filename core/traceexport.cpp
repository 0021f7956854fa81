#include "traceexport.h"

#include "tracerecorder.h"
#include "value.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>
#include <QStringList>
#include <algorithm>
#include <charconv>
#include <limits>

namespace ss {

namespace {

constexpr qsizetype FlushThreshold = qsizetype(1) << 20;

// Buffered output: bytes are built in one QByteArray and handed to the device
// in megabyte pieces.
class ChunkWriter
{
public:
    explicit ChunkWriter(QIODevice &device) : m_device(device) { m_buffer.reserve(FlushThreshold + (64 << 10)); }
    QByteArray &buffer() { return m_buffer; }
    void maybeFlush()
    {
        if (m_buffer.size() >= FlushThreshold)
            flush();
    }
    bool flush()
    {
        if (m_ok && !m_buffer.isEmpty()) {
            qsizetype done = 0;
            while (done < m_buffer.size()) {
                const qint64 n = m_device.write(m_buffer.constData() + done, m_buffer.size() - done);
                if (n <= 0) {
                    m_ok = false;
                    break;
                }
                done += qsizetype(n);
            }
        }
        m_buffer.resize(0);             // keeps the capacity
        return m_ok;
    }
    bool ok() const { return m_ok; }

private:
    QIODevice &m_device;
    QByteArray m_buffer;
    bool m_ok = true;
};

inline void appendInteger(QByteArray &out, qint64 v)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, result.ptr - buffer);
}

// Nanoseconds as microseconds with three decimals: exact, no float rounding.
void appendMicros(QByteArray &out, qint64 ns)
{
    if (ns < 0) {
        out.append('-');
        ns = -ns;
    }
    appendInteger(out, ns / 1000);
    char frac[4] = {'.', char('0' + (ns / 100) % 10), char('0' + (ns / 10) % 10), char('0' + ns % 10)};
    out.append(frac, 4);
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

const QString &fixedKey(int which)
{
    // The five keys every signal line has, in sorted order.
    static const QString keys[] = {QStringLiteral("depth"), QStringLiteral("sender"), QStringLiteral("seq"),
                                   QStringLiteral("signal"), QStringLiteral("step")};
    return keys[which];
}

void appendSenderJson(QByteArray &out, const TraceRecorder &recorder, const TraceRecord &r)
{
    if (r.senderKind() == Sender::Kind::None)
        out.append("null");
    else
        out.append(recorder.stringJson(r.sender));
}

// The arguments sorted by key, those clashing with a fixed key dropped
// (the fixed key wins, as in canonicalLine()).
void sortedArgs(const TraceRecorder &recorder, int index, TraceRecorder::PackedArgs &args, bool dropFixed)
{
    recorder.packedArgs(index, args);
    if (dropFixed) {
        args.erase(std::remove_if(args.begin(), args.end(),
                                  [&](const TraceRecorder::PackedArg &a) {
                                      const QString &key = recorder.string(a.key);
                                      for (int k = 0; k < 5; ++k)
                                          if (key == fixedKey(k))
                                              return true;
                                      return false;
                                  }),
                   args.end());
    }
    const auto byKey = [&](const TraceRecorder::PackedArg &a, const TraceRecorder::PackedArg &b) {
        return recorder.string(a.key) < recorder.string(b.key);
    };
    if (!std::is_sorted(args.begin(), args.end(), byKey))
        std::stable_sort(args.begin(), args.end(), byKey);
}

void appendSignalLine(QByteArray &out, const TraceRecorder &recorder, int index, qint64 seq,
                      TraceRecorder::PackedArgs &args)
{
    const TraceRecord &r = recorder.record(index);
    sortedArgs(recorder, index, args, true);
    out.append('{');
    bool first = true;
    qsizetype a = 0;
    const auto emitArgsBefore = [&](const QString *key) {
        while (a < args.size() && (!key || recorder.string(args[a].key) < *key)) {
            if (!first)
                out.append(',');
            first = false;
            out.append(recorder.stringJson(args[a].key));
            out.append(':');
            recorder.appendValueJson(out, args[a].value);
            ++a;
        }
    };
    for (int k = 0; k < 5; ++k) {
        emitArgsBefore(&fixedKey(k));
        if (!first)
            out.append(',');
        first = false;
        switch (k) {
        case 0: out.append("\"depth\":"); appendInteger(out, r.depth); break;
        case 1: out.append("\"sender\":"); appendSenderJson(out, recorder, r); break;
        case 2: out.append("\"seq\":"); appendInteger(out, seq); break;
        case 3: out.append("\"signal\":"); out.append(recorder.stringJson(r.name)); break;
        case 4: out.append("\"step\":"); appendInteger(out, r.step); break;
        }
    }
    emitArgsBefore(nullptr);
    out.append('}');
}

void appendEffectLine(QByteArray &out, const TraceRecorder &recorder, int index, qint64 seq)
{
    const TraceRecord &r = recorder.record(index);
    out.append("{\"depth\":");
    appendInteger(out, r.depth);
    out.append(",\"effect\":");
    out.append(recorder.stringJson(r.name));
    out.append(",\"seq\":");
    appendInteger(out, seq);
    out.append(",\"step\":");
    appendInteger(out, r.step);
    out.append(",\"text\":");
    recorder.appendTextJson(out, index);
    out.append('}');
}

void appendErrorLine(QByteArray &out, const TraceRecorder &recorder, int index, qint64 seq)
{
    const TraceRecord &r = recorder.record(index);
    out.append("{\"depth\":");
    appendInteger(out, r.depth);
    out.append(",\"error\":");
    out.append(recorder.stringJson(recorder.errorTypeId(index)));
    out.append(",\"message\":");
    out.append(recorder.stringJson(recorder.errorMessageId(index)));
    out.append(",\"seq\":");
    appendInteger(out, seq);
    out.append(",\"step\":");
    appendInteger(out, r.step);
    out.append('}');
}

bool isCanonicalLine(const TraceRecord &r)
{
    if (!r.isCanonical())
        return false;
    return r.kind == TraceEventKind::Send || r.kind == TraceEventKind::Effect || r.kind == TraceEventKind::Error;
}

// "User:1" for an instance argument {"model": "User", "pk": 1}; empty without one.
QString instanceText(const TraceRecorder &recorder, int index)
{
    TraceRecorder::PackedArgs args;
    recorder.packedArgs(index, args);
    for (const auto &arg : args) {
        if (recorder.string(arg.key) != QLatin1String("instance"))
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

// The arguments as one JSON object, keys sorted, optionally without "instance".
void appendArgsObject(QByteArray &out, const TraceRecorder &recorder, int index, bool skipInstance)
{
    TraceRecorder::PackedArgs args;
    sortedArgs(recorder, index, args, false);
    out.append('{');
    bool first = true;
    for (const auto &arg : args) {
        if (skipInstance && recorder.string(arg.key) == QLatin1String("instance"))
            continue;
        if (!first)
            out.append(',');
        first = false;
        out.append(recorder.stringJson(arg.key));
        out.append(':');
        recorder.appendValueJson(out, arg.value);
    }
    out.append('}');
}

QString sendTitle(const TraceRecorder &recorder, int index)
{
    const TraceRecord &r = recorder.record(index);
    QString subject = instanceText(recorder, index);
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

void appendJsonString(QByteArray &out, const QString &text)
{
    appendCanonicalJson(out, QCborValue(text));
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

bool writeCanonicalJsonl(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range)
{
    const EventRange r = resolve(recorder, range);
    ChunkWriter writer(device);
    QByteArray &out = writer.buffer();
    TraceRecorder::PackedArgs args;
    qint64 seq = 0;
    for (int i = r.begin; i < r.end; ++i) {
        const TraceRecord &record = recorder.record(i);
        if (!isCanonicalLine(record))
            continue;
        ++seq;
        switch (record.kind) {
        case TraceEventKind::Send: appendSignalLine(out, recorder, i, seq, args); break;
        case TraceEventKind::Effect: appendEffectLine(out, recorder, i, seq); break;
        default: appendErrorLine(out, recorder, i, seq); break;
        }
        out.append('\n');
        writer.maybeFlush();
        if (!writer.ok())
            return false;
    }
    return writer.flush();
}

// ------------------------------------------------------------ CSV

namespace {

void appendCsvField(QByteArray &out, const QByteArray &utf8)
{
    bool quote = false;
    for (char c : utf8) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out.append(utf8);
        return;
    }
    out.append('"');
    for (char c : utf8) {
        if (c == '"')
            out.append('"');
        out.append(c);
    }
    out.append('"');
}

void appendCsvField(QByteArray &out, const QString &text)
{
    appendCsvField(out, text.toUtf8());
}

} // namespace

bool writeCsv(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range)
{
    const EventRange r = resolve(recorder, range);
    ChunkWriter writer(device);
    QByteArray &out = writer.buffer();
    out.append("seq,parent,step,depth,kind,signal,sender,instance,args,receivers,label,text,error,"
               "start_us,duration_us,status,loop\r\n");
    QByteArray field;
    for (int i = r.begin; i < r.end; ++i) {
        const TraceEvent e = recorder.event(i);
        const TraceRecord &rec = recorder.record(i);
        const bool signalLike = e.kind == TraceEventKind::Send || e.kind == TraceEventKind::RecursionStop;

        appendInteger(out, i - r.begin + 1);
        out.append(',');
        if (e.parent >= r.begin && e.parent < r.end)
            appendInteger(out, e.parent - r.begin + 1);
        out.append(',');
        appendInteger(out, e.step);
        out.append(',');
        appendInteger(out, e.depth);
        out.append(',');
        out.append(traceEventKindName(e.kind).toLatin1());
        out.append(',');
        appendCsvField(out, e.signal);
        out.append(',');
        appendCsvField(out, e.sender.name);
        out.append(',');
        if (signalLike) {
            appendCsvField(out, instanceText(recorder, i));
            out.append(',');
            field.clear();
            appendArgsObject(field, recorder, i, true);
            appendCsvField(out, field);
        } else {
            out.append(',');
        }
        out.append(',');
        if (e.kind == TraceEventKind::Send) {
            QStringList receivers;
            for (const ReceiverOutcome &o : recorder.receiversOf(i))
                receivers.append(o.label + QLatin1Char('=')
                                 + (o.ok() ? QStringLiteral("ok") : o.errorType + QStringLiteral(": ") + o.errorMessage));
            appendCsvField(out, receivers.join(QStringLiteral("; ")));
        }
        out.append(',');
        appendCsvField(out, e.kind == TraceEventKind::Effect ? e.effect : e.label);
        out.append(',');
        appendCsvField(out, e.text);
        out.append(',');
        appendCsvField(out, errorText(recorder, i));
        out.append(',');
        appendMicros(out, e.startNs);
        out.append(',');
        appendMicros(out, e.durationNs);
        out.append(',');
        const bool hasExtent = e.kind == TraceEventKind::Step || e.kind == TraceEventKind::Send
            || e.kind == TraceEventKind::Receiver;
        out.append(!hasExtent ? "" : e.open ? "unfinished" : e.failed() ? "failed" : "ok");
        out.append(',');
        appendCsvField(out, loopText(recorder, rec));
        out.append("\r\n");
        writer.maybeFlush();
        if (!writer.ok())
            return false;
    }
    return writer.flush();
}

// ------------------------------------------------------------ Trace Event Format

bool writeChromeTrace(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range)
{
    const EventRange r = resolve(recorder, range);
    ChunkWriter writer(device);
    QByteArray &out = writer.buffer();
    out.append("{\"traceEvents\":[\n"
               "{\"ph\":\"M\",\"pid\":1,\"tid\":1,\"name\":\"process_name\",\"args\":{\"name\":\"SignalScope\"}},\n"
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
    const auto enclosing = [&](int parent) {
        while (!stack.empty() && stack.back().event != parent)
            stack.pop_back();
    };

    for (int i = r.begin; i < r.end; ++i) {
        const TraceRecord &rec = recorder.record(i);
        enclosing(rec.parent);
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
                out.append('}');
                break;
            case TraceEventKind::Error:
                out.append(",\"cat\":\"error\",\"name\":");
                out.append(recorder.stringJson(recorder.errorTypeId(i)));
                out.append(",\"args\":{\"depth\":");
                appendInteger(out, rec.depth);
                out.append(",\"message\":");
                out.append(recorder.stringJson(recorder.errorMessageId(i)));
                out.append('}');
                break;
            default:
                out.append(",\"cat\":\"loop\",\"name\":");
                appendJsonString(out, QStringLiteral("recursion stopped: ") + sendTitle(recorder, i));
                out.append(",\"args\":{\"depth\":");
                appendInteger(out, rec.depth);
                out.append(",\"args\":");
                appendArgsObject(out, recorder, i, false);
                out.append('}');
                break;
            }
            out.append('}');
            writer.maybeFlush();
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
            out.append('}');
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
            appendJsonString(out, sendTitle(recorder, i));
            out.append(",\"args\":{\"signal\":");
            out.append(recorder.stringJson(rec.name));
            out.append(",\"sender\":");
            appendSenderJson(out, recorder, rec);
            out.append(",\"depth\":");
            appendInteger(out, rec.depth);
            out.append(",\"robust\":");
            out.append(rec.isRobust() ? "true" : "false");
            out.append(",\"args\":");
            appendArgsObject(out, recorder, i, false);
            out.append(",\"receivers\":[");
            bool first = true;
            for (const ReceiverOutcome &o : recorder.receiversOf(i)) {
                if (!first)
                    out.append(',');
                first = false;
                appendJsonString(out, o.label + QStringLiteral(": ")
                                          + (o.ok() ? QStringLiteral("ok") : o.errorType + QStringLiteral(": ") + o.errorMessage));
            }
            out.append(']');
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
            out.append('}');
        }
        writer.maybeFlush();
        if (!writer.ok())
            return false;
    }
    out.append("\n],\"displayTimeUnit\":\"ms\"}\n");
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

CanonicalTrace readCanonicalJsonl(const QByteArray &bytes)
{
    CanonicalTrace trace;
    const auto fail = [&](int line, const QString &what) {
        trace.error = QStringLiteral("line ") + QString::number(line) + QStringLiteral(": ") + what;
        trace.errorLine = line;
        return trace;
    };
    qsizetype pos = 0;
    int lineNumber = 0;
    while (pos < bytes.size()) {
        qsizetype eol = bytes.indexOf('\n', pos);
        if (eol < 0)
            eol = bytes.size();
        ++lineNumber;
        QByteArray line = bytes.mid(pos, eol - pos);
        pos = eol + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            return fail(lineNumber, QStringLiteral("empty line"));

        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return fail(lineNumber, parseError.errorString() + QStringLiteral(" at column ")
                                        + QString::number(parseError.offset + 1));
        if (!doc.isObject())
            return fail(lineNumber, QStringLiteral("not a JSON object"));
        const QCborMap map = cborFromJson(doc.object()).toMap();
        for (const char *key : {"seq", "step", "depth"}) {
            if (!map.value(QLatin1String(key)).isInteger())
                return fail(lineNumber, QStringLiteral("missing or non-integer \"") + QLatin1String(key) + QLatin1Char('"'));
        }
        const int kinds = int(map.contains(QLatin1String("signal"))) + int(map.contains(QLatin1String("effect")))
            + int(map.contains(QLatin1String("error")));
        if (kinds != 1)
            return fail(lineNumber, QStringLiteral("not exactly one of \"signal\", \"effect\", \"error\""));
        trace.lines.append(map);
    }
    return trace;
}

CanonicalTrace readCanonicalJsonl(QIODevice &device)
{
    return readCanonicalJsonl(device.readAll());
}

} // namespace ss
