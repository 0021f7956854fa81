#pragma once
// The record tables: one tab per model (auto-created through models too: they
// are real tables), each a RecordTableModel in a QTableView with the record
// delegate. Rebuilt when a schema loads (the tab the user was on is kept
// across a reset), dropped before the engine goes. What the user does in
// them is announced (a cell edit, a many-to-many cell opened); doing it is
// RecordActions' job.

#include "session/session.h"

#include <QTabWidget>
#include <QVector>

class QTableView;

namespace ss {

class RecordTableModel;

class RecordTables : public QTabWidget
{
    Q_OBJECT
public:
    explicit RecordTables(Session *session, QWidget *parent = nullptr);

    // One tab per model of the loaded schema; `keepTab`: back on the tab shown before drop().
    void rebuild(bool keepTab);
    // Before the engine (and every Model the tables point at) goes.
    void drop();
    void refresh();                                 // the database changed
    void setUpdateFieldsOnly(bool on);

    RecordTableModel *model(const QString &modelName) const;
    QTableView *view(const QString &modelName) const;
    RecordTableModel *currentModel() const;
    // The selected rows' pks in the current tab, in row order (the current row when none is selected).
    QVector<QCborValue> selectedPks() const;

Q_SIGNALS:
    void cellEdited(const ss::Model *model, const QCborValue &pk, const ss::Field *field, const QCborValue &oldValue,
                    const QCborValue &newValue, const ss::ActionResult &result);
    void m2mCellActivated(const QModelIndex &index);

private:
    Session *m_session;
    QVector<RecordTableModel *> m_models;
    QVector<QTableView *> m_views;
    bool m_updateFieldsOnly = false;
    int m_lastTab = -1;
};

} // namespace ss
