// The schema panel's model on its own, without a window: its shape, and
// muting a receiver as setData(Qt::CheckStateRole).

#include "schemamodel.h"
#include "session/session.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using namespace ss;

class TestSchemaModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsModelsFieldsSignalsAndReceivers()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/cascade.scenario.json")));
        SchemaModel model(&session);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.rebuild();
        QCOMPARE(inserted.count(), 2);                  // the two sections, each appended whole
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex models = model.index(0, 0);
        QCOMPARE(model.rowCount(models), 5);            // Blog, Post, Comment, Image, Sponsor
        QCOMPARE(models.sibling(0, 1).data().toString(), QStringLiteral("app 'press'"));
        const QModelIndex image = model.index(3, 0, models);
        QCOMPARE(image.data().toString(), QStringLiteral("Image"));
        bool setNull = false;
        for (int r = 0; r < model.rowCount(image); ++r)
            setNull = setNull || model.index(r, 1, image).data().toString().contains(QStringLiteral("on_delete=SET_NULL"));
        QVERIFY(setNull);
        const QModelIndex receiver = model.receiverIndex(QStringLiteral("log_pre_delete"));
        QVERIFY(receiver.isValid());
        QCOMPARE(receiver.parent().data().toString(), QStringLiteral("pre_delete"));
        QCOMPARE(receiver.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));

        // A rebuild replaces both sections: two removals, two insertions.
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        inserted.clear();
        model.rebuild();
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 2);
    }

    void muteIsSetDataWithCheckStateRole()
    {
        Session session;
        QVERIFY(session.loadFile(QStringLiteral(SIGNALSCOPE_RESOURCES "/samples/shop.scenario.json")));
        SchemaModel model(&session);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.rebuild();
        const QModelIndex receiver = model.receiverIndex(QStringLiteral("create_billing_profile"));
        QVERIFY(receiver.isValid());
        QVERIFY(model.flags(receiver) & Qt::ItemIsUserCheckable);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy muted(&model, &SchemaModel::muteChanged);
        QVERIFY(model.setData(receiver, Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(muted.count(), 1);
        QVERIFY(session.isMuted(QStringLiteral("create_billing_profile")));
        // The same value again changes nothing.
        model.setData(receiver, Qt::Unchecked, Qt::CheckStateRole);
        QCOMPARE(muted.count(), 1);
        // The muted receiver is skipped: no profile for ann.
        session.runNext();
        QCOMPARE(session.rows(session.registry().model(QStringLiteral("BillingProfile"))).size(), 0);
        QVERIFY(model.setData(receiver, Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(muted.count(), 2);
        QVERIFY(!session.isMuted(QStringLiteral("create_billing_profile")));
        // A rebuild keeps the mute state (it reads it from the session).
        model.setData(receiver, Qt::Unchecked, Qt::CheckStateRole);
        model.rebuild();
        QCOMPARE(model.receiverIndex(QStringLiteral("create_billing_profile")).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    }
};

QTEST_MAIN(TestSchemaModel)
#include "tst_schemamodel.moc"
