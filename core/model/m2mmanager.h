#pragma once
// Django's ManyRelatedManager (django/db/models/fields/related_descriptors.py),
// contract 5.7: add/remove/clear/set, forward and reverse, with m2m_changed
// around each change and the through rows built and deleted as Django does.

#include "model/engine.h"

#include <QCborArray>

namespace ss {

class M2mManager
{
public:
    // Throws ValueError when the instance has no pk yet.
    M2mManager(Engine &engine, InstancePtr instance, const M2mAccessor &accessor);

    void add(const QVector<Value> &targets);
    void remove(const QVector<Value> &targets);
    void clear();
    void set(const QVector<Value> &targets, bool clear);

    // The ids currently linked (values_list of the target side; no instances).
    QVector<QCborValue> linkedIds();

private:
    void addItems(const Field *sourceField, const Field *targetField, const QVector<Value> &targets, bool sendSignals);
    QVector<QCborValue> targetIds(const Field *targetField, const QVector<Value> &targets);
    void deleteThroughRows(const QVector<QCborValue> *targetIds);
    void sendChanged(const QString &action, const QCborValue &pkSet);

    Engine &m_engine;
    InstancePtr m_instance;
    const Field *m_field;           // the many_to_many field
    bool m_reverse;
    const Model *m_through;
    const Model *m_otherModel;      // "model" of m2m_changed: the other side
    const Field *m_sourceField;     // through FK pointing at m_instance's model
    const Field *m_targetField;     // through FK pointing at the other side
    bool m_symmetrical;
};

} // namespace ss
