// The painted timeline views: the shared zoom state, time <-> x, the flame
// layout and its level-of-detail merging, hit-testing and keys on the real
// FlameView, selection kept in step with the tree, and the sequence diagram
// with its Mermaid export.

#include "inspectorview.h"
#include "mainwindow.h"
#include "roles.h"
#include "session/session.h"
#include "syntheticrecording.h"
#include "timelinefilter.h"
#include "timeline/eventselection.h"
#include "timeline/flameindex.h"
#include "timeline/flameview.h"
#include "timeline/lifelineindex.h"
#include "timeline/lifelinesview.h"
#include "timeline/overviewstrip.h"
#include "timeline/sequencediagram.h"
#include "timeline/sequencescene.h"
#include "timeline/sequenceview.h"
#include "timeline/timelineviews.h"
#include "timeline/zoomstate.h"
#include "timelinemodel.h"

#include <QComboBox>
#include <QImage>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeView>
#include <QtTest>

using namespace ss;

namespace {

int firstAction(const TraceRecorder &r, const QString &codePrefix)
{
    for (int i = 0; i < r.count(); ++i)
        if (r.kindOf(i) == TraceEventKind::Step && r.text(i).startsWith(codePrefix))
            return i;
    return -1;
}

int firstSend(const TraceRecorder &r, int from, const QString &signal)
{
    for (int i = from; i < r.count(); ++i)
        if (r.kindOf(i) == TraceEventKind::Send && r.string(r.record(i).name) == signal)
            return i;
    return -1;
}

} // namespace

class TestTimelineViews : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void timeToXRoundTrips()
    {
        const TimeToX map{100, 300, 400};
        QCOMPARE(map.unitsPerPixel(), 0.5);
        QCOMPARE(map.x(100), 0.0);
        QCOMPARE(map.x(300), 400.0);
        QCOMPARE(map.x(150), 100.0);
        QCOMPARE(map.time(100), 150.0);
        for (double t : {100.0, 123.25, 299.0})
            QCOMPARE(map.time(map.x(t)), t);
    }

    void zoomStateFollowsAndRemembers()
    {
        ZoomState zoom;
        zoom.setMinimumSpan(4);
        QSignalSpy changed(&zoom, &ZoomState::visibleChanged);
        zoom.setTotal(100, true);
        QCOMPARE(zoom.visible().start, 0.0);
        QCOMPARE(zoom.visible().end, 100.0);
        QVERIFY(zoom.isFollowing());
        // Showing everything keeps showing everything as the run grows.
        zoom.setTotal(200);
        QCOMPARE(zoom.visible().end, 200.0);
        QCOMPARE(zoom.visible().start, 0.0);
        // Zoomed onto the end: slides with the newest events.
        zoom.setVisible(150, 200);
        QVERIFY(zoom.isFollowing());
        zoom.setTotal(260);
        QCOMPARE(zoom.visible().start, 210.0);
        QCOMPARE(zoom.visible().end, 260.0);
        // Panned back: stays put.
        zoom.panBy(-100);
        QCOMPARE(zoom.visible().start, 110.0);
        QVERIFY(!zoom.isFollowing());
        zoom.setTotal(300);
        QCOMPARE(zoom.visible().start, 110.0);
        QCOMPARE(zoom.visible().end, 160.0);
        // Zoom around an anchor keeps the anchor where it was on screen.
        zoom.zoomAround(120, 0.5);             // anchor at 20% of [110, 160)
        QCOMPARE(zoom.visible().span(), 25.0);
        QCOMPARE(zoom.visible().start, 115.0);
        // Never below the minimum span, never outside [0, total].
        zoom.zoomAround(120, 0.001);
        QCOMPARE(zoom.visible().span(), 4.0);
        zoom.panBy(-1000);
        QCOMPARE(zoom.visible().start, 0.0);
        zoom.zoomAround(0, 1000);
        QCOMPARE(zoom.visible().span(), 300.0);
        // Fits are remembered; back() returns.
        zoom.setVisible(10, 20);
        zoom.fit(40, 60);                      // a margin each side: 5%, at least half the minimum span
        QCOMPARE(zoom.visible().start, 38.0);
        QCOMPARE(zoom.visible().end, 62.0);
        QVERIFY(zoom.canGoBack());
        zoom.back();
        QCOMPARE(zoom.visible().start, 10.0);
        QCOMPARE(zoom.visible().end, 20.0);
        QVERIFY(!zoom.canGoBack());
        const int before = changed.count();
        zoom.setVisible(10, 20);               // no change, no signal
        QCOMPARE(changed.count(), before);
        zoom.fitAll();
        QCOMPARE(changed.count(), before + 1);
        QVERIFY(zoom.isFollowing());
    }

    void flameLayoutIsTheDispatchStack()
    {
        TraceRecorder recorder;
        synthetic::signups(recorder, 0, 3);
        QCOMPARE(recorder.count(), 30);
        FlameIndex index(&recorder);
        index.append(0, 14);
        index.append(15, 29);                   // in batches, like the bridge
        QCOMPARE(index.count(), 30);
        QCOMPARE(index.levels(), 4);            // action, signal, receiver, its signals
        QCOMPARE(int(index.row(0).size()), 3);
        QCOMPARE(int(index.row(1).size()), 12);
        QCOMPARE(int(index.row(2).size()), 3);
        QCOMPARE(int(index.row(3).size()), 12);
        // Logical time: one slot per event, a parent ends after its last descendant.
        for (int e = 0; e < recorder.count(); ++e) {
            QCOMPARE(index.start(e), double(e));
            QCOMPARE(index.logicalEnd(e), recorder.subtreeEnd(e));
        }
        QCOMPARE(index.total(), 30.0);
        QCOMPARE(index.eventAt(0, 12.5), 10);
        QCOMPARE(index.eventAt(1, 5.5), 4);      // post_save spans its receiver: [4, 10)
        QCOMPARE(index.eventAt(2, 5.5), 5);
        QCOMPARE(index.eventAt(3, 3.5), -1);
        // Wall clock: nanoseconds, every child inside its parent.
        index.setMode(FlameIndex::Mode::WallClock);
        for (int e = 1; e < recorder.count(); ++e) {
            const int p = recorder.parentOf(e);
            if (p >= 0) {
                QVERIFY(index.start(e) >= index.start(p));
                QVERIFY(index.end(e) <= index.end(p));
            }
        }
        QVERIFY(index.total() >= index.end(20));
    }

    void levelOfDetailMergesWhatIsBelowAPixel()
    {
        TraceRecorder recorder;
        synthetic::signups(recorder, 0, 20000);         // 200,000 events
        FlameIndex index(&recorder);
        index.append(0, recorder.count() - 1);
        const double total = index.total();
        // 1000 px for 200,000 slots: each row hands out at most ~one slice per pixel.
        int slices = 0, covered = 0;
        double lastEnd = -1;
        const int handed = index.visit(1, 0, total, total / 1000, [&](const FlameIndex::Slice &s) {
            ++slices;
            covered += s.count;
            QVERIFY(s.start >= lastEnd);                // left to right, no overlap
            lastEnd = s.end;
            QVERIFY(s.merged);
        });
        QCOMPARE(handed, slices);
        QVERIFY2(slices <= 1001, qPrintable(QString::number(slices)));
        QCOMPARE(covered, int(index.row(1).size()));     // nothing lost: every event is in some run
        // Zoomed in to 50 slots on 1000 px: every event drawn alone, none merged.
        int alone = 0;
        index.visit(1, 1000, 1050, 0.05, [&](const FlameIndex::Slice &s) {
            QVERIFY(!s.merged);
            QCOMPARE(s.count, 1);
            ++alone;
        });
        QCOMPARE(alone, 20);                            // five actions of four sends each
    }

    void clickSelectsAndSelectionSyncsWithTheTree()
    {
        MainWindow w;
        w.setAskBeforeDelete(false);
        w.resize(1280, 800);
        QVERIFY(w.openSample(QStringLiteral("shop")));
        w.runAll();
        w.flushTimeline();
        auto *views = w.findChild<TimelineViews *>();
        QVERIFY(views);
        views->setCurrentWidget(views->flameView()->parentWidget());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        FlameView *flame = views->flameView();
        const TraceRecorder &r = w.session()->recorder();
        const int action = firstAction(r, QStringLiteral("bob = "));
        QVERIFY(action >= 0);
        const int postSave = firstSend(r, action, QStringLiteral("post_save"));
        views->zoom()->fit(action, views->flameIndex()->logicalEnd(action));
        const QRectF rect = flame->sliceRect(postSave);
        QVERIFY(rect.width() > 10);
        QCOMPARE(flame->eventAt(rect.center().toPoint()), postSave);

        // A click selects it here, in the tree and in the inspector.
        QSignalSpy current(views->selection(), &EventSelection::currentChanged);
        QTest::mouseClick(flame, Qt::LeftButton, {}, rect.center().toPoint());
        QCOMPARE(current.count(), 1);
        QCOMPARE(views->selection()->current(), postSave);
        QCOMPARE(w.timelineView()->currentIndex().data(EventIndexRole).toInt(), postSave);
        QVERIFY(w.inspector()->visibleText().contains(QStringLiteral("post_save")));

        // Selecting in the tree selects here.
        const int receiver = postSave + 1;
        QCOMPARE(r.kindOf(receiver), TraceEventKind::Receiver);
        w.selectEvent(receiver);
        QCOMPARE(views->selection()->current(), receiver);
        QCOMPARE(current.count(), 2);

        // Keys: parent, child, previous / next event, fit the selection, fit all.
        flame->setFocus();
        QTest::keyClick(flame, Qt::Key_Up);
        QCOMPARE(views->selection()->current(), postSave);
        QTest::keyClick(flame, Qt::Key_Down);
        QCOMPARE(views->selection()->current(), receiver);
        QTest::keyClick(flame, Qt::Key_Comma);
        QCOMPARE(views->selection()->current(), postSave);
        QTest::keyClick(flame, Qt::Key_Period);
        QTest::keyClick(flame, Qt::Key_Period);
        QCOMPARE(views->selection()->current(), receiver + 1);
        QCOMPARE(w.timelineView()->currentIndex().data(EventIndexRole).toInt(), receiver + 1);
        QTest::keyClick(flame, Qt::Key_Up);
        QTest::keyClick(flame, Qt::Key_Left);           // previous slice on the receivers' row
        QCOMPARE(r.kindOf(views->selection()->current()), TraceEventKind::Receiver);
        QVERIFY(views->selection()->current() < receiver);
        w.selectEvent(action);
        QTest::keyClick(flame, Qt::Key_F);
        const ZoomState::Range fitted = views->zoom()->visible();
        QVERIFY(fitted.start <= action && fitted.end >= views->flameIndex()->logicalEnd(action));
        QVERIFY(fitted.span() <= (views->flameIndex()->logicalEnd(action) - action) * 1.1 + 4);
        QTest::keyClick(flame, Qt::Key_0);
        QCOMPARE(views->zoom()->visible().start, 0.0);
        QCOMPARE(views->zoom()->visible().end, double(r.count()));
        // The wheel zooms in around the cursor: the time under it stays under it.
        const QPoint at(300, 40);
        const double before = views->zoom()->mapping(flame->width()).time(at.x());
        QWheelEvent wheel(at, flame->mapToGlobal(at), {}, QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(flame, &wheel);
        QVERIFY(views->zoom()->visible().span() < r.count());
        QVERIFY(qAbs(views->zoom()->mapping(flame->width()).time(at.x()) - before) < 1.0);
        // Drag pans.
        const ZoomState::Range beforeDrag = views->zoom()->visible();
        QTest::mousePress(flame, Qt::LeftButton, {}, QPoint(400, 60));
        QTest::mouseMove(flame, QPoint(300, 60));
        QTest::mouseRelease(flame, Qt::LeftButton, {}, QPoint(300, 60));
        QVERIFY(views->zoom()->visible().start > beforeDrag.start);
        QCOMPARE(views->zoom()->visible().span(), beforeDrag.span());
    }

    void theFlameViewDimsWhatTheTreesFiltersHide()
    {
        MainWindow w;
        w.resize(1280, 800);
        QVERIFY(w.openSample(QStringLiteral("shop")));
        w.runAll();
        w.flushTimeline();
        auto *views = w.findChild<TimelineViews *>();
        views->setCurrentWidget(views->flameView()->parentWidget());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        FlameView *flame = views->flameView();
        const TraceRecorder &r = w.session()->recorder();
        const int action = firstAction(r, QStringLiteral("bob = "));
        const int preInit = firstSend(r, action, QStringLiteral("pre_init"));
        const int postSave = firstSend(r, action, QStringLiteral("post_save"));
        views->zoom()->fit(action, views->flameIndex()->logicalEnd(action));
        const QPoint preInitAt = flame->sliceRect(preInit).center().toPoint();
        const QPoint postSaveAt = flame->sliceRect(postSave).center().toPoint() + QPoint(0, 6);
        const auto pixel = [&](const QPoint &at) { return flame->grab().toImage().pixel(at * flame->devicePixelRatioF()); };
        const QRgb preInitBefore = pixel(preInitAt), postSaveBefore = pixel(postSaveAt);
        QVERIFY(!flame->isDimmed(preInit));

        w.timelineFilter()->setSignalVisible(QStringLiteral("pre_init"), false);
        QVERIFY(flame->isDimmed(preInit));
        QVERIFY(!flame->isDimmed(postSave));
        QVERIFY(pixel(preInitAt) != preInitBefore);
        QCOMPARE(pixel(postSaveAt), postSaveBefore);
        // A search dims everything but the matches and their context.
        w.timelineFilter()->setHiddenSignals({});
        w.timelineFilter()->setSearchText(QStringLiteral("create_billing_profile"));
        w.timelineFilter()->applyPending();
        QVERIFY(flame->isDimmed(preInit));
        QVERIFY(!flame->isDimmed(postSave));              // the receiver's send
        QVERIFY(!flame->isDimmed(postSave + 1));          // the receiver
        w.timelineFilter()->setSearchText({});
        w.timelineFilter()->applyPending();
        QVERIFY(!flame->isDimmed(preInit));
        QCOMPARE(pixel(preInitAt), preInitBefore);
    }

    void wallClockModeAndOverviewStrip()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("shop")));
        w.runAll();
        w.flushTimeline();
        auto *views = w.findChild<TimelineViews *>();
        views->setCurrentWidget(views->flameView()->parentWidget());
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const TraceRecorder &r = w.session()->recorder();
        // The combo switches the units: nanoseconds, everything shown again.
        auto *mode = views->findChild<QComboBox *>(QStringLiteral("flameTimeMode"));
        QVERIFY(mode);
        views->zoom()->setVisible(10, 20);
        mode->setCurrentIndex(1);
        QCOMPARE(views->flameIndex()->mode(), FlameIndex::Mode::WallClock);
        QCOMPARE(views->zoom()->visible().start, 0.0);
        // From the run's first event (not from the recorder's clock start, the window opening).
        QCOMPARE(views->flameIndex()->start(0), 0.0);
        QVERIFY(views->zoom()->total() >= double(r.record(r.count() - 1).startNs - r.record(0).startNs));
        const int action = firstAction(r, QStringLiteral("bob = "));
        const QRectF rect = views->flameView()->sliceRect(action);
        QVERIFY(rect.width() >= 1);
        views->setWallClock(false);
        QCOMPARE(mode->currentIndex(), 0);
        QCOMPARE(views->zoom()->total(), double(r.count()));
        // A click on the overview strip centres the window there.
        views->zoom()->setVisible(0, 10);
        OverviewStrip *strip = views->overview();
        QTest::mouseClick(strip, Qt::LeftButton, {}, QPoint(strip->width() * 3 / 4, strip->height() / 2));
        const ZoomState::Range v = views->zoom()->visible();
        QCOMPARE(v.span(), 10.0);
        QVERIFY(qAbs((v.start + v.end) / 2 - r.count() * 0.75) < 1.5);
    }

    void followsALiveRun()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("shop")));
        auto *views = w.findChild<TimelineViews *>();
        w.stepOnce();
        w.flushTimeline();
        const int afterOne = w.session()->recorder().count();
        QCOMPARE(views->flameIndex()->count(), afterOne);
        QCOMPARE(views->zoom()->visible().end, double(afterOne));
        // Zoomed onto the newest events, the view slides along with the run.
        views->zoom()->setVisible(afterOne - 8, afterOne);
        w.session()->runNext();
        w.flushTimeline();
        QVERIFY(w.session()->recorder().count() > afterOne);
        QCOMPARE(views->zoom()->visible().end, double(w.session()->recorder().count()));
        QCOMPARE(views->zoom()->visible().span(), 8.0);
        // Step mode: the step's action is selected (tree, inspector) and fitted.
        w.stepOnce();
        const TraceRecorder &r = w.session()->recorder();
        const int action = views->selection()->current();
        QVERIFY(action >= 0);
        QCOMPARE(r.kindOf(action), TraceEventKind::Step);
        QCOMPARE(r.subtreeEnd(action), r.count());
        QCOMPARE(w.timelineView()->currentIndex().data(EventIndexRole).toInt(), action);
        QVERIFY(views->zoom()->visible().start <= action);
        QVERIFY(views->zoom()->visible().span() < r.count());
        // Clearing the recording empties the views.
        w.session()->bridge().clearRecording();
        QCOMPARE(views->flameIndex()->count(), 0);
        QCOMPARE(views->selection()->current(), -1);
        // A recorder cleared behind the bridge's back: the views paint nothing
        // stale until the bridge notices, then start again.
        w.stepOnce();
        views->setCurrentWidget(views->flameView()->parentWidget());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(views->flameIndex()->count() > 0);
        w.session()->recorder().clear();
        QVERIFY(views->flameIndex()->isStale());
        views->flameView()->repaint();
        views->overview()->repaint();
        QCOMPARE(views->flameView()->eventAt(QPoint(100, 30)), -1);
        views->setCurrentWidget(views->lifelinesView()->parentWidget());
        views->lifelinesView()->repaint();
        w.flushTimeline();
        QVERIFY(!views->flameIndex()->isStale());
    }

    void lifelinesNumberTheCollectorsDeleteOrder()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("cascade")));
        w.runAll();
        w.flushTimeline();
        auto *views = w.findChild<TimelineViews *>();
        LifelineIndex *lanes = views->lifelineIndex();
        lanes->catchUp();
        const TraceRecorder &r = w.session()->recorder();
        QCOMPARE(lanes->indexed(), r.count());
        // The delete that went through (the second tech.delete()): post_delete
        // children first, by descending pk, numbered 1..6.
        int action = -1;
        for (int i = 0; i < r.count(); ++i)
            if (r.kindOf(i) == TraceEventKind::Step && r.text(i) == QLatin1String("tech.delete()"))
                action = i;
        QStringList order;
        for (int e = action; e < r.subtreeEnd(action); ++e) {
            if (const int n = lanes->deleteNumber(e)) {
                QCOMPARE(n, order.size() + 1);
                order << lanes->lanes()[size_t(lanes->laneOf(e))].label;
            }
        }
        QCOMPARE(order, QStringLiteral("Comment 3,Comment 2,Comment 1,Post 2,Post 1,Blog 1").split(QLatin1Char(',')));
        for (const QString &label : std::as_const(order))
            QVERIFY(std::any_of(lanes->lanes().begin(), lanes->lanes().end(),
                                [&](const Lane &l) { return l.label == label && l.deleted; }));
        // Every instance that got a pk has one lane: its creation's pre_init
        // and post_init are on it, rows loaded again add to it.
        for (const Lane &lane : lanes->lanes()) {
            if (lane.ticks.empty())
                continue;
            QVERIFY2(!lane.label.endsWith(QLatin1String("(unsaved)")), qPrintable(lane.label));
            QVERIFY(std::is_sorted(lane.ticks.begin(), lane.ticks.end()));
        }

        // The view: a click on a tick selects its event.
        views->setCurrentWidget(views->lifelinesView()->parentWidget());
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        LifelinesView *view = views->lifelinesView();
        views->zoom()->fit(action, views->flameIndex()->logicalEnd(action));
        int postDelete = -1;
        for (int e = action; e < r.subtreeEnd(action) && postDelete < 0; ++e)
            if (lanes->deleteNumber(e) == 4)
                postDelete = e;
        const QPointF tick = view->tickPos(lanes->laneOf(postDelete), postDelete);
        QVERIFY(!tick.isNull());
        QCOMPARE(view->eventAt(tick.toPoint()), postDelete);
        QTest::mouseClick(view, Qt::LeftButton, {}, tick.toPoint());
        QCOMPARE(views->selection()->current(), postDelete);
        QCOMPARE(w.timelineView()->currentIndex().data(EventIndexRole).toInt(), postDelete);
        // Only the instances alive in the window are listed.
        QVERIFY(view->shownLanes().size() < int(lanes->lanes().size()));
    }

    void lifelinesLinkManyToManyLanes()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("pizza")));
        w.runAll();
        w.flushTimeline();
        auto *views = w.findChild<TimelineViews *>();
        LifelineIndex *lanes = views->lifelineIndex();
        lanes->catchUp();
        const TraceRecorder &r = w.session()->recorder();
        QVERIFY(!lanes->links().empty());
        for (const LaneLink &link : lanes->links()) {
            QCOMPARE(r.string(r.record(link.event).name), QStringLiteral("m2m_changed"));
            const QString from = lanes->lanes()[size_t(link.from)].label, to = lanes->lanes()[size_t(link.to)].label;
            const QCborMap args = r.args(link.event);
            QVERIFY2(to.startsWith(args.value(QStringLiteral("model")).toString() + QLatin1Char(' ')), qPrintable(to));
            QVERIFY2(from.startsWith(args.value(QStringLiteral("instance")).toMap().value(QStringLiteral("model")).toString()),
                     qPrintable(from));
        }
    }

    void mermaidOfAShopSignup()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("shop")));
        w.runAll();
        w.flushTimeline();
        const TraceRecorder &r = w.session()->recorder();
        const int action = firstAction(r, QStringLiteral("bob = "));
        const SequenceDiagram d = buildSequenceDiagram(r, action + 3);   // any event selects its action
        QCOMPARE(d.action, action);
        // Mermaid sequenceDiagram syntax: participants with aliases, ->> calls, activations.
        const QString expected = QStringLiteral(R"(sequenceDiagram
    %% bob = User.objects.create(username='bob', is_active=False)
    participant caller as Caller
    participant m_User as User
    participant s_pre_init as pre_init
    participant s_post_init as post_init
    participant s_pre_save as pre_save
    participant s_post_save as post_save
    participant r_create_billing_profile as create_billing_profile
    participant m_BillingProfile as BillingProfile
    caller->>m_User: bob = User.objects.create(username='bob', is_active=False)
    m_User->>s_pre_init: send(args=[], kwargs={'username': 'bob', 'is_active': False})
    m_User->>s_post_init: send(instance=#60;User: User object (None)#62;)
    m_User->>s_pre_save: send(instance=#60;User: User object (None)#62;, update_fields=None)
    m_User->>s_post_save: send(instance=#60;User: User object (2)#62;, created=True, update_fields=None)
    activate s_post_save
    s_post_save->>r_create_billing_profile: call
    activate r_create_billing_profile
    r_create_billing_profile->>m_BillingProfile: BillingProfile(…)
    m_BillingProfile->>s_pre_init: send(args=[], kwargs={'user': #60;User: User object (2)#62;})
    m_BillingProfile->>s_post_init: send(instance=#60;BillingProfile: BillingProfile object (None)#62;)
    m_BillingProfile->>s_pre_save: send(instance=#60;BillingProfile: BillingProfile object (None)#62;, update_fields=None)
    m_BillingProfile->>s_post_save: send(instance=#60;BillingProfile: BillingProfile object (2)#62;, created=True, update_fields=None)
    deactivate r_create_billing_profile
    deactivate s_post_save
)");
        QCOMPARE(d.mermaidText(), expected);
    }

    void mermaidOfARecursionLoop()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("loops")));
        w.runAll();
        w.flushTimeline();
        const TraceRecorder &r = w.session()->recorder();
        const int action = firstAction(r, QStringLiteral("c = "));
        const SequenceDiagram d = buildSequenceDiagram(r, action);
        const QString text = d.mermaidText();
        QVERIFY2(text.contains(QStringLiteral("    rect rgba(220, 40, 40, 0.15)\n        loop recursion stopped by the depth bound: "
                                              "post_save(Counter:1) → resave_counter → post_save(Counter:1)\n")),
                 qPrintable(text.left(2000)));
        QCOMPARE(text.count(QStringLiteral("loop ")), 1);              // one fragment, not one per level
        QVERIFY(text.contains(QStringLiteral("--x")));                 // the raised RecursionError returns crossed
        QCOMPARE(text.count(QStringLiteral("activate ")) - text.count(QStringLiteral("deactivate ")),
                 text.count(QStringLiteral("deactivate ")));           // balanced
        QVERIFY(text.contains(QStringLiteral("refused")));
        // A small budget cuts the diagram and says so, still balanced.
        const SequenceDiagram cut = buildSequenceDiagram(r, action, 10);
        QVERIFY(cut.omitted > 0);
        const QString cutText = cut.mermaidText();
        QVERIFY(cutText.contains(QStringLiteral("more events not drawn")));
        QCOMPARE(cutText.count(QStringLiteral("activate ")) - cutText.count(QStringLiteral("deactivate ")),
                 cutText.count(QStringLiteral("deactivate ")));
        QCOMPARE(cutText.count(QStringLiteral("    end\n")), cutText.count(QStringLiteral("rect ")) * 2);
    }

    void sequenceViewFollowsSelectionAndExports()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("shop")));
        w.runAll();
        w.flushTimeline();
        auto *views = w.findChild<TimelineViews *>();
        views->setCurrentWidget(views->sequenceView());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const TraceRecorder &r = w.session()->recorder();
        const int action = firstAction(r, QStringLiteral("bob = "));
        w.selectEvent(action + 2);
        SequenceView *view = views->sequenceView();
        QCOMPARE(view->diagram().action, action);
        QVERIFY(view->canvas()->width() > 400);
        // A click on a message row selects its event everywhere.
        const int postSave = firstSend(r, action, QStringLiteral("post_save"));
        const QRectF row = view->scene()->rowOf(postSave);
        QVERIFY(!row.isEmpty());
        QTest::mouseClick(view->canvas(), Qt::LeftButton, {}, row.center().toPoint());
        QCOMPARE(views->selection()->current(), postSave);
        QCOMPARE(w.timelineView()->currentIndex().data(EventIndexRole).toInt(), postSave);

        QTemporaryDir dir;
        QString error;
        QVERIFY(view->exportTo(dir.filePath(QStringLiteral("s.mmd")), &error));
        QFile mmd(dir.filePath(QStringLiteral("s.mmd")));
        QVERIFY(mmd.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(mmd.readAll()), view->diagram().mermaidText());
        QVERIFY(view->exportTo(dir.filePath(QStringLiteral("s.svg")), &error));
        QFile svg(dir.filePath(QStringLiteral("s.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.startsWith("<?xml"));
        QVERIFY(svgText.contains("create_billing_profile"));
        QVERIFY(svgText.trimmed().endsWith("</svg>"));
        QVERIFY(view->exportTo(dir.filePath(QStringLiteral("s.png")), &error));
        const QImage png(dir.filePath(QStringLiteral("s.png")));
        QCOMPARE(png.size(), (view->scene()->size() * 2).toSize());
        // A file that cannot be written is named in the error.
        QVERIFY(!view->exportTo(dir.filePath(QStringLiteral("missing/dir/s.svg")), &error));
        QVERIFY(error.contains(QStringLiteral("missing/dir/s.svg")));
    }
};

QTEST_MAIN(TestTimelineViews)
#include "tst_timelineviews.moc"
