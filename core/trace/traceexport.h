#pragma once
// Writing a recording out, and reading the canonical trace back.
//
//  - Canonical JSON Lines: exactly section 4 of the contract, byte-stable, so a
//    trace compares line by line with Django's. Only canonical lines: signal
//    lines of canonical sends, effect and error lines; never steps, receiver
//    calls, refused sends or non-canonical signals (connection_created). `seq`
//    is renumbered 1.. over the lines written.
//  - CSV (RFC 4180): one row per recorded event of every kind, for spreadsheets.
//  - Trace Event Format (Perfetto, chrome://tracing): steps, sends and receiver
//    calls as nested "X" slices on one thread, lines as instants, flow arrows
//    from a receiver call to the sends it caused.
//
// Writers build the bytes in a buffer and write it in large chunks; they return
// false when the device refuses a write.

#include <QCborMap>
#include <QIODevice>
#include <QString>
#include <QVector>
#include <functional>
#include <optional>

namespace ss {

class TraceRecorder;

enum class TraceFormat { CanonicalJsonl, Csv, ChromeTrace };

// "jsonl" (also "canonical"), "csv", "chrome" (also "perfetto"); case-insensitive.
std::optional<TraceFormat> formatFromName(const QString &name);
QString formatName(TraceFormat format);         // "jsonl", "csv", "chrome"
QString formatSuffix(TraceFormat format);       // ".trace.jsonl", ".csv", ".json"

// Event indexes [begin, end) of a recording; the whole recording when absent.
struct EventRange
{
    int begin = 0;
    int end = 0;
};

// The export of a selection: the smallest range holding every event of
// `events` and everything nested under each (a subtree is contiguous in the
// recording: [e, subtreeEnd(e))). Events outside the recording are ignored;
// nullopt when none is left.
std::optional<EventRange> subtreesRange(const TraceRecorder &recorder, const QVector<int> &events);

bool writeCanonicalJsonl(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range = {});
bool writeCsv(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range = {});
bool writeChromeTrace(const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range = {});
bool writeTrace(TraceFormat format, const TraceRecorder &recorder, QIODevice &device, std::optional<EventRange> range = {});

// One canonical line built the obvious way, as a QCborMap (nullopt for events
// the canonical trace leaves out). appendCanonicalJson of it is, byte for byte,
// what writeCanonicalJsonl writes; the tests hold the fast writer to that.
std::optional<QCborMap> canonicalLine(const TraceRecorder &recorder, int index, qint64 seq);

// Writes through a temporary file in the same directory, renamed over `path`
// only when `writer` returned true: a failed or killed export never leaves a
// truncated trace under the final name.
bool writeAtomically(const QString &path, const std::function<bool(QIODevice &)> &writer, QString *error = nullptr);

// Canonical JSON Lines read back, one QCborMap per line (integers stay
// integers, floats floats). A line that is not a JSON object with integer
// "seq", "step" and "depth" and one of "signal", "effect", "error" is an error:
// `error` names the 1-based line and what is wrong, `lines` holds those before it.
struct CanonicalTrace
{
    QVector<QCborMap> lines;
    QString error;
    int errorLine = 0;
    int stoppedAt = 0;          // the streamed read was stopped before this line
    bool ok() const { return error.isEmpty(); }
};
CanonicalTrace readCanonicalJsonl(const QByteArray &bytes);
CanonicalTrace readCanonicalJsonl(QIODevice &device);
// The same read a line at a time from `device`, each good line handed to
// `each` instead of kept: a viewer of a large trace holds one line, not the
// file and a map per line. `lines` of the result stays empty. `each`
// returning false stops the read there (`stoppedAt` then names the line
// that was not read; no error).
CanonicalTrace readCanonicalJsonl(QIODevice &device, const std::function<bool(const QCborMap &)> &each);

} // namespace ss
