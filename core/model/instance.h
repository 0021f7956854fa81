#pragma once
// A model instance: one Python object in Django. Its identity matters (a named
// instance, a related-object cache and a receiver's $instance are the same
// object), so instances are shared, never copied.

#include "model/modelregistry.h"
#include "model/value.h"

#include <QCborValue>
#include <QHash>
#include <QVector>

namespace ss {

class Instance
{
public:
    explicit Instance(const Model *model);

    const Model *model() const { return m_model; }

    // Values of the concrete fields, by Field::index; relations hold raw ids.
    const QCborValue &value(const Field *field) const { return m_values[field->index]; }
    void setValue(const Field *field, const QCborValue &value);   // attname semantics: clears a stale cache
    const QVector<QCborValue> &values() const { return m_values; }

    QCborValue pk() const { return m_values[m_model->pk->index]; }
    void setPk(const QCborValue &pk) { m_values[m_model->pk->index] = pk; }

    // The related-object cache (contract 5.4), keyed by the foreign key field.
    bool hasCached(const Field *field) const { return m_cache.contains(field->index); }
    InstancePtr cached(const Field *field) const { return m_cache.value(field->index); }
    void setCached(const Field *field, InstancePtr object) { m_cache.insert(field->index, std::move(object)); }
    void clearCache(const Field *field) { m_cache.remove(field->index); }
    void clearAllCaches() { m_cache.clear(); }
    QList<int> cachedFieldIndexes() const { return m_cache.keys(); }

    // Django's _state: `adding` is true until saved or loaded; `inDatabase`
    // (_state.db is set) decides whether the object may join a relation.
    bool adding = true;
    bool inDatabase = false;
    // Engine bookkeeping: the engine remembers this instance (its cache may
    // take part in a reference cycle, broken when the engine goes).
    bool cachesTracked = false;

    // "User:1", or "User@<address>" while the pk is null: the identity loops are judged by.
    QString identityKey() const;

private:
    const Model *m_model;
    QVector<QCborValue> m_values;
    QHash<int, InstancePtr> m_cache;
};

} // namespace ss
