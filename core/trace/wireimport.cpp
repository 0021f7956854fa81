#include "trace/wireimport.h"

#include "python/pythonvalue.h"

#include "formats/jsonreader.h"
#include "trace/tracerecorder.h"

#include <QCborArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <algorithm>

namespace ss {

namespace {

// A line longer than this is refused rather than buffered without end (a
// stream that never sends a newline).
constexpr qsizetype kMaxLineBytes = 64 * 1024 * 1024;

const QSet<QString> &canonicalDjangoSignals()
{
    static const QSet<QString> names = {
        QStringLiteral("django.db.models.signals.pre_init"),
        QStringLiteral("django.db.models.signals.post_init"),
        QStringLiteral("django.db.models.signals.pre_save"),
        QStringLiteral("django.db.models.signals.post_save"),
        QStringLiteral("django.db.models.signals.pre_delete"),
        QStringLiteral("django.db.models.signals.post_delete"),
        QStringLiteral("django.db.models.signals.m2m_changed"),
        QStringLiteral("django.db.models.signals.pre_migrate"),
        QStringLiteral("django.db.models.signals.post_migrate"),
        QStringLiteral("django.core.signals.request_started"),
        QStringLiteral("django.core.signals.request_finished"),
        QStringLiteral("django.core.signals.got_request_exception"),
        QStringLiteral("django.core.signals.setting_changed"),
        QStringLiteral("django.test.signals.template_rendered"),
    };
    return names;
}

QString lastComponent(const QString &dotted)
{
    const qsizetype dot = dotted.lastIndexOf(QLatin1Char('.'));
    return dot < 0 ? dotted : dotted.mid(dot + 1);
}

bool isCanonicalSignal(const QString &dotted)
{
    if (dotted.startsWith(QLatin1Char('<')))        // a signal no module attribute holds
        return false;
    if (dotted.startsWith(QLatin1String("django.")))
        return canonicalDjangoSignals().contains(dotted);
    return true;                                    // a project's or a third party's own signal
}

// A wire value (tagged, README "Values") as the canonical trace writes it.
QCborValue decodeValue(const QCborValue &value)
{
    if (value.isArray()) {
        QCborArray out;
        for (const QCborValue &item : value.toArray())
            out.append(decodeValue(item));
        return out;
    }
    if (!value.isMap())
        return value;
    const QCborMap map = value.toMap();
    if (map.contains(QStringLiteral("$instance"))) {
        QCborMap out;
        out.insert(QStringLiteral("model"), lastComponent(map.value(QStringLiteral("$instance")).toString()));
        out.insert(QStringLiteral("pk"), decodeValue(map.value(QStringLiteral("pk"))));
        return out;
    }
    if (map.contains(QStringLiteral("$model")))
        return lastComponent(map.value(QStringLiteral("$model")).toString());
    if (map.contains(QStringLiteral("$class")))
        return lastComponent(map.value(QStringLiteral("$class")).toString());
    if (map.contains(QStringLiteral("$app")))
        return map.value(QStringLiteral("$app"));
    if (map.contains(QStringLiteral("$template")))
        return map.value(QStringLiteral("$template"));
    if (map.contains(QStringLiteral("$repr")))
        return map.value(QStringLiteral("$repr"));
    if (map.contains(QStringLiteral("$set")))
        return decodeValue(map.value(QStringLiteral("$set")));
    if (map.contains(QStringLiteral("$context")))
        return decodeValue(map.value(QStringLiteral("$context")));
    if (map.contains(QStringLiteral("$dict")))
        return decodeValue(map.value(QStringLiteral("$dict")));
    if (map.contains(QStringLiteral("$exception")))
        return map.value(QStringLiteral("message"));
    QCborMap out;
    for (auto it = map.constBegin(); it != map.constEnd(); ++it)
        out.insert(it.key(), decodeValue(it.value()));
    return out;
}

// update_fields and pk_set: a sorted array (the agent sorts sets; a list or
// tuple passed as update_fields is sorted here), null stays null.
QCborValue sortedArray(const QCborValue &wire)
{
    const QCborValue decoded = decodeValue(wire);
    if (!decoded.isArray())
        return decoded;
    QVector<QCborValue> items;
    for (const QCborValue &item : decoded.toArray())
        items.append(item);
    std::stable_sort(items.begin(), items.end(), pythonLess);
    QCborArray out;
    for (const QCborValue &item : items)
        out.append(item);
    return out;
}

// A value as plain text: strings as they are, numbers and literals as JSON.
QString scalarText(const QCborValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isInteger())
        return QString::number(value.toInteger());
    if (value.isDouble())
        return QString::number(value.toDouble());
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isNull())
        return QStringLiteral("null");
    return value.toDiagnosticNotation(QCborValue::Compact);
}

Sender decodeSender(const QCborValue &wire)
{
    if (wire.isNull() || wire.isUndefined())
        return Sender::none();
    if (wire.isMap()) {
        const QCborMap map = wire.toMap();
        if (map.contains(QStringLiteral("$app")))
            return Sender::app(map.value(QStringLiteral("$app")).toString());
        if (map.contains(QStringLiteral("$template")) && map.value(QStringLiteral("$template")).isNull())
            return Sender::none();
    }
    return Sender::model(scalarText(decodeValue(wire)));
}

QString text(const QCborMap &map, const char *key)
{
    return map.value(QLatin1String(key)).toString();
}

} // namespace

ProjectedSend projectSend(const QString &dotted, const QCborValue &sender, const QCborMap &args)
{
    ProjectedSend out;
    out.canonical = isCanonicalSignal(dotted);
    out.sender = decodeSender(sender);
    if (!out.canonical) {
        out.signal = dotted;
        for (auto it = args.constBegin(); it != args.constEnd(); ++it)
            out.args.insert(it.key(), decodeValue(it.value()));
        return out;
    }
    const QString name = lastComponent(dotted);
    out.signal = name;
    const auto arg = [&](const char *key) { return args.value(QLatin1String(key)); };
    const auto put = [&](const char *key, const QCborValue &value) { out.args.insert(QLatin1String(key), value); };
    const auto copy = [&](const char *key) { put(key, decodeValue(arg(key))); };
    const bool builtin = dotted.startsWith(QLatin1String("django."));
    if (!builtin) {
        if (args.contains(QStringLiteral("instance")))
            copy("instance");
    } else if (name == QLatin1String("pre_init")) {
        put("args", arg("args").isUndefined() ? QCborValue(QCborArray()) : decodeValue(arg("args")));
        put("kwargs", arg("kwargs").isUndefined() ? QCborValue(QCborMap()) : decodeValue(arg("kwargs")));
    } else if (name == QLatin1String("post_init")) {
        copy("instance");
    } else if (name == QLatin1String("pre_save") || name == QLatin1String("post_save")) {
        copy("instance");
        copy("raw");
        copy("using");
        put("update_fields", sortedArray(arg("update_fields")));
        if (name == QLatin1String("post_save"))
            copy("created");
    } else if (name == QLatin1String("pre_delete") || name == QLatin1String("post_delete")) {
        copy("instance");
        copy("using");
        if (args.contains(QStringLiteral("origin")))        // Django 4.2+ (contract 9.2)
            copy("origin");
    } else if (name == QLatin1String("m2m_changed")) {
        copy("instance");
        copy("action");
        copy("reverse");
        copy("model");
        put("pk_set", sortedArray(arg("pk_set")));
        copy("using");
    } else if (name == QLatin1String("pre_migrate") || name == QLatin1String("post_migrate")) {
        put("app_label", decodeValue(arg("app_config")));
        copy("using");
    } else if (name == QLatin1String("request_started")) {
        const QCborMap environ = arg("environ").toMap();
        QCborMap kept;
        for (const char *key : {"PATH_INFO", "REQUEST_METHOD"})
            if (environ.contains(QLatin1String(key)))
                kept.insert(QLatin1String(key), decodeValue(environ.value(QLatin1String(key))));
        put("environ", kept);
    } else if (name == QLatin1String("request_finished")) {
        // nothing else
    } else if (name == QLatin1String("got_request_exception")) {
        copy("request");
    } else if (name == QLatin1String("setting_changed")) {
        copy("setting");
        copy("value");
        copy("enter");
    } else if (name == QLatin1String("template_rendered")) {
        copy("template");
        copy("context");
    }
    return out;
}

QString WireProcess::label() const
{
    QStringList shown = argv;
    if (!shown.isEmpty())
        shown.first() = QFileInfo(shown.first()).fileName();
    QString command = shown.join(QLatin1Char(' ')).simplified();
    if (command.size() > 60)            // `shell -c "..."` can be a whole program
        command = command.left(57) + QStringLiteral("...");
    return QStringLiteral("pid %1: %2").arg(pid).arg(command);
}

QString WireReceiver::label(const QString &cwd) const
{
    if (file.isEmpty())
        return name;
    QString shown = file;
    if (!cwd.isEmpty()) {
        const QString relative = QDir(cwd).relativeFilePath(file);
        if (!relative.startsWith(QLatin1String("..")))
            shown = relative;
    }
    return QStringLiteral("%1 (%2:%3)").arg(name, shown).arg(line);
}

// ------------------------------------------------------------ the importer

struct WireImport::Node
{
    qint64 id = 0;
    bool isSend = true;
    qint64 t = 0;               // begin, in the process's clock
    qint64 endT = -1;           // -1 while open
    // send
    QString signal;
    QCborValue sender;
    QCborMap args;
    bool robust = false;
    QVector<Node *> calls;
    QString escapedType, escapedMessage;
    // call
    Node *send = nullptr;
    qint64 rid = 0;
    int index = 0;
    QVector<Node *> sends;      // sends made while this call ran
    QString errorType, errorMessage;
};

struct WireImport::Process
{
    WireProcess info;
    int index = 0;              // into m_processes
    QHash<qint64, WireReceiver> receivers;
    QHash<qint64, Node *> nodes;
    std::vector<std::unique_ptr<Node>> owned;
    QVector<Node *> topLevel;   // open top-level sends, in the order they began
    bool afterRequest = false;  // a top-level request_finished was the last unit

    Node *make(qint64 id, bool isSend)
    {
        owned.emplace_back(new Node);
        Node *node = owned.back().get();
        node->id = id;
        node->isSend = isSend;
        nodes.insert(id, node);
        return node;
    }
};

WireImport::WireImport(TraceListener *listener)
    : m_listener(listener), m_recorder(dynamic_cast<TraceRecorder *>(listener))
{
}

WireImport::~WireImport() = default;

void WireImport::feed(const QByteArray &bytes)
{
    m_pending.append(bytes);
    qsizetype start = 0;
    for (;;) {
        const qsizetype newline = m_pending.indexOf('\n', start);
        if (newline < 0)
            break;
        processLine(m_pending.mid(start, newline - start));
        start = newline + 1;
    }
    m_pending.remove(0, start);
    if (m_pending.size() > kMaxLineBytes) {
        ++m_streamLine;
        problem(QStringLiteral("line %1 is longer than %2 MiB; the rest of the stream is ignored")
                    .arg(m_streamLine).arg(kMaxLineBytes >> 20));
        m_pending.clear();
        m_skipping = true;
    }
}

void WireImport::endStream()
{
    if (!m_pending.trimmed().isEmpty() && !m_skipping) {
        ++m_streamLine;
        problem(QStringLiteral("line %1 is cut off (the stream ended in the middle of it); it is ignored")
                    .arg(m_streamLine));
    }
    m_pending.clear();
    finishProcess();
    m_skipping = false;
    m_streamLine = 0;
}

void WireImport::problem(const QString &message)
{
    const QString who = m_process ? m_process->info.label() : QStringLiteral("wire stream");
    m_problems.append(QStringLiteral("%1: %2").arg(who, message));
}

void WireImport::processLine(const QByteArray &raw)
{
    ++m_streamLine;
    const QByteArray line = raw.trimmed();
    if (line.isEmpty())
        return;
    if (m_skipping) {
        // A broken stream is ignored up to the next process's hello (files
        // hold several streams one after the other).
        if (!line.contains("\"hello\""))
            return;
    }
    JsonSyntaxError syntax;
    const std::optional<QCborValue> value = readJson(line, &syntax);
    if (!value || !value->isMap()) {
        if (!m_skipping) {
            problem(value ? QStringLiteral("line %1 is not a JSON object; the rest of the stream is ignored").arg(m_streamLine)
                          : QStringLiteral("line %1 is not JSON (%2); the rest of the stream is ignored")
                                .arg(m_streamLine).arg(syntax.message));
            m_skipping = true;
        }
        return;
    }
    const QCborMap event = value->toMap();
    const QString kind = event.value(QStringLiteral("e")).toString();
    if (kind == QLatin1String("hello")) {
        m_skipping = false;
        startProcess(event);
        return;
    }
    if (m_skipping)
        return;
    if (!m_process) {
        problem(QStringLiteral("line %1: the stream does not begin with a \"hello\" line; it is ignored")
                    .arg(m_streamLine));
        m_skipping = true;
        return;
    }
    handle(event, kind);
}

void WireImport::startProcess(const QCborMap &hello)
{
    if (m_process)
        finishProcess();                // files: the previous stream ended without its end
    const QString format = text(hello, "format");
    const QCborValue version = hello.value(QStringLiteral("version"));
    if (format != QLatin1String(kWireFormatName) || !version.isInteger() || version.toInteger() != kWireVersion) {
        problem(QStringLiteral("line %1: unknown wire format %2 version %3 (this SignalScope reads %4 version %5); "
                               "the stream is ignored")
                    .arg(m_streamLine)
                    .arg(format.isEmpty() ? QStringLiteral("(none)") : format)
                    .arg(version.isInteger() ? QString::number(version.toInteger()) : QStringLiteral("(none)"))
                    .arg(QLatin1String(kWireFormatName))
                    .arg(kWireVersion));
        m_skipping = true;
        return;
    }
    m_process.reset(new Process);
    m_lastT = 0;
    WireProcess &info = m_process->info;
    info.pid = hello.value(QStringLiteral("pid")).toInteger();
    info.ppid = hello.value(QStringLiteral("ppid")).toInteger();
    for (const QCborValue &arg : hello.value(QStringLiteral("argv")).toArray())
        info.argv.append(arg.toString());
    info.django = text(hello, "django");
    info.python = text(hello, "python");
    info.cwd = text(hello, "cwd");
    m_process->index = int(m_processes.size());
    m_processes.append(info);
    openStep(info.argv.join(QLatin1Char(' ')));
}

void WireImport::openStep(const QString &code)
{
    closeStep();
    if (m_recorder)
        m_recorder->setExternalTime(m_lastT);
    m_listener->stepBegin(m_nextStep, code);
    m_stepOpen = true;
}

void WireImport::closeStep()
{
    if (!m_stepOpen)
        return;
    if (m_recorder)
        m_recorder->setExternalTime(m_lastT);
    m_listener->stepEnd(m_nextStep, nullptr);
    m_stepOpen = false;
    ++m_nextStep;
}

void WireImport::handle(const QCborMap &event, const QString &kind)
{
    Process &p = *m_process;
    const QCborValue t = event.value(QStringLiteral("t"));
    if (t.isInteger())
        m_lastT = std::max(m_lastT, t.toInteger());
    const auto integer = [&](const char *key, bool *ok) {
        const QCborValue v = event.value(QLatin1String(key));
        if (!v.isInteger())
            *ok = false;
        return v.toInteger();
    };
    bool ok = true;
    const auto missing = [&](const char *what) {
        problem(QStringLiteral("line %1: a \"%2\" line without %3; the rest of the stream is ignored")
                    .arg(m_streamLine).arg(kind, QLatin1String(what)));
        m_skipping = true;
    };

    if (kind == QLatin1String("receiver")) {
        const qint64 rid = integer("rid", &ok);
        if (!ok)
            return missing("an integer \"rid\"");
        WireReceiver r;
        r.name = text(event, "name");
        r.file = text(event, "file");
        r.line = int(event.value(QStringLiteral("line")).toInteger());
        p.receivers.insert(rid, r);
    } else if (kind == QLatin1String("connect") || kind == QLatin1String("disconnect")) {
        const QString signal = text(event, "signal");
        if (signal.isEmpty())
            return missing("\"signal\"");
        const QCborValue rid = event.value(QStringLiteral("rid"));
        const QCborValue uid = event.value(QStringLiteral("uid"));
        const QCborValue sender = decodeValue(event.value(QStringLiteral("sender")));
        if (kind == QLatin1String("connect")) {
            if (!event.value(QStringLiteral("added")).toBool(true))
                return;                 // Django kept the receiver already connected under that key
            WireConnection c;
            c.pid = p.info.pid;
            c.signal = signal;
            c.rid = rid.toInteger();
            c.receiver = p.receivers.value(c.rid);
            c.sender = sender;
            c.dispatchUid = uid;
            c.weak = event.value(QStringLiteral("weak")).toBool(true);
            m_connections.append(c);
        } else if (event.value(QStringLiteral("removed")).toBool()) {
            // Django's lookup key: the dispatch_uid when given, else the receiver; and the sender.
            for (auto it = m_connections.rbegin(); it != m_connections.rend(); ++it) {
                if (it->pid != p.info.pid || it->signal != signal || !it->connected || it->sender != sender)
                    continue;
                const bool match = !uid.isNull() && !uid.isUndefined() ? it->dispatchUid == uid : it->rid == rid.toInteger();
                if (match) {
                    it->connected = false;
                    break;
                }
            }
        }
    } else if (kind == QLatin1String("send")) {
        const qint64 id = integer("id", &ok);
        const QString signal = text(event, "signal");
        if (!ok || signal.isEmpty())
            return missing("an integer \"id\" and a \"signal\"");
        Node *send = p.make(id, true);
        send->t = event.value(QStringLiteral("t")).toInteger();
        send->signal = signal;
        send->sender = event.value(QStringLiteral("sender"));
        send->args = event.value(QStringLiteral("args")).toMap();
        send->robust = event.value(QStringLiteral("robust")).toBool();
        ++p.info.sends;
        ++m_processes[p.index].sends;
        Node *parent = p.nodes.value(event.value(QStringLiteral("parent")).toInteger(-1), nullptr);
        if (parent && !parent->isSend && parent->endT < 0)
            parent->sends.append(send);
        else
            p.topLevel.append(send);
        if (event.value(QStringLiteral("nr")).toBool())     // no receivers: begun and ended
            completeSend(send);
    } else if (kind == QLatin1String("call")) {
        const qint64 id = integer("id", &ok);
        Node *send = p.nodes.value(event.value(QStringLiteral("send")).toInteger(-1), nullptr);
        if (!ok || !send || !send->isSend)
            return missing("an integer \"id\" and the \"send\" it belongs to");
        Node *call = p.make(id, false);
        call->t = event.value(QStringLiteral("t")).toInteger();
        call->send = send;
        call->rid = event.value(QStringLiteral("rid")).toInteger();
        call->index = int(event.value(QStringLiteral("i")).toInteger(send->calls.size()));
        send->calls.append(call);
    } else if (kind == QLatin1String("return") || kind == QLatin1String("raise")) {
        Node *call = p.nodes.value(event.value(QStringLiteral("id")).toInteger(-1), nullptr);
        if (!call || call->isSend)
            return missing("the \"id\" of a receiver call");
        call->endT = event.value(QStringLiteral("t")).toInteger(call->t);
        if (kind == QLatin1String("raise")) {
            call->errorType = text(event, "exc");
            call->errorMessage = text(event, "message");
        }
    } else if (kind == QLatin1String("end")) {
        Node *send = p.nodes.value(event.value(QStringLiteral("id")).toInteger(-1), nullptr);
        if (!send || !send->isSend)
            return missing("the \"id\" of a send");
        send->endT = event.value(QStringLiteral("t")).toInteger(send->t);
        send->escapedType = text(event, "exc");
        send->escapedMessage = text(event, "message");
        completeSend(send);
    } else if (kind == QLatin1String("count")) {
        m_counts.append({p.info.pid, text(event, "signal"), decodeValue(event.value(QStringLiteral("sender"))),
                         event.value(QStringLiteral("n")).toInteger()});
    } else if (kind == QLatin1String("refused")) {
        m_processes[p.index].refused = p.info.refused = true;
        m_processes[p.index].refusal = p.info.refusal = text(event, "reason");
        problem(QStringLiteral("the agent did not record: %1").arg(p.info.refusal));
    } else if (kind == QLatin1String("bye")) {
        m_processes[p.index].ended = p.info.ended = true;
    }
    // Other kinds are skipped: a later agent of the same version may add some.
}

// A send has ended (or had no receivers). A top-level one is handed to the
// listener with everything under it; a nested one waits for its root.
void WireImport::completeSend(Node *send)
{
    if (send->endT < 0)
        send->endT = send->t;
    Process &p = *m_process;
    const int at = int(p.topLevel.indexOf(send));
    if (at < 0)
        return;
    // Top-level sends of other threads that began earlier and are still open
    // go first only once they end; this one is handed over now.
    p.topLevel.removeAt(at);
    const bool request = send->signal == QLatin1String("django.core.signals.request_started");
    if (request) {
        const QCborMap environ = send->args.value(QStringLiteral("environ")).toMap();
        openStep(QStringLiteral("%1 %2").arg(environ.value(QStringLiteral("REQUEST_METHOD")).toString(),
                                            environ.value(QStringLiteral("PATH_INFO")).toString()));
        p.afterRequest = false;
    } else if (p.afterRequest) {
        openStep(QStringLiteral("%1 (after the request)").arg(p.info.argv.join(QLatin1Char(' '))));
        p.afterRequest = false;
    }
    replaySend(send, 0);
    if (send->signal == QLatin1String("django.core.signals.request_finished"))
        p.afterRequest = true;
    // The tree is done with: forget its nodes.
    QVector<Node *> stack{send};
    while (!stack.isEmpty()) {
        Node *node = stack.takeLast();
        p.nodes.remove(node->id);
        for (Node *child : node->isSend ? node->calls : node->sends)
            stack.append(child);
    }
}

void WireImport::replaySend(Node *send, int depth)
{
    Process &p = *m_process;
    const ProjectedSend projected = projectSend(send->signal, send->sender, send->args);
    SendEvent event;
    event.signalName = projected.signal;
    event.sender = projected.sender;
    event.args = projected.args;
    event.depth = depth;
    event.robust = send->robust;
    event.canonical = projected.canonical;
    event.id = quint64(send->id);
    const QCborMap instance = projected.args.value(QStringLiteral("instance")).toMap();
    if (!instance.isEmpty())
        event.instanceKey = QStringLiteral("%1:%2").arg(instance.value(QStringLiteral("model")).toString(),
                                                        scalarText(instance.value(QStringLiteral("pk"))));
    const auto at = [&](qint64 t) {
        if (m_recorder)
            m_recorder->setExternalTime(t);
    };
    at(send->t);
    m_listener->sendBegin(event);
    for (Node *call : send->calls) {
        ReceiverEvent receiver;
        receiver.label = p.receivers.value(call->rid, WireReceiver{QStringLiteral("receiver %1").arg(call->rid), {}, 0})
                             .label(p.info.cwd);
        receiver.receiverId = quintptr(call->rid);
        receiver.index = call->index;
        at(call->t);
        m_listener->receiverBegin(event, receiver);
        for (Node *child : call->sends)
            replaySend(child, depth + 1);
        if (call->endT < 0)
            continue;                   // never returned: left unfinished
        at(call->endT);
        if (call->errorType.isEmpty()) {
            m_listener->receiverEnd(event, receiver, nullptr);
        } else {
            const DjangoError error(call->errorType, call->errorMessage);
            m_listener->receiverEnd(event, receiver, &error);
            if (send->robust)           // send_robust swallowed it: the error line (4.3)
                m_listener->errorLine(depth + 1, error);
        }
    }
    if (send->endT < 0)
        return;                         // still running when the stream ended
    at(send->endT);
    if (send->escapedType.isEmpty()) {
        m_listener->sendEnd(event, nullptr);
    } else {
        const DjangoError escaped(send->escapedType, send->escapedMessage);
        m_listener->sendEnd(event, &escaped);
    }
    if (m_recorder)
        m_recorder->setExternalTime(-1);
}

void WireImport::finishProcess()
{
    if (!m_process)
        return;
    Process &p = *m_process;
    // What never ended is handed over as it is: shown unfinished.
    const QVector<Node *> open = p.topLevel;
    for (Node *send : open) {
        p.topLevel.removeOne(send);
        replaySend(send, 0);
    }
    if (!p.info.ended && !p.info.refused) {
        problem(open.isEmpty()
                    ? QStringLiteral("the stream ended without \"bye\" (the process died or the connection broke); "
                                     "what arrived is kept")
                    : QStringLiteral("the stream ended without \"bye\" (the process died or the connection broke) "
                                     "while %1 send(s) were running; they are kept, unfinished")
                          .arg(open.size()));
    }
    closeStep();
    if (m_recorder)
        m_recorder->setExternalTime(-1);
    m_process.reset();
}

// ------------------------------------------------------------ files

bool looksLikeWire(const QByteArray &head)
{
    const qsizetype newline = head.indexOf('\n');
    const QByteArray first = (newline < 0 ? head : head.left(newline)).trimmed();
    JsonSyntaxError error;
    const std::optional<QCborValue> value = readJson(first, &error);
    return value && value->isMap() && value->toMap().value(QStringLiteral("e")).toString() == QLatin1String("hello");
}

WireFileResult importWireFile(const QString &path, TraceListener *listener)
{
    WireFileResult result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return result;
    }
    result.readable = true;
    WireImport import(listener);
    while (!file.atEnd()) {
        const QByteArray chunk = file.read(1 << 20);
        if (chunk.isEmpty() && file.error() != QFileDevice::NoError) {
            result.problems.append(QStringLiteral("%1: %2").arg(path, file.errorString()));
            break;
        }
        import.feed(chunk);
    }
    import.endStream();
    for (const QString &problem : import.problems())
        result.problems.append(QStringLiteral("%1: %2").arg(path, problem));
    result.processes = import.processes();
    result.connections = import.connections();
    return result;
}

namespace {

const ReceiverEvent &unnamedReceiver()
{
    static const ReceiverEvent receiver{QStringLiteral("(receiver: not in a canonical trace)"), 0, 0};
    return receiver;
}

// The keys of a signal line that are not the send's arguments.
bool isLineKey(const QCborValue &key)
{
    static const QCborValue keys[] = {QCborValue(QStringLiteral("seq")), QCborValue(QStringLiteral("step")),
                                      QCborValue(QStringLiteral("depth")), QCborValue(QStringLiteral("signal")),
                                      QCborValue(QStringLiteral("sender"))};
    return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

} // namespace

CanonicalReplay::CanonicalReplay(TraceListener *listener)
    : m_listener(listener)
{
}

void CanonicalReplay::popTo(int depth)
{
    while (m_stack.size() > depth) {
        const Open top = m_stack.takeLast();
        if (top.receiverOpen)
            m_listener->receiverEnd(top.send, unnamedReceiver(), nullptr);
        m_listener->sendEnd(top.send, nullptr);
    }
}

void CanonicalReplay::line(const QCborMap &line)
{
    const qint64 lineStep = line.value(QLatin1String("step")).toInteger();
    if (lineStep != m_step) {
        popTo(0);
        if (m_step >= 0)
            m_listener->stepEnd(int(m_step), nullptr);
        m_step = lineStep;
        m_listener->stepBegin(int(m_step), QStringLiteral("step %1").arg(m_step));
    }
    const int depth = std::clamp(int(line.value(QLatin1String("depth")).toInteger()), 0, int(m_stack.size()));
    popTo(depth);
    if (depth > 0 && !m_stack.last().receiverOpen) {
        m_stack.last().receiverOpen = true;
        m_listener->receiverBegin(m_stack.last().send, unnamedReceiver());
    }
    if (line.contains(QLatin1String("signal"))) {
        SendEvent send;
        send.signalName = line.value(QLatin1String("signal")).toString();
        const QCborValue sender = line.value(QLatin1String("sender"));
        send.sender = sender.isString() ? Sender::model(sender.toString()) : Sender::none();
        for (auto it = line.constBegin(); it != line.constEnd(); ++it)
            if (!isLineKey(it.key()))
                send.args.insert(it.key(), it.value());
        send.depth = depth;
        send.id = ++m_id;
        m_listener->sendBegin(send);
        m_stack.append({send, false});
    } else if (line.contains(QLatin1String("error"))) {
        m_listener->errorLine(depth, DjangoError(line.value(QLatin1String("error")).toString(),
                                                 line.value(QLatin1String("message")).toString()));
    } else if (line.contains(QLatin1String("effect"))) {
        m_listener->effect(depth, line.value(QLatin1String("effect")).toString(), line.value(QLatin1String("text")).toString());
    }
}

void CanonicalReplay::finish()
{
    popTo(0);
    if (m_step >= 0)
        m_listener->stepEnd(int(m_step), nullptr);
    m_step = -1;
}

void replayCanonicalTrace(const QVector<QCborMap> &lines, TraceListener *listener)
{
    CanonicalReplay replay(listener);
    for (const QCborMap &line : lines)
        replay.line(line);
    replay.finish();
}

} // namespace ss
