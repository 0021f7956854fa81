#pragma once
// A recording of any size without running the engine, for the painted views'
// tests and signalscope-bench: `actions` signups, each shaped as the shop
// sample's (10 events): the action; pre_init, post_init, pre_save, post_save
// of a User; post_save's receiver creating a BillingProfile (its four sends).
// Fed straight into a TraceRecorder through its TraceListener interface.

#include "trace/tracerecorder.h"

#include <QCborMap>
#include <functional>

namespace synthetic {

inline QCborMap instanceArg(const QString &model, int pk)
{
    QCborMap instance{{QStringLiteral("model"), model}, {QStringLiteral("pk"), pk > 0 ? QCborValue(pk) : QCborValue(nullptr)}};
    return QCborMap{{QStringLiteral("instance"), instance}};
}

inline void send(ss::TraceListener &r, quint64 &id, const QString &signal, const QString &model, int pk, int depth,
                 const std::function<void(const ss::SendEvent &)> &receivers = {})
{
    ss::SendEvent e;
    e.signalName = signal;
    e.sender = ss::Sender::model(model);
    e.args = instanceArg(model, pk);
    e.depth = depth;
    e.instanceKey = model + QLatin1Char(':') + QString::number(pk);
    e.id = ++id;
    r.sendBegin(e);
    if (receivers)
        receivers(e);
    r.sendEnd(e, nullptr);
}

inline void signups(ss::TraceListener &r, int first, int actions)
{
    quint64 id = quint64(first) * 100;
    for (int i = first; i < first + actions; ++i) {
        r.stepBegin(i, QStringLiteral("User.objects.create(username='u%1')").arg(i));
        send(r, id, QStringLiteral("pre_init"), QStringLiteral("User"), 0, 0);
        send(r, id, QStringLiteral("post_init"), QStringLiteral("User"), 0, 0);
        send(r, id, QStringLiteral("pre_save"), QStringLiteral("User"), 0, 0);
        send(r, id, QStringLiteral("post_save"), QStringLiteral("User"), i + 1, 0, [&](const ss::SendEvent &e) {
            const ss::ReceiverEvent receiver{QStringLiteral("create_billing_profile"), 1, 0};
            r.receiverBegin(e, receiver);
            for (const char *signal : {"pre_init", "post_init", "pre_save", "post_save"})
                send(r, id, QLatin1String(signal), QStringLiteral("BillingProfile"), QByteArray(signal) == "post_save" ? i + 1 : 0, 1);
            r.receiverEnd(e, receiver, nullptr);
        });
        r.stepEnd(i, nullptr);
    }
}

} // namespace synthetic
