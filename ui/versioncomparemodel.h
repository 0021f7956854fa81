#pragma once
// The comparison view's table: one row per aligned trace line of a scenario run
// under two Django versions (VersionComparison), the two versions side by side.
// Rows one version sends and the other does not, rows that differ (origin, an
// error text) and rows of objects the newer version does not load are marked
// by background and by role, with a one-line "why" in the last column.

#include "session/versioncomparison.h"

#include <QAbstractTableModel>

namespace ss {

namespace CompareColumn {
enum : int { Step, Left, Right, Why, Count };
}

enum CompareRole : int {
    CompareKindRole = Qt::UserRole + 201,   // int: ComparedRow::Kind
    RowNotLoadedRole,                       // bool: a line of a row the right version does not load
    OriginRole,                             // QString: the right line's origin as compact JSON, "" when none
    CanonicalLineRole,                      // QString: the column's canonical JSON line, "" when none
};

class VersionCompareModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    explicit VersionCompareModel(QObject *parent = nullptr);

    void setComparison(VersionComparison comparison);
    const VersionComparison &comparison() const { return m_comparison; }

    // Only the rows that are not the same under both versions.
    void setDifferencesOnly(bool only);
    bool differencesOnly() const { return m_differencesOnly; }
    // The ComparedRow shown at `row`.
    const ComparedRow &comparedRow(int row) const { return m_comparison.rows().at(m_visible.at(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuildVisible();
    QString cellText(const ComparedRow &row, bool left) const;

    VersionComparison m_comparison;
    QVector<int> m_visible;
    bool m_differencesOnly = false;
};

} // namespace ss
