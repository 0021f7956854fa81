#include "recordtablemodel.h"

#include "python/djangocode.h"
#include "model/fielddetails.h"

#include "model/fieldvalues.h"
#include "roles.h"

#include <QColor>
#include <QFont>

namespace ss {

RecordTableModel::RecordTableModel(Session *session, const Model *model, QObject *parent)
    : QAbstractTableModel(parent), m_session(session), m_model(model)
{
    for (const Field *f : model->concreteFields)
        m_columns.append(f);
    for (const Field *f : model->manyToMany)
        m_columns.append(f);
    refresh();
}

int RecordTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int RecordTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_columns.size();
}

const Field *RecordTableModel::fieldAt(int column) const
{
    return column >= 0 && column < m_columns.size() ? m_columns.at(column) : nullptr;
}

bool RecordTableModel::isM2mColumn(int column) const
{
    const Field *f = fieldAt(column);
    return f && f->type == FieldType::ManyToMany;
}

QCborValue RecordTableModel::pkAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows[row].value(m_model->pk->index) : QCborValue();
}

int RecordTableModel::rowOfPk(const QCborValue &pk) const
{
    for (int r = 0; r < m_rows.size(); ++r)
        if (m_rows[r].value(m_model->pk->index) == pk)
            return r;
    return -1;
}

QCborValue RecordTableModel::valueAt(int row, const Field *field) const
{
    if (row < 0 || row >= m_rows.size() || !field || !field->isConcrete())
        return {};
    return m_rows[row].value(field->index);
}

QString RecordTableModel::displayValue(const Field *field, const QCborValue &value) const
{
    if (value.isNull() || value.isUndefined())
        return QStringLiteral("None");
    if (field->isForeignKey() && field->target)
        return QStringLiteral("%1 · %2").arg(placeholderText(value), m_labels.value(field).value(value.toDiagnosticNotation(),
                                                                                             instanceStr(field->target->name, value)));
    if (field->type == FieldType::Bool)
        return value.toBool() ? QStringLiteral("True") : QStringLiteral("False");
    if (field->type == FieldType::Float || field->type == FieldType::Int)
        return pythonRepr(value);
    return value.toString();
}

QVariant RecordTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_columns.size())
        return {};
    const Field *field = m_columns.at(index.column());
    if (field->type == FieldType::ManyToMany) {
        const int m2mIndex = index.column() - m_model->concreteFields.size();
        const QCborValue links = m_links[index.row()].value(m2mIndex);
        QStringList ids;
        for (const QCborValue &id : links.toArray())
            ids << placeholderText(id);
        switch (role) {
        case Qt::DisplayRole:
            return QString(QLatin1Char('[') + ids.join(QStringLiteral(", ")) + QStringLiteral("]  ✎"));
        case Qt::ToolTipRole:
            return tr("Double-click to add / remove / clear %1 (runs %2.%3.add(...) etc.)")
                .arg(field->target->name, Session::varName(m_model, pkAt(index.row())), field->name);
        case FieldNameRole:
            return field->name;
        case PkRole:
            return pkAt(index.row()).toVariant();
        }
        return {};
    }
    const QCborValue value = m_rows[index.row()].value(field->index);
    switch (role) {
    case Qt::DisplayRole:
        if (field->type == FieldType::Bool)
            return {};
        return displayValue(field, value);
    case Qt::EditRole:
        if (field->type == FieldType::Bool)
            return value.toBool();
        if (value.isNull())
            return QString();
        return field->isForeignKey() ? QVariant(value.toVariant()) : QVariant(placeholderText(value));
    case Qt::CheckStateRole:
        if (field->type == FieldType::Bool)
            return value.toBool() ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::ForegroundRole:
        if (value.isNull())
            return QColor(Qt::gray);
        return {};
    case Qt::ToolTipRole:
        if (field->primaryKey)
            return tr("Primary key");
        return tr("Edit to run %1.%2 = ...; then save() (or save(update_fields=[...]), see the toolbar)")
            .arg(Session::varName(m_model, pkAt(index.row())), field->isForeignKey() ? field->attname : field->name);
    case PkRole:
        return pkAt(index.row()).toVariant();
    case FieldNameRole:
        return field->name;
    case RawValueRole:
        return QVariant::fromValue(value);
    }
    return {};
}

QVariant RecordTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        if (role == Qt::DisplayRole && section < m_rows.size())
            return placeholderText(pkAt(section));
        return {};
    }
    const Field *field = fieldAt(section);
    if (!field)
        return {};
    if (role == Qt::DisplayRole) {
        if (field->isForeignKey())
            return QStringLiteral("%1 → %2").arg(field->attname, field->target->name);
        if (field->type == FieldType::ManyToMany)
            return QStringLiteral("%1 ⇄ %2").arg(field->name, field->target->name);
        return field->name;
    }
    if (role == Qt::ToolTipRole) {
        const QString tip = QStringLiteral("%1: %2").arg(field->name, fieldDetails(*field));
        return tip;
    }
    return {};
}

Qt::ItemFlags RecordTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const Field *field = fieldAt(index.column());
    if (!field || field->primaryKey || field->type == FieldType::ManyToMany)
        return flags;
    if (field->type == FieldType::Bool)
        return flags | Qt::ItemIsUserCheckable;
    return flags | Qt::ItemIsEditable;
}

QCborValue RecordTableModel::valueFromText(const Field *field, const QString &input)
{
    const QString text = input.trimmed();
    if (field->null && (text.isEmpty() || text == QLatin1String("None")))
        return QCborValue(nullptr);
    switch (field->type) {
    case FieldType::Int:
    case FieldType::ForeignKey:
    case FieldType::OneToOne: {
        if (text.isEmpty() || text == QLatin1String("None"))
            return QCborValue(nullptr);
        bool ok = false;
        const qint64 v = text.toLongLong(&ok);
        return ok ? QCborValue(v) : QCborValue(input);
    }
    case FieldType::Float: {
        bool ok = false;
        const double v = text.toDouble(&ok);
        return ok ? QCborValue(v) : QCborValue(input);
    }
    case FieldType::Bool:
        if (text == QLatin1String("True") || text == QLatin1String("true") || text == QLatin1String("1"))
            return QCborValue(true);
        if (text == QLatin1String("False") || text == QLatin1String("false") || text == QLatin1String("0"))
            return QCborValue(false);
        return QCborValue(input);
    default:
        return QCborValue(input);
    }
}

bool RecordTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return false;
    const Field *field = fieldAt(index.column());
    if (!field || !field->isConcrete() || field->primaryKey)
        return false;
    QCborValue newValue;
    if (role == Qt::CheckStateRole && field->type == FieldType::Bool)
        newValue = QCborValue(value.toInt() == Qt::Checked);
    else if (role == Qt::EditRole && value.metaType() == QMetaType::fromType<QCborValue>())
        newValue = value.value<QCborValue>();     // an exact value (the foreign-key editor's pk)
    else if (role == Qt::EditRole)
        newValue = valueFromText(field, value.toString());
    else
        return false;
    const QCborValue pk = pkAt(index.row());
    const QCborValue oldValue = m_rows[index.row()].value(field->index);
    if (newValue == oldValue && newValue.type() == oldValue.type())
        return false;
    const ActionResult result = m_session->saveField(m_model, pk, field, newValue, m_updateFieldsOnly);
    // The session announced databaseChanged: every table, this one included,
    // now shows what the database holds.
    Q_EMIT cellEdited(m_model, pk, field, oldValue, newValue, result);
    return result.ok();
}

void RecordTableModel::refresh()
{
    // Everything the cells show is read here, once per database change: the
    // rows, each foreign key's label (one read of the target table), each
    // many-to-many cell's ids (one read of the through table) — never SQL per data().
    const QVector<Row> rows = m_session->rows(m_model);
    QHash<const Field *, QHash<QString, QString>> labels;
    for (const Field *f : std::as_const(m_columns)) {
        if (!f->isForeignKey() || !f->target || labels.contains(f))
            continue;
        const Field *labelField = nullptr;
        for (const Field *t : f->target->concreteFields)
            if ((t->type == FieldType::Char || t->type == FieldType::Text) && !t->primaryKey) {
                labelField = t;
                break;
            }
        QHash<QString, QString> &byPk = labels[f];
        for (const Row &target : m_session->rows(f->target)) {
            const QCborValue pk = target.value(f->target->pk->index);
            byPk.insert(pk.toDiagnosticNotation(), labelField ? placeholderText(target.value(labelField->index))
                                                              : instanceStr(f->target->name, pk));
        }
    }
    QVector<QVector<QCborValue>> links(rows.size());
    QHash<QString, int> rowOf;
    for (int r = 0; r < rows.size(); ++r)
        rowOf.insert(rows[r].value(m_model->pk->index).toDiagnosticNotation(), r);
    for (const Field *f : m_model->manyToMany) {
        QVector<QCborArray> ids(rows.size());
        if (f->through)
            for (const Row &link : m_session->rows(f->through)) {
                const int r = rowOf.value(link.value(f->throughSource->index).toDiagnosticNotation(), -1);
                if (r >= 0)
                    ids[r].append(link.value(f->throughTarget->index));
            }
        for (int r = 0; r < rows.size(); ++r) {
            QVector<QCborValue> sorted(ids[r].cbegin(), ids[r].cend());
            std::sort(sorted.begin(), sorted.end(), [](const QCborValue &x, const QCborValue &y) { return x < y; });
            QCborArray array;
            for (const QCborValue &id : sorted)
                array.append(id);
            links[r].append(array);
        }
    }
    m_labels = labels;
    bool samePks = rows.size() == m_rows.size();
    for (int r = 0; samePks && r < rows.size(); ++r)
        samePks = rows[r].value(m_model->pk->index) == m_rows[r].value(m_model->pk->index);
    if (samePks) {
        m_rows = rows;
        m_links = links;
        if (!m_rows.isEmpty() && !m_columns.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(m_rows.size() - 1, m_columns.size() - 1));
        if (!m_rows.isEmpty())
            Q_EMIT headerDataChanged(Qt::Vertical, 0, m_rows.size() - 1);
        return;
    }
    beginResetModel();
    m_rows = rows;
    m_links = links;
    endResetModel();
}

} // namespace ss
