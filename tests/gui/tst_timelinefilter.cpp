// The timeline's filtered tree (TimelineFilter) and its search index on their
// own, without a window: QAbstractItemModelTester over the unfiltered,
// filtered and live-insert cases with exact signal counts; a search shows
// exactly the events whose shown text contains the query (case-insensitive),
// with their ancestors; kind, model and Django-receiver filters against a
// reference computed from the recording; the view's expanded rows and current
// row follow their events through a filter change.

#include "roles.h"
#include "session/session.h"
#include "syntheticrecording.h"
#include "timelinefilter.h"
#include "timelinemodel.h"
#include "timelinesearchindex.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"
#include "web/webruntime.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTreeView>
#include <QtTest>
#include <functional>
#include <set>

using namespace ss;

namespace {

// A session whose recording is fed by hand, and the model and filter over it.
struct Fixture
{
    Session session;
    TimelineModel model{&session};
    TimelineFilter filter{&session.recorder()};
    quint64 sendId = 1000;

    Fixture() { filter.setSourceModel(&model); }
    TraceRecorder &recorder() { return session.recorder(); }
    void deliver() { model.appendEvents(model.knownEvents(), recorder().count() - 1); }
};

// Every event the filter shows, by walking its tree.
std::set<int> shownEvents(const QAbstractItemModel *m)
{
    std::set<int> events;
    std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        for (int row = 0; row < m->rowCount(parent); ++row) {
            const QModelIndex index = m->index(row, 0, parent);
            events.insert(index.data(EventIndexRole).toInt());
            walk(index);
        }
    };
    walk({});
    return events;
}

// The events passing `test`, with their ancestors.
std::set<int> withAncestors(const TraceRecorder &r, const std::function<bool(int)> &test)
{
    std::set<int> events;
    for (int e = 0; e < r.count(); ++e)
        if (test(e))
            for (int a = e; a >= 0 && events.insert(a).second; a = r.parentOf(a)) {}
    return events;
}

bool runSample(Session &session, const QString &name)
{
    if (!session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/%1.scenario.json").arg(name)))
        return false;
    while (!session.atEnd())
        session.runNext();
    session.bridge().flush();
    return true;
}

} // namespace

class TestTimelineFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void unfilteredItPassesTheTreeThrough()
    {
        Fixture f;
        QAbstractItemModelTester tester(&f.filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&f.filter, &QAbstractItemModel::rowsInserted);
        QSignalSpy layout(&f.filter, &QAbstractItemModel::layoutChanged);
        synthetic::signups(f.recorder(), 0, 3);
        f.deliver();
        synthetic::signups(f.recorder(), 3, 2);
        f.deliver();
        QCOMPARE(inserted.count(), 2);              // one per batch, as the tree's own
        QCOMPARE(layout.count(), 0);
        QCOMPARE(f.filter.rowCount(), 5);
        QVERIFY(!f.filter.isFiltering());
        QCOMPARE(f.filter.visibleEvents(), 50);
        for (int e = 0; e < f.recorder().count(); ++e) {
            const QModelIndex source = f.model.indexForEvent(e, TimelineColumn::Instance);
            const QModelIndex index = f.filter.mapFromSource(source);
            QVERIFY(index.isValid());
            QCOMPARE(index.row(), source.row());
            QCOMPARE(f.filter.mapToSource(index), source);
            QCOMPARE(index.data().toString(), source.data().toString());
            QCOMPARE(f.filter.rowCount(index.siblingAtColumn(0)), f.model.rowCount(source.siblingAtColumn(0)));
        }
        QCOMPARE(f.filter.headerData(TimelineColumn::Sender, Qt::Horizontal).toString(), QStringLiteral("Sender"));
    }

    void aFilterIsOneLayoutChangeAndLiveEventsAreAppended()
    {
        Fixture f;
        QAbstractItemModelTester tester(&f.filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        synthetic::signups(f.recorder(), 0, 3);
        f.deliver();
        QSignalSpy inserted(&f.filter, &QAbstractItemModel::rowsInserted);
        QSignalSpy layout(&f.filter, &QAbstractItemModel::layoutChanged);
        QSignalSpy reset(&f.filter, &QAbstractItemModel::modelReset);
        QSignalSpy applied(&f.filter, &TimelineFilter::filterApplied);

        f.filter.setSearchText(QStringLiteral("BillingProfile object (2)"));
        QCOMPARE(applied.count(), 0);               // debounced
        QVERIFY(f.filter.isPending());
        f.filter.applyPending();
        QCOMPARE(applied.count(), 1);
        QCOMPARE(layout.count(), 1);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(reset.count(), 0);
        // Signup 1 (pk 2): its action, post_save User, the receiver, post_save BillingProfile.
        QCOMPARE(f.filter.rowCount(), 1);
        QCOMPARE(f.filter.visibleEvents(), 4);

        // An action with a match, appended while filtering: one insertion at the top.
        synthetic::signups(f.recorder(), 1, 1);     // pk 2 again: a match
        synthetic::signups(f.recorder(), 5, 1);     // no match
        f.deliver();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.last().at(0).value<QModelIndex>(), QModelIndex());
        QCOMPARE(inserted.last().at(1).toInt(), 1);
        QCOMPARE(inserted.last().at(2).toInt(), 1);
        QCOMPARE(f.filter.visibleEvents(), 8);

        // An action still running: nothing of it shows until a match comes;
        // then the action comes with it (one insertion, at the top level).
        TraceRecorder &r = f.recorder();
        r.stepBegin(100, QStringLiteral("still running"));
        synthetic::send(r, f.sendId, QStringLiteral("pre_init"), QStringLiteral("User"), 0, 0);
        f.deliver();
        QCOMPARE(inserted.count(), 1);
        synthetic::send(r, f.sendId, QStringLiteral("post_save"), QStringLiteral("BillingProfile"), 2, 0);
        f.deliver();
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.last().at(0).value<QModelIndex>(), QModelIndex());
        QCOMPARE(inserted.last().at(1).toInt(), 2);
        const QModelIndex running = f.filter.index(2, 0);
        QCOMPARE(running.data().toString(), QStringLiteral("still running"));
        QCOMPARE(f.filter.rowCount(running), 1);
        // A second match in the shown action: inserted under it.
        synthetic::send(r, f.sendId, QStringLiteral("post_delete"), QStringLiteral("BillingProfile"), 2, 0);
        f.deliver();
        QCOMPARE(inserted.count(), 3);
        QCOMPARE(inserted.last().at(0).value<QModelIndex>(), running);
        QCOMPARE(inserted.last().at(1).toInt(), 1);
        r.stepEnd(100, nullptr);
        f.deliver();
        QCOMPARE(inserted.count(), 3);
        QCOMPARE(shownEvents(&f.filter), withAncestors(r, [&](int e) {
                     return f.model.searchText(e).contains(QStringLiteral("BillingProfile object (2)"));
                 }));

        // Back to everything: one more layout change, the tree as it is.
        f.filter.setSearchText({});
        f.filter.applyPending();
        QCOMPARE(layout.count(), 2);
        QCOMPARE(applied.count(), 2);
        QCOMPARE(f.filter.rowCount(), f.model.rowCount());
        QCOMPARE(int(shownEvents(&f.filter).size()), r.count());
        QCOMPARE(reset.count(), 0);

        // Clearing the recording resets the filter with the tree.
        f.filter.setSignalVisible(QStringLiteral("pre_init"), false);
        QCOMPARE(layout.count(), 3);
        f.session.bridge().clearRecording();
        QCOMPARE(reset.count(), 1);
        QCOMPARE(f.filter.rowCount(), 0);
        synthetic::signups(f.recorder(), 0, 1);
        f.deliver();
        QCOMPARE(f.filter.rowCount(), 1);
        QCOMPARE(f.filter.visibleEvents(), 8);      // 10 less the two pre_init sends
    }

    void searchShowsExactlyTheEventsWhoseTextContainsIt_data()
    {
        QTest::addColumn<QString>("sample");
        for (const char *sample : {"shop", "pizza", "loops", "cascade", "blog", "requests"})
            QTest::newRow(sample) << QString::fromLatin1(sample);
    }

    void searchShowsExactlyTheEventsWhoseTextContainsIt()
    {
        QFETCH(QString, sample);
        Session session;
        TimelineModel model(&session);
        TimelineFilter filter(&session.recorder());
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(runSample(session, sample));
        const TraceRecorder &r = session.recorder();
        QVERIFY(r.count() > 20);
        // The searched text is the text the row shows, column by column.
        for (int e = 0; e < r.count(); ++e) {
            QStringList shown;
            for (int column : {TimelineColumn::Event, TimelineColumn::Sender, TimelineColumn::Instance, TimelineColumn::Arguments})
                shown << model.indexForEvent(e, column).data().toString();
            QCOMPARE(model.searchText(e), shown.join(QLatin1Char(' ')));
        }
        const QStringList queries = {
            QStringLiteral("post_save"), QStringLiteral("POST_SAVE"), QStringLiteral("user"), QStringLiteral("post_save user"),
            QStringLiteral("object (1)>"), QStringLiteral("object (1)> "), QStringLiteral("created=true"), QStringLiteral("None"),
            QStringLiteral("pk_set={"), QStringLiteral("→ "), QStringLiteral("raised"), QStringLiteral("refused"),
            QStringLiteral("e u"), QStringLiteral("  "), QStringLiteral("x"), QStringLiteral("send_robust"),
            QStringLiteral("recursionerror"), QStringLiteral("'"), QStringLiteral("=false"), QStringLiteral("no such text at all"),
            // Spanning parts, or starting / ending at the space between them.
            QStringLiteral("user "), QStringLiteral(" user"), QStringLiteral("> created"), QStringLiteral("user  "),
            QStringLiteral("save user <user"), QStringLiteral(" <"), QStringLiteral("e "), QStringLiteral(" c"),
        };
        for (const QString &query : queries) {
            filter.setSearchText(query);
            filter.applyPending();
            const std::set<int> expected = withAncestors(r, [&](int e) {
                return model.searchText(e).contains(query, Qt::CaseInsensitive);
            });
            QVERIFY2(shownEvents(&filter) == expected, qPrintable(QStringLiteral("%1: '%2'").arg(sample, query)));
            QCOMPARE(filter.visibleEvents(), int(expected.size()));
        }
    }

    void kindModelAndDjangoFiltersAgreeWithTheRecording()
    {
        Session session;
        TimelineModel model(&session);
        TimelineFilter filter(&session.recorder());
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(runSample(session, QStringLiteral("requests")));
        const TraceRecorder &r = session.recorder();
        const auto isSend = [&](int e) { return r.kindOf(e) == TraceEventKind::Send || r.kindOf(e) == TraceEventKind::RecursionStop; };
        // Under a hidden send (or a hidden receiver), nothing shows.
        const auto hiddenBy = [&](int e, const std::function<bool(int)> &hides) {
            for (int a = e; a >= 0; a = r.parentOf(a))
                if (hides(a))
                    return true;
            return false;
        };
        filter.setHiddenSignals({QStringLiteral("pre_init"), QStringLiteral("request_started")});
        const auto hiddenKind = [&](int a) {
            return isSend(a) && (r.string(r.record(a).name) == QLatin1String("pre_init") || r.string(r.record(a).name) == QLatin1String("request_started"));
        };
        QVERIFY(shownEvents(&filter) == withAncestors(r, [&](int e) { return !hiddenBy(e, hiddenKind); }));
        filter.setHiddenSignals({});
        filter.setDjangoReceiversHidden(true);
        const auto django = [&](int a) {
            return r.kindOf(a) == TraceEventKind::Receiver && WebRuntime::isDjangoReceiverLabel(r.string(r.record(a).name));
        };
        int djangoReceivers = 0;
        for (int e = 0; e < r.count(); ++e)
            djangoReceivers += django(e);
        QVERIFY(djangoReceivers > 0);
        QVERIFY(shownEvents(&filter) == withAncestors(r, [&](int e) { return !hiddenBy(e, django); }));
        filter.setDjangoReceiversHidden(false);

        // The model filter: events inside a send by that model.
        QString model0;
        for (int e = 0; e < r.count() && model0.isEmpty(); ++e)
            if (r.kindOf(e) == TraceEventKind::Send && r.record(e).senderKind() == Sender::Kind::Model)
                model0 = r.string(r.record(e).sender);
        QVERIFY(!model0.isEmpty());
        filter.setModelFilter(model0);
        const auto nearestSendBy = [&](int e) {
            for (int a = e; a >= 0; a = r.parentOf(a))
                if (isSend(a))
                    return r.string(r.record(a).sender) == model0;
            return false;
        };
        const std::set<int> byModel = withAncestors(r, [&](int e) { return r.kindOf(e) != TraceEventKind::Step && nearestSendBy(e); });
        QVERIFY(!byModel.empty());
        QVERIFY(shownEvents(&filter) == byModel);
        // With a search on top: both.
        filter.setSearchText(QStringLiteral("post_"));
        filter.applyPending();
        QVERIFY(shownEvents(&filter) == withAncestors(r, [&](int e) {
                    return r.kindOf(e) != TraceEventKind::Step && nearestSendBy(e) && model.searchText(e).contains(QStringLiteral("post_"));
                }));
    }

    void theViewsExpandedRowsAndCurrentRowFollowTheirEvents()
    {
        Session session;
        TimelineModel model(&session);
        TimelineFilter filter(&session.recorder());
        filter.setSourceModel(&model);
        QVERIFY(runSample(session, QStringLiteral("shop")));
        QTreeView view;
        view.setModel(&filter);
        const TraceRecorder &r = session.recorder();
        // The last post_save: its action expanded, itself current.
        int postSave = -1;
        for (int e = 0; e < r.count(); ++e)
            if (r.kindOf(e) == TraceEventKind::Send && r.string(r.record(e).name) == QLatin1String("post_save"))
                postSave = e;
        QVERIFY(postSave > 0);
        int action = postSave;
        while (r.parentOf(action) >= 0)
            action = r.parentOf(action);
        view.expand(filter.indexForEvent(action));
        view.setCurrentIndex(filter.indexForEvent(postSave));
        filter.setSignalVisible(QStringLiteral("pre_init"), false);
        filter.setSignalVisible(QStringLiteral("post_init"), false);
        QVERIFY(view.isExpanded(filter.indexForEvent(action)));
        QCOMPARE(view.currentIndex(), filter.indexForEvent(postSave));
        QCOMPARE(view.currentIndex().data(EventIndexRole).toInt(), postSave);
        // Hidden, then shown again: the row is gone meanwhile, expansion kept.
        filter.setSignalVisible(QStringLiteral("post_save"), false);
        QVERIFY(!filter.indexForEvent(postSave).isValid());
        filter.setHiddenSignals({});
        QVERIFY(view.isExpanded(filter.indexForEvent(action)));
    }

    void theIndexKeepsEachDistinctTextOnce()
    {
        Fixture f;
        synthetic::signups(f.recorder(), 0, 2000);      // 20,000 events
        f.deliver();
        TimelineSearchIndex index(&f.model, &f.recorder());
        index.append(f.recorder().count());
        QCOMPARE(index.indexed(), 20000);
        // The action codes, the few signal/sender texts, one instance text per
        // saved instance and the unsaved one, one Arguments text.
        QVERIFY2(index.distinctTexts() < 2000 + 4000 + 20, qPrintable(QString::number(index.distinctTexts())));
        const TimelineSearchIndex::Query query(QStringLiteral("USER object (1500)"));
        int matches = 0;
        for (int e = 0; e < index.indexed(); ++e)
            matches += index.matches(query, e);
        QCOMPARE(matches, 1);                       // post_save User 1500 (signup 1499)
        // A query spanning parts (Event + Sender, then Instance).
        const TimelineSearchIndex::Query spanning(QStringLiteral("post_save user <user: user object (7)>"));
        int spanned = 0;
        for (int e = 0; e < index.indexed(); ++e)
            spanned += index.matches(spanning, e);
        QCOMPARE(spanned, 1);
    }

    void aLongRecordingIsFilteredWithoutBlocking()
    {
        Fixture f;
        synthetic::signups(f.recorder(), 0, 20000);     // 200,000 events
        f.deliver();
        QSignalSpy applied(&f.filter, &TimelineFilter::filterApplied);
        f.filter.setSearchText(QStringLiteral("object (19999)"));
        QTRY_COMPARE(applied.count(), 1);
        QCOMPARE(f.filter.rowCount(), 1);
        QCOMPARE(f.filter.index(0, 0).data().toString(), QStringLiteral("User.objects.create(username='u19998')"));
        f.filter.setSignalVisible(QStringLiteral("post_save"), false);
        QTRY_COMPARE(applied.count(), 2);
        QCOMPARE(f.filter.rowCount(), 0);
    }
};

QTEST_MAIN(TestTimelineFilter)
#include "tst_timelinefilter.moc"
