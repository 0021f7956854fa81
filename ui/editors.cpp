#include "editors.h"

#include "model/fieldvalues.h"
#include "python/pythonvalue.h"
#include "recordtablemodel.h"
#include "roles.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ss {

static const RecordTableModel *recordModel(const QModelIndex &index)
{
    return qobject_cast<const RecordTableModel *>(index.model());
}

QWidget *RecordDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const RecordTableModel *model = recordModel(index);
    const Field *field = model ? model->fieldAt(index.column()) : nullptr;
    if (field && field->isForeignKey()) {
        auto *combo = new QComboBox(parent);
        // Each item holds the target's pk exactly (a text pk stays text, 2.0 a float).
        if (field->null)
            combo->addItem(QStringLiteral("None"), QVariant::fromValue(QCborValue(nullptr)));
        for (const Row &row : m_session->rows(field->target)) {
            const QCborValue pk = row.value(field->target->pk->index);
            combo->addItem(QStringLiteral("%1 · %2").arg(pythonRepr(pk), m_session->rowLabel(field->target, pk)),
                           QVariant::fromValue(pk));
        }
        return combo;
    }
    return QStyledItemDelegate::createEditor(parent, option, index);
}

void RecordDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        const QCborValue current = index.data(RawValueRole).value<QCborValue>();
        for (int i = 0; i < combo->count(); ++i)
            if (pythonEquals(combo->itemData(i).value<QCborValue>(), current))
                combo->setCurrentIndex(i);
        return;
    }
    QStyledItemDelegate::setEditorData(editor, index);
}

void RecordDelegate::setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const
{
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        model->setData(index, combo->currentData(), Qt::EditRole);
        return;
    }
    QStyledItemDelegate::setModelData(editor, model, index);
}

M2mDialog::M2mDialog(Session *session, const Model *model, const QCborValue &pk, const Field *field, QWidget *parent)
    : QDialog(parent), m_list(new QListWidget(this))
{
    const QString var = Session::varName(model, pk);
    setWindowTitle(tr("%1.%2").arg(var, field->name));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Check the %1 rows linked to %2. OK runs <code>%2.%3.remove(...)</code> for the "
                                    "unchecked ones, then <code>.add(...)</code> for the newly checked ones; each sends "
                                    "an m2m_changed pair (pre_/post_) with the through model <b>%4</b> as sender.")
                                     .arg(field->target->name, var, field->name, field->through->name), this));
    const QVector<QCborValue> linked = session->linkedIds(model, pk, field);
    for (const Row &row : session->rows(field->target)) {
        const QCborValue id = row.value(field->target->pk->index);
        auto *item = new QListWidgetItem(QStringLiteral("%1 · %2").arg(placeholderText(id), session->rowLabel(field->target, id)), m_list);
        item->setData(Qt::UserRole, id.toVariant());
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(linked.contains(id) ? Qt::Checked : Qt::Unchecked);
    }
    layout->addWidget(m_list);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton *set = buttons->addButton(tr("Run as set()"), QDialogButtonBox::ActionRole);
    QPushButton *clear = buttons->addButton(tr("clear()"), QDialogButtonBox::ActionRole);
    connect(set, &QPushButton::clicked, this, [this] { m_mode = Mode::Set; accept(); });
    connect(clear, &QPushButton::clicked, this, [this] { m_mode = Mode::Clear; accept(); });
    connect(buttons, &QDialogButtonBox::accepted, this, [this] { m_mode = Mode::Diff; accept(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QVector<QCborValue> M2mDialog::checkedIds() const
{
    QVector<QCborValue> ids;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked)
            ids.append(QCborValue::fromVariant(m_list->item(i)->data(Qt::UserRole)));
    return ids;
}

RowFormDialog::RowFormDialog(Session *session, const Model *model, int rows, bool bulk, QWidget *parent)
    : QDialog(parent), m_model(model), m_table(new QTableWidget(this))
{
    Q_UNUSED(session);
    setWindowTitle(bulk ? tr("%1.objects.bulk_create([...])").arg(model->name) : tr("%1.objects.create(...)").arg(model->name));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(bulk ? tr("One line per new %1. bulk_create builds every object (pre_init/post_init) and "
                                           "inserts them in one statement: <b>no pre_save/post_save</b>.").arg(model->name)
                                      : tr("Empty cells are left out (the field's default applies). Foreign keys take the "
                                           "id of an existing row."), this));
    for (const Field *f : model->concreteFields)
        if (!f->autoIncrement)
            m_fields.append(f);
    m_table->setColumnCount(m_fields.size());
    m_table->setRowCount(rows);
    QStringList headers;
    for (const Field *f : m_fields)
        headers << (f->isForeignKey() ? f->attname : f->name);
    m_table->setHorizontalHeaderLabels(headers);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    if (bulk) {
        QPushButton *more = buttons->addButton(tr("+ row"), QDialogButtonBox::ActionRole);
        connect(more, &QPushButton::clicked, this, [this] { m_table->setRowCount(m_table->rowCount() + 1); });
    }
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(640, 300);
}

QVector<Kwargs> RowFormDialog::rows() const
{
    QVector<Kwargs> result;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        Kwargs kwargs;
        for (int c = 0; c < m_fields.size(); ++c) {
            const QTableWidgetItem *item = m_table->item(r, c);
            if (!item || item->text().isEmpty())
                continue;
            const Field *f = m_fields[c];
            kwargs.append({f->isForeignKey() ? f->attname : f->name, Value(RecordTableModel::valueFromText(f, item->text()))});
        }
        bool blankRow = true;
        for (int c = 0; c < m_fields.size(); ++c)
            if (m_table->item(r, c) && !m_table->item(r, c)->text().isEmpty())
                blankRow = false;
        if (!blankRow || m_table->rowCount() == 1)
            result.append(kwargs);
    }
    return result;
}

} // namespace ss
