#include "model/engine.h"

#include "model/collector.h"
#include "model/fieldvalues.h"
#include "model/m2mmanager.h"
#include "python/djangocode.h"
#include "python/pythonvalue.h"

#include <QSet>
#include <QVarLengthArray>
#include <algorithm>

namespace ss {


static DjangoError scenarioError(const QString &message)
{
    return DjangoError(QStringLiteral("ScenarioError"), message);
}

QString instanceRepr(const Instance &instance)
{
    return instanceRepr(instance.model()->name, instance.pk());
}

Engine::Engine(const SchemaDecl &schema, const QString &databasePath, const QString &usingAlias,
               DjangoVersion version)
    : m_schema(schema), m_django(&DjangoFeatures::of(version)), m_using(usingAlias), m_usingValue(usingAlias), m_registry(schema)
{
    const QStringList builtins = {
        QStringLiteral("pre_init"), QStringLiteral("post_init"), QStringLiteral("pre_save"),
        QStringLiteral("post_save"), QStringLiteral("pre_delete"), QStringLiteral("post_delete"),
        QStringLiteral("m2m_changed"), QStringLiteral("pre_migrate"), QStringLiteral("post_migrate"),
        // Section 8: django.core.signals and django.test.signals.
        QStringLiteral("request_started"), QStringLiteral("request_finished"),
        QStringLiteral("got_request_exception"), QStringLiteral("setting_changed"),
        QStringLiteral("template_rendered")};
    for (const QString &name : builtins) {
        m_signals[name] = std::make_unique<Signal>(name, &m_dispatch, true);
        m_signalOrder << name;
    }
    for (const QString &name : schema.customSignals) {
        m_signals[name] = std::make_unique<Signal>(name, &m_dispatch, true);
        m_signalOrder << name;
    }
    // Sent by Django when a connection opens; the canonical trace leaves it out (4.1).
    m_signals[QStringLiteral("connection_created")] =
        std::make_unique<Signal>(QStringLiteral("connection_created"), &m_dispatch, false);

    preInit = signal(QStringLiteral("pre_init"));
    postInit = signal(QStringLiteral("post_init"));
    preSave = signal(QStringLiteral("pre_save"));
    postSave = signal(QStringLiteral("post_save"));
    preDelete = signal(QStringLiteral("pre_delete"));
    postDelete = signal(QStringLiteral("post_delete"));
    m2mChanged = signal(QStringLiteral("m2m_changed"));
    preMigrate = signal(QStringLiteral("pre_migrate"));
    postMigrate = signal(QStringLiteral("post_migrate"));
    connectionCreated = signal(QStringLiteral("connection_created"));

    m_database = std::make_unique<Database>(databasePath);
    // Options.contribute_to_class: db_table = truncate_name(..., max_name_length()).
    m_registry.truncateTableNames(m_database->backend().maxNameLength());
    m_database->createTables(m_registry, *m_django);
}

Engine::~Engine()
{
    // Related-object caches can form reference cycles (a.partner = b and
    // b.partner = a, as Python objects can; Python's collector frees them):
    // break them, so no instance outlives its engine unnoticed.
    for (const auto &weak : m_caching)
        if (const InstancePtr instance = weak.lock())
            instance->clearAllCaches();
}

void Engine::setCached(const InstancePtr &instance, const Field *field, InstancePtr object)
{
    if (object && !instance->cachesTracked) {
        if (m_caching.size() >= m_cachingPruneAt) {   // drop the dead, amortized
            m_caching.erase(std::remove_if(m_caching.begin(), m_caching.end(),
                                           [](const std::weak_ptr<Instance> &w) { return w.expired(); }),
                            m_caching.end());
            m_cachingPruneAt = std::max<size_t>(1024, 2 * m_caching.size());
        }
        m_caching.push_back(instance);
        instance->cachesTracked = true;
    }
    instance->setCached(field, std::move(object));
}

Signal *Engine::signal(const QString &name) const
{
    auto it = m_signals.find(name);
    return it == m_signals.end() ? nullptr : it->second.get();
}

QStringList Engine::signalNames() const
{
    return m_signalOrder;
}

void Engine::sendModelSignal(Signal &signal, const Model *model, const SignalArgs &args)
{
    signal.send(Sender::model(model->name), args);
}

// --- Instances -----------------------------------------------------------

// The first keyword named `name` not taken yet, taken; -1 when none.
static int takeKeyword(const Kwargs &kwargs, QVarLengthArray<bool, 16> &taken, const QString &name)
{
    for (int i = 0; i < kwargs.size(); ++i) {
        if (!taken[i] && kwargs[i].first == name) {
            taken[i] = true;
            return i;
        }
    }
    return -1;
}

InstancePtr Engine::construct(const Model *model, const Kwargs &kwargs)
{
    // Model.__init__ (django/db/models/base.py).
    QCborMap frozenKwargs;
    for (const auto &item : kwargs)
        frozenKwargs.insert(item.first, item.second.freeze());
    SignalArgs initArgs;
    initArgs.items.reserve(2);              // one allocation, not one per argument
    sendModelSignal(*preInit, model, initArgs.add(QStringLiteral("args"), QCborValue(QCborArray()))
                                         .add(QStringLiteral("kwargs"), QCborValue(std::move(frozenKwargs))));

    auto instance = std::make_shared<Instance>(model);
    // The keywords the fields take, marked rather than removed from a copy.
    QVarLengthArray<bool, 16> taken(kwargs.size(), false);
    for (const Field *field : model->concreteFields) {
        if (field->isForeignKey()) {
            const int byName = takeKeyword(kwargs, taken, field->name);
            if (byName >= 0) {
                assign(instance, field->name, kwargs[byName].second);
                continue;
            }
        }
        const int byAttname = takeKeyword(kwargs, taken, field->attname);
        if (byAttname >= 0) {
            const Value &v = kwargs[byAttname].second;
            instance->setValue(field, v.isInstance() ? v.freeze() : v.scalar());
        } else {
            instance->setValue(field, field->defaultValue);
        }
    }
    // Leftovers, in the order given: properties (pk) and anything get_field()
    // finds (attnames, many_to_many names) are assigned through their
    // descriptors; keywords that are neither raise TypeError, before
    // post_init (3.2 names the first, 4.1+ all of them: DjangoFeatures).
    QStringList unexpected;
    for (int i = 0; i < kwargs.size(); ++i) {
        if (taken[i])
            continue;
        const auto &item = kwargs[i];
        if (item.first == QLatin1String("pk") || model->field(item.first))
            assign(instance, item.first, item.second);
        else
            unexpected << item.first;
    }
    if (!unexpected.isEmpty())
        throw DjangoError(QStringLiteral("TypeError"), m_django->unexpectedKeywordsMessage(model->name, unexpected));

    sendModelSignal(*postInit, model, SignalArgs().add(QStringLiteral("instance"), instance));
    return instance;
}

InstancePtr Engine::fromRow(const Model *model, const Row &row)
{
    // Model.from_db: cls(*values) with every concrete field in order.
    QCborArray args;
    for (const QCborValue &v : row)
        args.append(v);
    SignalArgs initArgs;
    initArgs.items.reserve(2);
    sendModelSignal(*preInit, model, initArgs.add(QStringLiteral("args"), QCborValue(std::move(args)))
                                         .add(QStringLiteral("kwargs"), QCborValue(QCborMap())));
    auto instance = std::make_shared<Instance>(model);
    for (const Field *field : model->concreteFields)
        instance->setValue(field, row[field->index]);
    instance->adding = false;
    instance->inDatabase = true;
    sendModelSignal(*postInit, model, SignalArgs().add(QStringLiteral("instance"), instance));
    return instance;
}

QCborValue Engine::attribute(const Instance &instance, const QString &name) const
{
    const Field *field = instance.model()->concreteField(name);
    if (!field)
        throw scenarioError(QStringLiteral("%1 has no field '%2'").arg(instance.model()->name, name));
    return instance.value(field);
}

Value Engine::readAttribute(const InstancePtr &instance, const QString &attr)
{
    const Field *field = instance->model()->field(attr);
    if (field && field->isForeignKey() && field->name == attr) {
        const InstancePtr related = relatedObject(instance, field);
        return related ? Value(related) : Value();
    }
    return Value(attribute(*instance, attr));
}

InstancePtr Engine::relatedObject(const InstancePtr &instance, const Field *field)
{
    // ForwardManyToOneDescriptor.__get__: the cache, else a query by id.
    if (instance->hasCached(field))
        return instance->cached(field);
    const QCborValue id = instance->value(field);
    if (id.isNull())
        return nullptr;
    const Model *target = field->target;
    const QVector<InstancePtr> rows = load(target, {{target->pk, prepareForDb(target->pk, id)}}, {}, 21);
    if (rows.isEmpty())
        throw doesNotExist(target->name);
    if (rows.size() > 1)
        throw DjangoError(QStringLiteral("MultipleObjectsReturned"),
                          QStringLiteral("get() returned more than one %1 -- it returned %2!").arg(target->name).arg(rows.size()));
    setCached(instance, field, rows.first());
    return rows.first();
}

void Engine::assign(const InstancePtr &instance, const QString &name, const Value &value)
{
    const Model *model = instance->model();
    if (name == QLatin1String("pk")) {
        instance->setValue(model->pk, value.isInstance() ? value.freeze() : value.scalar());
        return;
    }
    const Field *field = model->field(name);
    if (!field) {
        assignNonField(instance, name, value);
        return;
    }
    if (field->type == FieldType::ManyToMany)
        throw DjangoError(QStringLiteral("TypeError"),
                          QStringLiteral("Direct assignment to the forward side of a many-to-many set is prohibited. Use %1.set() instead.").arg(name));
    if (field->isForeignKey() && name == field->name) {
        // ForwardManyToOneDescriptor.__set__: the id follows the object, and
        // the object is remembered in the cache (None included).
        if (value.isInstance()) {
            if (value.instance()->model() != field->target)
                throw DjangoError(QStringLiteral("ValueError"),
                                  QStringLiteral("Cannot assign \"%1\": \"%2.%3\" must be a \"%4\" instance.")
                                      .arg(instanceRepr(*value.instance()), model->name, field->name, field->target->name));
            // Both objects now belong to the database (router.db_for_write):
            // an unsaved object so related can join m2m relations' checks.
            instance->inDatabase = true;
            value.instance()->inDatabase = true;
            instance->setValue(field, value.instance()->pk());
            setCached(instance, field, value.instance());
        } else if (value.isNull()) {
            instance->setValue(field, QCborValue(nullptr));
            instance->setCached(field, nullptr);
        } else {
            throw DjangoError(QStringLiteral("ValueError"),
                              QStringLiteral("Cannot assign \"%1\": \"%2.%3\" must be a \"%4\" instance.")
                                  .arg(pythonRepr(value.scalar()), model->name, field->name, field->target->name));
        }
        return;
    }
    instance->setValue(field, value.isInstance() ? value.instance()->pk() : value.scalar());
}

void Engine::assignNonField(const InstancePtr &instance, const QString &name, const Value &value)
{
    // setattr() of a name that is not a field: a reverse accessor's descriptor
    // refuses a set of objects; anything else is a plain Python attribute,
    // which nothing in the contract can read back.
    const Model *model = instance->model();
    for (const auto &other : m_registry.models()) {
        for (const Field *f : other->concreteFields) {
            if (f->isForeignKey() && f->target == model && f->relatedName == name) {
                if (f->type == FieldType::OneToOne) {
                    // ReverseOneToOneDescriptor.__set__: points the object at us.
                    if (value.isInstance()) {
                        if (value.instance()->model() != f->owner)
                            throw DjangoError(QStringLiteral("ValueError"),
                                              QStringLiteral("Cannot assign \"%1\": \"%2.%3\" must be a \"%4\" instance.")
                                                  .arg(instanceRepr(*value.instance()), model->name, name, f->owner->name));
                        value.instance()->setValue(f, instance->pk());
                        setCached(value.instance(), f, instance);
                    } else if (!value.isNull()) {
                        throw DjangoError(QStringLiteral("ValueError"),
                                          QStringLiteral("Cannot assign \"%1\": \"%2.%3\" must be a \"%4\" instance.")
                                              .arg(pythonRepr(value.scalar()), model->name, name, f->owner->name));
                    }
                    return;
                }
                throw DjangoError(QStringLiteral("TypeError"),
                                  QStringLiteral("Direct assignment to the reverse side of a related set is prohibited. Use %1.set() instead.").arg(name));
            }
        }
        for (const Field *f : other->manyToMany) {
            if (f->target == model && !f->symmetrical && f->relatedName == name)
                throw DjangoError(QStringLiteral("TypeError"),
                                  QStringLiteral("Direct assignment to the reverse side of a many-to-many set is prohibited. Use %1.set() instead.").arg(name));
        }
    }
}

// --- Queries -------------------------------------------------------------

QVector<Database::Condition> Engine::conditions(const Model *model, const Kwargs &where) const
{
    QVector<Database::Condition> result;
    for (const auto &item : where) {
        const Field *field = model->concreteField(item.first);
        if (!field) {
            QStringList choices;
            for (const Field *f : model->concreteFields)
                choices << f->name;
            for (const Field *f : model->manyToMany)
                choices << f->name;
            choices.sort();
            throw DjangoError(QStringLiteral("FieldError"),
                              QStringLiteral("Cannot resolve keyword '%1' into field. Choices are: %2")
                                  .arg(item.first, choices.join(QStringLiteral(", "))));
        }
        QCborValue value;
        if (item.second.isInstance())
            value = item.second.instance()->pk();
        else
            value = prepareForDb(field, item.second.scalar());
        result.append({field, value});
    }
    return result;
}

QVector<InstancePtr> Engine::load(const Model *model, const QVector<Database::Condition> &where,
                                  const QVector<const Field *> &orderBy, int limit)
{
    const QVector<Row> rows = m_database->select(model, where, orderBy, limit);
    QVector<InstancePtr> instances;
    instances.reserve(rows.size());
    for (const Row &row : rows)
        instances.append(fromRow(model, row));
    return instances;
}

InstancePtr Engine::get(const Model *model, const Kwargs &where)
{
    // QuerySet.get: at most 21 rows, every one of them an instance.
    const QVector<InstancePtr> found = load(model, conditions(model, where), {}, 21);
    if (found.isEmpty())
        throw doesNotExist(model->name);
    if (found.size() > 1) {
        const QString count = found.size() < 21 ? QString::number(found.size()) : QStringLiteral("more than 20");
        throw DjangoError(QStringLiteral("MultipleObjectsReturned"),
                          QStringLiteral("get() returned more than one %1 -- it returned %2!").arg(model->name, count));
    }
    return found.first();
}

QVector<InstancePtr> Engine::filter(const Model *model, const Kwargs &where)
{
    return load(model, conditions(model, where), {model->pk});
}

void Engine::refresh(const InstancePtr &instance)
{
    const Model *model = instance->model();
    const QCborValue pk = instance->pk();
    QVector<InstancePtr> found;
    if (!pk.isNull())
        found = load(model, {{model->pk, prepareForDb(model->pk, pk)}}, {}, 21);
    if (found.isEmpty())
        throw doesNotExist(model->name);
    const InstancePtr stored = found.first();
    for (const Field *field : model->concreteFields)
        instance->setValue(field, stored->value(field));
    instance->clearAllCaches();
    instance->inDatabase = true;
}

int Engine::update(const Model *model, const Kwargs &where, const Kwargs &values)
{
    // QuerySet.update: one UPDATE statement, no signal at all.
    QVector<const Field *> fields;
    Row row;
    for (const auto &item : values) {
        const Field *field = model->field(item.first);
        if (!field)
            throw DjangoError(QStringLiteral("FieldDoesNotExist"),
                              QStringLiteral("%1 has no field named '%2'").arg(model->name, item.first));
        if (field->type == FieldType::ManyToMany)
            throw DjangoError(QStringLiteral("FieldError"),
                              QStringLiteral("Cannot update model field <django.db.models.fields.related.ManyToManyField: %1> (only non-relations and foreign keys permitted).").arg(field->name));
        fields.append(field);
        if (item.second.isInstance()) {
            if (item.second.instance()->pk().isNull())
                throw DjangoError(QStringLiteral("ValueError"),
                                  QStringLiteral("Unsaved model instance %1 cannot be used in an ORM query.").arg(instanceRepr(*item.second.instance())));
            row.append(item.second.instance()->pk());
        } else {
            row.append(prepareForDb(field, item.second.scalar()));
        }
    }
    const auto where_ = conditions(model, where);
    if (fields.isEmpty())
        return 0;
    try {
        return m_database->update(model, fields, row, where_);
    } catch (const DjangoError &) {
        m_database->markForRollback();
        throw;
    }
}

// --- Saving --------------------------------------------------------------

void Engine::prepareRelatedForSave(const InstancePtr &instance, const QString &operation)
{
    // Model._prepare_related_fields_for_save.
    for (const Field *field : instance->model()->concreteFields) {
        if (!field->isForeignKey() || !instance->hasCached(field))
            continue;
        const InstancePtr related = instance->cached(field);
        if (!related)
            continue;
        if (related->pk().isNull())
            throw DjangoError(QStringLiteral("ValueError"),
                              QStringLiteral("%1() prohibited to prevent data loss due to unsaved related object '%2'.")
                                  .arg(operation, field->name));
        const QCborValue id = instance->value(field);
        if (id.isNull() || (id.isString() && id.toString().isEmpty()))
            instance->setValue(field, related->pk());
        if (instance->hasCached(field) && !pythonEquals(related->pk(), instance->value(field)))
            instance->clearCache(field);
    }
}

void Engine::save(const InstancePtr &instance, const std::optional<QStringList> &updateFields, bool forceInsert)
{
    // Model.save (django/db/models/base.py), checks in Django's order.
    prepareRelatedForSave(instance, QStringLiteral("save"));
    if (forceInsert && updateFields && !updateFields->isEmpty())
        throw DjangoError(QStringLiteral("ValueError"), QStringLiteral("Cannot force both insert and updating in model saving."));
    std::optional<QStringList> names;
    if (updateFields) {
        if (updateFields->isEmpty())
            return;   // save(update_fields=[]) does nothing, not even signals
        QStringList unique = *updateFields;
        unique.removeDuplicates();
        QStringList unknown;
        for (const QString &name : std::as_const(unique)) {
            const Field *field = instance->model()->concreteField(name);
            if (!field || field->primaryKey || name == QLatin1String("pk"))
                unknown << name;
        }
        if (!unknown.isEmpty())
            throw DjangoError(QStringLiteral("ValueError"),
                              QStringLiteral("The following fields do not exist in this model, are m2m fields, or are non-concrete fields: %1")
                                  .arg(unknown.join(QStringLiteral(", "))));
        unique.sort();
        names = unique;
    }
    saveBase(instance, false, forceInsert, names);
}

static QCborValue updateFieldsArg(const std::optional<QStringList> &names)
{
    if (!names)
        return QCborValue(nullptr);
    // A scenario saves with the same few update_fields again and again: the
    // last list's array is kept (per thread; QCborValue is shared, never
    // changed in place) rather than rebuilt for every pre_save and post_save.
    thread_local QStringList lastNames;
    thread_local QCborValue lastArray;
    if (lastArray.isArray() && lastNames == *names)
        return lastArray;
    QCborArray array;
    for (const QString &n : *names)
        array.append(n);
    lastNames = *names;
    lastArray = QCborValue(array);
    return lastArray;
}

void Engine::saveBase(const InstancePtr &instance, bool raw, bool forceInsert, const std::optional<QStringList> &updateFields)
{
    const Model *model = instance->model();
    const QCborValue updateFieldsValue = model->autoCreated ? QCborValue() : updateFieldsArg(updateFields);
    if (!model->autoCreated) {
        SignalArgs args;
        args.items.reserve(4);              // one allocation, not one per argument
        sendModelSignal(*preSave, model, args.add(QStringLiteral("instance"), instance)
                                             .add(QStringLiteral("raw"), QCborValue(raw))
                                             .add(QStringLiteral("using"), m_usingValue)
                                             .add(QStringLiteral("update_fields"), updateFieldsValue));
    }
    bool updated = false;
    try {
        updated = saveTable(instance, raw, forceInsert, updateFields);
    } catch (const DjangoError &) {
        m_database->markForRollback();      // transaction.mark_for_rollback_on_error()
        throw;
    }
    instance->inDatabase = true;
    instance->adding = false;
    if (!model->autoCreated) {
        SignalArgs args;
        args.items.reserve(5);
        sendModelSignal(*postSave, model, args.add(QStringLiteral("instance"), instance)
                                              .add(QStringLiteral("created"), QCborValue(!updated))
                                              .add(QStringLiteral("update_fields"), updateFieldsValue)
                                              .add(QStringLiteral("raw"), QCborValue(raw))
                                              .add(QStringLiteral("using"), m_usingValue));
    }
}

bool Engine::saveTable(const InstancePtr &instance, bool raw, bool forceInsert, const std::optional<QStringList> &updateFields)
{
    // Model._save_table: UPDATE when the pk is set, INSERT when nothing matched.
    const Model *model = instance->model();
    const Field *pkField = model->pk;
    // Django tests `if self.default`: a falsy default ("" or 0) counts as none.
    const bool pkHasDefault = pkField->hasDefault && pythonTruthy(pkField->defaultValue);
    if (instance->pk().isNull() && pkHasDefault)
        instance->setPk(pkField->defaultValue);
    const bool pkSet = !instance->pk().isNull();
    if (!pkSet && updateFields)
        throw DjangoError(QStringLiteral("ValueError"), QStringLiteral("Cannot force an update in save() with no primary key."));
    if (!raw && !forceInsert && instance->adding && pkHasDefault)
        forceInsert = true;

    bool updated = false;
    if (pkSet && !forceInsert) {
        QVector<const Field *> fields;
        Row values;
        for (const Field *f : model->concreteFields) {
            if (f->primaryKey)
                continue;
            if (updateFields && !updateFields->contains(f->name) && !updateFields->contains(f->attname))
                continue;
            fields.append(f);
        }
        for (const Field *f : fields)
            values.append(prepareForDb(f, instance->value(f)));
        const QVector<Database::Condition> byPk = {{pkField, prepareForDb(pkField, instance->pk())}};
        if (fields.isEmpty())
            updated = updateFields.has_value() || m_database->exists(model, byPk);
        else
            updated = m_database->update(model, fields, values, byPk) > 0;
        if (updateFields && !updated)
            throw DjangoError(QStringLiteral("DatabaseError"), QStringLiteral("Save with update_fields did not affect any rows."));
    }
    if (!updated) {
        QVector<const Field *> fields;
        Row values;
        fields.reserve(model->concreteFields.size());
        values.reserve(model->concreteFields.size());
        for (const Field *f : model->concreteFields) {
            if (!pkSet && f->autoIncrement)
                continue;
            fields.append(f);
            values.append(prepareForDb(f, instance->value(f)));
        }
        // The auto field always takes last_insert_id, even when a pk was given
        // (an explicit "20" comes back as 20).
        const qint64 id = m_database->insert(model, fields, values);
        if (pkField->autoIncrement)
            instance->setPk(QCborValue(id));
    }
    return updated;
}

InstancePtr Engine::create(const Model *model, const Kwargs &values)
{
    InstancePtr instance = construct(model, values);
    save(instance, std::nullopt, true);
    return instance;
}

QVector<InstancePtr> Engine::bulkCreate(const Model *model, const QVector<Kwargs> &rows)
{
    // QuerySet.bulk_create: build every object, then insert them; no save signals.
    QVector<InstancePtr> objects;
    for (const Kwargs &row : rows)
        objects.append(construct(model, row));
    if (objects.isEmpty())
        return objects;
    const Field *pkField = model->pk;
    for (const InstancePtr &object : std::as_const(objects)) {
        if (object->pk().isNull() && pkField->hasDefault && pythonTruthy(pkField->defaultValue))
            object->setPk(pkField->defaultValue);
        prepareRelatedForSave(object, QStringLiteral("bulk_create"));
    }
    Atomic transaction(*m_database);
    QVector<InstancePtr> withPk, withoutPk;
    for (const InstancePtr &object : std::as_const(objects))
        (object->pk().isNull() ? withoutPk : withPk).append(object);
    for (const InstancePtr &object : std::as_const(withPk)) {
        Row values;
        for (const Field *f : model->concreteFields)
            values.append(prepareForDb(f, object->value(f)));
        m_database->insert(model, model->concreteFields, values);
    }
    for (const InstancePtr &object : std::as_const(withPk)) {
        object->adding = false;
        object->inDatabase = true;
    }
    QVector<const Field *> fields;
    for (const Field *f : model->concreteFields)
        if (!f->autoIncrement)
            fields.append(f);
    QVector<qint64> ids;
    for (const InstancePtr &object : std::as_const(withoutPk)) {
        Row values;
        for (const Field *f : fields)
            values.append(prepareForDb(f, object->value(f)));
        ids.append(m_database->insert(model, fields, values));
    }
    // PostgreSQL returns the new pks (INSERT ... RETURNING) and Django puts
    // them on the objects, which then count as saved; SQLite returns none,
    // and the objects without pk stay unsaved (contract 5.1, 7.3). Django does
    // this inside the atomic block, before its commit.
    if (m_database->canReturnRowsFromBulkInsert(*m_django)) {
        for (int i = 0; i < withoutPk.size(); ++i) {
            if (pkField->autoIncrement)
                withoutPk[i]->setPk(QCborValue(ids[i]));
            withoutPk[i]->adding = false;
            withoutPk[i]->inDatabase = true;
        }
    }
    transaction.commit();
    return objects;
}

// --- Deleting ------------------------------------------------------------

void Engine::deleteInstance(const InstancePtr &instance)
{
    if (instance->pk().isNull())
        throw DjangoError(m_django->deleteWithoutPkError,
                          QStringLiteral("%1 object can't be deleted because its %2 attribute is set to None.")
                              .arg(instance->model()->name, instance->model()->pk->attname));
    Collector collector(*this, Value(instance));
    collector.collect({instance});
    collector.deleteCollected();
}

void Engine::deleteWhere(const Model *model, const Kwargs &where)
{
    // QuerySet.delete() reads the matching rows without ORDER BY.
    Collector collector(*this, querysetValue(model));
    collector.collect(load(model, conditions(model, where), {}));
    collector.deleteCollected();
}

Value Engine::querysetValue(const Model *model)
{
    QCborMap queryset;
    queryset.insert(QStringLiteral("queryset"), model->name);
    return Value(QCborValue(queryset));
}

// --- Many-to-many, fixtures, migrate, custom signals -----------------------

std::unique_ptr<M2mManager> Engine::m2mManager(const InstancePtr &instance, const QString &accessor)
{
    const auto relation = m_registry.m2mAccessor(instance->model(), accessor);
    if (!relation)
        throw DjangoError(QStringLiteral("AttributeError"),
                          QStringLiteral("'%1' object has no attribute '%2'").arg(instance->model()->name, accessor));
    return std::make_unique<M2mManager>(*this, instance, *relation);
}

void Engine::m2m(const InstancePtr &instance, const QString &accessor, M2mAction action,
                 const QVector<Value> &targets, bool clear)
{
    runM2m(*m2mManager(instance, accessor), action, targets, clear);
}

void runM2m(M2mManager &manager, M2mAction action, const QVector<Value> &targets, bool clear)
{
    switch (action) {
    case M2mAction::Add: manager.add(targets); break;
    case M2mAction::Remove: manager.remove(targets); break;
    case M2mAction::Clear: manager.clear(); break;
    case M2mAction::Set: manager.set(targets, clear); break;
    }
}

void Engine::migrate()
{
    // emit_pre_migrate_signal / emit_post_migrate_signal: once per app with
    // models, the AppConfig as sender. The tables exist already.
    const Sender app = Sender::app(m_registry.app());
    const SignalArgs args = SignalArgs().add(QStringLiteral("app_label"), QCborValue(m_registry.app()))
                                .add(QStringLiteral("using"), m_usingValue);
    preMigrate->send(app, args);
    m_database->createTables(m_registry, *m_django);
    postMigrate->send(app, args);
}

void Engine::flush()
{
    // manage.py flush: sql_flush (every table emptied, ids restarted) in one
    // transaction with no signal, then emit_post_migrate_signal for each app
    // with models (no pre_migrate; Django passes no plan here).
    if (m_registry.models().empty())
        return;
    m_database->resetTables(m_registry);
    const SignalArgs args = SignalArgs().add(QStringLiteral("app_label"), QCborValue(m_registry.app()))
                                .add(QStringLiteral("using"), m_usingValue);
    postMigrate->send(Sender::app(m_registry.app()), args);
}

void Engine::sendCustom(const QString &name, const Sender &sender, const std::optional<Value> &instance, bool robust)
{
    Signal *custom = signal(name);
    if (!custom)
        throw scenarioError(QStringLiteral("unknown signal '%1'").arg(name));
    SignalArgs args;
    if (instance)
        args.add(QStringLiteral("instance"), *instance);
    if (robust)
        custom->sendRobust(sender, args);
    else
        custom->send(sender, args);
}

void Engine::resetDatabase()
{
    m_database->resetTables(m_registry);
}

} // namespace ss
