#include "recordactions.h"

#include "undocommands.h"
#include "undohistory.h"

namespace ss {

RecordActions::RecordActions(Session *session, UndoHistory *history, QObject *parent)
    : QObject(parent), m_session(session), m_history(history)
{
}

ActionResult RecordActions::createRow(const Model *model, const Kwargs &values)
{
    QCborValue pk;
    const ActionResult result = m_session->createRow(model, values, &pk);
    if (!result.ok())
        Q_EMIT failed(tr("✗ %1 — the table shows what the database holds.").arg(result.errorText()), result);
    else
        m_history->push(new CreateRowCommand(m_session, model, values, pk));
    return result;
}

ActionResult RecordActions::deleteRows(const Model *model, const QVector<QCborValue> &pks)
{
    ActionResult last;
    for (const QCborValue &pk : pks) {
        m_lastPreview = m_session->previewDelete(model, pk);
        if (m_confirm && !m_confirm(m_lastPreview))
            continue;
        RowRestore taken;
        last = m_session->deleteRow(model, pk, &taken);
        if (!last.ok())
            Q_EMIT failed(tr("✗ %1 — nothing was deleted (the whole delete is one transaction).").arg(last.errorText()), last);
        else
            m_history->push(new DeleteRowCommand(m_session, model, pk, std::move(taken)));
    }
    return last;
}

ActionResult RecordActions::changeM2m(const Model *model, const QCborValue &pk, const Field *field,
                                      const QVector<QCborValue> &checked, M2mMode mode)
{
    ActionResult result;
    const QVector<QCborValue> linked = m_session->linkedIds(model, pk, field);
    if (mode == M2mMode::Set) {
        result = m_session->m2mChange(model, pk, field->name, M2mAction::Set, checked);
    } else if (mode == M2mMode::Clear) {
        result = m_session->m2mChange(model, pk, field->name, M2mAction::Clear, {});
    } else {
        QVector<QCborValue> removed, added;
        for (const QCborValue &id : linked)
            if (!checked.contains(id))
                removed.append(id);
        for (const QCborValue &id : checked)
            if (!linked.contains(id))
                added.append(id);
        if (!removed.isEmpty())
            result = m_session->m2mChange(model, pk, field->name, M2mAction::Remove, removed);
        if (!added.isEmpty() && result.ok())
            result = m_session->m2mChange(model, pk, field->name, M2mAction::Add, added);
    }
    const QVector<QCborValue> now = m_session->linkedIds(model, pk, field);
    if (now != linked)
        m_history->push(new M2mCommand(m_session, model, pk, field->name, linked, now));
    if (!result.ok())
        Q_EMIT failed(tr("✗ %1 — the m2m change was rolled back.").arg(result.errorText()), result);
    return result;
}

ActionResult RecordActions::updateRows(const Model *model, const QVector<QCborValue> &pks, const Field *field,
                                       const QCborValue &value)
{
    const ActionResult result = m_session->updateRows(model, pks, field, value);
    if (!result.ok())
        Q_EMIT failed(tr("✗ %1").arg(result.errorText()), result);
    else
        Q_EMIT note(tr("QuerySet.update() wrote the rows with one UPDATE: no signal at all was sent."));
    return result;
}

ActionResult RecordActions::bulkCreate(const Model *model, const QVector<Kwargs> &rows)
{
    const ActionResult result = m_session->bulkCreate(model, rows);
    if (!result.ok())
        Q_EMIT failed(tr("✗ %1 — bulk_create was rolled back.").arg(result.errorText()), result);
    else
        Q_EMIT note(tr("bulk_create: only pre_init/post_init were sent — no pre_save/post_save."));
    return result;
}

bool RecordActions::cellEdited(const Model *model, const QCborValue &pk, const Field *field, const QCborValue &oldValue,
                               const QCborValue &newValue, const ActionResult &result, bool updateFieldsOnly)
{
    if (!result.ok()) {
        Q_EMIT failed(tr("✗ %1 — the edit of %2.%3 failed; the table shows what the database holds.")
                          .arg(result.errorText(), Session::varName(model, pk), field->name), result);
        return false;
    }
    m_history->push(new EditCellCommand(m_session, model, pk, field, oldValue, newValue, updateFieldsOnly));
    return true;
}

} // namespace ss
