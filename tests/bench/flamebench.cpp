// The flame view's figure of signalscope-bench:
//
//   8. zoom/pan repaint at 1,000,000 events: a synthetic recording of 100,000
//      signups (10 events each, the shop's shape) in a real TimelineViews
//      (offscreen, 1200 x 500, flame tab shown); a fixed walk of zooms in and
//      out around several anchors and pans, each followed by a synchronous
//      repaint(), timed. The figure is the worst repaint (target <= 16 ms);
//      the note gives the median and the same walk at 1,000 events.

#include "timelinebench.h"

#include "mainwindow.h"
#include "session/session.h"
#include "syntheticrecording.h"
#include "timeline/flameview.h"
#include "timeline/timelineviews.h"
#include "timeline/zoomstate.h"
#include "timelinemodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTreeView>

#include <algorithm>

namespace bench {

void showFlameView(ss::MainWindow &window)
{
    auto *views = window.findChild<ss::TimelineViews *>();
    if (!views)
        throw std::runtime_error("the window has no timeline views");
    views->setCurrentWidget(views->flameView()->parentWidget());
}

namespace {

struct RepaintTimes
{
    double medianNs = 0;
    double worstNs = 0;
    int repaints = 0;
    int events = 0;
    int maxSlices = 0;
};

RepaintTimes measureRepaints(int actions, int rounds)
{
    ss::Session session;
    synthetic::signups(session.recorder(), 0, actions);
    ss::TimelineModel model(&session);
    auto *tree = new QTreeView;                         // becomes the views' first tab (owned by them)
    tree->setModel(&model);
    ss::TimelineViews views(&session, &model, tree);
    views.resize(1200, 500);
    views.setCurrentWidget(views.flameView()->parentWidget());
    views.show();
    QCoreApplication::processEvents();
    ss::FlameView *flame = views.flameView();
    ss::ZoomState *zoom = views.zoom();

    std::vector<double> times;
    RepaintTimes out;
    out.events = session.recorder().count();
    auto paintOnce = [&] {
        QElapsedTimer timer;
        timer.start();
        flame->repaint();
        times.push_back(double(timer.nsecsElapsed()));
        out.maxSlices = std::max(out.maxSlices, flame->lastPaintSlices());
    };
    zoom->fitAll();
    flame->repaint();                                   // warm-up (fonts, caches)
    for (int round = 0; round < rounds; ++round) {
        const double total = zoom->total();
        const double anchor = total * (0.1 + 0.8 * round / std::max(1, rounds - 1));
        zoom->fitAll();
        paintOnce();
        for (int i = 0; i < 24; ++i) {                 // zoom in step by step, down to a few events
            zoom->zoomAround(anchor, 0.6);
            paintOnce();
        }
        for (int i = 0; i < 8; ++i) {                  // pan at that zoom
            zoom->panBy(zoom->visible().span() * 0.25);
            paintOnce();
        }
        for (int i = 0; i < 24; ++i) {                 // and back out
            zoom->zoomAround(anchor, 1 / 0.6);
            paintOnce();
        }
        for (int i = 0; i < 8; ++i) {                  // pan zoomed out to a tenth
            if (i == 0)
                zoom->setVisible(anchor - total / 20, anchor + total / 20);
            zoom->panBy(-zoom->visible().span() * 0.3);
            paintOnce();
        }
    }
    std::sort(times.begin(), times.end());
    out.repaints = int(times.size());
    out.medianNs = times[times.size() / 2];
    out.worstNs = times.back();
    return out;
}

} // namespace

std::vector<TimelineFigure> benchFlame(bool quick, int reps, const std::function<void(const QString &)> &progress)
{
    const int actions = quick ? 1'000 : 100'000;       // 10 events each
    const int rounds = std::max(3, reps);
    progress(QStringLiteral("flame repaint: %1 events").arg(actions * 10));
    const RepaintTimes big = measureRepaints(actions, rounds);
    progress(QStringLiteral("flame repaint: 1,000 events"));
    const RepaintTimes small = measureRepaints(100, rounds);
    const double target = 16e6;
    return {{QStringLiteral("flame zoom/pan repaint/%1 events (worst of %2)").arg(big.events).arg(big.repaints), false, big.worstNs,
             QStringLiteral("target"), target, big.worstNs / target, 1,
             QStringLiteral("median %1 ms; at %2 events worst %3 ms, median %4 ms: worst ratio %5x")
                 .arg(big.medianNs / 1e6, 0, 'f', 2)
                 .arg(small.events)
                 .arg(small.worstNs / 1e6, 0, 'f', 2)
                 .arg(small.medianNs / 1e6, 0, 'f', 2)
                 .arg(big.worstNs / small.worstNs, 0, 'f', 2),
             QJsonObject{{QStringLiteral("events"), big.events},
                         {QStringLiteral("repaints"), big.repaints},
                         {QStringLiteral("worst_ms"), big.worstNs / 1e6},
                         {QStringLiteral("median_ms"), big.medianNs / 1e6},
                         {QStringLiteral("max_slices_per_paint"), big.maxSlices},
                         {QStringLiteral("baseline_events"), small.events},
                         {QStringLiteral("baseline_worst_ms"), small.worstNs / 1e6},
                         {QStringLiteral("baseline_median_ms"), small.medianNs / 1e6}}}};
}

} // namespace bench
