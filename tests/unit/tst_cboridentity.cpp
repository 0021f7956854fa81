// isSameCborElement: true only for copies of one value (same element of the
// same container); never for a value that merely looks the same or for one
// whose container was written since.

#include "trace/cboridentity.h"

#include <QCborArray>
#include <QCborMap>
#include <QtTest>

using namespace ss;

class TestCborIdentity : public QObject
{
    Q_OBJECT

private slots:
    void copiesAreTheSameElement()
    {
        const QCborValue value(QStringLiteral("default"));
        const QCborValue copy = value;
        QVERIFY(isSameCborElement(value, copy));
        QVERIFY(isSameCborElement(value, value));
    }

    void equalTextBuiltTwiceIsNot()
    {
        const QCborValue a(QStringLiteral("default"));
        const QCborValue b(QStringLiteral("default"));
        QVERIFY(a == b);
        QVERIFY(!isSameCborElement(a, b));
        QVERIFY(!isSameCborElement(a, QCborValue(QStringLiteral("other"))));
    }

    void elementsOfOneMap()
    {
        const QCborMap map{{QStringLiteral("u"), QStringLiteral("default")}, {QStringLiteral("v"), QStringLiteral("default")}};
        QVERIFY(isSameCborElement(map.value(QStringLiteral("u")), map.value(QStringLiteral("u"))));
        QVERIFY(!isSameCborElement(map.value(QStringLiteral("u")), map.value(QStringLiteral("v"))));
    }

    // The caller keeps its copy: a write to the container detaches it, so the
    // new value is another container and is not taken for the kept one.
    void aWrittenContainerIsAnotherElement()
    {
        QCborMap map{{QStringLiteral("u"), QStringLiteral("default")}};
        const QCborValue kept = map.value(QStringLiteral("u"));
        map.insert(QStringLiteral("u"), QStringLiteral("other"));
        QVERIFY(!isSameCborElement(kept, map.value(QStringLiteral("u"))));
        QCOMPARE(kept.toString(), QStringLiteral("default"));

        QCborArray array{QStringLiteral("default")};
        const QCborValue keptItem = array.at(0);
        array[0] = QStringLiteral("other");
        QVERIFY(!isSameCborElement(keptItem, array.at(0)));
    }

    void typesMustMatch()
    {
        QVERIFY(isSameCborElement(QCborValue(5), QCborValue(5)));     // the value is the element
        QVERIFY(!isSameCborElement(QCborValue(5), QCborValue(6)));
        QVERIFY(!isSameCborElement(QCborValue(false), QCborValue(nullptr)));
    }
};

QTEST_APPLESS_MAIN(TestCborIdentity)
#include "tst_cboridentity.moc"
