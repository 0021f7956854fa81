#include "scenariostepsmodel.h"

#include "session/session.h"

#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace ss {

ScenarioStepsModel::ScenarioStepsModel(Session *session, QObject *parent)
    : QAbstractListModel(parent), m_session(session)
{
    reload();
}

int ScenarioStepsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

ScenarioStepsModel::StepState ScenarioStepsModel::stateOf(int step) const
{
    if (step < m_next)
        return StepState::Done;
    return step == m_next ? StepState::Next : StepState::Pending;
}

QVariant ScenarioStepsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int step = index.row();
    const StepState state = stateOf(step);
    switch (role) {
    case Qt::DisplayRole: {
        // A fixed-width marker keeps the step numbers aligned as the marker moves.
        const QString marker = state == StepState::Next ? QStringLiteral("▶ ")
                             : state == StepState::Done ? QStringLiteral("✓ ") : QStringLiteral("   ");
        return QStringLiteral("%1%2. %3").arg(marker).arg(step).arg(m_session->stepCode(step));
    }
    case Qt::ToolTipRole:
        return QStringLiteral("%1. %2").arg(step).arg(m_session->stepCode(step));
    case Qt::FontRole:
        if (state == StepState::Next) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ForegroundRole:
        // Done steps recede; the palette's own disabled colour reads in light and dark themes.
        if (state == StepState::Done)
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::BackgroundRole:
        if (state == StepState::Next)
            return QColor(80, 140, 255, 60);
        return {};
    case StepStateRole:
        return int(state);
    default:
        return {};
    }
}

void ScenarioStepsModel::reload()
{
    beginResetModel();
    m_rows = m_session->stepCount();
    m_next = m_session->nextStep();
    endResetModel();
}

void ScenarioStepsModel::syncNextStep()
{
    const int next = m_session->nextStep();
    if (next == m_next || m_rows == 0) {
        m_next = next;
        return;
    }
    const int first = std::clamp(std::min(next, m_next), 0, m_rows - 1);
    const int last = std::clamp(std::max(next, m_next), 0, m_rows - 1);
    m_next = next;
    Q_EMIT dataChanged(index(first), index(last));
}

} // namespace ss
