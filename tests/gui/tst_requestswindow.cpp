// Requests, settings and templates in the window (contract section 8): a
// request is one top-level action labelled as Django code with its signals
// and the view's nested under it; override_settings and a render are actions
// too; Django's own receivers are listed like any receiver and can be hidden.
// Driven through the real widgets, offscreen.

#include "mainwindow.h"
#include "roles.h"
#include "schemamodel.h"
#include "session/session.h"
#include "timelinefilter.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QStandardItemModel>
#include <QTreeView>
#include <QtTest>

using namespace ss;

namespace {

QStringList topLevelLabels(QAbstractItemModel *model)
{
    QStringList out;
    for (int row = 0; row < model->rowCount(); ++row)
        out << model->index(row, 0).data().toString();
    return out;
}

// Every label under `parent`, depth first.
void collect(QAbstractItemModel *model, const QModelIndex &parent, QStringList *out)
{
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex index = model->index(row, 0, parent);
        out->append(index.data().toString());
        collect(model, index, out);
    }
}

QStandardItem *schemaSignal(QStandardItemModel *schema, const QString &signal)
{
    for (int row = 0; row < schema->rowCount(); ++row) {
        QStandardItem *top = schema->item(row);
        for (int i = 0; i < top->rowCount(); ++i)
            if (top->child(i)->text() == signal)
                return top->child(i);
    }
    return nullptr;
}

} // namespace

class TestRequestsWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // A private settings file: the test must not read or change the user's.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_requestswindow"));
    }
    void init() { QSettings().clear(); }

    void aRequestIsOneActionWithItsSignalsNested()
    {
        MainWindow w;
        QAbstractItemModelTester tester(w.timelineFilter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(w.openSample(QStringLiteral("requests")));
        w.runAll();
        w.flushTimeline();
        const QStringList top = topLevelLabels(w.timelineFilter());
        QVERIFY2(top.filter(QStringLiteral("WSGIHandler: POST /orders/")).size() >= 1, qPrintable(top.join(QLatin1Char('\n'))));
        QVERIFY2(top.filter(QStringLiteral("client.post('/orders/')")).size() >= 1, qPrintable(top.join(QLatin1Char('\n'))));
        QVERIFY2(top.filter(QStringLiteral("client.get('/orders/99/')")).size() == 1, qPrintable(top.join(QLatin1Char('\n'))));
        // Inside the first request: request_started, the view's post_save, the
        // response, request_finished, in that order.
        int first = -1;
        for (int row = 0; row < w.timelineFilter()->rowCount(); ++row)
            if (w.timelineFilter()->index(row, 0).data().toString().contains(QStringLiteral("WSGIHandler: POST /orders/")))
                first = first < 0 ? row : first;
        QVERIFY(first >= 0);
        QStringList inside;
        collect(w.timelineFilter(), w.timelineFilter()->index(first, 0), &inside);
        const QString joined = inside.join(QLatin1Char('\n'));
        const qsizetype started = joined.indexOf(QStringLiteral("request_started"));
        const qsizetype saved = joined.indexOf(QStringLiteral("post_save"));
        const qsizetype finished = joined.indexOf(QStringLiteral("request_finished"));
        QVERIFY2(started >= 0 && saved > started && finished > saved, qPrintable(joined));
        QVERIFY2(joined.contains(QStringLiteral("reset_queries")), qPrintable(joined));   // Django's own, listed
    }

    void djangosOwnReceiversCanBeHidden()
    {
        MainWindow w;
        QAbstractItemModelTester tester(w.timelineFilter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(w.openSample(QStringLiteral("settings")));
        QStandardItem *settingChanged = schemaSignal(w.schemaModel(), QStringLiteral("setting_changed"));
        QVERIFY(settingChanged);
        QCOMPARE(settingChanged->rowCount(), 17);                 // Django's sixteen, then record_flag
        QCOMPARE(settingChanged->child(16)->text(), QStringLiteral("record_flag"));
        QVERIFY(!settingChanged->child(0)->isCheckable());        // nothing to mute
        QVERIFY(settingChanged->child(16)->isCheckable());
        w.runAll();
        w.flushTimeline();
        QStringList all;
        collect(w.timelineFilter(), {}, &all);
        QVERIFY(all.filter(QStringLiteral("reset_cache")).size() > 0);

        auto *toggle = w.findChild<QAction *>(QStringLiteral("showDjangoReceivers"));
        QVERIFY(toggle);
        toggle->setChecked(false);
        QVERIFY(w.timelineFilter()->djangoReceiversHidden());
        QStringList shown;
        collect(w.timelineFilter(), {}, &shown);
        QVERIFY2(shown.filter(QStringLiteral("reset_cache")).isEmpty(), qPrintable(shown.join(QLatin1Char('\n'))));
        QVERIFY(shown.filter(QStringLiteral("record_flag")).size() > 0);
        QVERIFY(shown.filter(QStringLiteral("setting_changed")).size() > 0);
        settingChanged = schemaSignal(w.schemaModel(), QStringLiteral("setting_changed"));
        QVERIFY(settingChanged);
        QCOMPARE(settingChanged->rowCount(), 1);
        w.close();                                  // closeEvent saves the choice
        {
            MainWindow again;
            auto *kept = again.findChild<QAction *>(QStringLiteral("showDjangoReceivers"));
            QVERIFY(kept && !kept->isChecked());
            QVERIFY(again.timelineFilter()->djangoReceiversHidden());
            kept->setChecked(true);
            QVERIFY(again.openSample(QStringLiteral("settings")));
            QCOMPARE(schemaSignal(again.schemaModel(), QStringLiteral("setting_changed"))->rowCount(), 17);
            again.close();
        }
    }

    void settingsAndRendersAreActions()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("settings")));
        w.runAll();
        w.flushTimeline();
        const QStringList top = topLevelLabels(w.timelineFilter());
        const QString joined = top.join(QLatin1Char('\n'));
        QVERIFY2(joined.contains(QStringLiteral("with override_settings(BANNER='subscribe', PAYWALL='on'):")), qPrintable(joined));
        QVERIFY2(joined.contains(QStringLiteral("render_to_string('article.html'")), qPrintable(joined));
        QVERIFY2(joined.contains(QStringLiteral("setup_test_environment()")), qPrintable(joined));
    }
};

QTEST_MAIN(TestRequestsWindow)
#include "tst_requestswindow.moc"
