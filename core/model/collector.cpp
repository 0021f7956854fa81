#include "model/collector.h"

#include "model/fieldvalues.h"
#include "model/rowrestore.h"
#include "python/pythonvalue.h"

#include <algorithm>

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
static QString pkKey(const Instance &instance)
{
    return pythonKey(instance.pk());
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
    if (!m_data.contains(model)) {
        m_data.insert(model, {});
        m_order.append(model);
    }
    QSet<QString> &keys = m_collectedKeys[model];
    QVector<InstancePtr> fresh;
    for (const InstancePtr &object : objects) {
        const QString key = pkKey(*object);
        if (!keys.contains(key)) {
            keys.insert(key);
            fresh.append(object);
        }
    }
    m_data[model] += fresh;
    // A non-nullable reference must be deleted before what it references.
    if (source && !nullable)
        addDependency(source, model);
    return fresh;
}

void Collector::addDependency(const Model *model, const Model *dependency)
{
    m_dependencies[model].insert(dependency);
    if (!m_data.contains(dependency)) {
        m_data.insert(dependency, {});
        m_order.append(dependency);
    }
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
            const QString key = QStringLiteral("'%1.%2'").arg(field->owner->name, field->name);
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
            const QSet<QString> collected = m_collectedKeys.value(restrictedModel);
            for (Restricted &r : m_restricted[restrictedModel]) {
                QVector<InstancePtr> left;
                for (const InstancePtr &object : std::as_const(r.objects))
                    if (!collected.contains(pkKey(*object)))
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
    QSet<const Model *> placed;
    while (sorted.size() < m_order.size()) {
        bool found = false;
        for (const Model *model : std::as_const(m_order)) {
            if (placed.contains(model))
                continue;
            const QSet<const Model *> deps = m_dependencies.value(model);
            bool ready = true;
            for (const Model *d : deps)
                if (!placed.contains(d))
                    ready = false;
            if (ready) {
                sorted.append(model);
                placed.insert(model);
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
    for (auto it = m_data.begin(); it != m_data.end(); ++it)
        // delete() sorts each model's instances with key=attrgetter("pk").
        std::stable_sort(it->begin(), it->end(), [](const InstancePtr &a, const InstancePtr &b) { return pythonLess(a->pk(), b->pk()); });
    sortModels();
    QVector<PlannedModel> result;
    for (const Model *model : std::as_const(m_order))
        result.append({model, m_data.value(model)});
    return result;
}

SignalArgs Collector::deleteArgs(const InstancePtr &object) const
{
    SignalArgs args;
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
    for (const PlannedModel &entry : ordered) {
        QVector<InstancePtr> reversed(entry.instances.rbegin(), entry.instances.rend());
        QVector<QCborValue> ids;
        for (const InstancePtr &object : std::as_const(reversed))
            ids.append(object->pk());
        db.deleteBatch(entry.model, ids);
        if (entry.model->autoCreated)
            continue;
        for (const InstancePtr &object : std::as_const(reversed))
            m_engine.postDelete->send(Sender::model(entry.model->name), args(object));
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
