#include "undocommands.h"

#include "model/fieldvalues.h"

namespace ss {

static ActionResult gone(const QString &model)
{
    ActionResult r;
    r.errorType = QStringLiteral("LookupError");
    r.errorMessage = QStringLiteral("No installed model '%1'").arg(model);
    return r;
}

void SessionCommand::undo()
{
    m_last = run(true);
}

void SessionCommand::redo()
{
    m_last = run(false);
}

ActionResult SessionCommand::run(bool undo)
{
    if (std::exchange(m_skip, false))
        return {};
    return undo ? runUndo() : runRedo();
}

EditCellCommand::EditCellCommand(Session *s, const Model *m, QCborValue pk, const Field *f, QCborValue oldValue,
                                 QCborValue newValue, bool updateFieldsOnly)
    : SessionCommand(s), m_model(m->name), m_field(f->name), m_pk(pk), m_old(oldValue), m_new(newValue),
      m_updateFieldsOnly(updateFieldsOnly)
{
    setText(QStringLiteral("%1.%2 = %3").arg(Session::varName(m, pk), f->name, pythonRepr(newValue)));
}

ActionResult EditCellCommand::apply(const QCborValue &v)
{
    const Model *model = m_s->registry().model(m_model);
    const Field *field = model ? model->field(m_field) : nullptr;
    if (!field)
        return gone(m_model);
    return m_s->saveField(model, m_pk, field, v, m_updateFieldsOnly);
}

CreateRowCommand::CreateRowCommand(Session *s, const Model *m, Kwargs values, QCborValue pk)
    : SessionCommand(s), m_model(m->name), m_values(std::move(values)), m_pk(pk)
{
    setText(QStringLiteral("create %1 %2").arg(m->name, placeholderText(pk)));
}

ActionResult CreateRowCommand::runUndo()
{
    const Model *model = m_s->registry().model(m_model);
    if (!model)
        return gone(m_model);
    return m_s->deleteRow(model, m_pk);
}

ActionResult CreateRowCommand::runRedo()
{
    const Model *model = m_s->registry().model(m_model);
    if (!model)
        return gone(m_model);
    Kwargs values = m_values;
    values.prepend({model->pk->name, Value(m_pk)});
    return m_s->createRow(model, values);
}

DeleteRowCommand::DeleteRowCommand(Session *s, const Model *m, QCborValue pk, RowRestore taken)
    : SessionCommand(s), m_model(m->name), m_pk(pk), m_taken(std::move(taken))
{
    const int others = m_taken.creates.size() + m_taken.links.size() + m_taken.reverts.size() - 1;
    setText(others > 0 ? QStringLiteral("delete %1 %2 (and %3 more)").arg(m->name, placeholderText(pk)).arg(others)
                       : QStringLiteral("delete %1 %2").arg(m->name, placeholderText(pk)));
}

ActionResult DeleteRowCommand::runUndo()
{
    if (m_taken.isEmpty())
        return {};
    return m_s->restoreRows(m_taken);
}

ActionResult DeleteRowCommand::runRedo()
{
    const Model *model = m_s->registry().model(m_model);
    if (!model)
        return gone(m_model);
    RowRestore taken;
    const ActionResult result = m_s->deleteRow(model, m_pk, &taken);
    if (result.ok())
        m_taken = std::move(taken);
    return result;
}

M2mCommand::M2mCommand(Session *s, const Model *m, QCborValue pk, QString accessor, QVector<QCborValue> before,
                       QVector<QCborValue> after)
    : SessionCommand(s), m_model(m->name), m_accessor(std::move(accessor)), m_pk(pk), m_before(std::move(before)),
      m_after(std::move(after))
{
    QStringList ids;
    for (const QCborValue &id : std::as_const(m_after))
        ids << placeholderText(id);
    setText(QStringLiteral("%1.%2.set([%3])").arg(Session::varName(m, pk), m_accessor, ids.join(QStringLiteral(", "))));
}

ActionResult M2mCommand::setTo(const QVector<QCborValue> &ids)
{
    const Model *model = m_s->registry().model(m_model);
    if (!model)
        return gone(m_model);
    return m_s->m2mChange(model, m_pk, m_accessor, M2mAction::Set, ids);
}

} // namespace ss
