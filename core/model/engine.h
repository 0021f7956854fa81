#pragma once
// The engine: Django's model layer over one database, sending Django's signals
// with Django's arguments in Django's order (contract section 5).
//
// Every operation here is what one line of Django code does (`Model(**kw)`,
// `obj.save(update_fields=...)`, `obj.delete()`, `x.toppings.add(...)`...).
// Operations throw DjangoError exactly where Django raises; the signals sent
// before the failure stay sent, and the database work is undone as Django's
// transactions undo it (section 5.8). The GUI and the scenario runner are both
// clients of this class.

#include "db/database.h"
#include "dispatch/dispatcher.h"
#include "model/djangoversion.h"
#include "model/instance.h"
#include "model/modelregistry.h"
#include "formats/schema.h"

#include <QJsonArray>
#include <QJsonObject>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace ss {

// Keyword arguments as written: (name, value) in order.
using Kwargs = QVector<QPair<QString, Value>>;

enum class M2mAction { Add, Remove, Clear, Set };

class Engine
{
public:
    // Opens the database at `databasePath` (a SQLite path or a postgresql://
    // URL, backend.h) under the alias `usingAlias` (Django's DATABASES key,
    // the `using` of every signal) and creates the missing tables without any
    // signal. Throws DjangoError when the database cannot be used. `version`
    // is the Django whose behaviour the engine reproduces (contract 9).
    explicit Engine(const SchemaDecl &schema, const QString &databasePath = QStringLiteral(":memory:"),
                    const QString &usingAlias = QStringLiteral("default"),
                    DjangoVersion version = DjangoVersion::V3_2);
    ~Engine();

    const SchemaDecl &schema() const { return m_schema; }
    const ModelRegistry &registry() const { return m_registry; }
    // What the reproduced Django version does where versions differ.
    const DjangoFeatures &django() const { return *m_django; }
    DispatchContext &dispatch() { return m_dispatch; }
    Database &database() { return *m_database; }
    // The database alias operations run on: `using` in the signals.
    const QString &usingAlias() const { return m_using; }
    const QCborValue &usingValue() const { return m_usingValue; }

    // A built-in or custom signal by name; nullptr when there is none.
    Signal *signal(const QString &name) const;
    QStringList signalNames() const;          // built-in first, then custom, in declaration order

    // --- Instances -------------------------------------------------------
    // Model(**kwargs): pre_init, the values, post_init.
    InstancePtr construct(const Model *model, const Kwargs &kwargs);
    // A row read from the database: pre_init with positional args, post_init.
    InstancePtr fromRow(const Model *model, const Row &row);
    // getattr(x, name) for a field name, attname or "pk"; relations give the raw id.
    // Throws ScenarioError "<Model> has no field '<name>'".
    QCborValue attribute(const Instance &instance, const QString &name) const;
    // `$x.<attr>`: for a relation's field name the related object (cache or
    // query), otherwise attribute(); throws ScenarioError for a non-field.
    Value readAttribute(const InstancePtr &instance, const QString &attr);
    // x.<relation>: the cached object, or a query (pre_init/post_init), or null.
    InstancePtr relatedObject(const InstancePtr &instance, const Field *field);
    // setattr(x, name, value) with the field descriptors' semantics.
    void assign(const InstancePtr &instance, const QString &name, const Value &value);

    // --- Operations ------------------------------------------------------
    InstancePtr create(const Model *model, const Kwargs &values);
    void save(const InstancePtr &instance, const std::optional<QStringList> &updateFields = std::nullopt,
              bool forceInsert = false);
    InstancePtr get(const Model *model, const Kwargs &where);
    QVector<InstancePtr> filter(const Model *model, const Kwargs &where);   // pk order
    void refresh(const InstancePtr &instance);
    int update(const Model *model, const Kwargs &where, const Kwargs &values);
    QVector<InstancePtr> bulkCreate(const Model *model, const QVector<Kwargs> &rows);
    void deleteInstance(const InstancePtr &instance);
    void deleteWhere(const Model *model, const Kwargs &where);
    // What a QuerySet of `model` is as a signal argument (contract 9.2):
    // {"queryset": "<Model>"}. The QuerySet itself is never evaluated.
    static Value querysetValue(const Model *model);
    // x.<accessor>: the manager, checked as Django checks it when the
    // attribute is read (AttributeError, ValueError without a pk).
    std::unique_ptr<class M2mManager> m2mManager(const InstancePtr &instance, const QString &accessor);
    // x.<accessor>.add/remove/clear/set(...); targets are instances or raw pks.
    void m2m(const InstancePtr &instance, const QString &accessor, M2mAction action,
             const QVector<Value> &targets, bool clear = false);
    // manage.py loaddata of one fixture object per row (section 5.7).
    void loaddata(const Model *model, const QCborArray &rows);
    // A fixture of several models: each object {"pk": .., field: value, ..}
    // saved raw in order, the foreign keys of every loaded table checked after
    // the last one, in one transaction. `models`: the fixture's models (those
    // of the objects are added), whose tables are checked and sequences reset.
    struct FixtureObject { const Model *model; QCborMap fields; };
    void loaddata(const QVector<FixtureObject> &objects, QVector<const Model *> models = {});
    // manage.py migrate: pre_migrate and post_migrate for the schema's app.
    void migrate();
    // manage.py flush --no-input (section 8.4): tables emptied without signals, post_migrate.
    void flush();
    // custom_signal.send(sender=..., instance=...) or send_robust.
    void sendCustom(const QString &signal, const Sender &sender, const std::optional<Value> &instance, bool robust);

    // Empties every table (no signals): "reset the database to the scenario's start".
    void resetDatabase();

    // Lower-level pieces used by the collector and the m2m managers.
    QVector<Database::Condition> conditions(const Model *model, const Kwargs &where) const;
    QVector<InstancePtr> load(const Model *model, const QVector<Database::Condition> &where,
                              const QVector<const Field *> &orderBy, int limit = -1);
    void saveBase(const InstancePtr &instance, bool raw, bool forceInsert,
                  const std::optional<QStringList> &updateFields);
    void prepareRelatedForSave(const InstancePtr &instance, const QString &operation);

private:
    void assignNonField(const InstancePtr &instance, const QString &name, const Value &value);
    bool saveTable(const InstancePtr &instance, bool raw, bool forceInsert,
                   const std::optional<QStringList> &updateFields);
    void sendModelSignal(Signal &signal, const Model *model, const SignalArgs &args);
    // instance->setCached(), remembering the instance so ~Engine can break
    // reference cycles through related-object caches.
    void setCached(const InstancePtr &instance, const Field *field, InstancePtr object);
    std::vector<std::weak_ptr<Instance>> m_caching;
    size_t m_cachingPruneAt = 1024;

    SchemaDecl m_schema;
    const DjangoFeatures *m_django;
    QString m_using;
    QCborValue m_usingValue;
    ModelRegistry m_registry;
    DispatchContext m_dispatch;
    std::unique_ptr<Database> m_database;
    std::map<QString, std::unique_ptr<Signal>> m_signals;
    QStringList m_signalOrder;

public:
    // The built-in signals, for C++ clients that connect receivers directly.
    Signal *preInit, *postInit, *preSave, *postSave, *preDelete, *postDelete, *m2mChanged,
        *preMigrate, *postMigrate, *connectionCreated;
};

// manager.add/remove/clear/set(targets).
void runM2m(class M2mManager &manager, M2mAction action, const QVector<Value> &targets, bool clear);

// "x" as Django's repr shows it in messages: <Topping: Topping object (None)>.
QString instanceRepr(const Instance &instance);

} // namespace ss
