#include "session/scenariorunner.h"

#include "model/fieldvalues.h"
#include "model/m2mmanager.h"

#include <QJsonArray>

namespace ss {

static DjangoError scenarioError(const QString &message)
{
    return DjangoError(QStringLiteral("ScenarioError"), message);
}

ScenarioRunner::ScenarioRunner(ScenarioDecl scenario, const QString &databasePath, const QString &usingAlias)
    : m_scenario(std::move(scenario))
{
    m_engine = std::make_unique<Engine>(m_scenario.schema, databasePath, usingAlias, m_scenario.django);
    m_web = std::make_unique<WebRuntime>(*m_engine);   // Django's own receivers come first
    QString badTemplate;
    if (const auto problem = m_templates.parse(m_scenario.templates, &badTemplate))
        throw scenarioError(QStringLiteral("template %1: %2").arg(badTemplate, *problem));
    m_receivers = std::make_unique<DeclarativeReceivers>(*m_engine);
    for (const ReceiverDecl &decl : std::as_const(m_scenario.schema.receivers))
        m_receivers->connect(decl);
}

ScenarioRunner::~ScenarioRunner()
{
    m_receivers.reset();    // before the engine whose signals they are connected to
    m_web.reset();
}

void ScenarioRunner::open()
{
    if (m_opened)
        return;
    m_opened = true;
    m_engine->connectionCreated->send(Sender::none(), SignalArgs().add(QStringLiteral("connection"), m_engine->usingValue()));
}

std::optional<DjangoError> ScenarioRunner::runNext()
{
    if (atEnd())
        return std::nullopt;
    open();
    const int index = m_next++;
    const StepDecl &step = m_scenario.steps[index];
    const auto &listeners = m_engine->dispatch().listeners();
    const QString code = stepCode(index);
    for (TraceListener *l : listeners)
        l->stepBegin(index, code);
    std::optional<DjangoError> failure;
    try {
        execute(step);
    } catch (const DjangoError &error) {
        failure = error;
    } catch (const std::exception &error) {
        failure = DjangoError(QStringLiteral("Exception"), QString::fromUtf8(error.what()));
    }
    if (failure)
        m_engine->dispatch().emitErrorLine(0, *failure);
    for (TraceListener *l : m_engine->dispatch().listeners())
        l->stepEnd(index, failure ? &*failure : nullptr);
    return failure;
}

void ScenarioRunner::runAll()
{
    while (!atEnd())
        runNext();
}

InstancePtr ScenarioRunner::ref(const QString &name) const
{
    auto it = m_bound.find(name);
    if (it == m_bound.end())
        throw scenarioError(QStringLiteral("unknown name '%1'").arg(name));
    return *it;
}

Value ScenarioRunner::resolve(const QCborValue &value) const
{
    QCborValue literal;
    const std::optional<QString> body = splitReference(value, &literal);
    if (!body)
        return Value(literal);
    const int dot = body->indexOf(QLatin1Char('.'));
    if (dot < 0)
        return Value(ref(*body));
    return m_engine->readAttribute(ref(body->left(dot)), body->mid(dot + 1));
}

QCborValue ScenarioRunner::resolveScalar(const QCborValue &value) const
{
    const Value v = resolve(value);
    return v.isInstance() ? v.instance()->pk() : v.scalar();
}

Kwargs ScenarioRunner::resolveAll(const QCborMap &values) const
{
    Kwargs kwargs;
    for (auto it = values.begin(); it != values.end(); ++it)
        kwargs.append({it.key().toString(), resolve(it.value())});
    return kwargs;
}

void ScenarioRunner::executeBlock(const std::vector<StepDecl> &steps)
{
    // The statements of one block: the first that raises ends it (section 3).
    for (const StepDecl &step : steps)
        execute(step);
}

void ScenarioRunner::execute(const StepDecl &step)
{
    Engine &engine = *m_engine;
    const Model *model = step.model.isEmpty() ? nullptr : engine.registry().model(step.model);
    switch (step.op) {
    case StepDecl::Op::New: {
        const InstancePtr instance = engine.construct(model, resolveAll(step.exactValues));
        if (!step.as.isEmpty())
            m_bound.insert(step.as, instance);
        break;
    }
    case StepDecl::Op::Create: {
        const InstancePtr instance = engine.create(model, resolveAll(step.exactValues));
        if (!step.as.isEmpty())
            m_bound.insert(step.as, instance);
        break;
    }
    case StepDecl::Op::Set: {
        const InstancePtr instance = ref(step.ref);
        for (auto it = step.exactValues.begin(); it != step.exactValues.end(); ++it)
            engine.assign(instance, it.key().toString(), resolve(it.value()));
        break;
    }
    case StepDecl::Op::Save:
        engine.save(ref(step.ref), step.updateFields, step.forceInsert);
        break;
    case StepDecl::Op::Get: {
        const InstancePtr instance = engine.get(model, resolveAll(step.exactWhere.value_or(QCborMap())));
        if (!step.as.isEmpty())
            m_bound.insert(step.as, instance);
        break;
    }
    case StepDecl::Op::All: {
        const QVector<InstancePtr> found = engine.filter(model, resolveAll(step.exactWhere.value_or(QCborMap())));
        for (int i = 0; i < step.asList.size() && i < found.size(); ++i)
            m_bound.insert(step.asList[i], found[i]);
        break;
    }
    case StepDecl::Op::Refresh:
        engine.refresh(ref(step.ref));
        break;
    case StepDecl::Op::Update:
        engine.update(model, resolveAll(step.exactWhere.value_or(QCborMap())), resolveAll(step.exactValues));
        break;
    case StepDecl::Op::BulkCreate: {
        QVector<Kwargs> rows;
        for (const QCborValue &row : step.exactRows)
            rows.append(resolveAll(row.toMap()));
        const QVector<InstancePtr> created = engine.bulkCreate(model, rows);
        for (int i = 0; i < step.asList.size() && i < created.size(); ++i)
            m_bound.insert(step.asList[i], created[i]);
        break;
    }
    case StepDecl::Op::Delete:
        engine.deleteInstance(ref(step.ref));
        break;
    case StepDecl::Op::DeleteWhere:
        engine.deleteWhere(model, resolveAll(step.exactWhere.value_or(QCborMap())));
        break;
    case StepDecl::Op::M2m: {
        // Python evaluates x.<field> (the manager and its checks) before the arguments.
        const InstancePtr instance = ref(step.ref);
        const auto manager = engine.m2mManager(instance, step.field);
        QVector<Value> targets;
        for (const QCborValue &t : step.exactTargets)
            targets.append(resolve(t));
        static const QHash<QString, M2mAction> actions = {
            {QStringLiteral("add"), M2mAction::Add}, {QStringLiteral("remove"), M2mAction::Remove},
            {QStringLiteral("clear"), M2mAction::Clear}, {QStringLiteral("set"), M2mAction::Set}};
        runM2m(*manager, actions.value(step.action), targets, step.clear);
        break;
    }
    case StepDecl::Op::LoadData: {
        // A fixture holds plain values: a "$name" in a row stands for its pk.
        QCborArray rows;
        for (const QCborValue &rowValue : step.exactRows) {
            if (!rowValue.isMap()) {
                rows.append(rowValue);
                continue;
            }
            QCborMap row;
            const QCborMap given = rowValue.toMap();
            for (auto it = given.begin(); it != given.end(); ++it) {
                const bool isRef = it.value().isString() && it.value().toString().startsWith(QLatin1Char('$'));
                row.insert(it.key(), isRef ? resolveScalar(it.value()) : it.value());
            }
            rows.append(row);
        }
        engine.loaddata(model, rows);
        break;
    }
    case StepDecl::Op::Connect:
        m_receivers->connect(step.receiver);
        break;
    case StepDecl::Op::Disconnect:
        m_receivers->disconnect(step.name);
        break;
    case StepDecl::Op::Send: {
        std::optional<Value> instance;
        if (step.instance)
            instance = resolve(step.exactInstance.value_or(cborFromJson(*step.instance)));
        engine.sendCustom(step.signal, step.sender ? Sender::model(*step.sender) : Sender::none(), instance, step.robust);
        break;
    }
    case StepDecl::Op::Migrate:
        engine.migrate();
        break;
    case StepDecl::Op::Request:
        m_web->request(step, [this](const std::vector<StepDecl> &view) { executeBlock(view); });
        break;
    case StepDecl::Op::OverrideSettings:
        m_web->overrideSettings(step, [this](const std::vector<StepDecl> &block) { executeBlock(block); });
        break;
    case StepDecl::Op::SetupTestEnvironment:
        m_web->setupTestEnvironment();
        break;
    case StepDecl::Op::Render: {
        // The context dict is built (its values resolved) in name order first.
        QVector<QPair<QString, Value>> context;
        for (auto it = step.context.begin(); it != step.context.end(); ++it)
            context.append({it.key().toString(), resolve(it.value())});
        m_web->render(m_templates, step.templateName, context);
        break;
    }
    case StepDecl::Op::Flush:
        engine.flush();
        break;
    }
}

// --- Django code labels --------------------------------------------------

QString pythonLiteral(const QCborValue &value)
{
    if (value.isString()) {
        const QString text = value.toString();
        if (text.startsWith(QLatin1String("$$")))
            return pythonRepr(QCborValue(text.mid(1)));
        if (text.startsWith(QLatin1Char('$')))
            return text.mid(1);
        return pythonRepr(value);
    }
    if (value.isArray()) {
        QStringList items;
        for (const QCborValue &v : value.toArray())
            items << pythonLiteral(v);
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    if (value.isMap()) {
        QStringList items;
        const QCborMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            items << pythonRepr(it.key()) + QStringLiteral(": ") + pythonLiteral(it.value());
        return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    return pythonRepr(value);
}

static QString keywordArgs(const QCborMap &values)
{
    QStringList parts;
    for (auto it = values.begin(); it != values.end(); ++it)
        parts << it.key().toString() + QLatin1Char('=') + pythonLiteral(it.value());
    return parts.join(QStringLiteral(", "));
}

static QString stringList(const QStringList &names)
{
    QStringList quoted;
    for (const QString &n : names)
        quoted << pythonRepr(QCborValue(n));
    return QLatin1Char('[') + quoted.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QString ScenarioRunner::stepCode(int index) const
{
    const StepDecl &s = m_scenario.steps.value(index);
    const QString as = s.as.isEmpty() ? QString() : s.as + QStringLiteral(" = ");
    const QString filter = s.exactWhere && !s.exactWhere->isEmpty()
        ? QStringLiteral("filter(%1)").arg(keywordArgs(*s.exactWhere)) : QStringLiteral("all()");
    switch (s.op) {
    case StepDecl::Op::New: return as + QStringLiteral("%1(%2)").arg(s.model, keywordArgs(s.exactValues));
    case StepDecl::Op::Create: return as + QStringLiteral("%1.objects.create(%2)").arg(s.model, keywordArgs(s.exactValues));
    case StepDecl::Op::Set: {
        QStringList parts;
        for (auto it = s.exactValues.begin(); it != s.exactValues.end(); ++it)
            parts << QStringLiteral("%1.%2 = %3").arg(s.ref, it.key().toString(), pythonLiteral(it.value()));
        return parts.join(QStringLiteral("; "));
    }
    case StepDecl::Op::Save: {
        QStringList args;
        if (s.forceInsert) args << QStringLiteral("force_insert=True");
        if (s.updateFields) args << QStringLiteral("update_fields=") + stringList(*s.updateFields);
        return QStringLiteral("%1.save(%2)").arg(s.ref, args.join(QStringLiteral(", ")));
    }
    case StepDecl::Op::Get: return as + QStringLiteral("%1.objects.get(%2)").arg(s.model, keywordArgs(s.exactWhere.value_or(QCborMap())));
    case StepDecl::Op::All: {
        const QString names = s.asList.isEmpty() ? QString() : s.asList.join(QStringLiteral(", ")) + QStringLiteral(" = ");
        return names + QStringLiteral("list(%1.objects.%2.order_by('pk'))").arg(s.model, filter);
    }
    case StepDecl::Op::Refresh: return QStringLiteral("%1.refresh_from_db()").arg(s.ref);
    case StepDecl::Op::Update: return QStringLiteral("%1.objects.%2.update(%3)").arg(s.model, filter, keywordArgs(s.exactValues));
    case StepDecl::Op::BulkCreate: {
        QStringList objects;
        for (const QCborValue &row : s.exactRows)
            objects << QStringLiteral("%1(%2)").arg(s.model, keywordArgs(row.toMap()));
        const QString names = s.asList.isEmpty() ? QString() : s.asList.join(QStringLiteral(", ")) + QStringLiteral(" = ");
        return names + QStringLiteral("%1.objects.bulk_create([%2])").arg(s.model, objects.join(QStringLiteral(", ")));
    }
    case StepDecl::Op::Delete: return QStringLiteral("%1.delete()").arg(s.ref);
    case StepDecl::Op::DeleteWhere: return QStringLiteral("%1.objects.%2.delete()").arg(s.model, filter);
    case StepDecl::Op::M2m: {
        QStringList targets;
        for (const QCborValue &t : s.exactTargets)
            targets << pythonLiteral(t);
        if (s.action == QLatin1String("clear"))
            return QStringLiteral("%1.%2.clear()").arg(s.ref, s.field);
        if (s.action == QLatin1String("set"))
            return QStringLiteral("%1.%2.set([%3]%4)").arg(s.ref, s.field, targets.join(QStringLiteral(", ")),
                                                          s.clear ? QStringLiteral(", clear=True") : QString());
        return QStringLiteral("%1.%2.%3(%4)").arg(s.ref, s.field, s.action, targets.join(QStringLiteral(", ")));
    }
    case StepDecl::Op::LoadData: return QStringLiteral("call_command('loaddata', '-')  # %1 row(s) of %2").arg(s.rows.size()).arg(s.model);
    case StepDecl::Op::Connect:
        return QStringLiteral("%1.connect(%2%3)").arg(s.receiver.signal, s.receiver.name,
                                                      s.receiver.sender ? QStringLiteral(", sender=") + *s.receiver.sender : QString());
    case StepDecl::Op::Disconnect: return QStringLiteral("disconnect(%1)").arg(s.name);
    case StepDecl::Op::Send:
        return QStringLiteral("%1.%2(sender=%3%4)").arg(s.signal, s.robust ? QStringLiteral("send_robust") : QStringLiteral("send"),
                                                      s.sender.value_or(QStringLiteral("None")),
                                                      s.exactInstance ? QStringLiteral(", instance=") + pythonLiteral(*s.exactInstance) : QString());
    case StepDecl::Op::Migrate: return QStringLiteral("call_command('migrate', run_syncdb=True)");
    case StepDecl::Op::Request:
        return s.handler == QLatin1String("client")
            ? QStringLiteral("client.%1('%2')").arg(s.method.toLower(), s.path)
            : QStringLiteral("WSGIHandler: %1 %2").arg(s.method, s.path);
    case StepDecl::Op::OverrideSettings:
        return QStringLiteral("with override_settings(%1):").arg(keywordArgs(s.settings));
    case StepDecl::Op::SetupTestEnvironment: return QStringLiteral("setup_test_environment()");
    case StepDecl::Op::Render: {
        QStringList items;
        for (auto it = s.context.begin(); it != s.context.end(); ++it)
            items << pythonRepr(it.key()) + QStringLiteral(": ") + pythonLiteral(it.value());
        return QStringLiteral("render_to_string('%1', {%2})").arg(s.templateName, items.join(QStringLiteral(", ")));
    }
    case StepDecl::Op::Flush: return QStringLiteral("call_command('flush', interactive=False)");
    }
    return QString();
}

} // namespace ss
