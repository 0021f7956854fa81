#pragma once
// What the timeline shows: hide signal kinds, keep one model's signals, search.
// A signal hidden by a filter hides what happened inside it; ancestors of a
// match stay visible, so a match keeps its context.
//
// Never a freeze, at a million events. This is a filtered tree of its own over
// the TimelineModel (not a QSortFilterProxyModel, whose per-parent mappings
// are rebuilt and whose rows are removed and inserted range by range on every
// change: hundreds of milliseconds at 1M events, and worse in the view):
//  - with no filter it passes the tree through (same rows, same signals);
//  - a filter change decides every event in one linear pass over the
//    recorder (events are in pre-order, parents before children): a
//    visibility byte per event, then per parent the list of its visible
//    children; the view hears one layoutChanged, persistent indexes (the
//    view's expanded rows, the selection) follow their events;
//  - events arriving while a filter is on are decided per batch and appended
//    (rowsInserted per parent, as the tree does);
//  - search matches TimelineSearchIndex, kept current as events arrive, so
//    even the first search finds it built. Typing is debounced (searchDelay()).
//
// Indexes carry their event (internalId), as the TimelineModel's do.

#include "timelinesearchindex.h"

#include <QAbstractProxyModel>
#include <QSet>
#include <QTimer>
#include <memory>
#include <vector>

namespace ss {

class TraceRecorder;
class TimelineModel;

class TimelineFilter : public QAbstractProxyModel
{
    Q_OBJECT
public:
    explicit TimelineFilter(TraceRecorder *recorder, QObject *parent = nullptr);
    ~TimelineFilter() override;

    // The source must be a TimelineModel over the same recorder.
    void setSourceModel(QAbstractItemModel *model) override;

    void setHiddenSignals(const QSet<QString> &signalNames);
    QSet<QString> hiddenSignals() const { return m_hidden; }
    void setSignalVisible(const QString &signalName, bool visible);
    void setModelFilter(const QString &model);          // empty: every model
    QString modelFilter() const { return m_model; }
    // Applied searchDelay() ms after the last call (or at once by applyPending()).
    void setSearchText(const QString &text);
    QString searchText() const { return m_pendingSearch; }
    // Django's own receivers (contract 8.5): shown like any receiver unless hidden.
    void setDjangoReceiversHidden(bool hidden);
    bool djangoReceiversHidden() const { return m_hideDjango; }
    bool isFiltering() const { return !m_hidden.isEmpty() || !m_model.isEmpty() || !m_search.isEmpty() || m_hideDjango; }

    static int searchDelay() { return 40; }
    // Applies a pending search now, indexing what is left in one go.
    void applyPending();
    bool isPending() const { return m_debounce.isActive() || m_searchWaits || m_next; }
    // How many events the last applied filter shows (matches and their context).
    int visibleEvents() const;
    // Whether the applied filter shows an event (every event when none is set).
    bool isShown(int event) const;

    // The model.
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;
    QModelIndex indexForEvent(int event, int column = 0) const;     // invalid when hidden

Q_SIGNALS:
    // A filter change has been applied to the rows (after the debounce and indexing).
    void filterApplied();

private:
    // One decision of every event for one setting of the filters: the one
    // applied (what the rows show) and, while a change is being decided in
    // slices, the next one. Per event: whether it is shown (2: decided, not
    // yet in its parent's rows), hidden with everything under it by a kind
    // filter, its nearest enclosing send, its row among its shown siblings,
    // the list of its shown children (a slot in `lists`, -1: none).
    struct Pass
    {
        QSet<QString> hidden;
        QString model;
        bool hideDjango = false;
        TimelineSearchIndex::Query query;
        bool filtering = false;             // false: the tree passes through
        bool byKind = false;                // hidden kinds or Django's receivers
        bool byModel = false;
        // By string id (-1: not looked at yet): a hidden signal, Django's own
        // receiver, the filtered model.
        std::vector<qint8> hiddenName, djangoName, modelName;

        std::vector<quint8> visible;
        std::vector<quint8> hiddenByKind;
        std::vector<qint32> nearestSend;
        std::vector<qint32> row;
        std::vector<qint32> slot;
        std::vector<std::vector<qint32>> lists;
        std::vector<qint32> top;
        int decided = 0;
        int visibleCount = 0;
    };

    // The tree by event (-1: the top level), shown rows only.
    int childCount(int parentEvent) const;
    int childAt(int parentEvent, int row) const;
    int rowOf(int event) const;
    QModelIndex indexOf(int event, int column = 0) const;

    std::unique_ptr<Pass> makePass() const;
    int decidable(const Pass &pass) const;          // events the pass can decide now
    bool advance(Pass &pass, qint64 budgetMs);      // decides in order; true when it caught up
    static void grow(Pass &pass, int count);
    bool passes(Pass &pass, int event);
    void place(Pass &pass, int event);
    void decideNew();

    void recompute();
    void passSlice();
    void finishPass();
    void startSearch();
    void applySearch();
    void indexSlice();
    bool indexFor(qint64 budgetMs);                 // true when every known event is indexed
    void onEventsAppended();
    void onEventsChanged(int first, int last);
    void onSourceDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles);

    TraceRecorder *m_recorder;
    TimelineModel *m_timeline = nullptr;
    std::unique_ptr<TimelineSearchIndex> m_index;
    QSet<QString> m_hidden;
    QString m_model;
    QString m_search;                   // applied (or being decided)
    bool m_hideDjango = false;
    QString m_pendingSearch;            // typed
    QTimer m_debounce;
    QTimer m_slices;                    // indexing in slices of the event loop
    QTimer m_passSlices;                // deciding a filter change in slices
    bool m_searchWaits = false;         // the typed search waits for the index

    std::unique_ptr<Pass> m_shown;      // applied
    std::unique_ptr<Pass> m_next;       // being decided, or null
    int m_batchStart = 0;               // decideNew(): the first event of the batch
    std::vector<qint32> m_shownOld;     // decideNew(): events before it that it shows
};

} // namespace ss
