// Nothing hidden by truncation, time that means something, a step list that
// follows the run (issue 8): the real window at 1280×800, offscreen, checked
// by the rectangles and the text its widgets really lay out.

#include "eventtimedelegate.h"
#include "inspector.h"
#include "inspectorview.h"
#include "mainwindow.h"
#include "nestingdelegate.h"
#include "roles.h"
#include "scenariocontroller.h"
#include "scenariostepsmodel.h"
#include "session/session.h"
#include "timeline/eventlabels.h"
#include "timeline/eventselection.h"
#include "timeline/flameindex.h"
#include "timeline/flameview.h"
#include "timeline/timelineviews.h"
#include "timeline/zoomstate.h"
#include "timelinefilter.h"
#include "timelinemodel.h"
#include "trace/tracerecorder.h"

#include <QAbstractTextDocumentLayout>
#include <QClipboard>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListView>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextLayout>
#include <QTreeView>
#include <QtTest>

using namespace ss;

namespace {

// Nesting level of an event in the tree (0 for an action).
int levelOf(const TraceRecorder &r, int event)
{
    int level = 0;
    for (int p = r.parentOf(event); p >= 0; p = r.parentOf(p))
        ++level;
    return level;
}

int deepestEvent(const TraceRecorder &r)
{
    int best = -1, bestLevel = -1;
    for (int i = 0; i < r.count(); ++i) {
        const int level = levelOf(r, i);
        if (level > bestLevel) {
            best = i;
            bestLevel = level;
        }
    }
    return best;
}

bool isIdentifierChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_');
}

// Every place the inspector's layout broke a line inside an identifier
// (`connection_crea|ted`), unless that identifier alone is wider than the view.
QStringList midIdentifierBreaks(InspectorView *inspector)
{
    QStringList breaks;
    QTextDocument *doc = inspector->document();
    const qreal width = inspector->viewport()->width();
    for (QTextBlock block = doc->begin(); block.isValid(); block = block.next()) {
        QTextLayout *layout = block.layout();
        const QString text = block.text();
        for (int l = 1; l < layout->lineCount(); ++l) {
            const int at = layout->lineAt(l).textStart();
            if (at <= 0 || at >= text.size() || !isIdentifierChar(text.at(at - 1)) || !isIdentifierChar(text.at(at)))
                continue;
            int from = at, to = at;
            while (from > 0 && isIdentifierChar(text.at(from - 1)))
                --from;
            while (to < text.size() && isIdentifierChar(text.at(to)))
                ++to;
            const QString word = text.mid(from, to - from);
            if (QFontMetricsF(block.charFormat().font()).horizontalAdvance(word) * 1.3 < width)
                breaks << word + QStringLiteral(" in \"") + text.left(at) + QStringLiteral("|") + text.mid(at) + QLatin1Char('"');
        }
    }
    return breaks;
}

QString writeScenario(const QTemporaryDir &dir, const QString &sample, const QJsonArray &steps)
{
    const QString schema = dir.filePath(sample + QStringLiteral(".schema.json"));
    QFile::copy(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/%1.schema.json").arg(sample), schema);
    const QString path = dir.filePath(QStringLiteral("long.scenario.json"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(QJsonDocument(QJsonObject{{QStringLiteral("format"), QStringLiteral("signalscope-scenario/1")},
                                      {QStringLiteral("name"), QStringLiteral("long")},
                                      {QStringLiteral("schema"), QFileInfo(schema).fileName()},
                                      {QStringLiteral("steps"), steps}})
                .toJson());
    return path;
}

QJsonArray signups(int count)
{
    QJsonArray steps;
    for (int i = 0; i < count; ++i)
        steps.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("create")},
                                 {QStringLiteral("model"), QStringLiteral("User")},
                                 {QStringLiteral("values"), QJsonObject{{QStringLiteral("username"), QStringLiteral("u%1").arg(i)}}}});
    return steps;
}

} // namespace

class TestNothingHidden : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_nothinghidden"));
    }
    void init() { QSettings().clear(); }

    void aDeepRecursionKeepsItsLabelsInTheTree()
    {
        MainWindow w;
        w.resize(1280, 800);
        QVERIFY(w.openSample(QStringLiteral("loops")));
        w.runAll();
        w.flushTimeline();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const TraceRecorder &r = w.session()->recorder();
        const int deepest = deepestEvent(r);
        QVERIFY2(levelOf(r, deepest) >= 60, qPrintable(QString::number(levelOf(r, deepest))));   // 32 sends deep

        QTreeView *tree = w.timelineView();
        tree->expandAll();
        w.selectEvent(deepest);
        const QModelIndex index = tree->currentIndex();
        QCOMPARE(index.data(EventIndexRole).toInt(), deepest);
        QCoreApplication::processEvents();

        // The row is in view and its label starts inside the Event column,
        // with room for the text (QTreeView's own indentation put it at
        // level × 20 px, far right of a 330 px column).
        const QRect cell = tree->visualRect(index);
        QVERIFY(tree->viewport()->rect().intersects(cell));
        const int columnLeft = tree->header()->sectionViewportPosition(TimelineColumn::Event);
        const int columnRight = columnLeft + tree->header()->sectionSize(TimelineColumn::Event);
        QRect label = cell;
        auto *nesting = qobject_cast<NestingDelegate *>(tree->itemDelegateForColumn(TimelineColumn::Event));
        if (nesting)            // (without it, QTreeView's visualRect starts at the label)
            label = nesting->labelRect(cell, index);
        QVERIFY2(label.left() >= columnLeft && label.left() <= columnRight - 120,
                 qPrintable(QStringLiteral("label at %1, column %2..%3").arg(label.left()).arg(columnLeft).arg(columnRight)));
        const QString text = index.data().toString();
        const QFontMetrics fm(tree->font());
        const QString shown = fm.elidedText(text, Qt::ElideRight, label.width() - 24);
        QVERIFY2(shown.startsWith(text.left(8)), qPrintable(shown + QStringLiteral(" / ") + text));
        // How deep it is, where the indentation stopped.
        QCOMPARE(NestingDelegate::depthMarker(index, cell.width()), QStringLiteral("⋯%1").arg(levelOf(r, deepest)));
        QVERIFY(NestingDelegate::depthMarker(tree->model()->index(0, 0), cell.width()).isEmpty());

        // The arrow still opens and closes a row, as QTreeView's did.
        QVERIFY(nesting);
        const QModelIndex parent = index.parent();
        const QRect parentCell = tree->visualRect(parent);
        QVERIFY(tree->isExpanded(parent));
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, nesting->arrowRect(parentCell, parent).center());
        QVERIFY(!tree->isExpanded(parent));
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, nesting->arrowRect(parentCell, parent).center());
        QVERIFY(tree->isExpanded(parent));
    }

    void aDeepRecursionKeepsItsLabelsInTheFlameView()
    {
        MainWindow w;
        w.resize(1280, 800);
        QVERIFY(w.openSample(QStringLiteral("loops")));
        w.runAll();
        w.flushTimeline();
        auto *views = w.findChild<TimelineViews *>();
        views->setCurrentWidget(views->flameView()->parentWidget());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const TraceRecorder &r = w.session()->recorder();
        const int deepest = deepestEvent(r);
        const int action = actionOf(r, deepest);
        FlameView *flame = views->flameView();
        // The whole recursion on screen, its innermost rows in view.
        views->zoom()->fit(action, views->flameIndex()->logicalEnd(action));
        const int deepestLevel = views->flameIndex()->levelOf(deepest);
        flame->scrollToLevel(deepestLevel);
        flame->repaint();
        const int firstLevel = flame->firstVisibleLevel();
        const int lastLevel = std::min(deepestLevel, firstLevel + (flame->height() - FlameView::RulerHeight) / FlameView::RowHeight - 1);
        QVERIFY(lastLevel - firstLevel >= 3);
        // Every visible row of the recursion has a label on screen, the
        // innermost ones too (their bars are a few pixels wide: the label
        // goes beside the bar).
        for (int level = firstLevel; level <= lastLevel; ++level) {
            bool labelled = false;
            for (const FlameView::DrawnLabel &label : flame->lastPaintLabels())
                if (views->flameIndex()->levelOf(label.event) == level && flame->rect().contains(label.rect.toRect().topLeft())
                    && label.rect.width() > 30)
                    labelled = true;
            QVERIFY2(labelled, qPrintable(QStringLiteral("row %1 of %2 has no label").arg(level).arg(deepestLevel)));
        }
        bool deepestLabelled = false;
        for (const FlameView::DrawnLabel &label : flame->lastPaintLabels())
            deepestLabelled = deepestLabelled || label.event == deepest;
        QVERIFY(deepestLabelled);
    }

    void theInspectorWrapsBetweenTokens()
    {
        MainWindow w;
        w.resize(1280, 800);
        QVERIFY(w.openSample(QStringLiteral("loops")));
        w.runAll();
        w.flushTimeline();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        InspectorView *inspector = w.inspector();
        const TraceRecorder &r = w.session()->recorder();
        // A send (long title, arguments, the loop in words), a receiver (its
        // Python code), an action, an error line: none needs a horizontal
        // scroll, none is cut inside an identifier.
        QVector<int> events;
        for (TraceEventKind kind : {TraceEventKind::Send, TraceEventKind::Receiver, TraceEventKind::Step, TraceEventKind::Error,
                                    TraceEventKind::RecursionStop})
            for (int i = r.count() - 1; i >= 0; --i)
                if (r.kindOf(i) == kind) {
                    events << i;
                    break;
                }
        events << 0;        // connection_created: one long identifier in the title
        QCOMPARE(events.size(), 6);
        for (int width : {0, 230}) {
            if (width)
                inspector->setFixedWidth(width);       // narrower than the default: still no scroll
            for (int event : std::as_const(events)) {
                w.selectEvent(event);
                QCoreApplication::processEvents();
                const QString what = QStringLiteral("event %1 (%2) at width %3").arg(event).arg(traceEventKindName(r.kindOf(event))).arg(inspector->width());
                QVERIFY2(inspector->horizontalScrollBar()->maximum() == 0,
                         qPrintable(what + QStringLiteral(": scrolls by %1").arg(inspector->horizontalScrollBar()->maximum())));
                const QStringList breaks = midIdentifierBreaks(inspector);
                QVERIFY2(breaks.isEmpty(), qPrintable(what + QStringLiteral(": broken inside ") + breaks.join(QStringLiteral(", "))));
            }
        }
        // Copying gives the text without the invisible break marks.
        w.selectEvent(events.at(1));
        inspector->selectAll();
        inspector->copy();
        QVERIFY(!QGuiApplication::clipboard()->text().contains(QChar(ZeroWidthSpace)));
        const QString copied = QGuiApplication::clipboard()->text();
        QVERIFY2(copied.contains(QStringLiteral("def %1(sender, instance").arg(r.event(events.at(1)).label)), qPrintable(copied));
    }

    void breakMarksGoBetweenTokensOnly()
    {
        const QString z = QString(QChar(ZeroWidthSpace));
        QCOMPARE(breakBetweenTokens(QStringLiteral("BillingProfile.objects.create(user=instance, credit=99.0)")),
                 QStringLiteral("BillingProfile.") + z + QStringLiteral("objects.") + z + QStringLiteral("create(") + z
                     + QStringLiteral("user=") + z + QStringLiteral("instance, credit=") + z + QStringLiteral("99.0)"));
        QCOMPARE(breakBetweenTokens(QStringLiteral("pk_set={1, 2}")), QStringLiteral("pk_set={1, 2}"));
        QCOMPARE(breakBetweenTokens(QStringLiteral("<Counter: Counter object (1)>")), QStringLiteral("<Counter: Counter object (1)>"));
        QCOMPARE(breakBetweenTokens(QStringLiteral("create_billing_profile")), QStringLiteral("create_billing_profile"));
    }

    void timesAreRelativeToTheActionAndTheRun()
    {
        MainWindow w;
        w.resize(1280, 800);
        QVERIFY(w.openSample(QStringLiteral("shop")));
        QTest::qWait(400);          // the recorder's clock runs from the window's start, the run's does not
        w.stepOnce();
        QTest::qWait(30);
        w.stepOnce();               // ann.email = ...: no signal
        w.stepOnce();               // ann.save(update_fields=['email'])
        w.flushTimeline();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const TraceRecorder &r = w.session()->recorder();
        QTreeView *tree = w.timelineView();
        auto *delegate = qobject_cast<EventTimeDelegate *>(tree->itemDelegateForColumn(TimelineColumn::Time));
        QVERIFY(delegate);
        const auto cellText = [&](int event) {
            const QModelIndex index = w.timelineFilter()->mapFromSource(w.timelineModel()->indexForEvent(event, TimelineColumn::Time));
            return delegate->text(index);
        };
        // The run's first action is at 0 (the file's loading, 400 ms before,
        // is before the run); an action at its time into the run.
        int firstAction = 0;
        while (r.kindOf(firstAction) != TraceEventKind::Step)
            ++firstAction;
        QCOMPARE(cellText(firstAction), QStringLiteral("0.000"));
        // The model's own text (what a copy of the cell gives) says the same.
        QCOMPARE(w.timelineModel()->indexForEvent(firstAction, TimelineColumn::Time).data().toString(), QStringLiteral("0.000"));
        if (firstAction > 0) {
            QVERIFY2(cellText(0).startsWith(QLatin1Char('-')), qPrintable(cellText(0)));
            QVERIFY(delegate->toolTip(w.timelineFilter()->mapFromSource(w.timelineModel()->indexForEvent(0)))
                        .contains(QStringLiteral("before the run's first action")));
        }
        int postSave = -1;
        for (int i = 0; i < r.count(); ++i)
            if (r.kindOf(i) == TraceEventKind::Send && r.event(i).signal == QLatin1String("post_save"))
                postSave = i;
        QVERIFY(postSave > 0);
        const int lastAction = actionOf(r, postSave);
        QVERIFY(lastAction > 0 && lastAction < postSave);
        const qint64 intoRun = qint64(r.record(lastAction).startNs - r.record(firstAction).startNs);
        QCOMPARE(cellText(lastAction), QString::number(double(intoRun) / 1e6, 'f', 3));
        QVERIFY(intoRun >= 30 * 1000000LL);             // the 30 ms between the two steps
        QVERIFY(intoRun < 400 * 1000000LL);             // not the 400 ms the window waited before the run
        const qint64 intoAction = qint64(r.record(postSave).startNs - r.record(lastAction).startNs);
        QCOMPARE(cellText(postSave), QStringLiteral("+") + QString::number(double(intoAction) / 1e6, 'f', 3));
        QVERIFY(intoAction < 400 * 1000000LL);
        // The tooltip and the inspector say it in words, with the duration.
        const QString tip = delegate->toolTip(w.timelineFilter()->mapFromSource(w.timelineModel()->indexForEvent(postSave)));
        QVERIFY2(tip.startsWith(QStringLiteral("+")) && tip.contains(QStringLiteral("into its action")) && tip.contains(QStringLiteral("took ")),
                 qPrintable(tip));
        w.selectEvent(postSave);
        const QString inspected = w.inspector()->visibleText();
        QVERIFY2(inspected.contains(QStringLiteral("When: +")) && inspected.contains(QStringLiteral("into its action")), qPrintable(inspected));
        w.selectEvent(lastAction);
        QVERIFY2(w.inspector()->visibleText().contains(QStringLiteral("into the run, took ")), qPrintable(w.inspector()->visibleText()));
        // The painted tooltips say the same.
        QVERIFY(eventToolTip(r, postSave).contains(tip));
    }

    void theStepListFollowsALongRun()
    {
        QTemporaryDir dir;
        const QString scenario = writeScenario(dir, QStringLiteral("shop"), signups(4000));
        MainWindow w;
        w.resize(1280, 800);
        QVERIFY(w.openFile(scenario));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QListView *steps = w.stepList();
        // While it runs, after a slice: the next step is current and in view.
        int checked = 0;
        QStringList failures;
        connect(w.scenarioController(), &ScenarioController::progress, this, [&](int done, int total) {
            if (done >= total || checked >= 3)
                return;
            ++checked;
            const QModelIndex next = w.stepsModel()->index(w.session()->nextStep());
            if (steps->currentIndex() != next)
                failures << QStringLiteral("after %1 steps the current step is %2").arg(done).arg(steps->currentIndex().row());
            const QRect rect = steps->visualRect(next);
            if (rect.top() < 0 || rect.bottom() > steps->viewport()->height())
                failures << QStringLiteral("after %1 steps step %2 is out of view (%3,%4 %5x%6; viewport %7x%8)").arg(done).arg(next.row())
                                .arg(steps->visualRect(next).x()).arg(steps->visualRect(next).y()).arg(steps->visualRect(next).width())
                                .arg(steps->visualRect(next).height()).arg(steps->viewport()->width()).arg(steps->viewport()->height());
            if (checked >= 3)
                w.scenarioController()->cancel();
        });
        w.runAll();
        QVERIFY(!w.scenarioController()->isRunning());
        QCOMPARE(checked, 3);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    }

    void afterAStepTheTreeShowsWhatItDid()
    {
        QTemporaryDir dir;
        const QString scenario = writeScenario(dir, QStringLiteral("shop"), signups(120));
        MainWindow w;
        w.resize(1280, 800);
        QVERIFY(w.openFile(scenario));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const TraceRecorder &r = w.session()->recorder();
        QTreeView *tree = w.timelineView();
        auto *views = w.findChild<TimelineViews *>();
        for (int i = 0; i < 60; ++i)
            w.stepOnce();
        // Scrolled away and back at the top: the next step brings its action into view.
        tree->scrollToTop();
        w.stepOnce();
        QCoreApplication::processEvents();
        int action = r.count() - 1;
        while (r.parentOf(action) >= 0)
            action = r.parentOf(action);
        QCOMPARE(tree->currentIndex().data(EventIndexRole).toInt(), action);
        QCOMPARE(views->selection()->current(), action);
        QVERIFY(tree->viewport()->rect().contains(tree->visualRect(tree->currentIndex())));
        QVERIFY(tree->isExpanded(tree->currentIndex()));
        // The step list moved on with it.
        QCOMPARE(w.stepList()->currentIndex().row(), w.session()->nextStep());
        const QRect stepRect = w.stepList()->visualRect(w.stepList()->currentIndex());
        QVERIFY(stepRect.top() >= 0 && stepRect.bottom() <= w.stepList()->viewport()->height());
        // The flame view shows the same action.
        QVERIFY(views->zoom()->visible().start <= action && views->zoom()->visible().end >= r.subtreeEnd(action));
    }
};

QTEST_MAIN(TestNothingHidden)
#include "tst_nothinghidden.moc"
