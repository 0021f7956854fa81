// StringTable: the recording's names, their canonical JSON and the sort rank
// of the ones used as keys.

#include "model/value.h"
#include "trace/stringtable.h"

#include <QtTest>

using namespace ss;

class TestStringTable : public QObject
{
    Q_OBJECT

private slots:
    void emptyStringIsIdZero()
    {
        StringTable t;
        QCOMPARE(t.size(), 1u);
        QCOMPARE(t.text(0), QString());
        QCOMPARE(t.json(0), std::string("\"\""));
        QCOMPARE(t.intern(QString()), 0u);
    }

    void jsonIsValueCppsCanonicalForm()
    {
        StringTable t;
        for (const QString &text : {QStringLiteral("plain"), QStringLiteral("quote \" and \\ slash"),
                                    QStringLiteral("tab\tnew\nline"), QStringLiteral("Zoë 𝄞"), QString(QChar(0x7f))}) {
            const quint32 id = t.intern(text);
            QCOMPARE(QByteArray::fromStdString(t.json(id)), canonicalJson(QCborValue(text)));
            QCOMPARE(t.text(id), text);
        }
    }

    void findDoesNotAdd()
    {
        StringTable t;
        QCOMPARE(t.find(QStringLiteral("ann")), StringTable::None);
        QCOMPARE(t.size(), 1u);
        const quint32 id = t.intern(QStringLiteral("ann"));
        QCOMPARE(t.find(QStringLiteral("ann")), id);
    }

    void keyRanksFollowUtf16Order()
    {
        StringTable t;
        const quint32 z = t.internKey(QStringLiteral("zeta"));
        t.intern(QStringLiteral("not a key"));
        const quint32 a = t.internKey(QStringLiteral("alpha"));
        const quint32 upper = t.internKey(QStringLiteral("Zed"));      // 'Z' < 'a'
        std::vector<quint32> ranks = t.keyRanks();
        QVERIFY(ranks[upper] < ranks[a]);
        QVERIFY(ranks[a] < ranks[z]);
        // A key added later is ranked among the others.
        const quint32 m = t.internKey(QStringLiteral("mu"));
        ranks = t.keyRanks();
        QVERIFY(ranks[a] < ranks[m] && ranks[m] < ranks[z]);
        // Interning a key twice keeps one rank.
        QCOMPARE(t.internKey(QString::fromLatin1("mu")), m);
    }

    void clearKeepsOnlyTheEmptyString()
    {
        StringTable t;
        t.internKey(QStringLiteral("k"));
        t.clear();
        QCOMPARE(t.size(), 1u);
        QCOMPARE(t.find(QStringLiteral("k")), StringTable::None);
        QVERIFY(t.memoryBytes() > 0);
    }
};

QTEST_APPLESS_MAIN(TestStringTable)
#include "tst_stringtable.moc"
