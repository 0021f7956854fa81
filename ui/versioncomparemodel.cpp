#include "versioncomparemodel.h"

#include "model/value.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace ss {

namespace {

// Light enough for dark text on either palette; the Why column says it in words.
QColor kindColor(const ComparedRow &row)
{
    if (row.rowNotLoaded)
        return QColor(255, 214, 170);       // orange: a row the newer version does not load
    switch (row.kind) {
    case ComparedRow::Kind::OnlyLeft: return QColor(255, 205, 205);
    case ComparedRow::Kind::OnlyRight: return QColor(200, 240, 200);
    case ComparedRow::Kind::Differs: return QColor(255, 243, 185);
    case ComparedRow::Kind::Same: break;
    }
    return QColor();
}

} // namespace

VersionCompareModel::VersionCompareModel(QObject *parent) : QAbstractTableModel(parent) {}

void VersionCompareModel::setComparison(VersionComparison comparison)
{
    beginResetModel();
    m_comparison = std::move(comparison);
    rebuildVisible();
    endResetModel();
}

void VersionCompareModel::setDifferencesOnly(bool only)
{
    if (only == m_differencesOnly)
        return;
    beginResetModel();
    m_differencesOnly = only;
    rebuildVisible();
    endResetModel();
}

void VersionCompareModel::rebuildVisible()
{
    m_visible.clear();
    const auto &rows = m_comparison.rows();
    for (int i = 0; i < rows.size(); ++i)
        if (!m_differencesOnly || rows[i].kind != ComparedRow::Kind::Same)
            m_visible << i;
}

int VersionCompareModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

int VersionCompareModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : CompareColumn::Count;
}

QString VersionCompareModel::cellText(const ComparedRow &row, bool left) const
{
    const int index = left ? row.left : row.right;
    if (index < 0)
        return QString();
    const QCborMap &line = left ? m_comparison.leftLines().at(index) : m_comparison.rightLines().at(index);
    const int depth = int(line.value(QStringLiteral("depth")).toInteger());
    QString text = QString(depth * 2, QLatin1Char(' ')) + VersionComparison::brief(line);
    if (line.contains(QStringLiteral("origin")))
        text += QStringLiteral("  · origin ") + placeholderText(line.value(QStringLiteral("origin")));
    return text;
}

QVariant VersionCompareModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_visible.size() || index.column() >= CompareColumn::Count)
        return {};
    const ComparedRow &row = comparedRow(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case CompareColumn::Step: {
            // The step number on the first visible row of each step only.
            const bool first = index.row() == 0 || comparedRow(index.row() - 1).step != row.step;
            return first ? QVariant(row.step) : QVariant();
        }
        case CompareColumn::Left: return row.left < 0 ? QStringLiteral("—") : cellText(row, true);
        case CompareColumn::Right: return row.right < 0 ? QStringLiteral("—") : cellText(row, false);
        case CompareColumn::Why: return row.note;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == CompareColumn::Step)
            return m_comparison.stepCode(row.step);
        if (column == CompareColumn::Why)
            return row.note;
        return data(index, CanonicalLineRole);
    case Qt::BackgroundRole: {
        if (column == CompareColumn::Step)
            return {};
        // Only the side that has the line is coloured for one-sided rows.
        if ((row.kind == ComparedRow::Kind::OnlyLeft && column == CompareColumn::Right)
            || (row.kind == ComparedRow::Kind::OnlyRight && column == CompareColumn::Left))
            return {};
        const QColor color = kindColor(row);
        return color.isValid() ? QVariant(QBrush(color)) : QVariant();
    }
    case Qt::ForegroundRole: {
        const QColor background = kindColor(row);
        if ((column == CompareColumn::Left && row.left < 0) || (column == CompareColumn::Right && row.right < 0))
            return QBrush(QColor(140, 140, 140));
        return background.isValid() ? QVariant(QBrush(QColor(20, 20, 20))) : QVariant();
    }
    case Qt::FontRole:
        if (column == CompareColumn::Left || column == CompareColumn::Right) {
            QFont font(QStringLiteral("monospace"));
            font.setStyleHint(QFont::TypeWriter);
            return font;
        }
        return {};
    case CompareKindRole:
        return int(row.kind);
    case RowNotLoadedRole:
        return row.rowNotLoaded;
    case OriginRole:
        if (row.right >= 0 && m_comparison.rightLines().at(row.right).contains(QStringLiteral("origin")))
            return placeholderText(m_comparison.rightLines().at(row.right).value(QStringLiteral("origin")));
        return QString();
    case CanonicalLineRole: {
        const bool left = column != CompareColumn::Right;
        const int line = left ? row.left : row.right;
        if (line < 0 || column == CompareColumn::Step || column == CompareColumn::Why)
            return QString();
        const QCborMap &map = left ? m_comparison.leftLines().at(line) : m_comparison.rightLines().at(line);
        return QString::fromUtf8(canonicalJson(QCborValue(map)));
    }
    default:
        return {};
    }
}

QVariant VersionCompareModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case CompareColumn::Step: return tr("Step");
    case CompareColumn::Left: return tr("Django %1").arg(djangoVersionName(m_comparison.leftVersion()));
    case CompareColumn::Right: return tr("Django %1").arg(djangoVersionName(m_comparison.rightVersion()));
    case CompareColumn::Why: return tr("What changed");
    }
    return {};
}

} // namespace ss
