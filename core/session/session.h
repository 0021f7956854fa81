#pragma once
// An interactive session for the window: one engine (through a ScenarioRunner,
// which also connects the schema's declarative receivers), the recording and
// its Qt bridge, and the operations a user makes from the tables, each run as
// one top-level action labelled with its Django code.
//
// Reading for views is silent on purpose. The record tables read rows with
// Database::select directly — not through Model.objects — so refreshing a
// table sends no pre_init/post_init: the timeline only shows what the user's
// own actions (and the scenario) made Django do. An edit acts on an instance
// built from the row's current values without signals, like an object the
// user already holds in a Django shell (`user_1` in the labels).

#include "dispatch/declarativereceivers.h"
#include "model/deleteplan.h"
#include "model/rowrestore.h"
#include "model/engine.h"
#include "session/scenariorunner.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <functional>
#include <memory>
#include <optional>

namespace ss {

class SnapshotListener;

// The outcome of one user action.
struct ActionResult
{
    int step = -1;
    QString errorType;          // empty when it succeeded
    QString errorMessage;
    QString note;               // why it failed, when SignalScope can tell more than Django's message
    bool ok() const { return errorType.isEmpty(); }
    QString errorText() const { return errorType + QStringLiteral(": ") + errorMessage; }
};

// The instance's field values at the moment of a send (and, for pre_save, the
// stored row beside them), for the inspector.
struct InstanceSnapshot
{
    const Model *model = nullptr;
    Row values;
    std::optional<Row> stored;          // pre_save of a saved instance: what the database held
};

class Session : public QObject
{
    Q_OBJECT
public:
    explicit Session(QObject *parent = nullptr);
    ~Session() override;

    // The database every session builds on (default: SQLite in memory): a
    // SQLite path or a postgresql:// URL, where each build gets a fresh
    // database of its own (backend.h). Set before the first session loads.
    static void setDefaultDatabase(const QString &location);
    static QString defaultDatabase();
    // "SQLite in memory", "PostgreSQL test_x_1 on host:port".
    QString databaseDescription() const;

    // A scenario (or a schema wrapped as a scenario without steps) on a fresh
    // database (see setDefaultDatabase). Throws nothing; returns false with a message.
    bool load(ScenarioDecl scenario, QString *error = nullptr);
    // schema or scenario file (":/..." resource paths work too).
    bool loadFile(const QString &path, QString *error = nullptr);
    bool isLoaded() const { return bool(m_runner); }
    const ScenarioDecl &scenario() const { return m_scenario; }

    // The Django version the engine reproduces (contract 9): the one chosen
    // with setDjangoVersion() once chosen (it then also applies to files
    // opened later, like `run --django`), else the scenario's "django".
    DjangoVersion djangoVersion() const { return m_scenario.django; }
    // Rebuilds like reset() when the version changes: a fresh database, an
    // empty recording, no step run. Emits djangoVersionChanged.
    void setDjangoVersion(DjangoVersion version);
    bool hasSteps() const { return !m_scenario.steps.isEmpty(); }

    // Back to the scenario's start: a fresh database, no step run, an empty
    // recording; muted receivers stay muted. Emits aboutToRebuild/loaded.
    void reset();

    Engine &engine() { return m_runner->engine(); }
    const ModelRegistry &registry() { return m_runner->engine().registry(); }
    DeclarativeReceivers &receivers() { return m_runner->receivers(); }
    ScenarioRunner &runner() { return *m_runner; }
    TraceRecorder &recorder() { return m_recorder; }
    TraceBridge &bridge() { return *m_bridge; }

    // Scenario steps.
    int stepCount() const { return m_scenario.steps.size(); }
    int nextStep() const { return m_runner ? m_runner->nextStep() : 0; }
    bool atEnd() const { return !m_runner || m_runner->atEnd(); }
    QString stepCode(int index) const { return m_runner ? m_runner->stepCode(index) : QString(); }
    ActionResult runNext();
    // A slice of a long run: steps until `budgetMs` have passed or the
    // scenario ends, without databaseChanged (views refresh once, at
    // endRun()). Returns how many steps ran.
    int runFor(qint64 budgetMs);
    void endRun() { Q_EMIT databaseChanged(); }

    // Receivers: mute state by declaration name.
    bool setMuted(const QString &name, bool muted);
    bool isMuted(const QString &name) const { return m_muted.contains(name); }

    // Silent reading (no signals; see the header comment).
    QVector<Row> rows(const Model *model);
    qint64 rowCount(const Model *model);       // SELECT COUNT(*)
    std::optional<Row> row(const Model *model, const QCborValue &pk);
    QVector<QCborValue> linkedIds(const Model *model, const QCborValue &pk, const Field *m2mField);
    InstancePtr silentInstance(const Model *model, const QCborValue &pk);
    // A short label for a row: its first char field, else "Model object (pk)".
    QString rowLabel(const Model *model, const QCborValue &pk);
    // "user_1": the name the labels give an instance.
    static QString varName(const Model *model, const QCborValue &pk);

    // User actions, each one top-level step in the recording.
    // obj.field = value; obj.save() — or obj.save(update_fields=[field]).
    ActionResult saveField(const Model *model, const QCborValue &pk, const Field *field, const QCborValue &value,
                           bool updateFieldsOnly);
    ActionResult createRow(const Model *model, const Kwargs &values, QCborValue *newPk = nullptr);
    // x.delete(). With `taken`, also what it took away (cascades, through
    // rows, SET_NULL), for restoreRows() to put back.
    ActionResult deleteRow(const Model *model, const QCborValue &pk, RowRestore *taken = nullptr);
    // The undo of a delete: the Django calls of `plan`, in one transaction.
    ActionResult restoreRows(const RowRestore &plan);
    // What x.delete() will do, planned by a dry-run collector: no signal, no
    // receiver, no write (DeletePreview::plan).
    DeletePreview previewDelete(const Model *model, const QCborValue &pk);
    // Model.objects.filter(pk__in=[...]).update(field=value)
    ActionResult updateRows(const Model *model, const QVector<QCborValue> &pks, const Field *field, const QCborValue &value);
    ActionResult bulkCreate(const Model *model, const QVector<Kwargs> &rows);
    // obj.<accessor>.add/remove/clear/set(ids)
    ActionResult m2mChange(const Model *model, const QCborValue &pk, const QString &accessor, M2mAction action,
                           const QVector<QCborValue> &ids);
    // Any other action: `code` is its Django code; `body` runs the engine.
    ActionResult perform(const QString &code, const std::function<void()> &body);

    // Inspector data recorded at the moment of each send (up to a bound).
    const InstanceSnapshot *snapshot(int event) const;

    int actionCount() const { return m_actions; }

Q_SIGNALS:
    // The engine is about to be replaced (load or reset): drop every pointer
    // into its registry (Model, Field) now.
    void aboutToRebuild();
    void loaded();                      // a new engine: after load() and reset() (Model pointers changed)
    void databaseChanged();             // after every action, step or reset
    void actionFinished(const ss::ActionResult &result, const QString &code);
    void djangoVersionChanged(ss::DjangoVersion version);

private:
    void build();
    void attach();

    ScenarioDecl m_scenario;
    std::unique_ptr<ScenarioRunner> m_runner;
    TraceRecorder m_recorder;
    std::unique_ptr<TraceBridge> m_bridge;
    std::unique_ptr<SnapshotListener> m_snapshots;
    QSet<QString> m_muted;
    std::optional<DjangoVersion> m_chosenVersion;
    int m_nextActionStep = 0;
    int m_actions = 0;
};

} // namespace ss

Q_DECLARE_METATYPE(ss::ActionResult)
