#include "model/rowrestore.h"
#include "python/djangocode.h"

#include "model/engine.h"
#include "model/fieldvalues.h"

#include <QCborMap>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonValue>
#include <QSet>

namespace ss {

namespace {

QString rowKey(const Model *model, const QCborValue &pk)
{
    return model->name + QLatin1Char('\x1f') + pk.toDiagnosticNotation();
}

QHash<QString, const Row *> byPk(const Model *model, const QVector<Row> &rows)
{
    QHash<QString, const Row *> index;
    for (const Row &row : rows)
        index.insert(rowKey(model, row.value(model->pk->index)), &row);
    return index;
}

// The many_to_many field whose auto-created through table this is.
const Field *ownerOfThrough(const ModelRegistry &registry, const Model *through)
{
    for (const auto &model : registry.models())
        for (const Field *field : model->manyToMany)
            if (field->through == through)
                return field;
    return nullptr;
}

// Creates in an order where every row comes after the removed rows it points
// at; otherwise in the order they were taken (registration, then pk). A cycle
// of rows pointing at each other is broken anywhere: foreign keys are checked
// at commit, and the restore is one transaction.
QVector<RowRestore::Create> dependencyOrder(QVector<RowRestore::Create> pending)
{
    QSet<QString> waiting;
    for (const auto &c : pending)
        waiting.insert(rowKey(c.model, c.row.value(c.model->pk->index)));
    const auto blocked = [&waiting](const RowRestore::Create &c) {
        const QString self = rowKey(c.model, c.row.value(c.model->pk->index));
        for (const Field *f : c.model->concreteFields) {
            if (!f->isForeignKey() || c.row.value(f->index).isNull())
                continue;
            const QString key = rowKey(f->target, c.row.value(f->index));
            if (key != self && waiting.contains(key))
                return true;
        }
        return false;
    };
    QVector<RowRestore::Create> ordered;
    while (!pending.isEmpty()) {
        int pick = 0;
        for (int i = 0; i < pending.size(); ++i) {
            if (!blocked(pending[i])) {
                pick = i;
                break;
            }
        }
        const RowRestore::Create c = pending.takeAt(pick);
        waiting.remove(rowKey(c.model, c.row.value(c.model->pk->index)));
        ordered.append(c);
    }
    return ordered;
}

// A value as JSON text: 3, "ann", true, null.
QString jsonText(const QCborValue &value)
{
    const QJsonDocument doc(QJsonArray{value.toJsonValue()});
    const QString text = QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
    return text.mid(1, text.size() - 2);
}

} // namespace

TablesSnapshot TablesSnapshot::take(Engine &engine)
{
    TablesSnapshot snapshot;
    for (const auto &model : engine.registry().models())
        snapshot.rows.insert(model.get(), engine.database().select(model.get(), {}, {model->pk}));
    return snapshot;
}

RowRestore RowRestore::plan(const ModelRegistry &registry, const TablesSnapshot &before, const TablesSnapshot &after)
{
    RowRestore restore;
    QVector<Create> removed;
    for (const auto &owned : registry.models()) {
        const Model *model = owned.get();
        const QVector<Row> old = before.rows.value(model);
        const QHash<QString, const Row *> now = byPk(model, after.rows.value(model));
        const Field *m2m = model->autoCreated ? ownerOfThrough(registry, model) : nullptr;
        QSet<QString> linked;                           // "source>target" pairs already re-added
        for (const Row &row : old) {
            const Row *current = now.value(rowKey(model, row.value(model->pk->index)));
            if (!current) {
                if (!m2m) {
                    removed.append({model, row});
                    continue;
                }
                // A through row: re-added from its source object. A symmetrical
                // add() writes both directions, so the mirror row needs no add of its own.
                const QCborValue source = row.value(m2m->throughSource->index);
                const QCborValue target = row.value(m2m->throughTarget->index);
                if (m2m->symmetrical && linked.contains(target.toDiagnosticNotation() + QLatin1Char('>') + source.toDiagnosticNotation()))
                    continue;
                linked.insert(source.toDiagnosticNotation() + QLatin1Char('>') + target.toDiagnosticNotation());
                auto link = std::find_if(restore.links.begin(), restore.links.end(),
                                         [&](const Link &l) { return l.field == m2m && l.source == source; });
                if (link == restore.links.end())
                    restore.links.append({m2m, source, {target}});
                else
                    link->targets.append(target);
                continue;
            }
            QVector<const Field *> changed;
            for (const Field *f : model->concreteFields)
                if (!f->primaryKey && current->value(f->index) != row.value(f->index))
                    changed.append(f);
            if (!changed.isEmpty() && !m2m)
                restore.reverts.append({model, row, changed});
        }
    }
    restore.creates = dependencyOrder(removed);
    return restore;
}

static Engine::FixtureObject fixtureObject(const Model *model, const Row &row)
{
    QCborMap fields;
    fields.insert(QStringLiteral("pk"), row.value(model->pk->index));
    for (const Field *f : model->concreteFields)
        if (!f->primaryKey)
            fields.insert(f->name, row.value(f->index));
    return {model, fields};
}

QVector<Engine::FixtureObject> RowRestore::fixture() const
{
    QVector<Engine::FixtureObject> objects;
    for (const Create &c : creates)
        objects.append(fixtureObject(c.model, c.row));
    // A row that is still there is overwritten by loaddata (an UPDATE, raw).
    for (const Revert &r : reverts)
        objects.append(fixtureObject(r.model, r.before));
    return objects;
}

QStringList RowRestore::code() const
{
    QStringList lines;
    if (!creates.isEmpty() || !reverts.isEmpty()) {
        // The fixture as `manage.py dumpdata` writes it.
        QStringList objects;
        for (const Engine::FixtureObject &o : fixture()) {
            QStringList fields;
            for (auto it = o.fields.begin(); it != o.fields.end(); ++it)
                if (it.key().toString() != QLatin1String("pk"))
                    fields << QStringLiteral("\"%1\": %2").arg(it.key().toString(), jsonText(it.value()));
            // The app label: the table is "<app>_<model>".
            const QString app = o.model->table.left(o.model->table.size() - o.model->name.size() - 1);
            objects << QStringLiteral("{\"model\": \"%1.%2\", \"pk\": %3, \"fields\": {%4}}")
                           .arg(app, o.model->name.toLower(), jsonText(o.fields.value(QStringLiteral("pk"))),
                                fields.join(QStringLiteral(", ")));
        }
        lines << QStringLiteral("call_command('loaddata', '-', format='json')  <<< [%1]").arg(objects.join(QStringLiteral(", ")));
    }
    for (const Link &l : links) {
        QStringList ids;
        for (const QCborValue &id : l.targets)
            ids << pythonRepr(id);
        lines << m2mCallCode(instanceVarName(l.field->owner, l.source), l.field->name, M2mAction::Add, ids);
    }
    return lines;
}

void RowRestore::run(Engine &engine) const
{
    Atomic transaction(engine.database());
    // The removed rows come back as loaddata puts rows back: saved raw
    // (pre_save/post_save with raw=True), with their old pks and values.
    if (!creates.isEmpty() || !reverts.isEmpty())
        engine.loaddata(fixture());
    for (const Link &l : links) {
        const QVector<Row> source = engine.database().select(l.field->owner, {{l.field->owner->pk, l.source}}, {}, 1);
        if (source.isEmpty())
            continue;                   // the source row is gone for good: nothing to link
        QVector<Value> targets;
        for (const QCborValue &id : l.targets)
            targets.append(Value(id));
        engine.m2m(storedInstance(l.field->owner, source.first()), l.field->name, M2mAction::Add, targets);
    }
    transaction.commit();
}

InstancePtr storedInstance(const Model *model, const Row &row)
{
    auto instance = std::make_shared<Instance>(model);
    for (const Field *field : model->concreteFields)
        instance->setValue(field, row.value(field->index));
    instance->adding = false;
    instance->inDatabase = true;
    return instance;
}

QString instanceVarName(const Model *model, const QCborValue &pk)
{
    QString id = placeholderText(pk);
    for (QChar &c : id)
        if (!c.isLetterOrNumber())
            c = QLatin1Char('_');
    return model->name.toLower() + QLatin1Char('_') + id;
}

} // namespace ss
