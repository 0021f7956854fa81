// The window as a desktop application: settings that persist (geometry,
// splitters, filters, the update_fields toggle, the last file), recent files,
// drag and drop, the Samples menu, the status bar, a long run that shows
// progress and can be cancelled, the inspector, colours that read on light and
// dark palettes, and the silent-path actions. Driven through the real widgets,
// offscreen.

#include "inspectorview.h"
#include "mainwindow.h"
#include "recordtablemodel.h"
#include "roles.h"
#include "session/session.h"
#include "signalstyle.h"
#include "timelinefilter.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDropEvent>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QProgressDialog>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeView>
#include <QUrl>
#include <QtTest>

using namespace ss;

namespace {

// The sends of one signal, in order, as event indexes.
QVector<int> sendsNamed(TraceRecorder &r, const QString &signal)
{
    QVector<int> out;
    for (int i = 0; i < r.count(); ++i)
        if (r.kindOf(i) == TraceEventKind::Send && r.event(i).signal == signal)
            out.append(i);
    return out;
}

// WCAG 2 contrast ratio of two colours.
double contrast(const QColor &a, const QColor &b)
{
    const auto luminance = [](const QColor &c) {
        const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    double la = luminance(a), lb = luminance(b);
    if (la < lb)
        std::swap(la, lb);
    return (la + 0.05) / (lb + 0.05);
}

QString label(MainWindow &w, const char *name)
{
    auto *l = w.findChild<QLabel *>(QString::fromLatin1(name));
    return l ? l->text() : QString();
}

// A copy of a bundled sample's schema in `dir`, renamed, so it is a real file.
QString copySample(const QTemporaryDir &dir, const QString &name)
{
    const QString path = dir.filePath(name + QStringLiteral(".schema.json"));
    QFile::copy(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/%1.schema.json").arg(name), path);
    return path;
}

} // namespace

class TestWindowBehaviour : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_windowbehaviour"));
    }
    void init() { QSettings().clear(); }

    void aFirstLaunchOpensTheShopSample()
    {
        MainWindow w;
        QCOMPARE(w.session()->registry().app(), QStringLiteral("shop"));
        QVERIFY(w.windowTitle().contains(QStringLiteral("shop")));
    }

    void settingsAndTheLastFilePersist()
    {
        QList<int> sizes;
        {
            MainWindow w;
            w.show();
            QVERIFY(w.openSample(QStringLiteral("pizza")));
            w.resize(1111, 777);
            auto *splitter = w.findChild<QSplitter *>(QStringLiteral("mainSplitter"));
            QVERIFY(splitter);
            splitter->setSizes({200, 500});
            QCoreApplication::processEvents();
            sizes = splitter->sizes();
            auto *kinds = w.findChild<QMenu *>(QStringLiteral("signalKindMenu"));
            QVERIFY(kinds);
            for (QAction *a : kinds->actions())
                if (a->text() == QLatin1String("pre_init"))
                    a->setChecked(false);              // hide pre_init
            QVERIFY(w.timelineFilter()->hiddenSignals().contains(QStringLiteral("pre_init")));
            w.findChild<QAction *>(QStringLiteral("updateFieldsOnly"))->setChecked(true);
            w.close();                                 // closeEvent saves
        }
        MainWindow again;
        again.show();
        QCoreApplication::processEvents();
        QCOMPARE(again.session()->registry().app(), QStringLiteral("pizzeria"));   // the last file, reopened
        QCOMPARE(again.size(), QSize(1111, 777));
        QCOMPARE(again.findChild<QSplitter *>(QStringLiteral("mainSplitter"))->sizes(), sizes);
        QVERIFY(again.timelineFilter()->hiddenSignals().contains(QStringLiteral("pre_init")));
        QVERIFY(again.findChild<QAction *>(QStringLiteral("updateFieldsOnly"))->isChecked());
        QVERIFY(again.tableModel(QStringLiteral("Pizza"))->updateFieldsOnly());
    }

    void aLastFileThatIsGoneFallsBackToTheShop()
    {
        QSettings().setValue(QStringLiteral("lastFile"), QStringLiteral("/nonexistent/gone.scenario.json"));
        MainWindow w;
        QCOMPARE(w.session()->registry().app(), QStringLiteral("shop"));
    }

    void recentFilesAndDragAndDrop()
    {
        QTemporaryDir dir;
        const QString blog = copySample(dir, QStringLiteral("blog"));
        const QString pizza = copySample(dir, QStringLiteral("pizza"));
        MainWindow w;
        auto *recent = w.findChild<QMenu *>(QStringLiteral("recentMenu"));
        QVERIFY(recent);
        QVERIFY(!recent->isEnabled());                 // nothing opened yet

        // A file dropped on the window opens, and is remembered.
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(blog)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&w, &drop);
        QCOMPARE(w.session()->registry().app(), QStringLiteral("blog"));
        QVERIFY(w.openFile(pizza));
        QCOMPARE(w.session()->registry().app(), QStringLiteral("pizzeria"));

        // Newest first; each entry reopens its file.
        QVERIFY(recent->isEnabled());
        QCOMPARE(recent->actions().size(), 2);
        QCOMPARE(recent->actions().at(0)->toolTip(), QFileInfo(pizza).absoluteFilePath());
        QCOMPARE(recent->actions().at(1)->toolTip(), QFileInfo(blog).absoluteFilePath());
        recent->actions().at(1)->trigger();
        QCOMPARE(w.session()->registry().app(), QStringLiteral("blog"));

        // A file that does not load: a clear message naming it, the loaded schema stays.
        const QString bad = dir.filePath(QStringLiteral("bad.schema.json"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\": \"signalscope-schema/1\", \"app\": 3}");
        f.close();
        QVERIFY(!w.openFile(bad));
        QVERIFY2(w.tableMessage().contains(QStringLiteral("bad.schema.json")), qPrintable(w.tableMessage()));
        QCOMPARE(w.session()->registry().app(), QStringLiteral("blog"));
    }

    void theSamplesMenuListsEverySampleWithItsLesson()
    {
        MainWindow w;
        auto *menu = w.findChild<QMenu *>(QStringLiteral("samplesMenu"));
        QVERIFY(menu);
        const QStringList names = {QStringLiteral("shop"), QStringLiteral("blog"), QStringLiteral("reactions"),
                                   QStringLiteral("pizza"), QStringLiteral("cascade"), QStringLiteral("loops"),
                                   QStringLiteral("silent"), QStringLiteral("requests"), QStringLiteral("settings"),
                                   QStringLiteral("versions")};
        QCOMPARE(menu->actions().size(), names.size());
        for (int i = 0; i < names.size(); ++i) {
            QAction *a = menu->actions().at(i);
            QVERIFY2(a->text().startsWith(names.at(i) + QStringLiteral(" — ")), qPrintable(a->text()));
            QVERIFY(a->toolTip().size() > 40);          // the whole lesson
        }
        menu->actions().at(3)->trigger();
        QCOMPARE(w.session()->registry().app(), QStringLiteral("pizzeria"));
    }

    void theStatusBarCountsRowsEventsAndLoops()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("loops")));
        QVERIFY(label(w, "statusDatabase").contains(QStringLiteral("0 row(s)")));
        w.runAll();
        w.flushTimeline();
        const TraceRecorder &r = w.session()->recorder();
        QVERIFY(label(w, "statusDatabase").contains(QStringLiteral("SQLite")));
        QVERIFY(label(w, "statusDatabase").contains(QStringLiteral("4 row(s)")));
        QVERIFY2(label(w, "statusEvents").startsWith(QStringLiteral("%1 event(s) · %2 loop(s)").arg(r.count()).arg(r.loops().size())),
                 qPrintable(label(w, "statusEvents")));
        QVERIFY(r.loops().size() > 0);
        w.setPaused(true);
        QVERIFY(label(w, "statusEvents").contains(QStringLiteral("PAUSED")));
    }

    void aLongRunShowsProgressAndCanBeCancelled()
    {
        // More than the 50 steps that get a progress dialog, and far more than
        // a busy machine runs before the cancel lands (3,000 once finished
        // first, when the engine got faster): the cancel is what is tested.
        constexpr int Signups = 30000;
        QTemporaryDir dir;
        const QString schema = copySample(dir, QStringLiteral("shop"));
        QJsonArray steps;
        for (int i = 0; i < Signups; ++i)
            steps.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("create")}, {QStringLiteral("model"), QStringLiteral("User")},
                                     {QStringLiteral("values"), QJsonObject{{QStringLiteral("username"), QStringLiteral("u%1").arg(i)}}}});
        const QString scenario = dir.filePath(QStringLiteral("long.scenario.json"));
        QFile f(scenario);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("format"), QStringLiteral("signalscope-scenario/1")},
                                          {QStringLiteral("name"), QStringLiteral("long")},
                                          {QStringLiteral("schema"), QFileInfo(schema).fileName()},
                                          {QStringLiteral("steps"), steps}}).toJson());
        f.close();

        MainWindow w;
        w.show();
        QVERIFY(w.openFile(scenario));
        bool sawProgress = false;
        QTimer poll;
        poll.setInterval(20);
        QObject::connect(&poll, &QTimer::timeout, [&] {
            auto *progress = w.findChild<QProgressDialog *>();
            if (progress && !progress->isVisible())
                progress->setMinimumDuration(0);       // shown at its next update, not after 300 ms
            else if (progress && progress->value() > 0) {
                sawProgress = true;
                progress->cancel();
            }
        });
        poll.start();
        w.runAll();
        poll.stop();
        QVERIFY(sawProgress);
        const int done = w.session()->nextStep();
        QVERIFY2(done > 0 && done < Signups, qPrintable(QString::number(done)));
        // Every step that ran is in the database, and nothing else: a user and its profile each.
        QCOMPARE(w.session()->rows(w.session()->registry().model(QStringLiteral("User"))).size(), done);
        QCOMPARE(w.session()->rows(w.session()->registry().model(QStringLiteral("BillingProfile"))).size(), done);
        // The run goes on from there.
        w.stepOnce();
        QCOMPARE(w.session()->nextStep(), done + 1);
    }

    void theInspectorShowsArgumentsStoredValuesAndReceivers()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("reactions")));
        w.runAll();
        w.flushTimeline();
        TraceRecorder &r = w.session()->recorder();
        // Step 5: r.reaction = 'love'; r.save(): pre_save beside the stored 'like'.
        int event = -1;
        for (int i : sendsNamed(r, QStringLiteral("pre_save")))
            if (r.event(i).depth == 0 && r.args(i).value(QStringLiteral("instance")).toMap().value(QStringLiteral("model")).toString() == QLatin1String("PostReaction"))
                event = event < 0 || r.record(i).step == 5 ? i : event;
        QVERIFY(event >= 0);
        QCOMPARE(r.record(event).step, 5);
        w.selectEvent(event);
        const QString text = w.inspector()->visibleText();
        QVERIFY2(text.contains(QStringLiteral("pre_save")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("update_fields")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("stored value")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("'love'")) || text.contains(QStringLiteral("love")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("like")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("reaction_switched")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Receivers called (1)")), qPrintable(text));
    }

    void signalColoursReadOnLightAndDarkPalettes()
    {
        const QStringList signalNames = {QStringLiteral("pre_init"), QStringLiteral("post_init"), QStringLiteral("pre_save"),
                                         QStringLiteral("post_save"), QStringLiteral("pre_delete"), QStringLiteral("post_delete"),
                                         QStringLiteral("m2m_changed"), QStringLiteral("pre_migrate"), QStringLiteral("post_migrate"),
                                         QStringLiteral("connection_created"), QStringLiteral("custom_signal")};
        QPalette light;
        light.setColor(QPalette::Base, Qt::white);
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(0x2d, 0x2d, 0x2d));
        QVERIFY(!isDarkPalette(light));
        QVERIFY(isDarkPalette(dark));
        QSet<QRgb> distinct;
        for (const QString &signal : signalNames) {
            // Bold text: WCAG asks 3:1; we keep 4:1.
            QVERIFY2(contrast(signalTextColor(signal, light), Qt::white) >= 4.0, qPrintable(signal));
            QVERIFY2(contrast(signalTextColor(signal, dark), dark.color(QPalette::Base)) >= 4.0, qPrintable(signal));
            distinct.insert(signalColor(signal).rgb());
        }
        QCOMPARE(distinct.size(), signalNames.size());          // one colour per kind

        // The timeline uses the palette's variant: switch the application to dark.
        const QPalette saved = QApplication::palette();
        QApplication::setPalette(dark);
        MainWindow w;
        w.runAll();
        w.flushTimeline();
        TraceRecorder &r = w.session()->recorder();
        const int save = sendsNamed(r, QStringLiteral("post_save")).value(0, -1);
        QVERIFY(save >= 0);
        const QModelIndex index = w.timelineModel()->indexForEvent(save);
        QCOMPARE(index.data(Qt::ForegroundRole).value<QColor>(), signalTextColor(QStringLiteral("post_save"), dark));
        QApplication::setPalette(saved);
    }

    void silentPathsShowThatNoSaveSignalFires()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("silent")));
        w.runAll();
        w.flushTimeline();
        Session *s = w.session();
        const Model *product = s->registry().model(QStringLiteral("Product"));
        QVERIFY(product);
        const QVector<Row> rows = s->rows(product);
        QVERIFY(rows.size() >= 2);
        TraceRecorder &r = s->recorder();
        QSignalSpy inserted(w.timelineModel(), &QAbstractItemModel::rowsInserted);

        // QuerySet.update() on two rows: an action in the timeline with no signal under it.
        QVector<QCborValue> pks = {rows.at(0).value(product->pk->index), rows.at(1).value(product->pk->index)};
        const ActionResult updated = s->updateRows(product, pks, product->field(QStringLiteral("price")), QCborValue(99.5));
        QVERIFY2(updated.ok(), qPrintable(updated.errorText()));
        w.flushTimeline();
        QCOMPARE(inserted.count(), 1);
        const QModelIndex action = w.timelineModel()->index(w.timelineModel()->rowCount() - 1, 0);
        QVERIFY(action.data().toString().contains(QStringLiteral(".update(price=99.5)")));
        QCOMPARE(w.timelineModel()->rowCount(action), 0);
        QCOMPARE(s->rows(product).at(0).value(product->field(QStringLiteral("price"))->index).toDouble(), 99.5);

        // bulk_create: pre_init/post_init per object, no pre_save/post_save.
        const int before = r.count();
        const ActionResult bulk = s->bulkCreate(product, {{{QStringLiteral("name"), Value(QCborValue(QStringLiteral("x")))}},
                                                          {{QStringLiteral("name"), Value(QCborValue(QStringLiteral("y")))}}});
        QVERIFY2(bulk.ok(), qPrintable(bulk.errorText()));
        w.flushTimeline();
        QStringList kinds;
        for (int i = before; i < r.count(); ++i)
            if (r.kindOf(i) == TraceEventKind::Send)
                kinds << r.event(i).signal;
        QCOMPARE(kinds, QStringList({QStringLiteral("pre_init"), QStringLiteral("post_init"),
                                     QStringLiteral("pre_init"), QStringLiteral("post_init")}));
        QCOMPARE(s->rows(product).size(), rows.size() + 2);
    }
};

QTEST_MAIN(TestWindowBehaviour)
#include "tst_windowbehaviour.moc"
