#pragma once
// What the timeline shows: hide signal kinds, keep one model's signals, search.
// A signal hidden by a filter hides what happened inside it; ancestors of a
// match stay visible, so a match keeps its context.
//
// Never a freeze, at a million events: the proxy does not ask the tree
// (QSortFilterProxyModel's recursive filtering walks every row and builds each
// row's text on every keystroke). Instead one linear pass over the recorder
// decides every event (events are in pre-order, parents before children), and
// filterAcceptsRow is a lookup. Search matches a text index (each event's
// search text, lower-cased UTF-8) that is built once, in slices of the event
// loop, and extended as events arrive. Typing is debounced (searchDelay()).

#include <QByteArray>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTimer>
#include <vector>

namespace ss {

class TraceRecorder;
class TimelineModel;

class TimelineFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit TimelineFilter(TraceRecorder *recorder, QObject *parent = nullptr);

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
    // Applies a pending search now, building the rest of the text index in one go.
    void applyPending();
    bool isPending() const { return m_debounce.isActive() || m_indexing; }
    // How many events the last applied filter shows (matches and their context).
    int visibleEvents() const { return m_visibleCount; }

Q_SIGNALS:
    // A filter change has been applied to the rows (after the debounce and indexing).
    void filterApplied();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void startSearch();
    void indexSlice();
    void extendIndex(int upTo);
    QByteArray indexText(int event) const;
    void recompute();
    void extend();
    void decide(int event);
    void onSourceRowsInserted();

    TraceRecorder *m_recorder;
    TimelineModel *m_timeline = nullptr;
    QSet<QString> m_hidden;
    QString m_model;
    QString m_search;                   // applied
    bool m_hideDjango = false;
    QString m_pendingSearch;            // typed
    QByteArray m_needle;                // m_search, lower-cased UTF-8
    QTimer m_debounce;
    QTimer m_slices;
    bool m_indexing = false;

    std::vector<QByteArray> m_text;     // the search index: event -> lower-cased text
    // Per event: whether it passes the kind filter inside its ancestors, its
    // nearest enclosing send, whether it is shown.
    std::vector<quint8> m_hiddenByKind;
    std::vector<qint32> m_nearestSend;
    std::vector<quint8> m_visible;
    int m_decided = 0;                  // events decided by the current filter
    int m_visibleCount = 0;
    int m_shownBefore = 0;              // while new events arrive: the first of them
    bool m_ancestorShown = false;       // a new match showed an event decided before
};

} // namespace ss
