#include "session/session.h"

#include "model/collector.h"
#include "model/fieldvalues.h"
#include "formats/loaders.h"
#include "python/djangocode.h"

#include <QElapsedTimer>
#include <QFile>

namespace ss {

// Records, for each send with an instance, the instance's values at that
// moment (and for pre_save the stored row). Registered after the recorder, so
// the send it hears about is the recorder's latest event.
class SnapshotListener : public TraceListener
{
public:
    static constexpr int MaxSnapshots = 200000;

    SnapshotListener(TraceRecorder &recorder, Database &database) : m_recorder(recorder), m_database(database) {}

    void sendBegin(const SendEvent &event) override
    {
        if (!event.liveInstance || m_recorder.isPaused() || m_recorder.count() == 0
            || m_snapshots.size() >= MaxSnapshots)
            return;
        const int index = m_recorder.count() - 1;
        if (m_recorder.kindOf(index) != TraceEventKind::Send)
            return;
        const Instance &instance = *event.liveInstance;
        InstanceSnapshot snapshot;
        snapshot.model = instance.model();
        snapshot.values = instance.values();
        const QCborValue pk = instance.pk();
        if (event.signalName == QLatin1String("pre_save") && !pk.isNull() && !pk.isUndefined()) {
            try {
                const QVector<Row> rows = m_database.select(instance.model(), {{instance.model()->pk, pk}}, {}, 1);
                if (!rows.isEmpty())
                    snapshot.stored = rows.first();
            } catch (const DjangoError &) {
            }
        }
        m_snapshots.insert(index, snapshot);
    }

    void forget() { m_snapshots.clear(); }
    const InstanceSnapshot *snapshot(int event) const
    {
        auto it = m_snapshots.constFind(event);
        return it == m_snapshots.constEnd() ? nullptr : &*it;
    }

private:
    TraceRecorder &m_recorder;
    Database &m_database;
    QHash<int, InstanceSnapshot> m_snapshots;
};

static QString &defaultDatabaseLocation()
{
    static QString location = QStringLiteral(":memory:");
    return location;
}

void Session::setDefaultDatabase(const QString &location)
{
    defaultDatabaseLocation() = location;
}

QString Session::defaultDatabase()
{
    return defaultDatabaseLocation();
}

QString Session::databaseDescription() const
{
    return m_runner ? m_runner->engine().database().description() : QString();
}

Session::Session(QObject *parent)
    : QObject(parent), m_bridge(std::make_unique<TraceBridge>(&m_recorder))
{
    qRegisterMetaType<ss::ActionResult>();
    connect(m_bridge.get(), &TraceBridge::recordingCleared, this, [this] {
        if (m_snapshots)
            m_snapshots->forget();
    });
}

Session::~Session()
{
    if (m_runner) {
        m_runner->engine().dispatch().removeListener(m_snapshots.get());
        m_runner->engine().dispatch().removeListener(m_bridge.get());
        m_runner->engine().dispatch().removeListener(&m_recorder);
    }
    m_runner.reset();
}

bool Session::loadFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot open: %2").arg(path, file.errorString());
        return false;
    }
    // Only the format tag is wanted here; the bytes go before the loader
    // reads the file again, so a big scenario is never held twice.
    const bool isScenario = looksLikeScenario(file.read(64 * 1024 * 1024));
    file.close();
    LoadError loadError;
    if (isScenario) {
        std::optional<ScenarioDecl> scenario = loadScenarioFile(path, &loadError);
        if (!scenario) {
            if (error)
                *error = loadError.toString();
            return false;
        }
        return load(std::move(*scenario), error);
    }
    std::optional<SchemaDecl> schema = loadSchemaFile(path, &loadError);
    if (!schema) {
        if (error)
            *error = loadError.toString();
        return false;
    }
    ScenarioDecl scenario;
    scenario.path = path;
    scenario.name = schema->app;
    scenario.schema = std::move(*schema);
    return load(std::move(scenario), error);
}

bool Session::load(ScenarioDecl scenario, QString *error)
{
    ScenarioDecl previous = std::move(m_scenario);
    m_scenario = std::move(scenario);
    const DjangoVersion previousVersion = previous.django;
    if (m_chosenVersion)
        m_scenario.django = *m_chosenVersion;
    m_muted.clear();
    try {
        build();
    } catch (const DjangoError &e) {
        if (error)
            *error = e.type() + QStringLiteral(": ") + e.message();
        m_scenario = std::move(previous);
        if (m_runner) {         // the previous engine stays, listened to again
            attach();
            Q_EMIT loaded();
        }
        return false;
    }
    Q_EMIT loaded();
    Q_EMIT databaseChanged();
    if (m_scenario.django != previousVersion)
        Q_EMIT djangoVersionChanged(m_scenario.django);
    return true;
}

void Session::setDjangoVersion(DjangoVersion version)
{
    m_chosenVersion = version;
    if (m_scenario.django == version)
        return;
    const DjangoVersion previous = m_scenario.django;
    m_scenario.django = version;
    if (m_runner) {
        try {
            build();
        } catch (const DjangoError &) {
            // The database cannot be used any more: keep the old engine and version.
            m_scenario.django = previous;
            attach();
            Q_EMIT loaded();
            return;
        }
        Q_EMIT loaded();
        Q_EMIT databaseChanged();
    }
    Q_EMIT djangoVersionChanged(version);
}

void Session::build()
{
    Q_EMIT aboutToRebuild();
    if (m_runner) {
        m_runner->engine().dispatch().removeListener(m_snapshots.get());
        m_runner->engine().dispatch().removeListener(m_bridge.get());
        m_runner->engine().dispatch().removeListener(&m_recorder);
    }
    const QString location = defaultDatabase();
    auto runner = std::make_unique<ScenarioRunner>(m_scenario, location);
    if (location != QLatin1String(":memory:") && !Backend::isServerUrl(location))
        runner->engine().resetDatabase();   // a SQLite file: the scenario's start
    m_snapshots.reset();
    m_runner = std::move(runner);
    m_bridge->clearRecording();
    m_recorder.setDjangoVersion(djangoVersionName(m_scenario.django));
    m_snapshots = std::make_unique<SnapshotListener>(m_recorder, m_runner->engine().database());
    attach();
    for (const QString &name : std::as_const(m_muted))
        m_runner->receivers().setMuted(name, true);
    m_nextActionStep = m_scenario.steps.size();
    m_actions = 0;
    m_runner->open();       // connection_created, like Django's first query
}

void Session::attach()
{
    DispatchContext &dispatch = m_runner->engine().dispatch();
    dispatch.addListener(&m_recorder);
    dispatch.addListener(m_bridge.get());
    dispatch.addListener(m_snapshots.get());
}

void Session::reset()
{
    if (!m_runner)
        return;
    build();
    Q_EMIT loaded();
    Q_EMIT databaseChanged();
}

ActionResult Session::runNext()
{
    ActionResult result;
    if (atEnd())
        return result;
    result.step = m_runner->nextStep();
    const std::optional<DjangoError> failure = m_runner->runNext();
    if (failure) {
        result.errorType = failure->type();
        result.errorMessage = failure->message();
    }
    Q_EMIT databaseChanged();
    return result;
}

int Session::runFor(qint64 budgetMs)
{
    QElapsedTimer slice;
    slice.start();
    int done = 0;
    while (!atEnd()) {
        m_runner->runNext();
        ++done;
        if (slice.elapsed() >= budgetMs)
            break;
    }
    return done;
}

bool Session::setMuted(const QString &name, bool muted)
{
    if (!m_runner || !m_runner->receivers().setMuted(name, muted))
        return false;
    if (muted)
        m_muted.insert(name);
    else
        m_muted.remove(name);
    return true;
}

// --- Silent reading -------------------------------------------------------

qint64 Session::rowCount(const Model *model)
{
    return m_runner ? engine().database().count(model) : 0;
}

QVector<Row> Session::rows(const Model *model)
{
    try {
        return engine().database().select(model, {}, {model->pk});
    } catch (const DjangoError &) {
        return {};
    }
}

std::optional<Row> Session::row(const Model *model, const QCborValue &pk)
{
    try {
        const QVector<Row> found = engine().database().select(model, {{model->pk, pk}}, {}, 1);
        if (!found.isEmpty())
            return found.first();
    } catch (const DjangoError &) {
    }
    return std::nullopt;
}

QVector<QCborValue> Session::linkedIds(const Model *model, const QCborValue &pk, const Field *m2mField)
{
    Q_UNUSED(model);
    if (!m2mField || !m2mField->through)
        return {};
    try {
        QVector<QCborValue> ids = engine().database().selectColumn(
            m2mField->through, m2mField->throughTarget, {{m2mField->throughSource, pk}});
        std::sort(ids.begin(), ids.end(), [](const QCborValue &a, const QCborValue &b) { return a < b; });
        return ids;
    } catch (const DjangoError &) {
        return {};
    }
}

InstancePtr Session::silentInstance(const Model *model, const QCborValue &pk)
{
    const std::optional<Row> stored = row(model, pk);
    return stored ? storedInstance(model, *stored) : nullptr;
}

QString Session::rowLabel(const Model *model, const QCborValue &pk)
{
    if (pk.isNull() || pk.isUndefined())
        return QStringLiteral("None");
    const std::optional<Row> stored = row(model, pk);
    if (stored) {
        for (const Field *field : model->concreteFields) {
            if ((field->type == FieldType::Char || field->type == FieldType::Text) && !field->primaryKey)
                return placeholderText(stored->value(field->index));
        }
    }
    return instanceStr(model->name, pk);
}

QString Session::varName(const Model *model, const QCborValue &pk)
{
    return instanceVarName(model, pk);
}

// --- Actions --------------------------------------------------------------

ActionResult Session::perform(const QString &code, const std::function<void()> &body)
{
    ActionResult result;
    if (!m_runner) {
        result.errorType = QStringLiteral("ScenarioError");
        result.errorMessage = QStringLiteral("nothing is loaded");
        return result;
    }
    const int step = m_nextActionStep++;
    ++m_actions;
    result.step = step;
    if (const std::optional<DjangoError> failure = engine().dispatch().runStep(step, code, body)) {
        result.errorType = failure->type();
        result.errorMessage = failure->message();
    }
    Q_EMIT databaseChanged();
    Q_EMIT actionFinished(result, code);
    return result;
}

ActionResult Session::saveField(const Model *model, const QCborValue &pk, const Field *field, const QCborValue &value,
                                bool updateFieldsOnly)
{
    const QString var = varName(model, pk);
    const QString name = field->isForeignKey() ? field->attname : field->name;
    QString code = QStringLiteral("%1.%2 = %3; ").arg(var, name, pythonRepr(value));
    code += updateFieldsOnly ? QStringLiteral("%1.save(update_fields=['%2'])").arg(var, name)
                             : QStringLiteral("%1.save()").arg(var);
    return perform(code, [=] {
        const InstancePtr instance = silentInstance(model, pk);
        if (!instance)
            throw doesNotExist(model->name);
        engine().assign(instance, name, Value(value));
        engine().save(instance, updateFieldsOnly ? std::optional<QStringList>(QStringList{name}) : std::nullopt);
    });
}

// Values the user typed: literals, never "$" references.
static QString kwargsCode(const Kwargs &values)
{
    QStringList parts;
    for (const auto &item : values)
        parts << item.first + QLatin1Char('=') + pythonRepr(item.second.scalar());
    return parts.join(QStringLiteral(", "));
}

ActionResult Session::createRow(const Model *model, const Kwargs &values, QCborValue *newPk)
{
    const QString code = QStringLiteral("%1.objects.create(%2)").arg(model->name, kwargsCode(values));
    return perform(code, [=] {
        const InstancePtr instance = engine().create(model, values);
        if (newPk)
            *newPk = instance->pk();
    });
}

ActionResult Session::deleteRow(const Model *model, const QCborValue &pk, RowRestore *taken)
{
    std::optional<TablesSnapshot> before;
    if (taken && m_runner)
        before = TablesSnapshot::take(engine());
    const ActionResult result = perform(varName(model, pk) + QStringLiteral(".delete()"), [=] {
        const InstancePtr instance = silentInstance(model, pk);
        if (!instance)
            throw doesNotExist(model->name);
        engine().deleteInstance(instance);
    });
    if (before)
        *taken = result.ok() ? RowRestore::plan(registry(), *before, TablesSnapshot::take(engine())) : RowRestore();
    return result;
}

ActionResult Session::restoreRows(const RowRestore &plan)
{
    const QString code = QStringLiteral("with transaction.atomic(): ") + plan.code().join(QStringLiteral("; "));
    ActionResult result = perform(code, [this, plan] { plan.run(engine()); });
    if (result.ok() || m_recorder.count() == 0)
        return result;
    // A fixture load saves raw; name the receivers that acted on raw saves
    // during the failed restore (the recording of this action).
    int step = m_recorder.count() - 1;
    while (step > 0 && m_recorder.kindOf(step) != TraceEventKind::Step)
        --step;
    QStringList raw;
    for (int i = step + 1; i < m_recorder.count(); ++i) {
        if (m_recorder.kindOf(i) != TraceEventKind::Receiver)
            continue;
        const int send = m_recorder.parentOf(i);
        if (send < 0 || !m_recorder.args(send).value(QStringLiteral("raw")).toBool())
            continue;
        const TraceEvent e = m_recorder.event(i);
        const QString name = QStringLiteral("%1 (%2)").arg(e.label, e.signal);
        if (!raw.contains(name))
            raw << name;
    }
    if (!raw.isEmpty())
        result.note = QStringLiteral("The undo loads the rows back as a fixture: every save is raw=True. These receivers "
                                     "ran on raw saves: %1. Django's documentation asks receivers to skip raw saves "
                                     "(if kwargs['raw']: return), since a fixture already holds what they would create.")
                          .arg(raw.join(QStringLiteral(", ")));
    return result;
}

DeletePreview Session::previewDelete(const Model *model, const QCborValue &pk)
{
    const QString code = varName(model, pk) + QStringLiteral(".delete()");
    const InstancePtr instance = silentInstance(model, pk);
    if (!instance) {
        DeletePreview preview;
        preview.code = code;
        const DjangoError error = doesNotExist(model->name);
        preview.errorType = error.type();
        preview.errorMessage = error.message();
        return preview;
    }
    return DeletePreview::plan(engine(), instance, code);
}

ActionResult Session::updateRows(const Model *model, const QVector<QCborValue> &pks, const Field *field,
                                 const QCborValue &value)
{
    QStringList ids;
    for (const QCborValue &pk : pks)
        ids << pythonRepr(pk);
    const QString name = field->isForeignKey() ? field->attname : field->name;
    const QString code = QStringLiteral("%1.objects.filter(pk__in=[%2]).update(%3=%4)")
                             .arg(model->name, ids.join(QStringLiteral(", ")), name, pythonRepr(value));
    return perform(code, [=] {
        Atomic atomic(engine().database());
        for (const QCborValue &pk : pks)
            engine().update(model, Kwargs{{model->pk->name, Value(pk)}}, Kwargs{{name, Value(value)}});
        atomic.commit();
    });
}

ActionResult Session::bulkCreate(const Model *model, const QVector<Kwargs> &rows)
{
    QStringList objects;
    for (const Kwargs &row : rows)
        objects << QStringLiteral("%1(%2)").arg(model->name, kwargsCode(row));
    const QString code = QStringLiteral("%1.objects.bulk_create([%2])").arg(model->name, objects.join(QStringLiteral(", ")));
    return perform(code, [=] { engine().bulkCreate(model, rows); });
}

ActionResult Session::m2mChange(const Model *model, const QCborValue &pk, const QString &accessor, M2mAction action,
                                const QVector<QCborValue> &ids)
{
    QStringList args;
    QVector<Value> targets;
    for (const QCborValue &id : ids) {
        args << pythonRepr(id);
        targets.append(Value(id));
    }
    const QString code = m2mCallCode(varName(model, pk), accessor, action, args);
    return perform(code, [=] {
        const InstancePtr instance = silentInstance(model, pk);
        if (!instance)
            throw doesNotExist(model->name);
        engine().m2m(instance, accessor, action, targets);
    });
}

const InstanceSnapshot *Session::snapshot(int event) const
{
    return m_snapshots ? m_snapshots->snapshot(event) : nullptr;
}

} // namespace ss
