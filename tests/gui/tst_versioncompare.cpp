// Django versions in the window: the status-bar selector (the session's
// version, a restart when changed, the version in the export's default name)
// and the side-by-side comparison of the cascade sample under 3.2 and 5.0,
// driven through the real widgets, offscreen, with QAbstractItemModelTester
// on the comparison's model.

#include "mainwindow.h"
#include "session/session.h"
#include "versioncompare.h"
#include "versioncomparemodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QMenuBar>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QtTest>

using namespace ss;

namespace {

QAction *findAction(QWidget &window, const char *name)
{
    for (QAction *a : window.findChildren<QAction *>())
        if (a->objectName() == QLatin1String(name))
            return a;
    return nullptr;
}

int rowsOfKind(VersionCompareModel *model, ComparedRow::Kind kind)
{
    int n = 0;
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->index(r, CompareColumn::Left).data(CompareKindRole).toInt() == int(kind))
            ++n;
    return n;
}

} // namespace

class TestVersionCompare : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SignalScopeTest"));
    }

    void selectorInTheStatusBarChangesTheSession()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.openSample(QStringLiteral("cascade")));
        auto *selector = w.statusBar()->findChild<DjangoVersionSelector *>(QStringLiteral("djangoVersion"));
        QVERIFY(selector);
        QVERIFY(selector->isVisible());
        QCOMPARE(selector->currentText(), QStringLiteral("Django 3.2"));
        QCOMPARE(w.session()->djangoVersion(), DjangoVersion::V3_2);
        const int atStart = w.session()->recorder().count();   // connection_created

        // A step run, then the switch: the scenario restarts under 5.0.
        w.session()->runNext();
        QVERIFY(w.session()->nextStep() == 1);
        QSignalSpy changed(w.session(), &Session::djangoVersionChanged);
        selector->setCurrentIndex(1);
        Q_EMIT selector->activated(1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(w.session()->djangoVersion(), DjangoVersion::V5_0);
        QCOMPARE(w.session()->nextStep(), 0);
        QCOMPARE(w.session()->recorder().count(), atStart);

        // The delete of the blog now carries origin; the Image row is not read.
        while (!w.session()->atEnd())
            w.session()->runNext();
        QCOMPARE(w.session()->recorder().djangoVersion(), QStringLiteral("5.0"));

        // Opening another file keeps the chosen version (like run --django).
        QVERIFY(w.openSample(QStringLiteral("silent")));
        QCOMPARE(w.session()->djangoVersion(), DjangoVersion::V5_0);
        QCOMPARE(selector->currentText(), QStringLiteral("Django 5.0"));
    }

    void comparisonOfTheCascadeSample()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.openSample(QStringLiteral("cascade")));
        QAction *compare = findAction(w, "compareVersions");
        QVERIFY(compare);
        compare->trigger();
        auto *dialog = w.findChild<VersionCompareDialog *>(QStringLiteral("versionCompare"));
        QVERIFY(dialog);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        VersionCompareModel *model = dialog->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);

        QCOMPARE(model->headerData(CompareColumn::Left, Qt::Horizontal).toString(), QStringLiteral("Django 3.2"));
        QCOMPARE(model->headerData(CompareColumn::Right, Qt::Horizontal).toString(), QStringLiteral("Django 5.0"));
        QVERIFY(model->rowCount() > 20);
        // The Image row (SET_NULL) is read only by 3.2; every delete line gains origin.
        QVERIFY(rowsOfKind(model, ComparedRow::Kind::OnlyLeft) >= 2);
        QCOMPARE(rowsOfKind(model, ComparedRow::Kind::OnlyRight), 0);
        QVERIFY(rowsOfKind(model, ComparedRow::Kind::Differs) >= 6);
        int notLoaded = 0, withOrigin = 0;
        for (int r = 0; r < model->rowCount(); ++r) {
            if (model->index(r, CompareColumn::Left).data(RowNotLoadedRole).toBool()) {
                ++notLoaded;
                QVERIFY(model->index(r, CompareColumn::Left).data().toString().contains(QStringLiteral("Image")));
                QCOMPARE(model->index(r, CompareColumn::Right).data().toString(), QStringLiteral("—"));
                QVERIFY(model->index(r, CompareColumn::Left).data(Qt::BackgroundRole).isValid());
            }
            const QString origin = model->index(r, CompareColumn::Right).data(OriginRole).toString();
            if (!origin.isEmpty()) {
                ++withOrigin;
                QVERIFY2(origin == QStringLiteral(R"({"model":"Blog","pk":1})")
                             || origin == QStringLiteral(R"({"model":"Sponsor","pk":1})"), qPrintable(origin));
                QVERIFY(model->index(r, CompareColumn::Right).data().toString().contains(QStringLiteral("origin {\"model\"")));
                QVERIFY(model->index(r, CompareColumn::Why).data().toString().contains(QStringLiteral("origin")));
            }
        }
        QCOMPARE(notLoaded, 4);   // the Image row read by both deletes of the blog (PROTECT refuses the first after reading)
        QVERIFY(withOrigin >= 6);
        QVERIFY2(dialog->summaryLabel()->text().contains(QStringLiteral("only under 3.2")), qPrintable(dialog->summaryLabel()->text()));

        // Only the differences.
        const int all = model->rowCount();
        QTest::mouseClick(dialog->differencesOnlyBox(), Qt::LeftButton, {}, QPoint(5, dialog->differencesOnlyBox()->height() / 2));
        QVERIFY(dialog->differencesOnlyBox()->isChecked());
        QVERIFY(model->rowCount() < all);
        QCOMPARE(rowsOfKind(model, ComparedRow::Kind::Same), 0);

        // Selecting a row shows both canonical lines and the step's code.
        dialog->view()->selectRow(0);
        dialog->view()->setCurrentIndex(model->index(0, CompareColumn::Left));
        const QString details = dialog->details()->toPlainText();
        QVERIFY2(details.contains(QStringLiteral("Step 8")), qPrintable(details));
        QVERIFY2(details.contains(QStringLiteral("tech.delete()")), qPrintable(details));
        dialog->close();
    }

    // The sample built for this view shows every kind of difference.
    void theVersionsSampleShowsEveryKind()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("versions")));
        VersionCompareDialog dialog(w.session());
        QVERIFY(dialog.compare());
        VersionCompareModel *model = dialog.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(rowsOfKind(model, ComparedRow::Kind::OnlyLeft) > 0);
        QVERIFY(rowsOfKind(model, ComparedRow::Kind::OnlyRight) > 0);     // deleting the bulk-created badge
        QVERIFY(rowsOfKind(model, ComparedRow::Kind::Differs) > 0);
        bool notLoaded = false, errorChanged = false, swept = false;
        for (int r = 0; r < model->rowCount(); ++r) {
            notLoaded |= model->index(r, CompareColumn::Left).data(RowNotLoadedRole).toBool();
            const QString left = model->index(r, CompareColumn::Left).data().toString();
            const QString right = model->index(r, CompareColumn::Right).data().toString();
            errorChanged |= left.contains(QStringLiteral("got an unexpected keyword argument"))
                            && right.contains(QStringLiteral("got unexpected keyword arguments"));
            swept |= left == QStringLiteral("—") && right.contains(QStringLiteral("swept by a queryset delete"));
        }
        QVERIFY(notLoaded);
        QVERIFY(errorChanged);
        QVERIFY(swept);
        // The current row starts at the first difference.
        QVERIFY(dialog.view()->currentIndex().isValid());
        QVERIFY(model->comparedRow(dialog.view()->currentIndex().row()).kind != ComparedRow::Kind::Same);
    }

    void aScenarioWithoutDeletesIsTheSame()
    {
        MainWindow w;
        QVERIFY(w.openSample(QStringLiteral("shop")));
        VersionCompareDialog dialog(w.session());
        QVERIFY(dialog.compare());
        VersionCompareModel *model = dialog.model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int same = rowsOfKind(model, ComparedRow::Kind::Same), all = model->rowCount();
        QVERIFY(all > 0);
        QCOMPARE(dialog.summaryLabel()->text().contains(QStringLiteral("send the same")), same == all);
        dialog.differencesOnlyBox()->setChecked(true);
        QCOMPARE(model->rowCount(), all - same);
    }
};

QTEST_MAIN(TestVersionCompare)
#include "tst_versioncompare.moc"
