#pragma once
// What the timeline shows: hide signal kinds, keep one model's signals, search.
// A signal hidden by a filter hides what happened inside it; ancestors of a
// match stay visible (recursive filtering), so a match keeps its context.

#include <QSet>
#include <QSortFilterProxyModel>

namespace ss {

class TraceRecorder;

class TimelineFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit TimelineFilter(TraceRecorder *recorder, QObject *parent = nullptr);

    void setHiddenSignals(const QSet<QString> &signalNames);
    QSet<QString> hiddenSignals() const { return m_hidden; }
    void setSignalVisible(const QString &signalName, bool visible);
    void setModelFilter(const QString &model);          // empty: every model
    QString modelFilter() const { return m_model; }
    void setSearchText(const QString &text);
    QString searchText() const { return m_search; }
    // Django's own receivers (contract 8.5): shown like any receiver unless hidden.
    void setDjangoReceiversHidden(bool hidden);
    bool djangoReceiversHidden() const { return m_hideDjango; }
    bool isFiltering() const { return !m_hidden.isEmpty() || !m_model.isEmpty() || !m_search.isEmpty() || m_hideDjango; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool sendHidden(int event) const;

    TraceRecorder *m_recorder;
    QSet<QString> m_hidden;
    QString m_model;
    QString m_search;
    bool m_hideDjango = false;
};

} // namespace ss
