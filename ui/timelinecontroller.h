#pragma once
// The timeline's state and behaviour in one home, the window only wiring
// widgets to it:
//  - recording: paused (actions still run, nothing is recorded);
//  - filters: signal kinds, one model, search, Django's own receivers — passed
//    to the TimelineFilter (its public API only); what a filter found is
//    opened in the tree when it is small enough to open;
//  - following: while on, each new action is opened and scrolled to (a large
//    one a level deep, closed again when a newer one comes);
//  - selection: one current event for the tree, the painted views (they share
//    the tree's selection model, see EventSelection) and the inspector, which
//    follows currentEventChanged;
//  - what the filters leave, in words for a label beside the search.

#include <QObject>
#include <QPersistentModelIndex>
#include <QPointer>
#include <QSet>
#include <QStringList>

class QTreeView;

namespace ss {

class Session;
class TimelineFilter;
class TimelineModel;

class TimelineController : public QObject
{
    Q_OBJECT
public:
    explicit TimelineController(Session *session, QObject *parent = nullptr);

    // The tree shows `model` through `filter`; until attached, filters and
    // selection do nothing.
    void attach(TimelineModel *model, TimelineFilter *filter, QTreeView *tree);

    bool isPaused() const;
    bool followsNewest() const { return m_follow; }
    QStringList hiddenSignals() const;          // sorted
    int currentEvent() const { return m_current; }
    // Empty while nothing filters; else "12 of 320,016 shown" (events, the
    // actions around matches included) or "No match": a search that found
    // nothing says so rather than leave an empty tree.
    QString shownSummary() const { return m_summary; }

    // A filter that shows at most this many events is opened whole.
    static constexpr int ExpandFoundUpTo = 5000;
    // A new action with at most this many rows under it is opened whole while following.
    static constexpr int SmallAction = 400;

public Q_SLOTS:
    void setPaused(bool paused);
    void setFollowNewest(bool follow);
    void setSearchText(const QString &text);
    void setModelFilter(const QString &model);
    void setSignalVisible(const QString &signal, bool visible);
    void setDjangoReceiversHidden(bool hidden);
    // Makes `event` current in the tree (and so everywhere) and scrolls to it;
    // an event a filter hides stays where it was.
    void selectEvent(int event);

Q_SIGNALS:
    void pausedChanged(bool paused);
    void followNewestChanged(bool follow);
    void signalVisibilityChanged(const QString &signal, bool visible);
    void currentEventChanged(int event);        // -1: nothing current
    void shownSummaryChanged(const QString &summary);

private:
    void openWhatWasFound();
    void followNewRows(const QModelIndex &parent, int first, int last);
    void treeCurrentChanged(const QModelIndex &current);
    void updateSummary();

    Session *m_session;
    bool m_follow = true;
    TimelineModel *m_model = nullptr;
    TimelineFilter *m_filter = nullptr;
    QPointer<QTreeView> m_tree;
    QList<QPersistentModelIndex> m_autoExpandedLarge;   // closed again when a newer action comes
    int m_current = -1;
    QString m_summary;
};

} // namespace ss
