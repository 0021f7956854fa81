#pragma once
// One model's rows as a table, over the engine (never SQL in a widget).
//
// Reading is silent (Session::rows reads the database directly, no
// Model.objects query): refreshing the table sends no pre_init/post_init, so
// every signal in the timeline comes from something the user did. Editing a
// cell is one Django operation — `obj.field = v; obj.save()` or
// `obj.save(update_fields=['field'])` — and the table then shows what the
// database really holds, whether the save worked or not.

#include "session/session.h"

#include <QAbstractTableModel>
#include <QHash>

namespace ss {

class RecordTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    RecordTableModel(Session *session, const Model *model, QObject *parent = nullptr);

    const Model *djangoModel() const { return m_model; }
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // Columns: the concrete fields (pk first), then the many_to_many fields.
    const Field *fieldAt(int column) const;
    bool isM2mColumn(int column) const;
    QCborValue pkAt(int row) const;
    int rowOfPk(const QCborValue &pk) const;
    QCborValue valueAt(int row, const Field *field) const;

    // A cell edit: save() or save(update_fields=[field]).
    void setUpdateFieldsOnly(bool on) { m_updateFieldsOnly = on; }
    bool updateFieldsOnly() const { return m_updateFieldsOnly; }

    // Re-reads the rows (silently), keeping rows in place when only values changed.
    void refresh();

    // Text typed for a field as the value Django would get: numbers parsed
    // when they parse (otherwise the text, which Django refuses with its own
    // message), "None" or empty for a nullable field, True/False for bools.
    static QCborValue valueFromText(const Field *field, const QString &text);
    QString displayValue(const Field *field, const QCborValue &value) const;

Q_SIGNALS:
    // A cell edit ran: for undo and for reporting errors where they were made.
    void cellEdited(const ss::Model *model, const QCborValue &pk, const ss::Field *field, const QCborValue &oldValue,
                    const QCborValue &newValue, const ss::ActionResult &result);

private:
    Session *m_session;
    const Model *m_model;
    QVector<const Field *> m_columns;
    QVector<Row> m_rows;
    QVector<QVector<QCborValue>> m_links;       // per row, per m2m column: linked ids
    QHash<const Field *, QHash<QString, QString>> m_labels;   // per foreign key column: target pk -> label
    bool m_updateFieldsOnly = false;
};

} // namespace ss
