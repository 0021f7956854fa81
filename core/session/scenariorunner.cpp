#include "session/scenariorunner.h"

#include "model/fieldvalues.h"
#include "model/m2mmanager.h"
#include "python/djangocode.h"

#include <QJsonArray>

namespace ss {

static DjangoError scenarioError(const QString &message)
{
    return DjangoError(QStringLiteral("ScenarioError"), message);
}

namespace {

// The Django code of a scenario's steps, for the recordings that show it. It
// shares the runner's steps (an implicitly shared QVector neither writes), so
// a recording that outlives its runner can still ask.
class ScenarioStepLabels : public StepLabels
{
public:
    explicit ScenarioStepLabels(QVector<StepDecl> steps) : m_steps(std::move(steps)) {}
    QString stepLabel(int step) const override
    {
        return step >= 0 && step < m_steps.size() ? ss::stepCode(m_steps.at(step)) : QString();
    }

private:
    const QVector<StepDecl> m_steps;
};

} // namespace

ScenarioRunner::ScenarioRunner(ScenarioDecl scenario, const QString &databasePath, const QString &usingAlias)
    : m_scenario(std::move(scenario)), m_labels(std::make_shared<ScenarioStepLabels>(m_scenario.steps))
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
    const StepDecl &step = m_scenario.steps.at(index);
    return m_engine->dispatch().runStep(index, StepLabel(m_labels, index), [&] { execute(step); });
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
        for (int i = 0; i < step.extra().asList.size() && i < found.size(); ++i)
            m_bound.insert(step.extra().asList[i], found[i]);
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
        for (const QCborValue &row : step.extra().exactRows)
            rows.append(resolveAll(row.toMap()));
        const QVector<InstancePtr> created = engine.bulkCreate(model, rows);
        for (int i = 0; i < step.extra().asList.size() && i < created.size(); ++i)
            m_bound.insert(step.extra().asList[i], created[i]);
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
        const auto manager = engine.m2mManager(instance, step.extra().field);
        QVector<Value> targets;
        for (const QCborValue &t : step.extra().exactTargets)
            targets.append(resolve(t));
        runM2m(*manager, m2mActionFromName(step.extra().action).value_or(M2mAction::Add), targets, step.extra().clear);
        break;
    }
    case StepDecl::Op::LoadData: {
        // A fixture holds plain values: a "$name" in a row stands for its pk.
        QCborArray rows;
        for (const QCborValue &rowValue : step.extra().exactRows) {
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
        m_receivers->connect(step.extra().receiver);
        break;
    case StepDecl::Op::Disconnect:
        m_receivers->disconnect(step.extra().name);
        break;
    case StepDecl::Op::Send: {
        std::optional<Value> instance;
        if (step.extra().exactInstance)
            instance = resolve(*step.extra().exactInstance);
        engine.sendCustom(step.extra().signal, step.extra().sender ? Sender::model(*step.extra().sender) : Sender::none(), instance, step.extra().robust);
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
        for (auto it = step.extra().context.begin(); it != step.extra().context.end(); ++it)
            context.append({it.key().toString(), resolve(it.value())});
        m_web->render(m_templates, step.extra().templateName, context);
        break;
    }
    case StepDecl::Op::Flush:
        engine.flush();
        break;
    }
}

QString ScenarioRunner::stepCode(int index) const
{
    return m_labels->stepLabel(index);
}

} // namespace ss
