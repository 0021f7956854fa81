#pragma once
// Receivers declared in JSON (contract section 2) connected as real receivers:
// what Django code would write with @receiver(...), with `when` evaluated as the
// contract says and the `do` actions run as Django calls.

#include "model/engine.h"
#include "formats/schema.h"

#include <QHash>
#include <QVector>
#include <memory>

namespace ss {

class DeclarativeReceivers
{
public:
    explicit DeclarativeReceivers(Engine &engine);
    ~DeclarativeReceivers();

    // Connects one declaration (a new receiver function each time, as each
    // declaration is a new function in Python). Returns false when Django
    // ignores it: its (dispatch_uid, sender) slot is taken.
    bool connect(const ReceiverDecl &decl);
    // signal.disconnect(receiver, sender, dispatch_uid) for the latest
    // declaration with that name. Returns whether something was removed.
    bool disconnect(const QString &name);
    // Mutes or unmutes the latest declaration with that name (a GUI feature:
    // the receiver keeps its place in the dispatch order).
    bool setMuted(const QString &name, bool muted);

    struct Declared
    {
        ReceiverDecl decl;
        quintptr receiverId = 0;
        bool connected = false;     // false when the connect was ignored
    };
    const QVector<std::shared_ptr<Declared>> &declarations() const { return m_declared; }
    std::shared_ptr<Declared> latest(const QString &name) const;

private:
    void run(const ReceiverDecl &decl, const Sender &sender, const SignalArgs &args);
    bool conditionsHold(const ReceiverDecl &decl, const Sender &sender, const SignalArgs &args);
    bool changed(const QCborValue &fields, const SignalArgs &args);
    Value resolve(const QCborValue &value, const Sender &sender, const SignalArgs &args);
    Kwargs resolveAll(const QCborMap &values, const Sender &sender, const SignalArgs &args);
    QString fillText(const QString &text, const Sender &sender, const SignalArgs &args);
    Sender senderFor(const ReceiverDecl &decl) const;

    Engine &m_engine;
    QVector<std::shared_ptr<Declared>> m_declared;
};

// The sender as the trace encodes it: model name, app label or null.
QCborValue encodeSender(const Sender &sender);

} // namespace ss
