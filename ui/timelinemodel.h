#pragma once
// The live timeline: a tree whose shape is the dispatch stack. Top level: the
// user's actions (scenario steps, table edits) labelled with their Django code;
// under an action the signals it sent; under a signal its receiver calls; under
// a receiver whatever it did (more signals, notify effects, errors).
//
// Rows are recorder event indexes (stable), parents found by index. New events
// arrive from the TraceBridge in batches: one beginInsertRows per batch per
// already-visible parent (normally one: the root).

#include <QAbstractItemModel>
#include <QVector>
#include <vector>

namespace ss {

class TraceRecorder;
class TraceBridge;
class Session;

class TimelineModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    explicit TimelineModel(Session *session, QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;

    QModelIndex indexForEvent(int event, int column = 0) const;
    int eventAt(const QModelIndex &index) const;        // -1 for the root
    int knownEvents() const { return int(m_row.size()); }
    int insertBatches() const { return m_batches; }     // how many beginInsertRows so far
    // The tree by event index (-1: the top level), for a filter over it.
    int childCount(int parentEvent) const;
    int childAt(int parentEvent, int row) const;
    int rowOf(int event) const { return event >= 0 && size_t(event) < m_row.size() ? m_row[size_t(event)] : -1; }

    // Text of one event for the Event column and for search.
    QString eventText(int event) const;
    QString argumentsText(int event) const;
    QString instanceText(int event) const;
    QString senderText(int event) const;
    // What search matches: the row's Event, Sender, Instance and Arguments
    // texts joined by a space. In parts, so an index can share a part between
    // the many events that read the same (TimelineSearchIndex).
    enum class SearchPart { EventAndSender, Instance, Arguments };
    static constexpr int SearchParts = 3;
    QString searchPart(int event, SearchPart part) const;
    QString searchText(int event) const;

Q_SIGNALS:
    // After every row of an appendEvents() batch is in (events [first, last]),
    // and after changeEvents() (events in [first, last] changed), with the
    // recorder's ranges: a filter over the tree decides new events per batch.
    void eventsAppended(int first, int last);
    void eventsChanged(int first, int last);

public Q_SLOTS:
    void appendEvents(int first, int last);
    void changeEvents(int first, int last);
    void clearAll();

private:
    Session *m_session;
    TraceRecorder *m_recorder;
    QVector<int> m_top;
    std::vector<QVector<int>> m_children;
    std::vector<int> m_row;
    int m_batches = 0;
};

// A send's key arguments (the Arguments column): all but instance, using and
// raw=False, as `created=True, update_fields=None`, in Django's spellings.
QString sendArgumentsText(const TraceRecorder &recorder, int event);

} // namespace ss
