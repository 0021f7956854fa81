#pragma once
// What the user does to the records, dialog-free: create a row, delete rows
// (each after its preview, which a confirmation may refuse), change an m2m
// field (a diff of remove/add, a set() or a clear()), update rows with one
// UPDATE, bulk_create. Each success that can be undone goes on the
// UndoHistory; each failure is reported by failed() with the user's words for
// what was rolled back. The window only asks (dialogs) and shows (messages).

#include "model/deleteplan.h"
#include "session/session.h"

#include <QObject>
#include <functional>

namespace ss {

class UndoHistory;

class RecordActions : public QObject
{
    Q_OBJECT
public:
    enum class M2mMode { Diff, Set, Clear };

    RecordActions(Session *session, UndoHistory *history, QObject *parent = nullptr);

    // Asked with each row's preview before it is deleted; false keeps the row.
    // Unset: every row is deleted.
    void setConfirmDelete(std::function<bool(const DeletePreview &)> confirm) { m_confirm = std::move(confirm); }

    ActionResult createRow(const Model *model, const Kwargs &values);
    ActionResult deleteRows(const Model *model, const QVector<QCborValue> &pks);
    DeletePreview lastDeletePreview() const { return m_lastPreview; }
    // `checked`: the ids wanted (Diff, Set). A partial change (remove ran,
    // add failed) is undoable too.
    ActionResult changeM2m(const Model *model, const QCborValue &pk, const Field *field,
                           const QVector<QCborValue> &checked, M2mMode mode);
    ActionResult updateRows(const Model *model, const QVector<QCborValue> &pks, const Field *field, const QCborValue &value);
    ActionResult bulkCreate(const Model *model, const QVector<Kwargs> &rows);
    // A cell edit the table ran (RecordTableModel::cellEdited): undoable when
    // it worked, said when it failed. Returns whether it worked.
    bool cellEdited(const Model *model, const QCborValue &pk, const Field *field, const QCborValue &oldValue,
                    const QCborValue &newValue, const ActionResult &result, bool updateFieldsOnly);

Q_SIGNALS:
    // An action failed and was rolled back; `message` says so in words.
    void failed(const QString &message, const ss::ActionResult &result);
    // A success worth a status line ("bulk_create: only pre_init/post_init were sent").
    void note(const QString &message);

private:
    Session *m_session;
    UndoHistory *m_history;
    std::function<bool(const DeletePreview &)> m_confirm;
    DeletePreview m_lastPreview;
};

} // namespace ss
