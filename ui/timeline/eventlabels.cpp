#include "eventlabels.h"

#include "python/djangocode.h"

#include "timelinemodel.h"
#include "trace/tracerecorder.h"

namespace ss {

QCborValue sendInstance(const TraceRecorder &recorder, int event)
{
    const TraceEventKind kind = recorder.kindOf(event);
    if (kind != TraceEventKind::Send && kind != TraceEventKind::RecursionStop)
        return QCborValue(QCborValue::Undefined);
    static const QString key = QStringLiteral("instance");
    const quint32 id = recorder.stringId(key);
    if (id == TraceRecorder::NoString)
        return QCborValue(QCborValue::Undefined);
    TraceRecorder::PackedArgs args;
    recorder.packedArgs(event, args);
    for (const TraceRecorder::PackedArg &arg : std::as_const(args))
        if (arg.key == id)
            return recorder.valueAt(arg.value);
    return QCborValue(QCborValue::Undefined);
}

QString instanceLabel(const TraceRecorder &recorder, int event)
{
    const QCborValue instance = sendInstance(recorder, event);
    return instance.isUndefined() ? QString() : argumentRepr(QStringLiteral("instance"), instance);
}

QString sliceLabel(const TraceRecorder &recorder, int event)
{
    const TraceRecord &r = recorder.record(event);
    switch (r.kind) {
    case TraceEventKind::Step:
        return recorder.text(event);
    case TraceEventKind::Send:
    case TraceEventKind::RecursionStop: {
        QString label = recorder.string(r.name);
        const QString instance = instanceLabel(recorder, event);
        label += QLatin1Char(' ') + (instance.isEmpty() ? recorder.string(r.sender) : instance);
        if (r.kind == TraceEventKind::RecursionStop)
            label += QStringLiteral(" — refused (RecursionError)");
        return label;
    }
    case TraceEventKind::Receiver:
        return QStringLiteral("→ ") + recorder.string(r.name);
    case TraceEventKind::Effect:
        return recorder.string(r.name) + QStringLiteral(": ") + recorder.text(event);
    case TraceEventKind::Error:
        return QStringLiteral("✗ ") + recorder.string(recorder.errorTypeId(event));
    }
    return {};
}

int actionOf(const TraceRecorder &recorder, int event)
{
    while (event >= 0 && recorder.parentOf(event) >= 0)
        event = recorder.parentOf(event);
    return event;
}

QString durationText(qint64 ns)
{
    if (ns < 1000)
        return QStringLiteral("%1 ns").arg(ns);
    if (ns < 1000000)
        return QStringLiteral("%1 µs").arg(double(ns) / 1e3, 0, 'f', ns < 10000 ? 1 : 0);
    if (ns < 1000000000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', ns < 10000000 ? 2 : 1);
    return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 2);
}

qint64 nsIntoRun(const TraceRecorder &recorder, int event)
{
    if (event < 0 || event >= recorder.count())
        return 0;
    return qint64(recorder.record(event).startNs) - qint64(recorder.record(0).startNs);
}

qint64 nsIntoAction(const TraceRecorder &recorder, int event)
{
    if (event < 0 || event >= recorder.count())
        return 0;
    return qint64(recorder.record(event).startNs) - qint64(recorder.record(actionOf(recorder, event)).startNs);
}

QString timeCellText(const TraceRecorder &recorder, int event)
{
    if (event < 0 || event >= recorder.count())
        return {};
    if (recorder.parentOf(event) < 0)
        return QString::number(double(nsIntoRun(recorder, event)) / 1e6, 'f', 3);
    return QLatin1Char('+') + QString::number(double(nsIntoAction(recorder, event)) / 1e6, 'f', 3);
}

QString whenText(const TraceRecorder &recorder, int event)
{
    if (event < 0 || event >= recorder.count())
        return {};
    const TraceRecord &r = recorder.record(event);
    const int action = actionOf(recorder, event);
    QString when = action == event
        ? QStringLiteral("%1 into the run").arg(durationText(nsIntoRun(recorder, event)))
        : QStringLiteral("+%1 into its action (which began %2 into the run)")
              .arg(durationText(nsIntoAction(recorder, event)), durationText(nsIntoRun(recorder, action)));
    if (r.isOpen())
        when += QStringLiteral(", unfinished");
    else if (r.kind != TraceEventKind::Effect && r.kind != TraceEventKind::Error && r.kind != TraceEventKind::RecursionStop)
        when += QStringLiteral(", took %1").arg(durationText(qint64(r.durationNs)));
    return when;
}

QString eventToolTip(const TraceRecorder &recorder, int event)
{
    const TraceRecord &r = recorder.record(event);
    QStringList lines{sliceLabel(recorder, event)};
    if (r.kind == TraceEventKind::Send || r.kind == TraceEventKind::RecursionStop)
        lines << QStringLiteral("sender: %1%2").arg(recorder.string(r.sender), r.isRobust() ? QStringLiteral(" (send_robust)") : QString());
    const QString when = whenText(recorder, event);
    lines << when;
    if (r.error)
        lines << QStringLiteral("✗ %1: %2").arg(recorder.errorType(event), recorder.errorMessage(event));
    if (r.loop >= 0 && r.loop < recorder.loops().size()) {
        const DetectedLoop &l = recorder.loops().at(r.loop);
        lines << QStringLiteral("%1: %2").arg(l.stopped ? QStringLiteral("Recursion stopped") : QStringLiteral("Re-entry"), l.path);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace ss
