#pragma once
// Runs a scenario's steps against an engine, one Django shell line at a time
// (contract section 3): names bound with `as`, a failing step recorded as an
// error line and the scenario going on, each step announced to the trace
// listeners with its Django code (deferred: built only for a listener that
// shows it, see dispatch/steplabel.h).

#include "dispatch/declarativereceivers.h"
#include "model/engine.h"
#include "formats/scenario.h"
#include "web/templates.h"
#include "web/webruntime.h"

#include <QHash>
#include <QSet>
#include <memory>

namespace ss {

class ScenarioRunner
{
public:
    // Builds the engine for the scenario's schema on `databasePath` (a SQLite
    // path or a postgresql:// URL) as database alias `usingAlias`, and connects
    // the schema's receivers. Throws DjangoError when the database is unusable.
    explicit ScenarioRunner(ScenarioDecl scenario, const QString &databasePath = QStringLiteral(":memory:"),
                            const QString &usingAlias = QStringLiteral("default"));
    ~ScenarioRunner();

    Engine &engine() { return *m_engine; }
    DeclarativeReceivers &receivers() { return *m_receivers; }
    WebRuntime &web() { return *m_web; }
    const ScenarioDecl &scenario() const { return m_scenario; }

    // Sends connection_created (step -1): call after the listeners are attached.
    void open();

    int stepCount() const { return m_scenario.steps.size(); }
    int nextStep() const { return m_next; }
    bool atEnd() const { return m_next >= m_scenario.steps.size(); }
    // Runs the next step; returns its failure, if any (already recorded as an error line).
    std::optional<DjangoError> runNext();
    void runAll();

    // Django code for a step: "User.objects.create(username='ann')".
    QString stepCode(int index) const;

    InstancePtr bound(const QString &name) const { return m_bound.value(name); }
    QStringList boundNames() const { return m_bound.keys(); }

private:
    void execute(const StepDecl &step);
    void executeBlock(const std::vector<StepDecl> &steps);
    InstancePtr ref(const QString &name) const;
    Value resolve(const QCborValue &value) const;
    Kwargs resolveAll(const QCborMap &values) const;
    QCborValue resolveScalar(const QCborValue &value) const;

    ScenarioDecl m_scenario;                    // its steps never written: the labels share them
    std::shared_ptr<const StepLabels> m_labels;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<WebRuntime> m_web;
    std::unique_ptr<DeclarativeReceivers> m_receivers;
    TemplateSet m_templates;
    QHash<QString, InstancePtr> m_bound;
    int m_next = 0;
    bool m_opened = false;
};

} // namespace ss
