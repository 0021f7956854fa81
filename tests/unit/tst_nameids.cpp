// NameIds: ids for names, found by the string object's identity first and by
// content otherwise; a stale address never yields another name's id.

#include "dispatch/nameids.h"

#include <QtTest>

using namespace ss;

class TestNameIds : public QObject
{
    Q_OBJECT

private slots:
    void sameTextSameIdWhateverTheObject()
    {
        NameIds ids;
        const QString a = QStringLiteral("post_save");
        const QString b = QString::fromLatin1("post_") + QString::fromLatin1("save");   // another object, same text
        const quint32 id = ids.id(a);
        QCOMPARE(ids.id(a), id);
        QCOMPARE(ids.id(b), id);
        QCOMPARE(ids.id(b), id);
        QCOMPARE(ids.text(id), a);
        QVERIFY(ids.id(QStringLiteral("pre_save")) != id);
        QCOMPARE(ids.size(), 2u);
    }

    void findDoesNotAdd()
    {
        NameIds ids;
        QCOMPARE(ids.find(QStringLiteral("nope")), NameIds::None);
        QCOMPARE(ids.size(), 0u);
        const quint32 id = ids.id(QStringLiteral("yes"));
        QCOMPARE(ids.find(QString::fromLatin1("yes")), id);
    }

    void emptyAndNullStringsAreOneName()
    {
        NameIds ids;
        const quint32 id = ids.id(QString());
        QCOMPARE(ids.id(QString::fromLatin1("")), id);
        QCOMPARE(ids.id(QStringLiteral("")), id);
    }

    // RecentName answers from memory only for the very string it saw (an
    // owned block it keeps, or a literal): anything else is looked up.
    void recentNameLooksUpAnythingElse()
    {
        RecentName recent;
        int lookups = 0;
        const auto lookup = [&](const QString &text) { ++lookups; return quint32(text.size() * 100 + text.at(0).unicode()); };
        const QString owned = QString::fromLatin1("Us") + QString::fromLatin1("er");
        QCOMPARE(recent.id(owned, lookup), quint32(400 + 'U'));
        QCOMPARE(recent.id(owned, lookup), quint32(400 + 'U'));
        QCOMPARE(lookups, 1);
        const QString other = QString::fromLatin1("Us") + QString::fromLatin1("er");     // same text, another block
        recent.id(other, lookup);
        QCOMPARE(lookups, 2);
        QCOMPARE(recent.id(QStringLiteral("Tag"), lookup), quint32(300 + 'T'));
        QCOMPARE(recent.id(QStringLiteral("Tag"), lookup), quint32(300 + 'T'));
        QCOMPARE(lookups, 3);                       // a literal: the same characters every time
        QChar buffer[3] = {u'a', u'b', u'c'};
        QCOMPARE(recent.id(QString::fromRawData(buffer, 3), lookup), quint32(300 + 'a'));
        buffer[0] = u'x';                           // raw data changed in place
        QCOMPARE(recent.id(QString::fromRawData(buffer, 3), lookup), quint32(300 + 'x'));
        QCOMPARE(lookups, 5);
        recent.id(owned, lookup);
        recent.clear();                             // the table was cleared: ids are stale
        recent.id(owned, lookup);
        QCOMPARE(lookups, 7);
    }

    // A raw-data string has no owner: when its buffer changes, the cache must
    // not answer with the old text's id.
    void rawDataIsComparedByContent()
    {
        NameIds ids;
        QChar buffer[4] = {u'a', u'b', u'c', u'd'};
        const quint32 abcd = ids.id(QString::fromRawData(buffer, 4));
        QCOMPARE(ids.id(QString::fromRawData(buffer, 4)), abcd);
        buffer[0] = u'x';
        const quint32 xbcd = ids.id(QString::fromRawData(buffer, 4));
        QVERIFY(xbcd != abcd);
        QCOMPARE(ids.text(xbcd), QStringLiteral("xbcd"));
        QCOMPARE(ids.text(abcd), QStringLiteral("abcd"));
    }

    // A heap string the cache saw stays referenced by it, so its address is
    // never reused for another text while the entry lives.
    void freedStringsDoNotConfuseTheCache()
    {
        NameIds ids;
        QHash<quint32, QString> seen;
        for (int i = 0; i < 5000; ++i) {
            const QString name = QStringLiteral("name_%1").arg(i % 300);
            const quint32 id = ids.id(name);
            if (seen.contains(id))
                QCOMPARE(seen.value(id), name);
            seen.insert(id, name);
        }
        QCOMPARE(ids.size(), 300u);
    }

    void clearForgetsEverything()
    {
        NameIds ids;
        const QString a = QStringLiteral("a");
        ids.id(QStringLiteral("z"));
        ids.id(a);
        ids.clear();
        QCOMPARE(ids.size(), 0u);
        QCOMPARE(ids.find(a), NameIds::None);
        QCOMPARE(ids.id(a), 0u);
    }
};

QTEST_APPLESS_MAIN(TestNameIds)
#include "tst_nameids.moc"
