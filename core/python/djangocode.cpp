#include "python/djangocode.h"

#include "python/pythonvalue.h"

#include <QCborArray>

namespace ss {

QString instanceStr(const QString &modelName, const QCborValue &pk)
{
    return QStringLiteral("%1 object (%2)").arg(modelName, pythonStr(pk));
}

QString instanceRepr(const QString &modelName, const QCborValue &pk)
{
    return QStringLiteral("<%1: %2>").arg(modelName, instanceStr(modelName, pk));
}

QString pythonLiteral(const QCborValue &value)
{
    if (value.isString()) {
        const QString text = value.toString();
        if (text.startsWith(QLatin1String("$$")))
            return pythonRepr(QCborValue(text.mid(1)));
        if (text.startsWith(QLatin1Char('$')))
            return text.mid(1);
    }
    return pythonContainerRepr(value, pythonLiteral);
}

QString keywordArguments(const QCborMap &values)
{
    QStringList parts;
    for (auto it = values.begin(); it != values.end(); ++it)
        parts << it.key().toString() + QLatin1Char('=') + pythonLiteral(it.value());
    return parts.join(QStringLiteral(", "));
}

QString pythonStringList(const QStringList &names)
{
    QStringList quoted;
    for (const QString &n : names)
        quoted << pythonRepr(QCborValue(n));
    return QLatin1Char('[') + quoted.join(QStringLiteral(", ")) + QLatin1Char(']');
}

static bool isEncodedInstance(const QCborValue &value)
{
    if (!value.isMap())
        return false;
    const QCborMap map = value.toMap();
    return map.size() == 2 && map.contains(QStringLiteral("model")) && map.contains(QStringLiteral("pk"))
        && map.value(QStringLiteral("model")).isString();
}

static QString encodedRepr(const QCborValue &value)
{
    if (isEncodedInstance(value)) {
        const QCborMap map = value.toMap();
        return instanceRepr(map.value(QStringLiteral("model")).toString(), map.value(QStringLiteral("pk")));
    }
    return pythonContainerRepr(value, encodedRepr);
}

QString argumentRepr(const QString &name, const QCborValue &encoded)
{
    // pk_set is a Python set; the trace writes it as a sorted array.
    if (name == QLatin1String("pk_set") && encoded.isArray()) {
        const QCborArray ids = encoded.toArray();
        if (ids.isEmpty())
            return QStringLiteral("set()");
        QStringList items;
        for (const QCborValue &id : ids)
            items << pythonRepr(id);
        return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    return encodedRepr(encoded);
}

const QStringList &m2mActionNames()
{
    // In M2mAction's order.
    static const QStringList names = {QStringLiteral("add"), QStringLiteral("remove"), QStringLiteral("clear"),
                                      QStringLiteral("set")};
    return names;
}

QString m2mActionName(M2mAction action)
{
    return m2mActionNames().value(int(action));
}

std::optional<M2mAction> m2mActionFromName(const QString &name)
{
    const qsizetype i = m2mActionNames().indexOf(name);
    if (i < 0)
        return std::nullopt;
    return M2mAction(i);
}

QString m2mCallCode(const QString &object, const QString &accessor, M2mAction action,
                    const QStringList &arguments, bool clear)
{
    QString args = arguments.join(QStringLiteral(", "));
    if (action == M2mAction::Clear)
        args.clear();
    if (action == M2mAction::Set)
        args = QLatin1Char('[') + args + QLatin1Char(']') + (clear ? QStringLiteral(", clear=True") : QString());
    return QStringLiteral("%1.%2.%3(%4)").arg(object, accessor, m2mActionName(action), args);
}

QString stepCode(const StepDecl &s)
{
    const QString as = s.as.isEmpty() ? QString() : s.as + QStringLiteral(" = ");
    const QString filter = s.exactWhere && !s.exactWhere->isEmpty()
        ? QStringLiteral("filter(%1)").arg(keywordArguments(*s.exactWhere)) : QStringLiteral("all()");
    switch (s.op) {
    case StepDecl::Op::New: return as + QStringLiteral("%1(%2)").arg(s.model, keywordArguments(s.exactValues));
    case StepDecl::Op::Create: return as + QStringLiteral("%1.objects.create(%2)").arg(s.model, keywordArguments(s.exactValues));
    case StepDecl::Op::Set: {
        QStringList parts;
        for (auto it = s.exactValues.begin(); it != s.exactValues.end(); ++it)
            parts << QStringLiteral("%1.%2 = %3").arg(s.ref, it.key().toString(), pythonLiteral(it.value()));
        return parts.join(QStringLiteral("; "));
    }
    case StepDecl::Op::Save: {
        QStringList args;
        if (s.forceInsert) args << QStringLiteral("force_insert=True");
        if (s.updateFields) args << QStringLiteral("update_fields=") + pythonStringList(*s.updateFields);
        return QStringLiteral("%1.save(%2)").arg(s.ref, args.join(QStringLiteral(", ")));
    }
    case StepDecl::Op::Get: return as + QStringLiteral("%1.objects.get(%2)").arg(s.model, keywordArguments(s.exactWhere.value_or(QCborMap())));
    case StepDecl::Op::All: {
        const QString names = s.extra().asList.isEmpty() ? QString() : s.extra().asList.join(QStringLiteral(", ")) + QStringLiteral(" = ");
        return names + QStringLiteral("list(%1.objects.%2.order_by('pk'))").arg(s.model, filter);
    }
    case StepDecl::Op::Refresh: return QStringLiteral("%1.refresh_from_db()").arg(s.ref);
    case StepDecl::Op::Update: return QStringLiteral("%1.objects.%2.update(%3)").arg(s.model, filter, keywordArguments(s.exactValues));
    case StepDecl::Op::BulkCreate: {
        QStringList objects;
        for (const QCborValue &row : s.extra().exactRows)
            objects << QStringLiteral("%1(%2)").arg(s.model, keywordArguments(row.toMap()));
        const QString names = s.extra().asList.isEmpty() ? QString() : s.extra().asList.join(QStringLiteral(", ")) + QStringLiteral(" = ");
        return names + QStringLiteral("%1.objects.bulk_create([%2])").arg(s.model, objects.join(QStringLiteral(", ")));
    }
    case StepDecl::Op::Delete: return QStringLiteral("%1.delete()").arg(s.ref);
    case StepDecl::Op::DeleteWhere: return QStringLiteral("%1.objects.%2.delete()").arg(s.model, filter);
    case StepDecl::Op::M2m: {
        QStringList targets;
        for (const QCborValue &t : s.extra().exactTargets)
            targets << pythonLiteral(t);
        return m2mCallCode(s.ref, s.extra().field, m2mActionFromName(s.extra().action).value_or(M2mAction::Add), targets, s.extra().clear);
    }
    case StepDecl::Op::LoadData: return QStringLiteral("call_command('loaddata', '-')  # %1 row(s) of %2").arg(s.extra().exactRows.size()).arg(s.model);
    case StepDecl::Op::Connect:
        return QStringLiteral("%1.connect(%2%3)").arg(s.extra().receiver.signal, s.extra().receiver.name,
                                                      s.extra().receiver.sender ? QStringLiteral(", sender=") + *s.extra().receiver.sender : QString());
    case StepDecl::Op::Disconnect: return QStringLiteral("disconnect(%1)").arg(s.extra().name);
    case StepDecl::Op::Send:
        return QStringLiteral("%1.%2(sender=%3%4)").arg(s.extra().signal, s.extra().robust ? QStringLiteral("send_robust") : QStringLiteral("send"),
                                                      s.extra().sender.value_or(QStringLiteral("None")),
                                                      s.extra().exactInstance ? QStringLiteral(", instance=") + pythonLiteral(*s.extra().exactInstance) : QString());
    case StepDecl::Op::Migrate: return QStringLiteral("call_command('migrate', run_syncdb=True)");
    case StepDecl::Op::Request:
        return s.extra().handler == QLatin1String("client")
            ? QStringLiteral("client.%1('%2')").arg(s.extra().method.toLower(), s.extra().path)
            : QStringLiteral("WSGIHandler: %1 %2").arg(s.extra().method, s.extra().path);
    case StepDecl::Op::OverrideSettings:
        return QStringLiteral("with override_settings(%1):").arg(keywordArguments(s.extra().settings));
    case StepDecl::Op::SetupTestEnvironment: return QStringLiteral("setup_test_environment()");
    case StepDecl::Op::Render: {
        QStringList items;
        for (auto it = s.extra().context.begin(); it != s.extra().context.end(); ++it)
            items << pythonRepr(it.key()) + QStringLiteral(": ") + pythonLiteral(it.value());
        return QStringLiteral("render_to_string('%1', {%2})").arg(s.extra().templateName, items.join(QStringLiteral(", ")));
    }
    case StepDecl::Op::Flush: return QStringLiteral("call_command('flush', interactive=False)");
    }
    return QString();
}

// --- Receivers ------------------------------------------------------------

// The parameters a Django developer names for each signal; anything else a
// receiver uses comes out of **kwargs.
static QStringList receiverParameters(const QString &signal)
{
    if (signal == QLatin1String("post_save"))
        return {QStringLiteral("sender"), QStringLiteral("instance"), QStringLiteral("created")};
    if (signal == QLatin1String("pre_save") || signal == QLatin1String("pre_delete") || signal == QLatin1String("post_delete")
        || signal == QLatin1String("post_init"))
        return {QStringLiteral("sender"), QStringLiteral("instance")};
    if (signal == QLatin1String("m2m_changed"))
        return {QStringLiteral("sender"), QStringLiteral("instance"), QStringLiteral("action"), QStringLiteral("pk_set")};
    return {QStringLiteral("sender")};
}

// A signal argument by name inside the receiver's body.
static QString argumentName(const QString &name, const QStringList &parameters)
{
    return parameters.contains(name) ? name : QStringLiteral("kwargs[%1]").arg(pythonRepr(QCborValue(name)));
}

// "$instance.user" -> instance.user, "$created" -> created (or kwargs['raw']).
static QString valueCode(const QCborValue &value, const QStringList &parameters)
{
    if (value.isString()) {
        const QString text = value.toString();
        if (text.startsWith(QLatin1Char('$')) && !text.startsWith(QLatin1String("$$"))) {
            const QString reference = text.mid(1);
            const qsizetype dot = reference.indexOf(QLatin1Char('.'));
            const QString head = dot < 0 ? reference : reference.left(dot);
            return argumentName(head, parameters) + (dot < 0 ? QString() : reference.mid(dot));
        }
    }
    if (value.isArray()) {
        QStringList items;
        for (const QCborValue &v : value.toArray())
            items << valueCode(v, parameters);
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    return pythonLiteral(value);
}

static QString conditionCode(const QString &key, const QCborValue &expected, const QStringList &parameters)
{
    if (key == QLatin1String("changed")) {
        QStringList parts;
        for (const QString &n : changedFieldNames(expected))
            parts << QStringLiteral("sender.objects.get(pk=instance.pk).%1 != instance.%1").arg(n);
        return parts.size() == 1 ? parts.first() : QLatin1Char('(') + parts.join(QStringLiteral(" or ")) + QLatin1Char(')');
    }
    if (key == QLatin1String("sender"))
        return QStringLiteral("sender is ") + (expected.isString() ? expected.toString() : pythonRepr(expected));
    const QString subject = key.startsWith(QLatin1String("instance.")) ? key : argumentName(key, parameters);
    if (expected.isTrue())
        return subject;
    if (expected.isFalse())
        return QStringLiteral("not ") + subject;
    if (expected.isNull())
        return subject + QStringLiteral(" is None");
    return subject + QStringLiteral(" == ") + encodedRepr(expected);
}

static QStringList actionCode(const ActionDecl &a, const QStringList &parameters)
{
    switch (a.kind) {
    case ActionDecl::Kind::Create: {
        QStringList kw;
        for (auto it = a.exactValues.begin(); it != a.exactValues.end(); ++it)
            kw << it.key().toString() + QLatin1Char('=') + valueCode(it.value(), parameters);
        return {QStringLiteral("%1.objects.create(%2)").arg(a.model, kw.join(QStringLiteral(", ")))};
    }
    case ActionDecl::Kind::Save: {
        QStringList args;
        if (a.updateFields)
            args << QStringLiteral("update_fields=") + pythonStringList(*a.updateFields);
        if (a.forceInsert)
            args << QStringLiteral("force_insert=True");
        return {QStringLiteral("%1.save(%2)").arg(valueCode(a.target, parameters), args.join(QStringLiteral(", ")))};
    }
    case ActionDecl::Kind::Set: {
        QStringList lines;
        for (auto it = a.exactValues.begin(); it != a.exactValues.end(); ++it)
            lines << QStringLiteral("instance.%1 = %2").arg(it.key().toString(), valueCode(it.value(), parameters));
        return lines;
    }
    case ActionDecl::Kind::Delete:
        return {valueCode(a.target, parameters) + QStringLiteral(".delete()")};
    case ActionDecl::Kind::Notify:
        // Placeholders read like an f-string's.
        return {QStringLiteral("print(%1%2)").arg(a.text.contains(QLatin1Char('{')) ? QStringLiteral("f") : QString(),
                                                  pythonRepr(QCborValue(a.text)))};
    case ActionDecl::Kind::Send:
        return {QStringLiteral("%1.%2(sender=sender%3)")
                    .arg(a.signal, a.robust ? QStringLiteral("send_robust") : QStringLiteral("send"),
                         parameters.contains(QStringLiteral("instance")) ? QStringLiteral(", instance=instance") : QString())};
    case ActionDecl::Kind::Raise:
        return {QStringLiteral("raise ReceiverError(%1)").arg(pythonRepr(QCborValue(a.text)))};
    }
    return {};
}

QString receiverCode(const ReceiverDecl &decl)
{
    const QStringList parameters = receiverParameters(decl.signal);
    QStringList decorator = {decl.signal};
    if (decl.sender)
        decorator << QStringLiteral("sender=") + *decl.sender;
    if (decl.dispatchUid)
        decorator << QStringLiteral("dispatch_uid=") + pythonRepr(QCborValue(*decl.dispatchUid));
    QStringList lines;
    lines << QStringLiteral("@receiver(%1)").arg(decorator.join(QStringLiteral(", ")));
    lines << QStringLiteral("def %1(%2, **kwargs):").arg(decl.name, parameters.join(QStringLiteral(", ")));

    QStringList conditions;
    std::optional<QCborValue> changed;     // evaluated last (section 2)
    for (auto it = decl.exactWhen.begin(); it != decl.exactWhen.end(); ++it) {
        if (it.key().toString() == QLatin1String("changed"))
            changed = it.value();
        else
            conditions << conditionCode(it.key().toString(), it.value(), parameters);
    }
    if (changed)
        conditions << conditionCode(QStringLiteral("changed"), *changed, parameters);

    QString indent = QStringLiteral("    ");
    if (!conditions.isEmpty()) {
        lines << indent + QStringLiteral("if %1:").arg(conditions.join(QStringLiteral(" and ")));
        indent += QStringLiteral("    ");
    }
    QStringList body;
    for (const ActionDecl &a : decl.actions)
        body += actionCode(a, parameters);
    if (body.isEmpty())
        body << QStringLiteral("pass");
    for (const QString &line : std::as_const(body))
        lines << indent + line;
    return lines.join(QLatin1Char('\n'));
}

DjangoError doesNotExist(const QString &modelName)
{
    return DjangoError(QStringLiteral("DoesNotExist"), QStringLiteral("%1 matching query does not exist.").arg(modelName));
}

} // namespace ss
