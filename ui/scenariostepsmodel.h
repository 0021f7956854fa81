#pragma once
// The scenario's steps as a list model: one row per step, labelled with its
// Django code, the next step marked (the teaching mode's "you are here").
//
// A list model rather than a QListWidget so a 20,000-step scenario costs
// nothing until it is shown: labels are made on demand for the visible rows,
// and moving the current step repaints only the rows whose state changed.

#include <QAbstractListModel>

namespace ss {

class Session;

class ScenarioStepsModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class StepState { Done, Next, Pending };
    enum Role { StepStateRole = Qt::UserRole + 1 };

    explicit ScenarioStepsModel(Session *session, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    StepState stateOf(int step) const;
    int nextStep() const { return m_next; }

public Q_SLOTS:
    // The session loaded another scenario: every row is new.
    void reload();
    // The runner moved on (or back): repaint the rows between the old and new position.
    void syncNextStep();

private:
    Session *m_session;
    int m_rows = 0;
    int m_next = 0;
};

} // namespace ss
