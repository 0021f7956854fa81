#include "dispatch/declarativereceivers.h"

#include <QRegularExpression>

namespace ss {

static DjangoError scenarioError(const QString &message)
{
    return DjangoError(QStringLiteral("ScenarioError"), message);
}

QCborValue encodeSender(const Sender &sender)
{
    return sender.isNone() ? QCborValue(nullptr) : QCborValue(sender.name);
}

DeclarativeReceivers::DeclarativeReceivers(Engine &engine)
    : m_engine(engine)
{
}

DeclarativeReceivers::~DeclarativeReceivers()
{
    // The receivers capture this object: take them off their signals first.
    for (const auto &declared : std::as_const(m_declared)) {
        if (!declared->connected)
            continue;
        if (Signal *signal = m_engine.signal(declared->decl.signal))
            signal->disconnect(declared->receiverId, senderFor(declared->decl),
                               declared->decl.dispatchUid.value_or(QString()));
    }
}

Sender DeclarativeReceivers::senderFor(const ReceiverDecl &decl) const
{
    // The request and test signals' senders are classes, not models (8.5).
    if (!decl.sender)
        return Sender::none();
    return isRequestSignal(decl.signal) ? Sender::object(*decl.sender) : Sender::model(*decl.sender);
}

std::shared_ptr<DeclarativeReceivers::Declared> DeclarativeReceivers::latest(const QString &name) const
{
    for (auto it = m_declared.rbegin(); it != m_declared.rend(); ++it)
        if ((*it)->decl.name == name)
            return *it;
    return nullptr;
}

bool DeclarativeReceivers::connect(const ReceiverDecl &decl)
{
    static quintptr s_nextId = 1;
    auto declared = std::make_shared<Declared>();
    declared->decl = decl;
    declared->receiverId = s_nextId++;
    Signal *signal = m_engine.signal(decl.signal);
    if (signal) {
        const ReceiverDecl *d = &declared->decl;
        declared->connected = signal->connect(
            declared->receiverId,
            [this, d](const Sender &sender, const SignalArgs &args) { run(*d, sender, args); },
            senderFor(decl), decl.dispatchUid.value_or(QString()), decl.name);
    }
    m_declared.append(declared);
    return declared->connected;
}

bool DeclarativeReceivers::disconnect(const QString &name)
{
    const auto declared = latest(name);
    if (!declared)
        return false;
    Signal *signal = m_engine.signal(declared->decl.signal);
    return signal && signal->disconnect(declared->receiverId, senderFor(declared->decl),
                                        declared->decl.dispatchUid.value_or(QString()));
}

bool DeclarativeReceivers::setMuted(const QString &name, bool muted)
{
    const auto declared = latest(name);
    if (!declared)
        return false;
    Signal *signal = m_engine.signal(declared->decl.signal);
    return signal && signal->setMuted(declared->receiverId, senderFor(declared->decl),
                                      declared->decl.dispatchUid.value_or(QString()), muted);
}

// --- when ------------------------------------------------------------------

static InstancePtr instanceArg(const SignalArgs &args)
{
    const Value v = args.get(QStringLiteral("instance"));
    return v.isInstance() ? v.instance() : nullptr;
}

bool DeclarativeReceivers::conditionsHold(const ReceiverDecl &decl, const Sender &sender, const SignalArgs &args)
{
    for (auto it = decl.exactWhen.begin(); it != decl.exactWhen.end(); ++it) {
        const QString key = it.key().toString();
        const QCborValue expected = it.value();
        if (key == QLatin1String("changed"))
            continue;   // evaluated last
        if (key == QLatin1String("sender")) {
            if (!jsonEquals(encodeSender(sender), expected))
                return false;
        } else if (key.startsWith(QLatin1String("instance."))) {
            const InstancePtr instance = instanceArg(args);
            const Field *field = instance ? instance->model()->concreteField(key.mid(9)) : nullptr;
            if (!field || !jsonEquals(instance->value(field), expected))
                return false;
        } else {
            if (!args.has(key) || !jsonEquals(args.get(key).freeze(), expected))
                return false;
        }
    }
    if (decl.exactWhen.contains(QStringLiteral("changed")))
        return changed(decl.exactWhen.value(QStringLiteral("changed")), args);
    return true;
}

bool DeclarativeReceivers::changed(const QCborValue &fields, const SignalArgs &args)
{
    // Model.objects.get(pk=instance.pk), then compare field by field.
    const InstancePtr instance = instanceArg(args);
    if (!instance || instance->pk().isNull())
        return false;
    const Model *model = instance->model();
    InstancePtr stored;
    try {
        stored = m_engine.get(model, {{QStringLiteral("pk"), Value(instance->pk())}});
    } catch (const DjangoError &error) {
        if (error.type() == QLatin1String("DoesNotExist"))
            return false;
        throw;
    }
    const QStringList names = changedFieldNames(fields);
    bool differs = false;
    for (const QString &name : std::as_const(names)) {
        const Field *field = model->concreteField(name);
        if (!field)
            throw scenarioError(QStringLiteral("%1 has no field '%2'").arg(model->name, name));
        if (!differs && !jsonEquals(stored->value(field), instance->value(field)))
            differs = true;
    }
    return differs;
}

// --- values and text ----------------------------------------------------------

Value DeclarativeReceivers::resolve(const QCborValue &value, const Sender &sender, const SignalArgs &args)
{
    QCborValue literal;
    const std::optional<QString> name = splitReference(value, &literal);
    if (!name)
        return Value(literal);
    if (*name == QLatin1String("sender"))
        return Value(encodeSender(sender));
    if (name->startsWith(QLatin1String("instance."))) {
        const InstancePtr instance = instanceArg(args);
        if (!instance)
            throw scenarioError(QStringLiteral("no instance for '%1'").arg(value.toString()));
        return m_engine.readAttribute(instance, name->mid(9));
    }
    return args.get(*name);
}

Kwargs DeclarativeReceivers::resolveAll(const QCborMap &values, const Sender &sender, const SignalArgs &args)
{
    Kwargs kwargs;
    for (auto it = values.begin(); it != values.end(); ++it)
        kwargs.append({it.key().toString(), resolve(it.value(), sender, args)});
    return kwargs;
}

QString DeclarativeReceivers::fillText(const QString &text, const Sender &sender, const SignalArgs &args)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{([^{}]*)\\}"));
    QString out;
    qsizetype last = 0;
    auto it = placeholder.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        out += text.mid(last, match.capturedStart() - last);
        last = match.capturedEnd();
        const QString name = match.captured(1);
        std::optional<QCborValue> value;
        if (name == QLatin1String("sender")) {
            value = encodeSender(sender);
        } else if (name.startsWith(QLatin1String("instance."))) {
            const InstancePtr instance = instanceArg(args);
            const Field *field = instance ? instance->model()->concreteField(name.mid(9)) : nullptr;
            if (field)
                value = instance->value(field);
        } else if (args.has(name)) {
            value = args.get(name).freeze();
        }
        out += value ? placeholderText(*value) : match.captured(0);
    }
    out += text.mid(last);
    return out;
}

// --- do --------------------------------------------------------------------

void DeclarativeReceivers::run(const ReceiverDecl &decl, const Sender &sender, const SignalArgs &args)
{
    if (!conditionsHold(decl, sender, args))
        return;
    for (const ActionDecl &action : decl.actions) {
        switch (action.kind) {
        case ActionDecl::Kind::Create:
            m_engine.create(m_engine.registry().model(action.model), resolveAll(action.exactValues, sender, args));
            break;
        case ActionDecl::Kind::Save: {
            const Value target = resolve(action.target, sender, args);
            if (!target.isInstance())
                throw scenarioError(QStringLiteral("nothing to save"));
            m_engine.save(target.instance(), action.updateFields, action.forceInsert);
            break;
        }
        case ActionDecl::Kind::Set: {
            const InstancePtr instance = instanceArg(args);
            if (!instance)
                throw scenarioError(QStringLiteral("nothing to set"));
            for (auto it = action.exactValues.begin(); it != action.exactValues.end(); ++it)
                m_engine.assign(instance, it.key().toString(), resolve(it.value(), sender, args));
            break;
        }
        case ActionDecl::Kind::Delete: {
            const Value target = resolve(action.target, sender, args);
            if (!target.isInstance())
                throw scenarioError(QStringLiteral("nothing to delete"));
            m_engine.deleteInstance(target.instance());
            break;
        }
        case ActionDecl::Kind::Notify:
            m_engine.dispatch().emitEffect(QStringLiteral("notify"), fillText(action.text, sender, args));
            break;
        case ActionDecl::Kind::Send: {
            std::optional<Value> instance;
            if (args.has(QStringLiteral("instance")))
                instance = args.get(QStringLiteral("instance"));
            m_engine.sendCustom(action.signal, sender, instance, action.robust);
            break;
        }
        case ActionDecl::Kind::Raise:
            throw DjangoError(QStringLiteral("ReceiverError"), fillText(action.text, sender, args));
        }
    }
}

} // namespace ss
