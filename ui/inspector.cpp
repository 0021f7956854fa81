#include "inspector.h"

#include "model/fieldvalues.h"
#include "python/djangocode.h"
#include "session/session.h"
#include "signalstyle.h"
#include "timelinemodel.h"
#include "timeline/eventlabels.h"

#include <QApplication>
#include <QCborArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ss {

QString breakBetweenTokens(const QString &text)
{
    // U+200B after punctuation that ends a token, when a token follows:
    // `BillingProfile.objects.create(user=instance)` may wrap after `.`, `(`
    // or `=`, never inside `BillingProfile` (Qt's line breaker, following
    // Unicode, would otherwise find no break in it and cut it anywhere).
    static const QString after = QStringLiteral(".([{=,/");
    QString out;
    out.reserve(text.size() + text.size() / 8);
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        out += c;
        if (i + 1 >= text.size() || !after.contains(c) || text.at(i + 1).isSpace() || after.contains(text.at(i + 1)))
            continue;
        if (c == QLatin1Char('.') && i > 0 && text.at(i - 1).isDigit() && text.at(i + 1).isDigit())
            continue;       // 99.0 is one token
        if (QStringLiteral("([{").contains(c) && (i == 0 || !text.at(i - 1).isLetterOrNumber() || text.at(i + 1).isDigit()))
            continue;       // only a call's or a subscript's bracket: `object (1)`, `{1, 2}` stay whole
        out += QChar(ZeroWidthSpace);
    }
    return out;
}

// breakBetweenTokens over the text of a piece of HTML, never inside its tags.
static QString breakHtmlText(const QString &html)
{
    QString out, text;
    bool inTag = false;
    for (const QChar c : html) {
        if (!inTag && c == QLatin1Char('<')) {
            out += breakBetweenTokens(std::exchange(text, QString()));
            inTag = true;
        }
        (inTag ? out : text) += c;
        if (inTag && c == QLatin1Char('>'))
            inTag = false;
    }
    return out + breakBetweenTokens(text);
}

static QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

// Code keeps its lines and indentation and still wraps at the view's width.
static QString codeBlock(const QString &code)
{
    return QStringLiteral("<pre style='white-space: pre-wrap'>%1</pre>").arg(esc(code));
}

QString loopFixesHtml(bool canMute)
{
    return QStringLiteral(
        "<p><b>How Django code usually breaks such a loop:</b></p><ul>"
        "<li><b>an <code>update_fields</code> guard</b>: save with <code>instance.save(update_fields=['x'])</code> in the "
        "receiver and return early when <code>update_fields</code> says the receiver itself made this save;</li>"
        "<li><b><code>QuerySet.update()</code></b>: <code>Model.objects.filter(pk=instance.pk).update(x=...)</code> "
        "writes without sending <code>pre_save</code>/<code>post_save</code>;</li>"
        "<li><b>a flag on the instance</b>: <code>if getattr(instance, '_in_receiver', False): return</code>, set it "
        "before saving and clear it after;</li>"
        "<li><b>disconnecting</b> the receiver around the save (<code>post_save.disconnect(receiver, sender=...)</code>, "
        "save, <code>post_save.connect(...)</code>)%1.</li></ul>")
        .arg(canMute ? QStringLiteral(" — or mute it in the Schema panel to see the difference") : QString());
}

static QString valueCell(const QCborValue &v)
{
    return esc(pythonRepr(v));
}

QString inspectorHtml(Session &session, int event)
{
    TraceRecorder &recorder = session.recorder();
    if (event < 0 || event >= recorder.count())
        return QStringLiteral("<p style='color:gray'>Select an event in the timeline to see every argument, the "
                              "instance's values and the receivers that ran.</p>");
    const TraceEvent e = recorder.event(event);
    const QPalette palette = QApplication::palette();
    QString html;
    switch (e.kind) {
    case TraceEventKind::Step: {
        html += QStringLiteral("<h3>Action</h3>") + codeBlock(e.text);
        html += e.failed() ? QStringLiteral("<p style='color:#d33'><b>raised %1:</b> %2</p>").arg(esc(e.errorType), esc(e.errorMessage))
                           : QStringLiteral("<p>finished normally.</p>");
        break;
    }
    case TraceEventKind::Send:
    case TraceEventKind::RecursionStop: {
        const QColor color = signalTextColor(e.signal, palette);
        html += QStringLiteral("<h3><span style='color:%1'>●</span> %2.%3(sender=%4, ...)</h3>")
                    .arg(color.name(), esc(e.signal), e.robust ? QStringLiteral("send_robust") : QStringLiteral("send"),
                         esc(e.sender.isNone() ? QStringLiteral("None") : e.sender.name));
        if (e.kind == TraceEventKind::RecursionStop)
            html += QStringLiteral("<p style='color:#d33'><b>Refused:</b> this send would have been at depth %1, so it raised "
                                   "<code>RecursionError: maximum recursion depth exceeded</code> instead (no receivers ran).</p>")
                        .arg(e.depth);
        html += QStringLiteral("<p>depth %1, step %2</p>").arg(e.depth).arg(e.step);
        html += QStringLiteral("<h4>Arguments (as the receivers get them)</h4><table border=0 cellspacing=2>");
        const QCborMap args = recorder.args(event);
        html += QStringLiteral("<tr><td><code>sender</code></td><td>%1</td></tr>")
                    .arg(esc(e.sender.isNone() ? QStringLiteral("None") : e.sender.name));
        for (auto it = args.begin(); it != args.end(); ++it)
            html += QStringLiteral("<tr><td><code>%1</code></td><td>%2</td></tr>").arg(esc(it.key().toString()), esc(argumentRepr(it.key().toString(), it.value())));
        html += QStringLiteral("</table>");
        if (const InstanceSnapshot *snap = session.snapshot(event)) {
            const bool preSave = e.signal == QLatin1String("pre_save");
            html += QStringLiteral("<h4>The instance at that moment</h4><table border=1 cellspacing=0 cellpadding=3>");
            html += preSave && snap->stored ? QStringLiteral("<tr><th>field</th><th>new value (being saved)</th><th>stored value</th></tr>")
                                            : QStringLiteral("<tr><th>field</th><th>value</th></tr>");
            for (const Field *f : snap->model->concreteFields) {
                const QCborValue v = snap->values.value(f->index);
                if (preSave && snap->stored) {
                    const QCborValue old = snap->stored->value(f->index);
                    const bool differs = !(old == v);
                    html += QStringLiteral("<tr><td><code>%1</code></td><td>%2%3%4</td><td>%5</td></tr>")
                                .arg(esc(f->attname), differs ? QStringLiteral("<b>") : QString(), valueCell(v),
                                     differs ? QStringLiteral("</b> ← changed") : QString(), valueCell(old));
                } else {
                    html += QStringLiteral("<tr><td><code>%1</code></td><td>%2</td></tr>").arg(esc(f->attname), valueCell(v));
                }
            }
            html += QStringLiteral("</table>");
            if (preSave && !snap->stored)
                html += QStringLiteral("<p><i>No stored row yet: this save will INSERT.</i></p>");
        }
        const QVector<ReceiverOutcome> receivers = recorder.receiversOf(event);
        html += QStringLiteral("<h4>Receivers called (%1)</h4>").arg(receivers.size());
        if (receivers.isEmpty())
            html += QStringLiteral("<p style='color:gray'>No receiver listens to this send "
                                   "(it is still sent: Django always sends it).</p>");
        html += QStringLiteral("<ol>");
        for (const ReceiverOutcome &r : receivers) {
            html += r.ok() ? QStringLiteral("<li><code>%1</code> — returned</li>").arg(esc(r.label))
                           : QStringLiteral("<li><code>%1</code> — <span style='color:#d33'>raised %2: %3</span></li>")
                                 .arg(esc(r.label), esc(r.errorType), esc(r.errorMessage));
        }
        html += QStringLiteral("</ol>");
        if (!e.errorType.isEmpty())
            html += QStringLiteral("<p style='color:#d33'>An exception left this send: %1: %2</p>").arg(esc(e.errorType), esc(e.errorMessage));
        break;
    }
    case TraceEventKind::Receiver: {
        html += QStringLiteral("<h3>Receiver <code>%1</code></h3><p>called by <b>%2</b> (position %3 in its receiver list), depth %4</p>")
                    .arg(esc(e.label), esc(e.signal)).arg(e.receiverIndex + 1).arg(e.depth);
        if (session.isLoaded()) {
            if (auto declared = session.receivers().latest(e.label))
                html += QStringLiteral("<p>What it does:</p>") + codeBlock(receiverCode(declared->decl));
        }
        html += e.failed() ? QStringLiteral("<p style='color:#d33'><b>raised %1:</b> %2</p>").arg(esc(e.errorType), esc(e.errorMessage))
                           : QStringLiteral("<p>returned normally.</p>");
        break;
    }
    case TraceEventKind::Effect:
        html += QStringLiteral("<h3>Effect: %1</h3><p>%2</p><p>A side effect of a receiver (an e-mail, a log line...).</p>")
                    .arg(esc(e.effect), esc(e.text));
        break;
    case TraceEventKind::Error:
        html += QStringLiteral("<h3 style='color:#d33'>%1</h3><p>%2</p>").arg(esc(e.errorType), esc(e.errorMessage));
        if (e.depth == 0)
            html += QStringLiteral("<p>The action raised this exception. The signals before it stay sent; what the "
                                   "database kept is what the tables show.</p>");
        else
            html += QStringLiteral("<p>A receiver of a <code>send_robust</code> raised; Django swallowed it and went on.</p>");
        break;
    }
    html += QStringLiteral("<p><small>When: %1</small></p>").arg(esc(whenText(recorder, event)));
    if (e.loop >= 0 && e.loop < recorder.loops().size()) {
        const DetectedLoop &loop = recorder.loops().at(e.loop);
        html += QStringLiteral("<hr><h3 style='color:%1'>%2</h3>")
                    .arg(loop.stopped ? QStringLiteral("#d33") : QStringLiteral("#c80"),
                         loop.stopped ? QStringLiteral("Recursion loop (stopped)") : QStringLiteral("Re-entry loop"));
        html += QStringLiteral("<p>A receiver saved the same instance again while its first save was still being "
                               "handled:</p><p><code>%1</code></p>").arg(esc(loop.path));
        html += QStringLiteral("<p>It re-entered %1 time(s)%2.</p>").arg(loop.reentries)
                    .arg(loop.stopped ? QStringLiteral(" until the recursion bound stopped it (real Django would go on "
                                                       "until Python's stack ran out)") : QString());
        html += loopFixesHtml(session.isLoaded());     // a recorded process has no schema to mute in
    }
    return breakHtmlText(html);      // where it may wrap: between tokens
}

} // namespace ss
