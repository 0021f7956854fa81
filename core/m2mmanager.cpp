#include "m2mmanager.h"

#include "collector.h"
#include "fieldvalues.h"

#include <algorithm>

namespace ss {

static bool idLess(const QCborValue &a, const QCborValue &b)
{
    // Python iterates a set of small ints in ascending order (contract 5.6).
    if (a.isInteger() && b.isInteger())
        return a.toInteger() < b.toInteger();
    if ((a.isInteger() || a.isDouble()) && (b.isInteger() || b.isDouble()))
        return a.toDouble() < b.toDouble();
    if (a.isString() && b.isString())
        return a.toString() < b.toString();
    return a.type() < b.type();
}

static void addUnique(QVector<QCborValue> &ids, const QCborValue &id)
{
    for (const QCborValue &existing : ids)
        if (jsonEquals(existing, id) && existing.isString() == id.isString())
            return;
    ids.append(id);
}

static QCborValue sortedSet(QVector<QCborValue> ids)
{
    std::sort(ids.begin(), ids.end(), idLess);
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
                                  .add(QStringLiteral("using"), QCborValue(QStringLiteral("default"))));
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
            if (!object.inDatabase)
                throw DjangoError(QStringLiteral("ValueError"),
                                  QStringLiteral("Cannot add \"%1\": instance is on database \"default\", value is on database \"None\"")
                                      .arg(instanceRepr(object)));
            if (object.pk().isNull())
                throw DjangoError(QStringLiteral("ValueError"),
                                  QStringLiteral("Cannot add \"%1\": the value for field \"%2\" is None")
                                      .arg(instanceRepr(object), targetField->name));
            addUnique(ids, prepareForDb(targetField, object.pk()));
        } else {
            addUnique(ids, prepareForDb(targetField, target.scalar()));
        }
    }
    std::sort(ids.begin(), ids.end(), idLess);
    return ids;
}

void M2mManager::addItems(const Field *sourceField, const Field *targetField, const QVector<Value> &targets, bool sendSignals)
{
    if (targets.isEmpty())
        return;
    const QVector<QCborValue> ids = targetIds(targetField, targets);
    const QCborValue sourceId = m_instance->pk();
    Database &db = m_engine.database();

    QVector<QCborValue> missing;
    if (sendSignals) {
        // _get_missing_target_ids: one values_list query, no instances.
        QCborArray wanted;
        for (const QCborValue &id : ids)
            wanted.append(id);
        const QVector<QCborValue> linked = db.selectColumn(m_through, targetField,
                                                           {{sourceField, sourceId}, {targetField, wanted, true}});
        for (const QCborValue &id : ids) {
            bool present = false;
            for (const QCborValue &l : linked)
                present |= jsonEquals(l, id);
            if (!present)
                missing.append(id);
        }
    } else {
        missing = ids;   // the silent mirror rows of a symmetrical relation: every given id
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
    // _build_remove_filters + QuerySet.delete(): the through rows are read
    // (pre_init/post_init) in SQLite's index order and deleted by the collector.
    const QCborValue sourceId = m_instance->pk();
    QCborArray idArray;
    if (ids)
        for (const QCborValue &id : *ids)
            idArray.append(id);
    QVector<Database::Condition> forward = {{m_sourceField, sourceId}};
    if (ids)
        forward.append({m_targetField, idArray, true});
    QVector<const Field *> forwardOrder;
    const Field *first = m_through->autoCreated ? m_through->concreteFields[1] : nullptr;
    if (!m_through->autoCreated)
        forwardOrder = {m_through->pk};
    else if (m_sourceField == first)
        forwardOrder = {m_sourceField, m_targetField};               // the unique (first, second) index
    else if (ids)
        forwardOrder = {m_sourceField, m_through->pk};               // reverse remove: (second, pk) index...
    else
        forwardOrder = {m_through->pk};                              // reverse clear: pk order
    if (m_through->autoCreated && m_sourceField != first && ids)
        forwardOrder = {m_targetField};                              // ...which yields declaring-side id order
    QVector<InstancePtr> rows = m_engine.load(m_through, forward, forwardOrder);
    if (m_symmetrical) {
        QVector<Database::Condition> mirror = {{m_targetField, sourceId}};
        QVector<const Field *> mirrorOrder = {m_through->pk};
        if (ids) {
            mirror.append({m_sourceField, idArray, true});
            mirrorOrder = {m_sourceField};
        }
        rows += m_engine.load(m_through, mirror, mirrorOrder);
    }
    Collector collector(m_engine);
    collector.collect(rows);
    collector.deleteCollected();
}

void M2mManager::remove(const QVector<Value> &targets)
{
    if (targets.isEmpty())
        return;
    QVector<QCborValue> ids;
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
            auto it = std::find_if(old.begin(), old.end(), [&](const QCborValue &o) { return jsonEquals(o, id); });
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
