#pragma once
// Undoing a delete. Django has no undo; the window's undo of `x.delete()`
// puts back, as ordinary Django calls that send their ordinary signals, what
// the delete took away:
//   - every row it removed, cascaded ones included, as one fixture load
//     (`loaddata`, contract 5.7): each saved raw with its old pk and values,
//     rows they point at first — how Django restores rows as they were; a
//     receiver that ignores `raw=True` can make it fail, in Django's words;
//   - the rows of auto-created through tables: `obj.<m2m>.add(...)`, so the
//     learner sees the m2m_changed pair the restore sends;
//   - the relations SET_NULL / SET_DEFAULT changed (and anything else a
//     receiver changed): the old row in the same fixture, which loaddata
//     saves raw over the current one (an UPDATE).
// It is found by comparing the tables before and after the delete, so it also
// covers what receivers did: rows they deleted come back, rows they created stay.

#include "db/database.h"
#include "model/engine.h"
#include "model/instance.h"

#include <QHash>
#include <QStringList>
#include <QVector>

namespace ss {

class ModelRegistry;

// Every table's rows, read silently (no pre_init/post_init), in pk order.
struct TablesSnapshot
{
    QHash<const Model *, QVector<Row>> rows;
    static TablesSnapshot take(Engine &engine);
};

struct RowRestore
{
    struct Create { const Model *model; Row row; };
    struct Link { const Field *field; QCborValue source; QVector<QCborValue> targets; };
    struct Revert { const Model *model; Row before; QVector<const Field *> fields; };

    QVector<Create> creates;            // rows pointed at come before the rows pointing at them
    QVector<Link> links;                // one add() per source object
    QVector<Revert> reverts;

    // What the delete took away: `before` and `after` are snapshots around it.
    static RowRestore plan(const ModelRegistry &registry, const TablesSnapshot &before, const TablesSnapshot &after);

    bool isEmpty() const { return creates.isEmpty() && links.isEmpty() && reverts.isEmpty(); }
    int operationCount() const { return creates.size() + links.size() + reverts.size(); }
    // The removed rows as loaddata's fixture, in restore order.
    QVector<Engine::FixtureObject> fixture() const;
    // The Django calls run(), in order (the fixture load first).
    QStringList code() const;
    // Runs the calls in one transaction (`with transaction.atomic():`): a
    // receiver that raises leaves the tables as they were before the undo.
    void run(Engine &engine) const;
};

// An instance as the object a user holds after loading `row` — without the
// pre_init/post_init a query would send (the window's tables read silently).
InstancePtr storedInstance(const Model *model, const Row &row);

// "post_1": the name labels give an instance.
QString instanceVarName(const Model *model, const QCborValue &pk);

} // namespace ss
