#include "model/m2mmanager.h"

#include "model/collector.h"
#include "dispatch/declarativereceivers.h"
#include "model/fieldvalues.h"
#include "python/pythonvalue.h"

#include <algorithm>

namespace ss {

// A Python set of ids: "2" and 2 are different members, 1, 1.0 and True the same.
static void addUnique(QVector<QCborValue> &ids, const QCborValue &id)
{
    for (const QCborValue &existing : ids)
        if (pythonEquals(existing, id))
            return;
    ids.append(id);
}

static bool containsId(const QVector<QCborValue> &ids, const QCborValue &id)
{
    for (const QCborValue &existing : ids)
        if (pythonEquals(existing, id))
            return true;
    return false;
}

// The order the trace gives a set in (section 4.2); also the order Django
// builds through rows in: Python iterates a set of small ints ascending (5.6).
static void sortIds(QVector<QCborValue> &ids)
{
    std::stable_sort(ids.begin(), ids.end(), pythonLess);
}

static QCborValue sortedSet(QVector<QCborValue> ids)
{
    sortIds(ids);
    QCborArray array;
    for (const QCborValue &id : ids)
        array.append(id);
    return array;
}

M2mManager::M2mManager(Engine &engine, InstancePtr instance, const M2mAccessor &accessor)
    : m_engine(engine), m_instance(std::move(instance)), m_field(accessor.field), m_reverse(accessor.reverse),
      m_through(accessor.field->through), m_symmetrical(accessor.field->symmetrical)
{
    if (m_reverse) {
        m_otherModel = m_field->owner;
        m_sourceField = m_field->throughTarget;
        m_targetField = m_field->throughSource;
    } else {
        m_otherModel = m_field->target;
        m_sourceField = m_field->throughSource;
        m_targetField = m_field->throughTarget;
    }
    if (m_instance->pk().isNull())
        throw DjangoError(QStringLiteral("ValueError"),
                          QStringLiteral("\"%1\" needs to have a value for field \"%2\" before this many-to-many relationship can be used.")
                              .arg(instanceRepr(*m_instance), m_instance->model()->pk->attname));
}

void M2mManager::sendChanged(const QString &action, const QCborValue &pkSet)
{
    m_engine.m2mChanged->send(Sender::model(m_through->name),
                              SignalArgs().add(QStringLiteral("instance"), m_instance)
                                  .add(QStringLiteral("action"), QCborValue(action))
                                  .add(QStringLiteral("reverse"), QCborValue(m_reverse))
                                  .add(QStringLiteral("model"), QCborValue(m_otherModel->name))
                                  .add(QStringLiteral("pk_set"), pkSet)
                                  .add(QStringLiteral("using"), m_engine.usingValue()));
}

QVector<QCborValue> M2mManager::targetIds(const Field *targetField, const QVector<Value> &targets)
{
    // _get_target_ids: instances must be saved to this database; raw values are pks.
    QVector<QCborValue> ids;
    for (const Value &target : targets) {
        if (target.isInstance()) {
            const Instance &object = *target.instance();
            if (object.model() != targetField->target)
                throw DjangoError(QStringLiteral("TypeError"),
                                  QStringLiteral("'%1' instance expected, got %2").arg(targetField->target->name, instanceRepr(object)));
            // router.allow_relation: both objects on the same database (_state.db).
            if (object.inDatabase != m_instance->inDatabase) {
                const QString alias = m_engine.usingAlias();
                auto db = [&alias](const Instance &i) { return i.inDatabase ? alias : QStringLiteral("None"); };
                throw DjangoError(QStringLiteral("ValueError"),
                                  QStringLiteral("Cannot add \"%1\": instance is on database \"%2\", value is on database \"%3\"")
                                      .arg(instanceRepr(object), db(*m_instance), db(object)));
            }
            if (object.pk().isNull())
                throw DjangoError(QStringLiteral("ValueError"),
                                  QStringLiteral("Cannot add \"%1\": the value for field \"%2\" is None")
                                      .arg(instanceRepr(object), targetField->name));
            addUnique(ids, object.pk());    // an instance's pk as it is, unconverted
        } else {
            addUnique(ids, prepareForDb(targetField, target.scalar()));
        }
    }
    sortIds(ids);
    return ids;
}

void M2mManager::addItems(const Field *sourceField, const Field *targetField, const QVector<Value> &targets, bool sendSignals)
{
    if (targets.isEmpty())
        return;
    const QVector<QCborValue> ids = targetIds(targetField, targets);
    const QCborValue sourceId = m_instance->pk();
    Database &db = m_engine.database();

    // _get_missing_target_ids: one values_list query, no instances; the ids
    // compare as Python values ("2" is not the stored 2). The silent mirror
    // rows of an auto-created symmetrical relation skip the query: they are
    // inserted for every given id, ignoring conflicts.
    QVector<QCborValue> missing;
    const bool fastAdd = !sendSignals && m_through->autoCreated;
    if (fastAdd) {
        missing = ids;
    } else {
        QCborArray wanted;
        for (const QCborValue &id : ids)
            wanted.append(id);
        const QVector<QCborValue> linked = db.selectColumn(m_through, targetField,
                                                           {{sourceField, sourceId}, {targetField, wanted, true}});
        for (const QCborValue &id : ids)
            if (!containsId(linked, id))
                missing.append(id);
    }

    Atomic transaction(db);
    if (sendSignals)
        sendChanged(QStringLiteral("pre_add"), sortedSet(missing));
    QVector<InstancePtr> rows;
    for (const QCborValue &id : std::as_const(missing))
        rows.append(m_engine.construct(m_through, {{sourceField->attname, Value(sourceId)}, {targetField->attname, Value(id)}}));
    // bulk_create: no pre_save/post_save, even for a custom through model;
    // an auto-created through table ignores duplicate rows.
    const bool ignoreConflicts = m_through->autoCreated;
    QVector<const Field *> fields;
    for (const Field *f : m_through->concreteFields)
        if (!f->autoIncrement)
            fields.append(f);
    for (const InstancePtr &row : std::as_const(rows)) {
        Row values;
        for (const Field *f : std::as_const(fields))
            values.append(prepareForDb(f, row->value(f)));
        db.insert(m_through, fields, values, ignoreConflicts);
    }
    if (sendSignals)
        sendChanged(QStringLiteral("post_add"), sortedSet(missing));
    transaction.commit();
}

void M2mManager::add(const QVector<Value> &targets)
{
    Atomic transaction(m_engine.database());
    addItems(m_sourceField, m_targetField, targets, true);
    if (m_symmetrical)
        addItems(m_targetField, m_sourceField, targets, false);
    transaction.commit();
}

void M2mManager::deleteThroughRows(const QVector<QCborValue> *ids)
{
    // _build_remove_filters + QuerySet.delete(): Django's filter on the through
    // table, read without ORDER BY (pre_init/post_init per row), then the
    // collector deletes what it read.
    // The `__in` lookup converts each id as the field's get_prep_value does
    // (an integer pk turns 1.5 into 1, "2" into 2; "x" raises ValueError).
    const QCborValue sourceId = m_instance->pk();
    QCborArray idArray;
    if (ids)
        for (const QCborValue &id : *ids)
            idArray.append(prepareForDb(m_targetField, id));
    QVector<Database::Condition> forward = {{m_sourceField, sourceId}};
    if (ids)
        forward.append({m_targetField, idArray, true});
    QVector<QVector<Database::Condition>> anyOf = {forward};
    if (m_symmetrical) {
        QVector<Database::Condition> mirror = {{m_targetField, sourceId}};
        if (ids)
            mirror.append({m_sourceField, idArray, true});
        anyOf.append(mirror);
    }
    QVector<InstancePtr> rows;
    for (const Row &row : m_engine.database().selectAnyOf(m_through, anyOf, {}))
        rows.append(m_engine.fromRow(m_through, row));
    // <Through>.objects.filter(...).delete(): the QuerySet is the origin.
    Collector collector(m_engine, Engine::querysetValue(m_through));
    collector.collect(rows);
    collector.deleteCollected();
}

void M2mManager::remove(const QVector<Value> &targets)
{
    if (targets.isEmpty())
        return;
    QVector<QCborValue> ids;    // raw values: remove() converts nothing
    for (const Value &target : targets)
        addUnique(ids, target.isInstance() ? target.instance()->pk() : target.scalar());
    Atomic transaction(m_engine.database());
    sendChanged(QStringLiteral("pre_remove"), sortedSet(ids));
    deleteThroughRows(&ids);
    sendChanged(QStringLiteral("post_remove"), sortedSet(ids));
    transaction.commit();
}

void M2mManager::clear()
{
    Atomic transaction(m_engine.database());
    sendChanged(QStringLiteral("pre_clear"), QCborValue(nullptr));
    deleteThroughRows(nullptr);
    sendChanged(QStringLiteral("post_clear"), QCborValue(nullptr));
    transaction.commit();
}

QVector<QCborValue> M2mManager::linkedIds()
{
    return m_engine.database().selectColumn(m_through, m_targetField, {{m_sourceField, m_instance->pk()}});
}

void M2mManager::set(const QVector<Value> &targets, bool clearFirst)
{
    Atomic transaction(m_engine.database());
    if (clearFirst) {
        clear();
        add(targets);
    } else {
        QVector<QCborValue> old = linkedIds();
        QVector<Value> fresh;
        for (const Value &target : targets) {
            const QCborValue id = target.isInstance() ? target.instance()->pk() : prepareForDb(m_targetField, target.scalar());
            auto it = std::find_if(old.begin(), old.end(), [&](const QCborValue &o) { return pythonEquals(o, id); });
            if (it != old.end())
                old.erase(it);
            else
                fresh.append(target);
        }
        QVector<Value> stale;
        for (const QCborValue &id : std::as_const(old))
            stale.append(Value(id));
        remove(stale);
        add(fresh);
    }
    transaction.commit();
}

} // namespace ss
