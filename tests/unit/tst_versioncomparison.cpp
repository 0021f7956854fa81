// VersionComparison: one scenario under Django 3.2 and 5.0, aligned line by
// line. Each side must be exactly what `signalscope run --django` gives (the
// stored traces of real Django), and the alignment must pair what both send,
// keep apart what only one sends, and name why.

#include "formats/loaders.h"
#include "model/value.h"
#include "session/versioncomparison.h"
#include "trace/traceexport.h"

#include <QFile>
#include <QtTest>

using namespace ss;

namespace {

QString conformance(const QString &relative)
{
    return QStringLiteral(SIGNALSCOPE_TEST_DATA "/conformance/") + relative;
}

QVector<QCborMap> stored(const QString &relative)
{
    QFile file(conformance(relative));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    return readCanonicalJsonl(file.readAll()).lines;
}

ScenarioDecl scenario(const QString &name)
{
    LoadError error;
    std::optional<ScenarioDecl> s = loadScenarioFile(conformance(QStringLiteral("scenarios/") + name + QStringLiteral(".scenario.json")), &error);
    if (!s)
        qFatal("%s", qPrintable(error.toString()));
    return *s;
}

} // namespace

class TestVersionComparison : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bothSidesAreTheVersionsTraces_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *name : {"delete_set_null_rows_not_loaded", "delete_origin_instance_vs_queryset",
                                 "bulk_create_pks_save_m2m_delete", "save_variants"})
            QTest::newRow(name) << QString::fromUtf8(name);
    }

    void bothSidesAreTheVersionsTraces()
    {
        QFETCH(QString, name);
        VersionComparison comparison;
        QString error;
        QVERIFY2(comparison.run(scenario(name), DjangoVersion::V3_2, DjangoVersion::V5_0, QStringLiteral(":memory:"), &error),
                 qPrintable(error));
        const QVector<QCborMap> old = stored(QStringLiteral("expected/") + name + QStringLiteral(".trace.jsonl"));
        const QVector<QCborMap> now = stored(QStringLiteral("expected-5.0/") + name + QStringLiteral(".trace.jsonl"));
        QCOMPARE(comparison.leftLines().size(), old.size());
        QCOMPARE(comparison.rightLines().size(), now.size());
        for (int i = 0; i < old.size(); ++i)
            QVERIFY2(jsonEquals(QCborValue(comparison.leftLines()[i]), QCborValue(old[i])), qPrintable(QString::number(i)));
        for (int i = 0; i < now.size(); ++i)
            QVERIFY2(jsonEquals(QCborValue(comparison.rightLines()[i]), QCborValue(now[i])), qPrintable(QString::number(i)));

        // Every line of each side appears exactly once, in order.
        int nextLeft = 0, nextRight = 0;
        for (const ComparedRow &row : comparison.rows()) {
            if (row.left >= 0)
                QCOMPARE(row.left, nextLeft++);
            if (row.right >= 0)
                QCOMPARE(row.right, nextRight++);
            QVERIFY(row.left >= 0 || row.right >= 0);
            if (row.kind != ComparedRow::Kind::Same)
                QVERIFY(!row.note.isEmpty());
        }
        QCOMPARE(nextLeft, old.size());
        QCOMPARE(nextRight, now.size());
    }

    void rowsNotLoadedAndOrigin()
    {
        VersionComparison comparison;
        QVERIFY(comparison.run(scenario(QStringLiteral("delete_set_null_rows_not_loaded"))));
        // 3.2 reads agents 1, 2 and ticket 1 (pre_init, post_init, notify each): 9 lines 5.0 does not send.
        QCOMPARE(comparison.rowsNotLoaded(), 9);
        QCOMPARE(comparison.count(ComparedRow::Kind::OnlyLeft), 9);
        QCOMPARE(comparison.count(ComparedRow::Kind::OnlyRight), 0);
        // The four delete lines differ only by origin.
        QCOMPARE(comparison.count(ComparedRow::Kind::Differs), 4);
        for (const ComparedRow &row : comparison.rows())
            if (row.kind == ComparedRow::Kind::Differs)
                QCOMPARE(row.changedKeys, QStringList{QStringLiteral("origin")});
        QVERIFY2(comparison.summary().contains(QStringLiteral("9 only under 3.2")), qPrintable(comparison.summary()));
    }

    void anErrorThatChangedIsOneRow()
    {
        VersionComparison comparison;
        QVERIFY(comparison.run(scenario(QStringLiteral("bulk_create_pks_save_m2m_delete"))));
        const auto rows = comparison.rows();
        const auto it = std::find_if(rows.begin(), rows.end(), [&](const ComparedRow &r) {
            return r.kind == ComparedRow::Kind::Differs && r.step == 10;
        });
        QVERIFY(it != rows.end());
        QCOMPARE(it->changedKeys, QStringList{QStringLiteral("error")});
        QCOMPARE(comparison.leftLines()[it->left].value(QStringLiteral("error")).toString(), QStringLiteral("AssertionError"));
        QCOMPARE(comparison.rightLines()[it->right].value(QStringLiteral("error")).toString(), QStringLiteral("ValueError"));
    }

    void sameTraceHasNoDifferences()
    {
        VersionComparison comparison;
        QVERIFY(comparison.run(scenario(QStringLiteral("save_variants"))));
        QCOMPARE(comparison.count(ComparedRow::Kind::Same), comparison.rows().size());
        QVERIFY(comparison.summary().startsWith(QStringLiteral("Django 3.2 and 5.0 send the same")));
        QVERIFY(!comparison.stepCode(0).isEmpty());
    }

    void briefLines()
    {
        QCborMap line;
        line.insert(QStringLiteral("signal"), QStringLiteral("pre_delete"));
        line.insert(QStringLiteral("sender"), QStringLiteral("Lesson"));
        QCborMap instance;
        instance.insert(QStringLiteral("model"), QStringLiteral("Lesson"));
        instance.insert(QStringLiteral("pk"), 2);
        line.insert(QStringLiteral("instance"), instance);
        QCOMPARE(VersionComparison::brief(line), QStringLiteral("pre_delete Lesson 2"));
    }
};

QTEST_GUILESS_MAIN(TestVersionComparison)
#include "tst_versioncomparison.moc"
