#include "timelineviews.h"

#include "eventselection.h"
#include "flameindex.h"
#include "flameview.h"
#include "lifelineindex.h"
#include "lifelinesview.h"
#include "overviewstrip.h"
#include "sequenceview.h"
#include "session/session.h"
#include "timelinefilter.h"
#include "timelinemodel.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"
#include "zoomstate.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace ss {

TimelineViews::TimelineViews(Session *session, TimelineModel *model, QTreeView *tree, QWidget *parent)
    : QTabWidget(parent),
      m_session(session),
      m_index(std::make_unique<FlameIndex>(&session->recorder())),
      m_zoom(new ZoomState(this)),
      m_selection(new EventSelection(model, tree->selectionModel(), this))
{
    setObjectName(QStringLiteral("timelineViews"));
    setDocumentMode(true);
    m_zoom->setMinimumSpan(4);                          // four event slots
    addTab(tree, tr("Tree"));

    // The flame view: mode and fit on a bar, the overview strip, the slices.
    auto *flamePage = new QWidget(this);
    auto *layout = new QVBoxLayout(flamePage);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(2);
    auto *bar = new QHBoxLayout;
    m_mode = new QComboBox(flamePage);
    m_mode->setObjectName(QStringLiteral("flameTimeMode"));
    m_mode->addItem(tr("Logical time"));
    m_mode->addItem(tr("Wall clock"));
    m_mode->setToolTip(tr("Logical: every event the same width, so a 2 µs receiver is as visible as a 2 ms one.\n"
                          "Wall clock: as long as each event really took."));
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int i) { setWallClock(i == 1); });
    auto *fitAll = new QToolButton(flamePage);
    fitAll->setText(tr("Fit all"));
    fitAll->setToolTip(tr("Show the whole run (0)"));
    connect(fitAll, &QToolButton::clicked, m_zoom, &ZoomState::fitAll);
    auto *keys = new QLabel(tr("<small>wheel zoom · drag pan · <b>,</b>/<b>.</b> prev/next · ↑/↓ parent/child · "
                               "<b>F</b> fit selection · <b>0</b> fit all</small>"),
                            flamePage);
    keys->setTextFormat(Qt::RichText);
    // A hint, not a reason to widen the window: it gives way (clipped) to the
    // inspector beside the timeline.
    keys->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    keys->setToolTip(keys->text());
    bar->addWidget(m_mode);
    bar->addWidget(fitAll);
    bar->addWidget(keys, 1);
    layout->addLayout(bar);
    m_overview = new OverviewStrip(m_index.get(), m_zoom, flamePage);
    layout->addWidget(m_overview);
    m_flame = new FlameView(m_index.get(), m_zoom, m_selection, flamePage);
    layout->addWidget(m_flame, 1);
    // The tree's filters dim what they hide (the tree shows the filter's rows).
    m_flame->setFilter(qobject_cast<const TimelineFilter *>(tree->model()));
    addTab(flamePage, tr("Flame"));
    // Lifelines: one row per instance, on the flame view's time axis.
    auto *lanesPage = new QWidget(this);
    auto *lanesLayout = new QVBoxLayout(lanesPage);
    lanesLayout->setContentsMargins(0, 2, 0, 0);
    lanesLayout->setSpacing(2);
    auto *legend = new QLabel(tr("<small>one row per instance · ● init · ■ save · ◆ delete (hollow pre_, filled post_) · "
                                 "<span style='color:#8e5cd9'>│</span> m2m_changed · ✕<b>n</b> delete order · "
                                 "wheel zoom · drag pan · <b>F</b> fit the action · <b>0</b> fit all</small>"),
                              lanesPage);
    legend->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    legend->setToolTip(legend->text());
    lanesLayout->addWidget(legend);
    lanesLayout->addWidget(new OverviewStrip(m_index.get(), m_zoom, lanesPage));
    m_lanes = std::make_unique<LifelineIndex>(&session->recorder());
    m_lifelines = new LifelinesView(m_index.get(), m_lanes.get(), m_zoom, m_selection, lanesPage);
    lanesLayout->addWidget(m_lifelines, 1);
    addTab(lanesPage, tr("Lifelines"));

    m_sequence = new SequenceView(&session->recorder(), m_selection, this);
    addTab(m_sequence, tr("Sequence"));

    TraceBridge *bridge = &session->bridge();
    connect(bridge, &TraceBridge::eventsAppended, this, &TimelineViews::appendEvents);
    connect(bridge, &TraceBridge::eventsChanged, this, [this] {
        if (m_index->mode() == FlameIndex::Mode::WallClock)
            m_zoom->setTotal(m_index->total());
        m_flame->update();
        m_overview->update();
    });
    connect(bridge, &TraceBridge::loopDetected, m_flame, qOverload<>(&QWidget::update));
    connect(bridge, &TraceBridge::eventsAppended, m_sequence, &SequenceView::eventsAppended);
    connect(bridge, &TraceBridge::recordingCleared, this, &TimelineViews::clearAll);
    if (session->recorder().count() > 0)
        appendEvents(0, session->recorder().count() - 1);
}

TimelineViews::~TimelineViews() = default;

void TimelineViews::setWallClock(bool wallClock)
{
    const FlameIndex::Mode mode = wallClock ? FlameIndex::Mode::WallClock : FlameIndex::Mode::Logical;
    if (m_mode->currentIndex() != int(wallClock))
        m_mode->setCurrentIndex(int(wallClock));
    if (mode == m_index->mode())
        return;
    m_index->setMode(mode);
    m_zoom->setMinimumSpan(wallClock ? 200 : 4);    // 200 ns, four event slots
    m_zoom->setTotal(m_index->total(), true);
    m_flame->revealCurrent();
    m_flame->update();
    m_overview->update();
}

void TimelineViews::revealNewestAction()
{
    const TraceRecorder &recorder = m_session->recorder();
    int action = recorder.count() - 1;
    while (action >= 0 && recorder.parentOf(action) >= 0)
        action = recorder.parentOf(action);
    if (action < 0 || action >= m_index->count())
        return;
    m_selection->setCurrent(action);
    m_flame->fitCurrent();
}

void TimelineViews::appendEvents(int first, int last)
{
    m_index->append(first, last);
    m_zoom->setTotal(m_index->total());
    // Repaints are coalesced by Qt and cost O(pixels), not O(events).
    m_flame->update();
    m_overview->update();
    if (m_lifelines->isVisible())
        m_lifelines->update();              // the lanes catch up when painted
}

void TimelineViews::clearAll()
{
    m_index->clear();
    m_flame->forgetColors();
    m_zoom->setTotal(0, true);
    m_selection->setCurrent(-1);
    m_sequence->clear();
    m_lanes->clear();
    m_lifelines->update();
    m_flame->update();
    m_overview->update();
}

} // namespace ss
