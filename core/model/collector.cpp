#include "model/collector.h"

#include "model/fieldvalues.h"
#include "model/rowrestore.h"
#include "python/pythonvalue.h"

#include <algorithm>
#include <cmath>

namespace ss {

// ProtectedError carries the blocking objects up to the relation that cascaded
// into them, which reports them under its own key (Django's on_delete=CASCADE
// re-raises the nested ProtectedError, caught by the outer collect).
struct ProtectedError : DjangoError
{
    ProtectedError(const QString &message, QVector<InstancePtr> objects)
        : DjangoError(QStringLiteral("ProtectedError"), message), objects(std::move(objects)) {}
    QVector<InstancePtr> objects;
};

// Collector.data holds a set of instances per model: Model.__eq__/__hash__
// compare pks, so an instance with pk 1.0 is the one with pk 1.
static bool integralKey(const QCborValue &pk, qint64 *n)
{
    switch (pk.type()) {
    case QCborValue::Integer: *n = pk.toInteger(); return true;
    case QCborValue::True: *n = 1; return true;
    case QCborValue::False: *n = 0; return true;
    case QCborValue::Double: {
        // pythonKey()'s rule: a float equal to an int shares its key.
        const double d = pk.toDouble();
        if (std::isfinite(d) && d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
            *n = qint64(d);
            return true;
        }
        return false;
    }
    default: return false;
    }
}

bool PkKeySet::contains(const QCborValue &pk) const
{
    qint64 n = 0;
    if (!integralKey(pk, &n))
        return m_others.contains(pythonKey(pk));
    if (!m_hashedIntegers.isEmpty())
        return m_hashedIntegers.contains(n);
    return std::find(m_integers.cbegin(), m_integers.cend(), n) != m_integers.cend();
}

bool PkKeySet::insert(const QCborValue &pk)
{
    qint64 n = 0;
    if (!integralKey(pk, &n)) {
        const QString key = pythonKey(pk);
        if (m_others.contains(key))
            return false;
        m_others.insert(key);
        return true;
    }
    if (contains(pk))
        return false;
    if (m_hashedIntegers.isEmpty() && m_integers.size() < LinearLimit) {
        m_integers.push_back(n);
        return true;
    }
    if (m_hashedIntegers.isEmpty()) {
        m_hashedIntegers.reserve(qsizetype(2 * LinearLimit));
        for (qint64 known : m_integers)
            m_hashedIntegers.insert(known);
        m_integers.clear();
    }
    m_hashedIntegers.insert(n);
    return true;
}

Collector::ModelSlot &Collector::slot(const Model *model)
{
    // Every model the collector meets is one of its engine's registry.
    const size_t index = size_t(model->registrationIndex);
    Q_ASSERT(index < m_engine.registry().models().size() && m_engine.registry().models()[index].get() == model);
    if (index >= m_slots.size())
        m_slots.resize(std::max(index + 1, m_engine.registry().models().size()));
    return m_slots[index];
}

const Collector::ModelSlot *Collector::findSlot(const Model *model) const
{
    const size_t index = size_t(model->registrationIndex);
    return index < m_slots.size() ? &m_slots[index] : nullptr;
}

Collector::ModelSlot &Collector::enterData(const Model *model)
{
    ModelSlot &entry = slot(model);
    if (!entry.inData) {
        entry.inData = true;
        m_order.append(model);
    }
    return entry;
}

static QString keyList(const QVector<QPair<QString, QVector<InstancePtr>>> &groups)
{
    QStringList keys;
    for (const auto &g : groups)
        keys << g.first;
    return keys.join(QStringLiteral(", "));
}

QVector<InstancePtr> Collector::add(const QVector<InstancePtr> &objects, const Model *source, bool nullable)
{
    if (objects.isEmpty())
        return {};
    const Model *model = objects.first()->model();
    ModelSlot &entry = enterData(model);
    QVector<InstancePtr> fresh;
    fresh.reserve(objects.size());
    for (const InstancePtr &object : objects)
        if (entry.keys.insert(object->pk()))
            fresh.append(object);
    entry.instances += fresh;
    // A non-nullable reference must be deleted before what it references.
    if (source && !nullable)
        addDependency(source, model);
    return fresh;
}

void Collector::addDependency(const Model *model, const Model *dependency)
{
    ModelSlot &entry = slot(model);
    if (!entry.dependencies.contains(dependency))
        entry.dependencies.append(dependency);
    enterData(dependency);
}

void Collector::addFieldUpdate(const Field *field, const QCborValue &value, const QVector<InstancePtr> &objects,
                               const QVector<InstancePtr> &referenced)
{
    for (FieldUpdate &update : m_fieldUpdates) {
        if (update.field == field && pythonEquals(update.value, value)) {    // a dict keyed by (field, value)
            update.instances += objects;
            update.referenced += referenced;
            return;
        }
    }
    m_fieldUpdates.append({field, value, objects, referenced});
}

QVector<InstancePtr> Collector::relatedObjects(const Field *field, const QVector<InstancePtr> &batch)
{
    // Django's related_objects(): `<fk> IN (...)` without ORDER BY; SQLite's
    // plan over Django's indexes gives the order (contract 5.6).
    QCborArray ids;
    for (const InstancePtr &object : batch)
        ids.append(object->pk());
    if (m_mode == Mode::Delete)
        return m_engine.load(field->owner, {{field, ids, true}}, {});
    // The same query, read silently: the instances a preview needs, no signal.
    QVector<InstancePtr> instances;
    for (const Row &row : m_engine.database().select(field->owner, {{field, ids, true}}, {})) {
        instances.append(storedInstance(field->owner, row));
        m_loads.append({field->owner, instances.last()->pk()});
    }
    return instances;
}

void Collector::collect(const QVector<InstancePtr> &objects, const Model *source, bool nullable, bool failOnRestricted)
{
    const QVector<InstancePtr> fresh = add(objects, source, nullable);
    if (fresh.isEmpty())
        return;
    const Model *model = fresh.first()->model();

    QVector<QPair<QString, QVector<InstancePtr>>> protectedGroups;
    for (const Field *field : m_engine.registry().relationsTo(model)) {
        if (field->onDelete == OnDelete::DoNothing)
            continue;
        // Django 4.2+: SET_NULL and SET_DEFAULT are lazy_sub_objs; their
        // QuerySet is handed over unevaluated and becomes one UPDATE.
        const bool setsWithoutLoading = (field->onDelete == OnDelete::SetNull || field->onDelete == OnDelete::SetDefault)
                                        && !m_engine.django().onDeleteSetLoadsRows;
        // get_del_batches: as many pks per read as the backend takes.
        const int batchSize = std::max(1, m_engine.database().bulkBatchSize(1, int(fresh.size())));
        for (qsizetype start = 0; start < fresh.size(); start += batchSize) {
            if (setsWithoutLoading) {
                const QCborValue value = field->onDelete == OnDelete::SetNull ? QCborValue(nullptr)
                                                                              : prepareForDb(field, field->defaultValue);
                addFieldUpdate(field, value, {}, fresh.mid(start, batchSize));
                continue;
            }
            const QVector<InstancePtr> related = relatedObjects(field, fresh.mid(start, batchSize));
            if (related.isEmpty())
                continue;
            try {
                switch (field->onDelete) {
                case OnDelete::Cascade:
                    collect(related, model, field->null, false);
                    break;
                case OnDelete::Protect:
                    throw ProtectedError(
                        QStringLiteral("Cannot delete some instances of model '%1' because they are referenced through a protected foreign key: '%2.%3'")
                            .arg(model->name, field->owner->name, field->name),
                        related);
                case OnDelete::Restrict: {
                    if (!m_restricted.contains(field->owner))
                        m_restrictedOrder.append(field->owner);
                    auto &groups = m_restricted[field->owner];
                    auto it = std::find_if(groups.begin(), groups.end(), [&](const Restricted &r) { return r.field == field; });
                    if (it == groups.end())
                        groups.append({field, related});
                    else
                        it->objects += related;
                    addDependency(model, field->owner);
                    break;
                }
                case OnDelete::SetNull:
                    addFieldUpdate(field, QCborValue(nullptr), related);
                    break;
                case OnDelete::SetDefault:
                    addFieldUpdate(field, prepareForDb(field, field->defaultValue), related);
                    break;
                default:
                    break;
                }
            } catch (const ProtectedError &error) {
                const QString key = QStringLiteral("'%1.%2'").arg(field->owner->name, field->name);
                auto it = std::find_if(protectedGroups.begin(), protectedGroups.end(), [&](const auto &g) { return g.first == key; });
                if (it == protectedGroups.end())
                    protectedGroups.append({key, error.objects});
                else
                    it->second += error.objects;
            }
        }
    }
    if (!protectedGroups.isEmpty()) {
        QVector<InstancePtr> all;
        for (const auto &g : protectedGroups)
            all += g.second;
        throw ProtectedError(QStringLiteral("Cannot delete some instances of model '%1' because they are referenced through protected foreign keys: %2.")
                                 .arg(model->name, keyList(protectedGroups)),
                             all);
    }

    if (failOnRestricted) {
        // Restricted rows that are collected anyway (through a cascade) are forgiven.
        QVector<QPair<QString, QVector<InstancePtr>>> remaining;
        for (const Model *restrictedModel : std::as_const(m_restrictedOrder)) {
            const ModelSlot *collected = findSlot(restrictedModel);
            for (Restricted &r : m_restricted[restrictedModel]) {
                QVector<InstancePtr> left;
                for (const InstancePtr &object : std::as_const(r.objects))
                    if (!collected || !collected->keys.contains(object->pk()))
                        left.append(object);
                r.objects = left;
                if (!left.isEmpty())
                    remaining.append({QStringLiteral("'%1.%2'").arg(restrictedModel->name, r.field->name), left});
            }
        }
        if (!remaining.isEmpty())
            throw DjangoError(QStringLiteral("RestrictedError"),
                              QStringLiteral("Cannot delete some instances of model '%1' because they are referenced through restricted foreign keys: %2.")
                                  .arg(model->name, keyList(remaining)));
    }
}

void Collector::sortModels()
{
    // Collector.sort(): repeatedly take every model whose dependencies are
    // placed; a pass that places nothing (a cycle) keeps the original order.
    QVector<const Model *> sorted;
    sorted.reserve(m_order.size());
    std::vector<bool> placed(m_slots.size(), false);    // by registration index
    const auto isPlaced = [&](const Model *m) { return placed[size_t(m->registrationIndex)]; };
    while (sorted.size() < m_order.size()) {
        bool found = false;
        for (const Model *model : std::as_const(m_order)) {
            if (isPlaced(model))
                continue;
            const ModelSlot &entry = m_slots[size_t(model->registrationIndex)];
            if (std::all_of(entry.dependencies.cbegin(), entry.dependencies.cend(), isPlaced)) {
                sorted.append(model);
                placed[size_t(model->registrationIndex)] = true;
                found = true;
            }
        }
        if (!found)
            return;
    }
    m_order = sorted;
}

QVector<Collector::PlannedModel> Collector::plan()
{
    for (const Model *model : std::as_const(m_order)) {
        // delete() sorts each model's instances with key=attrgetter("pk").
        QVector<InstancePtr> &instances = m_slots[size_t(model->registrationIndex)].instances;
        if (instances.size() > 1)
            std::stable_sort(instances.begin(), instances.end(),
                             [](const InstancePtr &a, const InstancePtr &b) { return pythonLess(a->pk(), b->pk()); });
    }
    sortModels();
    QVector<PlannedModel> result;
    result.reserve(m_order.size());
    for (const Model *model : std::as_const(m_order))
        result.append({model, m_slots[size_t(model->registrationIndex)].instances});
    return result;
}

SignalArgs Collector::deleteArgs(const InstancePtr &object) const
{
    SignalArgs args;
    args.items.reserve(3);
    args.add(QStringLiteral("instance"), object).add(QStringLiteral("using"), m_engine.usingValue());
    if (m_engine.django().deleteSignalsCarryOrigin)
        args.add(QStringLiteral("origin"), m_origin);
    return args;
}

void Collector::deleteCollected()
{
    if (m_mode == Mode::DryRun)
        throw DjangoError(QStringLiteral("AssertionError"), QStringLiteral("a dry-run collector deletes nothing"));
    const QVector<PlannedModel> ordered = plan();
    Database &db = m_engine.database();
    auto args = [this](const InstancePtr &object) { return deleteArgs(object); };

    Atomic transaction(db);
    for (const PlannedModel &entry : ordered) {
        if (entry.model->autoCreated)
            continue;
        for (const InstancePtr &object : entry.instances)
            m_engine.preDelete->send(Sender::model(entry.model->name), args(object));
    }
    for (const FieldUpdate &update : std::as_const(m_fieldUpdates)) {
        if (update.rowsLoaded()) {
            // The loaded rows, by pk: what they referenced when they were
            // read, in chunks as Django's update_batch sends them.
            QVector<QCborValue> pks;
            for (const InstancePtr &object : update.instances)
                pks.append(object->pk());
            db.updateBatch(update.field->owner, {update.field}, {update.value}, pks);
        } else {
            // One UPDATE of the combined querysets (Django 4.2+'s
            // lazy_sub_objs are updated with QuerySet.update, unchunked).
            QCborArray ids;
            // The rows referencing the collected objects now, after the
            // pre_delete receivers.
            for (const InstancePtr &object : update.referenced)
                ids.append(object->pk());
            db.update(update.field->owner, {update.field}, {update.value}, {{update.field, ids, true}});
        }
    }
    QVector<QCborValue> ids;                    // one buffer for every model's pks
    for (const PlannedModel &entry : ordered) {
        // Each model's instances in reverse (Django's `instances.reverse()`).
        ids.clear();
        ids.reserve(entry.instances.size());
        for (auto it = entry.instances.crbegin(); it != entry.instances.crend(); ++it)
            ids.append((*it)->pk());
        db.deleteBatch(entry.model, ids);
        if (entry.model->autoCreated)
            continue;
        for (auto it = entry.instances.crbegin(); it != entry.instances.crend(); ++it)
            m_engine.postDelete->send(Sender::model(entry.model->name), args(*it));
    }
    transaction.commit();

    // Only now, after the commit, do the collected copies change.
    for (const FieldUpdate &update : std::as_const(m_fieldUpdates))
        for (const InstancePtr &object : update.instances)
            object->setValue(update.field, update.value);
    for (const PlannedModel &entry : ordered)
        for (const InstancePtr &object : entry.instances)
            object->setPk(QCborValue(nullptr));
}

} // namespace ss
