#include "recordtables.h"

#include "editors.h"
#include "recordtablemodel.h"

#include <QHeaderView>
#include <QTableView>
#include <algorithm>

namespace ss {

RecordTables::RecordTables(Session *session, QWidget *parent)
    : QTabWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("recordTables"));
    setDocumentMode(true);
}

void RecordTables::drop()
{
    if (count() > 0)
        m_lastTab = currentIndex();
    for (QTableView *view : std::as_const(m_views))
        view->setModel(nullptr);
    clear();
    qDeleteAll(m_views);
    qDeleteAll(m_models);
    m_models.clear();
    m_views.clear();
}

void RecordTables::rebuild(bool keepTab)
{
    drop();
    for (const auto &model : m_session->registry().models()) {
        auto *tableModel = new RecordTableModel(m_session, model.get(), this);
        tableModel->setUpdateFieldsOnly(m_updateFieldsOnly);
        auto *view = new QTableView(this);
        view->setObjectName(QStringLiteral("table_") + model->name);
        view->setModel(tableModel);
        view->setItemDelegate(new RecordDelegate(m_session, view));
        view->setSelectionBehavior(QAbstractItemView::SelectRows);
        view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed | QAbstractItemView::AnyKeyPressed);
        view->horizontalHeader()->setStretchLastSection(true);
        view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
        view->horizontalHeader()->setDefaultSectionSize(150);
        connect(view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
            auto *m = qobject_cast<const RecordTableModel *>(index.model());
            if (m && m->isM2mColumn(index.column()))
                Q_EMIT m2mCellActivated(index);
        });
        connect(tableModel, &RecordTableModel::cellEdited, this, &RecordTables::cellEdited);
        addTab(view, model->autoCreated ? model->name + QStringLiteral(" (through)") : model->name);
        m_models.append(tableModel);
        m_views.append(view);
    }
    if (keepTab && m_lastTab >= 0 && m_lastTab < count())
        setCurrentIndex(m_lastTab);
}

void RecordTables::refresh()
{
    for (RecordTableModel *m : std::as_const(m_models))
        m->refresh();
}

void RecordTables::setUpdateFieldsOnly(bool on)
{
    m_updateFieldsOnly = on;
    for (RecordTableModel *m : std::as_const(m_models))
        m->setUpdateFieldsOnly(on);
}

RecordTableModel *RecordTables::model(const QString &modelName) const
{
    for (RecordTableModel *m : m_models)
        if (m->djangoModel()->name == modelName)
            return m;
    return nullptr;
}

QTableView *RecordTables::view(const QString &modelName) const
{
    for (int i = 0; i < m_models.size(); ++i)
        if (m_models[i]->djangoModel()->name == modelName)
            return m_views[i];
    return nullptr;
}

RecordTableModel *RecordTables::currentModel() const
{
    const int i = currentIndex();
    return i >= 0 && i < m_models.size() ? m_models[i] : nullptr;
}

QVector<QCborValue> RecordTables::selectedPks() const
{
    QVector<QCborValue> pks;
    const int i = currentIndex();
    if (i < 0 || i >= m_views.size())
        return pks;
    QTableView *view = m_views[i];
    QList<int> rows;
    for (const QModelIndex &index : view->selectionModel()->selectedIndexes())
        if (!rows.contains(index.row()))
            rows.append(index.row());
    if (rows.isEmpty() && view->currentIndex().isValid())
        rows.append(view->currentIndex().row());
    std::sort(rows.begin(), rows.end());
    for (int r : rows)
        pks.append(m_models[i]->pkAt(r));
    return pks;
}

} // namespace ss
