#pragma once
// Reading the SignalScope wire format (what the Django agent,
// resources/agent/signalscope_agent.py, streams; README "Wire format") into
// trace listeners, and projecting it onto the canonical trace (contract
// section 4).
//
// A wire stream is JSON Lines, one process each, beginning with a `hello`; a
// file may hold several streams one after the other (each begins with its
// hello). The agent writes begin and end events of nested sends and receiver
// calls, possibly from several threads interleaved; the importer rebuilds each
// top-level send's tree from the ids and hands it to the listener, well
// nested, when it has ended. So the listener (a TraceRecorder, the window's
// bridge) sees a recorded run exactly as it sees a simulated one.
//
// Projection (the canonical lines of a recorded run are what the canonical
// trace says for the same sends):
//  - canonical signals: the nine of django.db.models.signals, request_started,
//    request_finished, got_request_exception, setting_changed (django.core.
//    signals), template_rendered (django.test.signals), and every signal
//    defined outside Django ("custom"); named by their last dotted component.
//    Other Django signals (class_prepared, connection_created, ...) are
//    recorded but not canonical.
//  - arguments: exactly those of contract 4.2, encoded as it says (model
//    instances {"model": <name>, "pk": ...}, senders by model name or app
//    label, pk_set/update_fields sorted arrays, the environ's PATH_INFO and
//    REQUEST_METHOD only).
//  - depth: the number of receiver calls enclosing the send.
//  - step: one per top-level unit of the process: a step begins with each
//    process (its command line), with each top-level request_started (a
//    request), and with the first top-level send after a top-level
//    request_finished (the command again); numbered 0, 1, ... across all the
//    processes of one import.
//  - error lines: a receiver of a send_robust that raised (depth n+1).
//    There is no depth-0 error line: a process has no "step that raised".
//
// Bad input never throws: a line that is not JSON, not an object or lacks a
// field stops that process's stream with a message naming the line; an
// unknown version refuses the stream; a stream that ends without `bye` (the
// process died, the connection broke, the file is truncated) keeps what
// arrived, with its open sends shown unfinished, and says so.

#include "dispatch/tracelistener.h"

#include <QByteArray>
#include <QCborMap>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>

namespace ss {

class TraceRecorder;

constexpr int kWireVersion = 1;
inline constexpr char kWireFormatName[] = "signalscope-wire";

struct WireProcess
{
    qint64 pid = 0;
    qint64 ppid = 0;
    QStringList argv;
    QString django;
    QString python;
    QString cwd;
    bool ended = false;         // `bye` seen: the process finished its stream
    bool refused = false;       // the agent refused to record (DEBUG off)
    QString refusal;
    qint64 sends = 0;           // sends recorded (canonical or not)

    QString label() const;      // "pid 123: manage.py test"
};

struct WireReceiver
{
    QString name;               // dotted: module.qualname
    QString file;
    int line = 0;
    QString label(const QString &cwd = {}) const;   // "shop.signals.f (shop/signals.py:9)"
};

// One connect (or disconnect) the agent reported: the receiver map.
struct WireConnection
{
    qint64 pid = 0;
    QString signal;             // dotted
    qint64 rid = 0;
    WireReceiver receiver;
    QCborValue sender;          // decoded as in the projection (null = any sender)
    QCborValue dispatchUid;
    bool weak = true;
    bool connected = true;      // false once disconnected
};

// pre_init/post_init sends counted instead of recorded (the agent's aggregate mode).
struct WireCount
{
    qint64 pid = 0;
    QString signal;
    QCborValue sender;
    qint64 count = 0;
};

class WireImport
{
public:
    explicit WireImport(TraceListener *listener);
    ~WireImport();
    WireImport(const WireImport &) = delete;
    WireImport &operator=(const WireImport &) = delete;

    // More bytes of the current stream, cut anywhere.
    void feed(const QByteArray &bytes);
    // The current stream ended (connection closed, end of file): what is
    // still open is handed over unfinished. The next bytes begin a new stream.
    void endStream();

    // Every problem so far, one message each, naming the process and the line.
    const QStringList &problems() const { return m_problems; }
    const QVector<WireProcess> &processes() const { return m_processes; }
    const QVector<WireConnection> &connections() const { return m_connections; }
    const QVector<WireCount> &counts() const { return m_counts; }
    int stepCount() const { return m_nextStep; }

private:
    struct Node;
    struct Process;

    void processLine(const QByteArray &line);
    void handle(const QCborMap &event, const QString &kind);
    void problem(const QString &message);
    void startProcess(const QCborMap &hello);
    void finishProcess();
    void completeSend(Node *send);
    void replaySend(Node *send, int depth);
    void closeStep();
    void openStep(const QString &code);

    TraceListener *m_listener;
    TraceRecorder *m_recorder;          // the listener, when it is a recorder (for times)
    QByteArray m_pending;               // an incomplete last line
    std::unique_ptr<Process> m_process; // the stream being read
    qint64 m_streamLine = 0;            // lines of the current stream
    bool m_skipping = false;            // the current stream broke: ignored to its end
    int m_nextStep = 0;
    bool m_stepOpen = false;
    qint64 m_lastT = 0;                 // the latest time the current process reported
    QStringList m_problems;
    QVector<WireProcess> m_processes;
    QVector<WireConnection> m_connections;
    QVector<WireCount> m_counts;
};

// A whole wire file (one or more streams) into `listener`.
struct WireFileResult
{
    bool readable = false;      // the file could be opened
    QString error;              // why not
    QStringList problems;
    QVector<WireProcess> processes;
    QVector<WireConnection> connections;
};
WireFileResult importWireFile(const QString &path, TraceListener *listener);

// True when `head` (the first bytes of a file) is a wire stream: its first
// line is a JSON object with "e": "hello".
bool looksLikeWire(const QByteArray &head);

// A canonical trace (readCanonicalJsonl) replayed into `listener`, for viewing:
// steps by their `step`, nesting by `depth` (a deeper line sits under an
// unnamed receiver of the send before it: the canonical trace has no receivers).
// Fed a line at a time, so that a large file is never held whole; finish()
// closes what is still open.
class CanonicalReplay
{
public:
    explicit CanonicalReplay(TraceListener *listener);
    void line(const QCborMap &line);
    void finish();

private:
    struct Open
    {
        SendEvent send;
        bool receiverOpen = false;
    };
    void popTo(int depth);

    TraceListener *m_listener;
    QVector<Open> m_stack;
    qint64 m_step = -1;
    quint64 m_id = 0;
};
void replayCanonicalTrace(const QVector<QCborMap> &lines, TraceListener *listener);

// The projection of one send's arguments and sender (exposed for the tests).
struct ProjectedSend
{
    QString signal;             // "post_save", "order_placed", or the dotted name when not canonical
    bool canonical = false;
    Sender sender;
    QCborMap args;
};
ProjectedSend projectSend(const QString &dottedSignal, const QCborValue &sender, const QCborMap &args);

} // namespace ss
