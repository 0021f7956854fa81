#include "sequencediagram.h"

#include "eventlabels.h"
#include "timelinemodel.h"
#include "trace/tracerecorder.h"

#include <QHash>
#include <QSet>

namespace ss {

namespace {

class Builder
{
public:
    Builder(const TraceRecorder &recorder, SequenceDiagram &diagram, int maxMessages)
        : r(recorder), d(diagram), budget(maxMessages)
    {
    }

    void build(int action)
    {
        d.action = action;
        d.title = r.text(action);
        const int end = r.subtreeEnd(action);
        // Subtree ends of the whole action in one pass (the recorder's
        // subtreeEnd scans; called per event it would be quadratic).
        first = action;
        ends.assign(size_t(end - action), 0);
        for (int i = action; i < end; ++i) {
            ends[size_t(i - action)] = i + 1;
            for (int p = r.parentOf(i); p >= action && p < i; p = r.parentOf(p))
                ends[size_t(p - action)] = i + 1;
        }
        participant(SequenceParticipant::Caller, QStringLiteral("Caller"));
        walkChildren(action, 0);
        if (d.omitted > 0)
            d.items.append({SequenceItem::Note, 0, -1,
                            QStringLiteral("… %1 more events not drawn (see the flame view)").arg(d.omitted), -1, false});
    }

private:
    int endOf(int e) const { return ends[size_t(e - first)]; }

    int participant(SequenceParticipant::Kind kind, const QString &label)
    {
        const QString key = QString::number(int(kind)) + QLatin1Char(':') + label;
        auto it = byKey.constFind(key);
        if (it != byKey.constEnd())
            return *it;
        static const char *prefixes[] = {"", "m_", "s_", "r_"};
        QString id = kind == SequenceParticipant::Caller ? QStringLiteral("caller") : QLatin1String(prefixes[kind]) + label;
        for (QChar &c : id)
            if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != QLatin1Char('_'))
                c = QLatin1Char('_');
        QString unique = id;
        for (int n = 2; ids.contains(unique); ++n)
            unique = id + QLatin1Char('_') + QString::number(n);
        ids.insert(unique);
        d.participants.append({kind, unique, label});
        byKey.insert(key, d.participants.size() - 1);
        return d.participants.size() - 1;
    }

    bool spend()
    {
        if (budget <= 0)
            return false;
        --budget;
        return true;
    }

    void add(SequenceItem::Kind kind, int from, int to, const QString &text, int event, bool error = false)
    {
        d.items.append({kind, from, to, text, event, error});
    }

    static QString verb(const QString &signal, const QString &model)
    {
        if (signal.endsWith(QLatin1String("_init")))
            return model + QStringLiteral("(…)");
        if (signal.endsWith(QLatin1String("_save")))
            return QStringLiteral("save()");
        if (signal.endsWith(QLatin1String("_delete")))
            return QStringLiteral("delete()");
        if (signal == QLatin1String("m2m_changed"))
            return QStringLiteral("m2m change");
        return QStringLiteral("send %1").arg(signal);
    }

    QString senderLabel(const TraceRecord &rec) const
    {
        const QString name = r.string(rec.sender);
        switch (rec.senderKind()) {
        case Sender::Kind::None: return QStringLiteral("None");
        case Sender::Kind::App: return QStringLiteral("app ") + name;
        case Sender::Kind::Model: break;
        case Sender::Kind::Object: break;      // a handler class, a template name (section 8)
        }
        return name;
    }

    // The caller's or a receiver's call into the model that is about to send.
    void callModel(int context, int model, const QString &signal, int event)
    {
        if (lastModel.value(context, -1) == model)
            return;
        lastModel.insert(context, model);
        QString text = verb(signal, d.participants.at(model).label);
        if (context == 0 && !calledFromCaller) {
            text = d.title;
            calledFromCaller = true;
        }
        add(SequenceItem::Message, context, model, text, event);
    }

    void walkChildren(int parent, int context)
    {
        const int end = endOf(parent);
        for (int c = parent + 1; c < end; c = endOf(c)) {
            if (budget <= 0) {
                d.omitted += end - c;
                return;
            }
            walk(c, context);
        }
    }

    void walk(int e, int context)
    {
        const TraceRecord &rec = r.record(e);
        switch (rec.kind) {
        case TraceEventKind::Send:
        case TraceEventKind::RecursionStop:
            walkSend(e, context);
            return;
        case TraceEventKind::Effect:
            if (spend())
                add(SequenceItem::Note, context, -1, r.string(rec.name) + QStringLiteral(": ") + r.text(e), e);
            return;
        case TraceEventKind::Error:
            if (spend())
                add(SequenceItem::Note, context, -1,
                    QStringLiteral("✗ %1: %2").arg(r.errorType(e), r.errorMessage(e)), e, true);
            return;
        case TraceEventKind::Receiver:          // only under a send
        case TraceEventKind::Step:
            return;
        }
    }

    void walkSend(int e, int context)
    {
        const TraceRecord &rec = r.record(e);
        const QString signal = r.string(rec.name);
        const int model = participant(SequenceParticipant::Model, senderLabel(rec));
        const int sig = participant(SequenceParticipant::Signal, signal);
        if (!spend()) {
            d.omitted += endOf(e) - e;
            return;
        }

        // A loop fragment around the send that was re-entered.
        bool loopOpened = false;
        if (rec.loop >= 0 && rec.loop < r.loops().size() && !openLoops.contains(rec.loop)) {
            const DetectedLoop &loop = r.loops().at(rec.loop);
            const int anchor = loop.firstEvent >= 0 ? loop.firstEvent : loop.reentryEvent;
            if (anchor == e) {
                openLoops.insert(rec.loop);
                loopOpened = true;
                add(SequenceItem::LoopBegin, -1, -1,
                    (loop.stopped ? QStringLiteral("recursion stopped by the depth bound: ") : QStringLiteral("re-entry: "))
                        + loop.path,
                    e, loop.stopped);
            }
        }
        callModel(context, model, signal, e);

        QString args = instanceLabel(r, e);
        if (!args.isEmpty())
            args.prepend(QStringLiteral("instance="));
        const QString rest = sendArgumentsText(r, e);
        if (!rest.isEmpty())
            args += (args.isEmpty() ? QString() : QStringLiteral(", ")) + rest;
        const QString call = (rec.isRobust() ? QStringLiteral("send_robust(") : QStringLiteral("send(")) + args + QLatin1Char(')');
        if (rec.kind == TraceEventKind::RecursionStop) {
            add(SequenceItem::Message, model, sig, call + QStringLiteral(" refused"), e, true);
            const QString why = rec.error ? QStringLiteral("%1: %2").arg(r.errorType(e), r.errorMessage(e))
                                          : QStringLiteral("RecursionError: the recursion bound refused this send");
            add(SequenceItem::Note, sig, -1, QStringLiteral("✗ ") + why, e, true);
        } else {
            add(SequenceItem::Message, model, sig, call, e);
            const bool hasReceivers = endOf(e) > e + 1;
            if (hasReceivers)
                add(SequenceItem::Activate, sig, -1, {}, -1);
            for (int c = e + 1; c < endOf(e); c = endOf(c)) {
                if (budget <= 0) {
                    d.omitted += endOf(e) - c;
                    break;
                }
                if (r.kindOf(c) == TraceEventKind::Receiver)
                    walkReceiver(c, sig);
                else
                    walk(c, sig);
            }
            if (rec.error && spend())
                add(SequenceItem::Note, sig, -1,
                    QStringLiteral("✗ raised to the caller: %1: %2").arg(r.errorType(e), r.errorMessage(e)), e, true);
            if (hasReceivers)
                add(SequenceItem::Deactivate, sig, -1, {}, -1);
        }
        if (loopOpened) {
            add(SequenceItem::LoopEnd, -1, -1, {}, -1);
            openLoops.remove(rec.loop);
        }
    }

    void walkReceiver(int e, int signal)
    {
        const TraceRecord &rec = r.record(e);
        const int receiver = participant(SequenceParticipant::Receiver, r.string(rec.name));
        if (!spend()) {
            d.omitted += endOf(e) - e;
            return;
        }
        add(SequenceItem::Message, signal, receiver, QStringLiteral("call"), e);
        add(SequenceItem::Activate, receiver, -1, {}, -1);
        lastModel.remove(receiver);             // a new call: its first save is a new message
        walkChildren(e, receiver);
        if (rec.error)
            add(SequenceItem::Return, receiver, signal, QStringLiteral("raised %1: %2").arg(r.errorType(e), r.errorMessage(e)), e, true);
        add(SequenceItem::Deactivate, receiver, -1, {}, -1);
    }

    const TraceRecorder &r;
    SequenceDiagram &d;
    int budget;
    int first = 0;
    std::vector<int> ends;
    QHash<QString, int> byKey;
    QSet<QString> ids;
    QHash<int, int> lastModel;              // context participant -> the model it called last
    QSet<int> openLoops;
    bool calledFromCaller = false;
};

QString mermaidEscape(QString text)
{
    text.replace(QLatin1Char('#'), QStringLiteral("#35;"));
    text.replace(QLatin1Char(';'), QStringLiteral("#59;"));
    // Django's reprs (<User: User object (2)>) would be read as HTML tags.
    text.replace(QLatin1Char('<'), QStringLiteral("#60;"));
    text.replace(QLatin1Char('>'), QStringLiteral("#62;"));
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return text;
}

} // namespace

int SequenceDiagram::messageCount() const
{
    int n = 0;
    for (const SequenceItem &item : items)
        n += item.kind == SequenceItem::Message || item.kind == SequenceItem::Return;
    return n;
}

QString SequenceDiagram::mermaidText() const
{
    QStringList lines{QStringLiteral("sequenceDiagram")};
    if (action >= 0)
        lines << QStringLiteral("    %% ") + mermaidEscape(title);
    for (const SequenceParticipant &p : participants)
        lines << QStringLiteral("    participant %1 as %2").arg(p.id, mermaidEscape(p.label));
    QString indent = QStringLiteral("    ");
    for (const SequenceItem &item : items) {
        const QString from = item.from >= 0 ? participants.at(item.from).id : QString();
        const QString to = item.to >= 0 ? participants.at(item.to).id : QString();
        switch (item.kind) {
        case SequenceItem::Message:
            lines << indent + QStringLiteral("%1->>%2: %3").arg(from, to, mermaidEscape(item.text));
            break;
        case SequenceItem::Return:
            lines << indent + QStringLiteral("%1%2%3: %4").arg(from, item.error ? QStringLiteral("--x") : QStringLiteral("-->>"), to,
                                                                mermaidEscape(item.text));
            break;
        case SequenceItem::Activate:
            lines << indent + QStringLiteral("activate ") + from;
            break;
        case SequenceItem::Deactivate:
            lines << indent + QStringLiteral("deactivate ") + from;
            break;
        case SequenceItem::LoopBegin:
            lines << indent + (item.error ? QStringLiteral("rect rgba(220, 40, 40, 0.15)") : QStringLiteral("rect rgba(255, 170, 0, 0.2)"));
            lines << indent + QStringLiteral("    loop ") + mermaidEscape(item.text);
            indent += QStringLiteral("        ");
            break;
        case SequenceItem::LoopEnd:
            indent.chop(8);
            lines << indent + QStringLiteral("    end");
            lines << indent + QStringLiteral("end");
            break;
        case SequenceItem::Note:
            lines << indent + QStringLiteral("Note over %1: %2").arg(from, mermaidEscape(item.text));
            break;
        }
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

SequenceDiagram buildSequenceDiagram(const TraceRecorder &recorder, int event, int maxMessages)
{
    SequenceDiagram diagram;
    if (event < 0 || event >= recorder.count())
        return diagram;
    const int action = actionOf(recorder, event);
    if (recorder.kindOf(action) != TraceEventKind::Step)
        return diagram;                     // a send outside any action (connection_created)
    Builder(recorder, diagram, maxMessages).build(action);
    return diagram;
}

} // namespace ss
