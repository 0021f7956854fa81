#pragma once
// The timeline's views side by side in tabs over the same recording and the
// same selection: the tree (the window's own view), the flame view with its
// overview strip, the lifelines per instance, the sequence diagram of the
// selected action. Selecting in one selects in the others and, through the
// tree's selection model, in the inspector.
//
// It owns the shared state (FlameIndex, ZoomState, EventSelection) and feeds
// the index from the TraceBridge in the bridge's batches.

#include <QTabWidget>
#include <memory>

class QComboBox;
class QTreeView;

namespace ss {

class EventSelection;
class FlameIndex;
class FlameView;
class LifelineIndex;
class LifelinesView;
class OverviewStrip;
class SequenceView;
class Session;
class TimelineModel;
class ZoomState;

class TimelineViews : public QTabWidget
{
    Q_OBJECT
public:
    // `tree` shows `model` (through any proxies) and becomes the first tab.
    TimelineViews(Session *session, TimelineModel *model, QTreeView *tree, QWidget *parent = nullptr);
    ~TimelineViews() override;

    FlameIndex *flameIndex() const { return m_index.get(); }
    ZoomState *zoom() const { return m_zoom; }
    EventSelection *selection() const { return m_selection; }
    FlameView *flameView() const { return m_flame; }
    OverviewStrip *overview() const { return m_overview; }
    SequenceView *sequenceView() const { return m_sequence; }
    LifelinesView *lifelinesView() const { return m_lifelines; }
    LifelineIndex *lifelineIndex() const { return m_lanes.get(); }
    void setWallClock(bool wallClock);

public Q_SLOTS:
    // After a step: select the newest action (the tree and inspector follow)
    // and fit the flame view to it, so the learner sees what the step did.
    void revealNewestAction();

private:
    void appendEvents(int first, int last);
    void clearAll();

    Session *m_session;
    std::unique_ptr<FlameIndex> m_index;
    ZoomState *m_zoom;
    EventSelection *m_selection;
    FlameView *m_flame = nullptr;
    OverviewStrip *m_overview = nullptr;
    QComboBox *m_mode = nullptr;
    SequenceView *m_sequence = nullptr;
    std::unique_ptr<LifelineIndex> m_lanes;
    LifelinesView *m_lifelines = nullptr;
};

} // namespace ss
