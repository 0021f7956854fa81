#pragma once
// Editors for the record tables: foreign keys as a choice of existing rows,
// a many-to-many editor whose changes run as add/remove/clear/set, and a form
// for new rows (create, or bulk_create of several).

#include "session/session.h"

#include <QDialog>
#include <QStyledItemDelegate>

class QListWidget;
class QTableWidget;
class QCheckBox;

namespace ss {

class RecordDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    RecordDelegate(Session *session, QObject *parent = nullptr) : QStyledItemDelegate(parent), m_session(session) {}
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;

private:
    Session *m_session;
};

// The linked rows of one m2m cell, as checkboxes. On accept, the difference
// runs as remove() then add() — or set()/clear() when chosen.
class M2mDialog : public QDialog
{
    Q_OBJECT
public:
    M2mDialog(Session *session, const Model *model, const QCborValue &pk, const Field *field, QWidget *parent = nullptr);
    enum class Mode { Diff, Set, Clear };
    Mode mode() const { return m_mode; }
    QVector<QCborValue> checkedIds() const;

private:
    QListWidget *m_list;
    Mode m_mode = Mode::Diff;
};

// Rows for create (one) or bulk_create (several): one line per row, a column
// per field; an empty cell leaves the field out (its default applies).
class RowFormDialog : public QDialog
{
    Q_OBJECT
public:
    RowFormDialog(Session *session, const Model *model, int rows, bool bulk, QWidget *parent = nullptr);
    QVector<Kwargs> rows() const;

private:
    const Model *m_model;
    QTableWidget *m_table;
    QVector<const Field *> m_fields;
};

} // namespace ss
