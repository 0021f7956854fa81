#pragma once
// The window's undo commands. Each undo and each redo is itself a Django
// operation run through the Session (recorded like any action), and may fail:
// a receiver raises, a row is gone, an IntegrityError. A command never moves
// the undo stack by itself on failure — UndoHistory puts the stack back and
// reports; the command keeps the result of its last run for that.

#include "session/session.h"

#include <QUndoCommand>

namespace ss {

class SessionCommand : public QUndoCommand
{
public:
    explicit SessionCommand(Session *session) : m_s(session) {}

    void undo() final;
    void redo() final;

    // The result of the last undo()/redo() that ran (ok when skipped).
    const ActionResult &lastResult() const { return m_last; }
    // The next undo()/redo() does nothing: its effect is already in place
    // (the first redo, run by push() after the user's own action; or the
    // step back after a failure).
    void skipNext() { m_skip = true; }

protected:
    virtual ActionResult runUndo() = 0;
    virtual ActionResult runRedo() = 0;
    Session *m_s;

private:
    ActionResult run(bool undo);
    ActionResult m_last;
    bool m_skip = true;                 // pushed after the action itself ran
};

// obj.field = value; obj.save()
class EditCellCommand : public SessionCommand
{
public:
    EditCellCommand(Session *s, const Model *m, QCborValue pk, const Field *f, QCborValue oldValue, QCborValue newValue,
                    bool updateFieldsOnly);

private:
    ActionResult runUndo() override { return apply(m_old); }
    ActionResult runRedo() override { return apply(m_new); }
    ActionResult apply(const QCborValue &v);
    QString m_model, m_field;
    QCborValue m_pk, m_old, m_new;
    bool m_updateFieldsOnly;
};

// Model.objects.create(...): undone by a delete, redone by a create with the same pk.
class CreateRowCommand : public SessionCommand
{
public:
    CreateRowCommand(Session *s, const Model *m, Kwargs values, QCborValue pk);

private:
    ActionResult runUndo() override;
    ActionResult runRedo() override;
    QString m_model;
    Kwargs m_values;
    QCborValue m_pk;
};

// x.delete(): undone by putting back everything it took away — cascaded
// rows, through rows, relations set to null — as a fixture load (RowRestore).
class DeleteRowCommand : public SessionCommand
{
public:
    DeleteRowCommand(Session *s, const Model *m, QCborValue pk, RowRestore taken);

private:
    ActionResult runUndo() override;
    ActionResult runRedo() override;
    QString m_model;
    QCborValue m_pk;
    RowRestore m_taken;
};

// obj.<m2m>.add/remove/clear/set(...): undone by set() to the old ids.
class M2mCommand : public SessionCommand
{
public:
    M2mCommand(Session *s, const Model *m, QCborValue pk, QString accessor, QVector<QCborValue> before,
               QVector<QCborValue> after);

private:
    ActionResult runUndo() override { return setTo(m_before); }
    ActionResult runRedo() override { return setTo(m_after); }
    ActionResult setTo(const QVector<QCborValue> &ids);
    QString m_model, m_accessor;
    QCborValue m_pk;
    QVector<QCborValue> m_before, m_after;
};

} // namespace ss
