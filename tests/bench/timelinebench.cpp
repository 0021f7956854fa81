// The GUI figures of signalscope-bench:
//
//   5. timeline intake: a signup scenario run through a real Session (recorder,
//      TraceBridge, inspector snapshots) into the window's TimelineModel, its
//      batches flushed every 100 ms as the live bridge does, vs the
//      TraceRecorder alone on a ScenarioRunner (no bridge, no model): events/s
//      each, ratio = time ratio (the cost of feeding the model).
//   6. UI stall: the whole MainWindow (shown, offscreen) runs a ~110,000-event
//      scenario with "Run all" while a 5 ms QTimer ticks; the worst gap between
//      ticks is the longest the UI thread did not get back to its event loop.
//      Target <= 50 ms.
//   7. the same with the flame view shown instead of the tree (the graphical
//      timeline following the run); the note gives the stream's rate.
//   8. flame view repaint at 1,000,000 events (flamebench.cpp).
//   9. search / filter answer on 1M events: the shown window holds 1,000,100
//      events (they streamed in as the bridge delivers them, so the search
//      index was built on the way); five keystrokes 30 ms apart are typed
//      into the search, then kind toggles and the model filter change. Two
//      figures each: the time from the last keystroke (or change) to the
//      filter's answer (TimelineFilter::filterApplied), target <= 100 ms; the
//      worst UI-thread block meanwhile (the longest gap of a 5 ms timer,
//      counted from the first change), target <= 50 ms. The cost of building
//      the index from scratch is printed as progress (`--only search` runs
//      this figure alone).

#include "timelinebench.h"

#include "benchinputs.h"

#include "formats/loaders.h"
#include "mainwindow.h"
#include "session/scenariorunner.h"
#include "session/session.h"
#include "timelinefilter.h"
#include "timelinemodel.h"
#include "timelinesearchindex.h"
#include "syntheticrecording.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <stdexcept>

namespace bench {

namespace {

// SIGNALSCOPE_BENCH_GAPS=1: print every stall over 50 ms and every batch the
// window gets, on stderr (to find where a stall comes from).
const bool g_traceGaps = qEnvironmentVariableIntValue("SIGNALSCOPE_BENCH_GAPS") != 0;

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// ------------------------------------------------------ 5. timeline intake

// Runs every step through a Session into a TimelineModel; the bridge delivers
// a batch every 100 ms (as its live timer would) and once at the end.
// Returns ns; `events` gets the recorded event count.
double runIntoModel(const ss::ScenarioDecl &scenario, bool withModel, int *events, int *batches)
{
    ss::Session session;
    if (!session.load(scenario))
        throw std::runtime_error("cannot load the timeline scenario");
    std::unique_ptr<ss::TimelineModel> model;
    if (withModel)
        model = std::make_unique<ss::TimelineModel>(&session);
    session.bridge().setLive(false);
    session.bridge().flush();

    QElapsedTimer timer;
    timer.start();
    qint64 lastFlush = 0;
    while (!session.atEnd()) {
        session.runner().runNext();
        const qint64 now = timer.elapsed();
        if (now - lastFlush >= 100) {
            session.bridge().flush();
            lastFlush = now;
        }
    }
    session.bridge().flush();
    const double ns = double(timer.nsecsElapsed());
    *events = session.recorder().count();
    if (model) {
        if (model->knownEvents() != *events)
            throw std::runtime_error("the timeline model missed events");
        *batches = model->insertBatches();
    }
    return ns;
}

double runRecorderOnly(const ss::ScenarioDecl &scenario, int *events)
{
    ss::ScenarioRunner runner(scenario, QStringLiteral(":memory:"));
    ss::TraceRecorder recorder;
    runner.engine().dispatch().addListener(&recorder);
    runner.open();
    QElapsedTimer timer;
    timer.start();
    while (!runner.atEnd())
        runner.runNext();
    const double ns = double(timer.nsecsElapsed());
    runner.engine().dispatch().removeListener(&recorder);
    *events = recorder.count();
    return ns;
}

TimelineFigure benchIntake(bool quick, int reps, const std::function<void(const QString &)> &progress)
{
    const int count = std::max(1, quick ? 20 : 2'000);       // ~44,000 events
    progress(QStringLiteral("timeline intake: %1 signups").arg(count));
    const ss::ScenarioDecl scenario = signupScenario(count);
    std::vector<double> model, session, recorder;
    int events = 0, recorded = 0, batches = 0, unused = 0;
    for (int rep = -1; rep < reps; ++rep) {
        const double m = runIntoModel(scenario, true, &events, &batches);
        const double s = runIntoModel(scenario, false, &unused, &unused);
        const double r = runRecorderOnly(scenario, &recorded);
        if (rep >= 0) {
            model.push_back(m);
            session.push_back(s);
            recorder.push_back(r);
        }
    }
    const double modelNs = median(model), sessionNs = median(session), recorderNs = median(recorder);
    const double modelRate = events / (modelNs / 1e9), recorderRate = recorded / (recorderNs / 1e9);
    return {QStringLiteral("timeline intake/%1 events").arg(events), true, modelRate, QStringLiteral("recorder alone"),
            recorderRate, recorderRate / modelRate, 0,
            QStringLiteral("time ratio: Session + TimelineModel over ScenarioRunner + TraceRecorder; the Session "
                           "without the model takes %1x; %2 insert batches")
                .arg(sessionNs / recorderNs, 0, 'f', 2).arg(batches),
            QJsonObject{{QStringLiteral("signups"), count},
                        {QStringLiteral("events"), events},
                        {QStringLiteral("insert_batches"), batches},
                        {QStringLiteral("model_ms"), modelNs / 1e6},
                        {QStringLiteral("session_without_model_ms"), sessionNs / 1e6},
                        {QStringLiteral("recorder_only_ms"), recorderNs / 1e6}}};
}

// ------------------------------------------------------ 6. UI stall

TimelineFigure benchStall(bool quick, const std::function<void(const QString &)> &progress, bool flameShown = false)
{
    const int count = std::max(1, quick ? 50 : 5'000);      // ~110,000 events
    progress(QStringLiteral("UI stall: the window runs %1 signups%2").arg(count).arg(flameShown ? QStringLiteral(", flame view shown") : QString()));
    const ss::ScenarioDecl scenario = signupScenario(count);

    ss::MainWindow window;
    if (flameShown)
        showFlameView(window);
    window.show();
    ss::Session *session = window.session();
    if (!session->load(scenario))
        throw std::runtime_error("cannot load the stall scenario");
    session->bridge().flush();
    QCoreApplication::processEvents();

    // The probe: a 5 ms repeating timer; the longest gap between its ticks
    // while the run streams in (and shortly after, for deferred view work).
    QElapsedTimer clock;
    qint64 last = -1, worst = 0, worstAt = 0, ticks = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (g_traceGaps && last >= 0 && now - last > 50'000'000)
            qInfo("# gap %.1f ms ending at %.1f ms", (now - last) / 1e6, now / 1e6);
        if (last >= 0 && now - last > worst) {
            worst = now - last;
            worstAt = now;
        }
        last = now;
        ++ticks;
    });

    if (g_traceGaps) {
        QObject::connect(&session->bridge(), &ss::TraceBridge::eventsAppended, [&](int first, int last) {
            qInfo("# batch %d events delivered at %.1f ms", last - first + 1, clock.nsecsElapsed() / 1e6);
        });
    }
    QEventLoop loop;
    qint64 runNs = 0;
    QTimer::singleShot(0, &window, [&] {
        QElapsedTimer run;
        run.start();
        window.runAll();
        runNs = run.nsecsElapsed();
        if (g_traceGaps)
            qInfo("# runAll returned at %.1f ms", clock.nsecsElapsed() / 1e6);
        QTimer::singleShot(300, &loop, &QEventLoop::quit);   // deferred layout and painting
    });
    clock.start();
    probe.start();
    loop.exec();
    probe.stop();
    // The gap from the last tick to the quit.
    worst = std::max(worst, clock.nsecsElapsed() - last);

    const int events = session->recorder().count();
    if (window.timelineModel()->knownEvents() != events)
        throw std::runtime_error("the window's timeline missed events");
    const double target = 50e6;
    const double rate = events / (double(runNs) / 1e9);
    return {QStringLiteral("ui stall/%1%2 events streamed").arg(flameShown ? QStringLiteral("flame view shown/") : QString()).arg(events),
            false, double(worst), QStringLiteral("target"), target, double(worst) / target, 1,
            QStringLiteral("streamed at %1 events/s").arg(qRound(rate)),
            QJsonObject{{QStringLiteral("signups"), count},
                        {QStringLiteral("events"), events},
                        {QStringLiteral("worst_stall_ms"), double(worst) / 1e6},
                        {QStringLiteral("worst_stall_ended_at_ms"), double(worstAt) / 1e6},
                        {QStringLiteral("run_ms"), double(runNs) / 1e6},
                        {QStringLiteral("events_per_s"), rate},
                        {QStringLiteral("ticks"), ticks},
                        {QStringLiteral("insert_batches"), window.timelineModel()->insertBatches()}}};
}

// Lets the views finish what the setup left them (layout, paint) before a
// figure is timed.
void settle()
{
    QEventLoop loop;
    QTimer::singleShot(300, &loop, &QEventLoop::quit);
    loop.exec();
}

// The time from the last of `changes` (30 ms apart) to the filter's answer,
// and the worst UI-thread gap meanwhile.
struct Answer { qint64 answerNs = 0; qint64 worstGapNs = 0; };
Answer timeFilterAnswer(ss::TimelineFilter *filter, const std::vector<std::function<void()>> &changes)
{
    QElapsedTimer clock;
    qint64 last = -1, worst = 0, lastChange = 0, answered = -1;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last >= 0)
            worst = std::max(worst, now - last);
        last = now;
    });
    QEventLoop loop;
    auto connection = QObject::connect(filter, &ss::TimelineFilter::filterApplied, [&] {
        if (answered < 0 && lastChange > 0) {
            answered = clock.nsecsElapsed();
            QTimer::singleShot(50, &loop, &QEventLoop::quit);
        }
    });
    clock.start();
    last = 0;               // a block before the probe's first tick counts too
    probe.start();
    for (size_t i = 0; i < changes.size(); ++i) {
        QTimer::singleShot(int(30 * i), &loop, [&, i] {
            if (i + 1 == changes.size())
                lastChange = std::max<qint64>(1, clock.nsecsElapsed());
            changes[i]();
        });
    }
    QTimer::singleShot(60'000, &loop, &QEventLoop::quit);
    loop.exec();
    probe.stop();
    QObject::disconnect(connection);
    return {answered - lastChange, worst};
}

std::vector<TimelineFigure> benchSearch(bool quick, const std::function<void(const QString &)> &progress)
{
    const int actions = quick ? 2 : 100;                    // 5,000 Model() calls each: 10,000 events
    progress(QStringLiteral("search/filter: %1 events in the window").arg(actions * 10'000));
    ss::MainWindow window;
    window.show();
    ss::Session *session = window.session();
    const ss::Model *profile = session->registry().model(QStringLiteral("BillingProfile"));
    for (int a = 0; a < actions; ++a) {
        session->perform(QStringLiteral("for _ in range(5000): BillingProfile()"), [session, profile] {
            for (int i = 0; i < 5000; ++i)
                session->engine().construct(profile, {});
        });
        QCoreApplication::processEvents();
    }
    session->bridge().flush();
    settle();
    const int events = session->recorder().count();
    ss::TimelineFilter *filter = window.timelineFilter();
    const auto typing = [filter](const QString &word) {
        std::vector<std::function<void()>> keys;
        for (int n = 1; n <= word.size(); ++n)
            keys.push_back([filter, text = word.left(n)] { filter->setSearchText(text); });
        return keys;
    };
    std::vector<TimelineFigure> figures;
    const double target = 100e6, blockTarget = 50e6;
    const auto figure = [&](const QString &what, const Answer &a) {
        progress(QStringLiteral("  %1: %2 ms (worst gap %3 ms)").arg(what).arg(a.answerNs / 1e6).arg(a.worstGapNs / 1e6));
        const QJsonObject extra{{QStringLiteral("events"), events},
                                {QStringLiteral("answer_ms"), a.answerNs / 1e6},
                                {QStringLiteral("worst_ui_gap_ms"), a.worstGapNs / 1e6},
                                {QStringLiteral("visible_events"), filter->visibleEvents()}};
        const QString shown = QStringLiteral("%1 of %2 events shown").arg(filter->visibleEvents()).arg(events);
        figures.push_back({QStringLiteral("search answer/%1 on %2 events").arg(what).arg(events), false, double(a.answerNs),
                           QStringLiteral("target"), target, double(a.answerNs) / target, 1, shown, extra});
        figures.push_back({QStringLiteral("search worst UI block/%1 on %2 events").arg(what).arg(events), false,
                           double(a.worstGapNs), QStringLiteral("target"), blockTarget, double(a.worstGapNs) / blockTarget, 1,
                           QStringLiteral("longest gap of a 5 ms timer from the first change to the answer"), extra});
    };
    // What the index costs, built from scratch off the UI path (the window
    // builds it as events arrive, 8 ms at a time).
    double indexNsPerEvent = 0;
    int distinctTexts = 0;
    {
        ss::TimelineSearchIndex index(window.timelineModel(), &session->recorder());
        QElapsedTimer timer;
        timer.start();
        index.append(events);
        indexNsPerEvent = double(timer.nsecsElapsed()) / events;
        distinctTexts = index.distinctTexts();
    }
    progress(QStringLiteral("  index: %1 ns/event, %2 distinct texts").arg(indexNsPerEvent, 0, 'f', 0).arg(distinctTexts));
    figure(QStringLiteral("first search"), timeFilterAnswer(filter, typing(QStringLiteral("_init"))));
    figure(QStringLiteral("clear search"), timeFilterAnswer(filter, {[filter] { filter->setSearchText({}); }}));
    figure(QStringLiteral("search 'billi'"), timeFilterAnswer(filter, typing(QStringLiteral("billi"))));
    figure(QStringLiteral("search 'user'"), timeFilterAnswer(filter, typing(QStringLiteral("user"))));
    filter->setSearchText({});
    filter->applyPending();
    figure(QStringLiteral("hide pre_init"), timeFilterAnswer(filter, {[filter] { filter->setSignalVisible(QStringLiteral("pre_init"), false); }}));
    figure(QStringLiteral("model filter BillingProfile"),
           timeFilterAnswer(filter, {[filter] { filter->setModelFilter(QStringLiteral("BillingProfile")); }}));
    figure(QStringLiteral("show pre_init"), timeFilterAnswer(filter, {[filter] { filter->setSignalVisible(QStringLiteral("pre_init"), true); }}));
    figure(QStringLiteral("all models"), timeFilterAnswer(filter, {[filter] { filter->setModelFilter({}); }}));
    return figures;
}

// The same on a recording where nearly every event reads differently: 100,000
// shop-shaped signups (1,000,000 events, one instance text per saved
// instance and one action text per signup), streamed into a shown tree in
// 10,000-event batches as the bridge would deliver them.
std::vector<TimelineFigure> benchSearchDistinct(bool quick, const std::function<void(const QString &)> &progress)
{
    const int actions = quick ? 1'000 : 100'000;
    progress(QStringLiteral("search/filter: %1 signups, every instance its own text").arg(actions));
    ss::Session session;
    ss::TimelineModel model(&session);
    ss::TimelineFilter filter(&session.recorder());
    filter.setSourceModel(&model);
    QTreeView view;
    view.setUniformRowHeights(true);
    view.setModel(&filter);
    view.resize(1000, 600);
    view.show();
    for (int first = 0; first < actions; first += 1'000) {
        synthetic::signups(session.recorder(), first, std::min(1'000, actions - first));
        model.appendEvents(model.knownEvents(), session.recorder().count() - 1);
        QCoreApplication::processEvents();
    }
    settle();
    const int events = session.recorder().count();
    std::vector<TimelineFigure> figures;
    const auto figure = [&](const QString &what, const Answer &a) {
        progress(QStringLiteral("  %1: %2 ms (worst gap %3 ms)").arg(what).arg(a.answerNs / 1e6).arg(a.worstGapNs / 1e6));
        const QJsonObject extra{{QStringLiteral("events"), events},
                                {QStringLiteral("answer_ms"), a.answerNs / 1e6},
                                {QStringLiteral("worst_ui_gap_ms"), a.worstGapNs / 1e6},
                                {QStringLiteral("visible_events"), filter.visibleEvents()}};
        figures.push_back({QStringLiteral("search answer/%1 on %2 distinct-text events").arg(what).arg(events), false,
                           double(a.answerNs), QStringLiteral("target"), 100e6, a.answerNs / 100e6, 1,
                           QStringLiteral("%1 of %2 events shown").arg(filter.visibleEvents()).arg(events), extra});
        figures.push_back({QStringLiteral("search worst UI block/%1 on %2 distinct-text events").arg(what).arg(events), false,
                           double(a.worstGapNs), QStringLiteral("target"), 50e6, a.worstGapNs / 50e6, 1, {}, extra});
    };
    const QString pk = QString::number(actions - 1);
    std::vector<std::function<void()>> keys;
    const QString word = QStringLiteral("object (") + pk;
    for (int n = 1; n <= word.size(); ++n)
        keys.push_back([&filter, text = word.left(n)] { filter.setSearchText(text); });
    figure(QStringLiteral("first search"), timeFilterAnswer(&filter, keys));
    if (filter.rowCount() != 1)
        throw std::runtime_error("the distinct-text search found the wrong actions");
    figure(QStringLiteral("search 'post_save user'"),
           timeFilterAnswer(&filter, {[&filter] { filter.setSearchText(QStringLiteral("post_save user")); }}));
    return figures;
}

} // namespace

std::unique_ptr<QCoreApplication> createBenchApplication(int &argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // The window reads and writes QSettings: keep the user's own out of it.
    QStandardPaths::setTestModeEnabled(true);
    return std::make_unique<QApplication>(argc, argv);
}

std::vector<TimelineFigure> benchTimeline(bool quick, int reps, const std::function<void(const QString &)> &progress)
{
    std::vector<TimelineFigure> figures;
    figures.push_back(benchIntake(quick, reps, progress));
    figures.push_back(benchStall(quick, progress));
    figures.push_back(benchStall(quick, progress, true));
    for (TimelineFigure &f : benchFlame(quick, reps, progress))
        figures.push_back(std::move(f));
    for (TimelineFigure &f : benchTimelineSearch(quick, progress))
        figures.push_back(f);
    return figures;
}

std::vector<TimelineFigure> benchTimelineSearch(bool quick, const std::function<void(const QString &)> &progress)
{
    std::vector<TimelineFigure> figures = benchSearch(quick, progress);
    for (TimelineFigure &f : benchSearchDistinct(quick, progress))
        figures.push_back(f);
    return figures;
}

} // namespace bench
