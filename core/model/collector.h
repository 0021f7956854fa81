#pragma once
// Django's deletion Collector (django/db/models/deletion.py), contract 5.5:
// collect the instances to delete by following every relation that points at
// them (reading the related rows, which sends their pre_init/post_init), order
// the models so that referencing models go first, then delete everything in one
// transaction with pre_delete for all and post_delete model by model.
//
// The Django version (Engine::django()) decides two things here: whether the
// delete signals carry `origin` (contract 9.2), and whether SET_NULL /
// SET_DEFAULT relations read their rows (3.2) or only schedule one UPDATE by
// foreign key (4.2+, lazy_sub_objs, contract 9.5).

#include "model/engine.h"

#include <QHash>
#include <QSet>
#include <QVarLengthArray>
#include <QVector>
#include <vector>

namespace ss {

// The pks of one model's collected instances, as Python's set of instances
// compares them (Model.__eq__/__hash__ by pk): 1, 1.0 and True are one key.
// Integral keys (almost every pk) are kept as integers, searched linearly
// while few and hashed once many; other pks by their pythonKey() text.
class PkKeySet
{
public:
    bool contains(const QCborValue &pk) const;
    // Adds `pk`; false when an equal pk was there already.
    bool insert(const QCborValue &pk);

private:
    static constexpr size_t LinearLimit = 16;
    std::vector<qint64> m_integers;         // while at most LinearLimit
    QSet<qint64> m_hashedIntegers;          // all of them, once more
    QSet<QString> m_others;
};

class Collector
{
public:
    // `origin`: what started the deletion (Collector(origin=...)): the
    // instance whose delete() runs, or Engine::querysetValue() for a
    // QuerySet's; null for a collector that only plans (previews).
    // Delete: Django's collector. DryRun: the same walk for a preview, reading
    // the related rows silently (no pre_init/post_init is sent, no receiver
    // runs) and noting each row Django would load, in order (loads()).
    // deleteCollected() refuses to run in DryRun.
    enum class Mode { Delete, DryRun };
    explicit Collector(Engine &engine, Value origin = {}, Mode mode = Mode::Delete)
        : m_engine(engine), m_origin(std::move(origin)), m_mode(mode) {}

    // Collector.collect(objs, source, nullable). Throws ProtectedError or
    // RestrictedError (after the reads that found the blocking rows).
    void collect(const QVector<InstancePtr> &objects, const Model *source = nullptr, bool nullable = false,
                 bool failOnRestricted = true);

    // Collector.delete(): the signals and the SQL, in one transaction.
    void deleteCollected();

    // What deleteCollected() will do, in order, for previews: each model with
    // its instances (ascending pk), and the relations that will be set to null
    // or to their default: either the loaded rows to update by pk
    // (`instances`, Django 3.2) or, with rows not loaded, the collected
    // objects whose referencing rows are updated by foreign key (`referenced`).
    struct PlannedModel { const Model *model; QVector<InstancePtr> instances; };
    struct FieldUpdate
    {
        const Field *field;
        QCborValue value;
        QVector<InstancePtr> instances;
        QVector<InstancePtr> referenced;
        bool rowsLoaded() const { return referenced.isEmpty(); }
    };
    QVector<PlannedModel> plan();
    const QVector<FieldUpdate> &fieldUpdates() const { return m_fieldUpdates; }
    // DryRun: the rows the real collect would read through the ORM (each one
    // Model.from_db: pre_init then post_init), in the order it reads them.
    struct LoadedRow { const Model *model; QCborValue pk; };
    const QVector<LoadedRow> &loads() const { return m_loads; }

private:
    QVector<InstancePtr> add(const QVector<InstancePtr> &objects, const Model *source, bool nullable);
    void addDependency(const Model *model, const Model *dependency);
    void addFieldUpdate(const Field *field, const QCborValue &value, const QVector<InstancePtr> &objects,
                        const QVector<InstancePtr> &referenced = {});
    SignalArgs deleteArgs(const InstancePtr &object) const;
    QVector<InstancePtr> relatedObjects(const Field *field, const QVector<InstancePtr> &batch);
    void sortModels();

    // What the collector knows of one model (Collector.data[model] and
    // dependencies[model]), in a slot indexed by the model's registration
    // index: a delete touches a few models, found without hashing.
    struct ModelSlot
    {
        bool inData = false;                                    // a key of Collector.data
        QVector<InstancePtr> instances;
        PkKeySet keys;                                          // identity: pk
        QVarLengthArray<const Model *, 4> dependencies;         // models that must go first (a set)
    };
    ModelSlot &slot(const Model *model);
    const ModelSlot *findSlot(const Model *model) const;
    // Makes `model` a key of Collector.data (at the end of the order) if it is not.
    ModelSlot &enterData(const Model *model);

    Engine &m_engine;
    Value m_origin;
    Mode m_mode;
    QVector<LoadedRow> m_loads;
    QVector<const Model *> m_order;                                 // Collector.data's key order
    std::vector<ModelSlot> m_slots;                                 // by Model::registrationIndex
    QVector<FieldUpdate> m_fieldUpdates;
    struct Restricted { const Field *field; QVector<InstancePtr> objects; };
    QVector<const Model *> m_restrictedOrder;
    QHash<const Model *, QVector<Restricted>> m_restricted;
};

} // namespace ss
