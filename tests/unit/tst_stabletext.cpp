// stabletext: which strings the name caches may know by address alone. A
// wrong "stable" would let a changed buffer keep an old name's id.

#include "dispatch/stabletext.h"

#include <QtTest>

using namespace ss;

namespace {
const char16_t readOnlyText[] = u"update_fields";
char16_t writableText[] = u"update_fields";
} // namespace

class TestStableText : public QObject
{
    Q_OBJECT

private slots:
    void literalsAreProgramReadOnlyData()
    {
        const QString literal = QStringLiteral("instance");
        QVERIFY(!literal.data_ptr().isMutable());   // no owner: address alone says nothing...
        QVERIFY(isStableText(literal));             // ...but the program's read-only data cannot change
        QVERIFY(isStableText(QString::fromRawData(reinterpret_cast<const QChar *>(readOnlyText), 13)));
    }

    void ownedTextIsStable()
    {
        const QString owned = QString::fromLatin1("inst") + QString::fromLatin1("ance");
        QVERIFY(isStableText(owned));
    }

    // Raw data anywhere writable can change in place.
    void rawDataInWritableMemoryIsNot()
    {
        QVERIFY(!isStableText(QString::fromRawData(reinterpret_cast<const QChar *>(writableText), 13)));
        QChar onTheStack[3] = {u'a', u'b', u'c'};
        QVERIFY(!isStableText(QString::fromRawData(onTheStack, 3)));
        auto onTheHeap = std::make_unique<QChar[]>(3);
        QVERIFY(!isStableText(QString::fromRawData(onTheHeap.get(), 3)));
        QVERIFY(!isProgramReadOnlyData(nullptr, 4));
    }

    // A range must lie wholly inside one read-only segment.
    void rangesAreCheckedWhole()
    {
        QVERIFY(isProgramReadOnlyData(readOnlyText, sizeof readOnlyText));
        QVERIFY(!isProgramReadOnlyData(readOnlyText, ~size_t(0) / 2));
    }
};

QTEST_APPLESS_MAIN(TestStableText)
#include "tst_stabletext.moc"
