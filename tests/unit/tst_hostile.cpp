// Hostile names and values.
//
// Names (app, model, field, related_name, signal, `as`) reach table and column
// names, so the loaders accept ASCII identifiers only, of at most 255
// characters: quotes, semicolons, spaces, unicode look-alikes (Cyrillic
// letters, fullwidth forms, zero-width characters) and over-long names are
// refused with a message naming what and where. SQL keywords are valid Python
// identifiers and valid Django names (a model Order, a field group): they are
// accepted, and work, because every identifier is quoted.
//
// Values are never spliced into SQL: strings carrying SQL, NUL bytes, 10 MB,
// astral-plane characters, combining marks and right-to-left text are stored
// and read back byte for byte through save, get, refresh, update and loaddata,
// checked in the database itself.
#include "enginetestutil.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QFile>
#include <QtTest>

using namespace ss;
using namespace sst;

namespace {

QByteArray schemaWith(const QByteArray &app, const QByteArray &model, const QByteArray &field,
                      const QByteArray &relatedName = "items")
{
    return R"({"format": "signalscope-schema/1", "app": ")" + app + R"(", "models": [
      {"name": "Owner", "fields": []},
      {"name": ")" + model + R"(", "fields": [
        {"name": ")" + field + R"(", "type": "char"},
        {"name": "owner", "type": "foreign_key", "to": "Owner", "on_delete": "CASCADE", "null": true, "related_name": ")"
           + relatedName + R"("}]}]})";
}

const QByteArray kValues = R"({
  "format": "signalscope-schema/1",
  "app": "hostile",
  "models": [
    {"name": "Note", "fields": [
      {"name": "title", "type": "char", "max_length": 20},
      {"name": "body", "type": "text", "null": true}]}
  ]
})";

// The body column of a row, read with plain SQL on the engine's own
// connection: what SQLite stores, not what the engine thinks it stored.
QString storedBody(TestEngine &e, qint64 pk)
{
    const QVector<Row> rows = e.engine->database().select(e.model("Note"), {{e.model("Note")->pk, QCborValue(pk)}}, {});
    if (rows.size() != 1)
        return QStringLiteral("<no row>");
    return rows.first().at(e.field("Note", "body")->index).toString();
}

QString hex(const QString &s)
{
    return QString::fromLatin1(s.toUtf8().left(80).toHex(' '));
}

} // namespace

class TestHostile : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    const QString m_file = m_dir.filePath(QStringLiteral("hostile.sqlite"));

private Q_SLOTS:
    void refusesHostileNames_data()
    {
        QTest::addColumn<QByteArray>("schema");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        const QByteArray m = "Item", f = "name", a = "shop";
        const QString notIdentifier = QStringLiteral("is not an ASCII identifier");
        QTest::newRow("model with quote") << schemaWith(a, "It\\\"em", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model with semicolon") << schemaWith(a, "Item;DROP TABLE shop_owner", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model with single quote") << schemaWith(a, "It'em", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model with backtick") << schemaWith(a, "It`em", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model with bracket") << schemaWith(a, "Item]", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model with comment") << schemaWith(a, "Item--", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model Cyrillic look-alike") << schemaWith(a, "It\u0435m", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model fullwidth") << schemaWith(a, "\uff29tem", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model zero-width joiner") << schemaWith(a, "It\u200dem", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model NUL") << schemaWith(a, "Item\\u0000", f) << "models[1].name" << notIdentifier;
        QTest::newRow("model empty") << schemaWith(a, "", f) << "models[1].name" << notIdentifier;
        QTest::newRow("field with quote") << schemaWith(a, m, "na\\\"me") << "models[1].fields[0].name" << notIdentifier;
        QTest::newRow("field with semicolon") << schemaWith(a, m, "name;") << "models[1].fields[0].name" << notIdentifier;
        QTest::newRow("field with paren") << schemaWith(a, m, "name)") << "models[1].fields[0].name" << notIdentifier;
        QTest::newRow("field Greek look-alike") << schemaWith(a, m, "n\u03b1me") << "models[1].fields[0].name" << notIdentifier;
        QTest::newRow("field dotless i") << schemaWith(a, m, "\u0131d") << "models[1].fields[0].name" << notIdentifier;
        QTest::newRow("field leading digit") << schemaWith(a, m, "1name") << "models[1].fields[0].name" << notIdentifier;
        QTest::newRow("app with quote") << schemaWith("sh\\\"op", m, f) << "app" << notIdentifier;
        QTest::newRow("app with semicolon") << schemaWith("shop;", m, f) << "app" << notIdentifier;
        QTest::newRow("app with dot") << schemaWith("shop.main", m, f) << "app" << notIdentifier;
        QTest::newRow("app Cyrillic look-alike") << schemaWith("sh\u043ep", m, f) << "app" << notIdentifier;
        QTest::newRow("related_name with quote") << schemaWith(a, m, f, "it\\\"ems") << "models[1].fields[1].related_name" << notIdentifier;
        QTest::newRow("related_name with semicolon") << schemaWith(a, m, f, "items;") << "models[1].fields[1].related_name" << notIdentifier;
        QTest::newRow("related_name look-alike") << schemaWith(a, m, f, "it\u0435ms") << "models[1].fields[1].related_name" << notIdentifier;
        const QString tooLong = QStringLiteral("is too long (256 characters, at most 255)");
        QTest::newRow("model over-long") << schemaWith(a, "M" + QByteArray(255, 'x'), f) << "models[1].name" << tooLong;
        QTest::newRow("field over-long") << schemaWith(a, m, "f" + QByteArray(255, 'x')) << "models[1].fields[0].name" << tooLong;
        QTest::newRow("app over-long") << schemaWith("a" + QByteArray(255, 'x'), m, f) << "app" << tooLong;
        QTest::newRow("related_name over-long") << schemaWith(a, m, f, "r" + QByteArray(255, 'x')) << "models[1].fields[1].related_name" << tooLong;
        QTest::newRow("model 1 MB") << schemaWith(a, "M" + QByteArray(1 << 20, 'x'), f) << "models[1].name"
                                    << QStringLiteral("is too long (1048577 characters, at most 255)");
    }

    void refusesHostileNames()
    {
        QFETCH(QByteArray, schema);
        QFETCH(QString, path);
        QFETCH(QString, message);
        LoadError error;
        const auto parsed = parseSchema(schema, QStringLiteral("hostile.schema.json"), &error);
        QVERIFY2(!parsed, "accepted");
        QCOMPARE(error.path, path);
        QVERIFY2(error.message.contains(message), qPrintable(error.message));
        QVERIFY2(error.toString().startsWith(QStringLiteral("hostile.schema.json:")), qPrintable(error.toString()));
        QVERIFY2(error.toString().size() < 400, "the message quotes the whole name");
    }

    // 255 characters is still a name.
    void acceptsLongestName()
    {
        LoadError error;
        QVERIFY2(parseSchema(schemaWith("a" + QByteArray(254, 'x'), "M" + QByteArray(254, 'x'), "f" + QByteArray(254, 'x')),
                             QStringLiteral("long.schema.json"), &error),
                 qPrintable(error.toString()));
    }

    // SQL keywords are ordinary names: quoted everywhere, they work.
    void sqlKeywordsAsNamesWork()
    {
        auto e = makeEngine(R"({"format": "signalscope-schema/1", "app": "select", "models": [
          {"name": "Table", "fields": [{"name": "order", "type": "char"}, {"name": "group", "type": "int", "null": true}]},
          {"name": "Where", "fields": [
            {"name": "from", "type": "foreign_key", "to": "Table", "on_delete": "CASCADE", "related_name": "join"},
            {"name": "values", "type": "many_to_many", "to": "Table", "related_name": "drop"}]}]})");
        const InstancePtr t = e->create("Table", kw({{"order", V("asc")}, {"group", V(1)}}));
        const InstancePtr w = e->create("Where", kw({{"from", V(t)}}));
        e->engine->m2m(w, str("values"), M2mAction::Add, {V(t)});
        e->engine->update(e->model("Table"), kw({{"order", V("asc")}}), kw({{"group", V(2)}}));
        QCOMPARE(e->column("Table", "group"), str("[2]"));
        QCOMPARE(e->engine->get(e->model("Table"), kw({{"order", V("asc")}}))->pk().toInteger(), 1);
        QCOMPARE(e->count("Where_values"), 1);
        e->engine->deleteInstance(t);
        QCOMPARE(e->count("Table"), 0);
        QCOMPARE(e->count("Where"), 0);
        QCOMPARE(e->count("Where_values"), 0);
    }

    // ---- values ---------------------------------------------------------------

    void valuesRoundTrip_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("SQL") << str("'); DROP TABLE hostile_note; --");
        QTest::newRow("SQL double quote") << str("\" OR 1=1; DELETE FROM \"hostile_note\"; --");
        QTest::newRow("NUL bytes") << QString::fromUtf16(u"a\0b\0\0c", 6);
        QTest::newRow("only NUL") << QString(1, QChar(0));
        QTest::newRow("astral plane") << str("\xF0\x9F\x98\x80 \xF0\x9D\x84\x9E \xF0\xA0\x80\x80");   // emoji, musical G clef, CJK ext B
        QTest::newRow("combining") << str("e\xCC\x81\xCC\x82\xCC\x83 Z\xCD\x91\xCD\x92\xCD\x93");
        QTest::newRow("right to left") << str("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x80\xAE abc \xE2\x80\xAC \xD8\xB3\xD9\x84\xD8\xA7\xD9\x85");
        QTest::newRow("lone surrogate-free BOM and ZWJ") << str("\xEF\xBB\xBF\xE2\x80\x8D\xE2\x80\x8B");
        QTest::newRow("control characters") << str("\x01\x02\x1b[31m\r\n\t\x7f");
        QTest::newRow("empty") << QString();
        QTest::newRow("10 MB") << QString(10 * 1024 * 1024, QLatin1Char('x')) + str("\xF0\x9F\x98\x80") + QString(1, QChar(0)) + str("end");
    }

    void valuesRoundTrip()
    {
        QFETCH(QString, value);
        QFile::remove(m_file);
        auto e = std::make_unique<TestEngine>(kValues, m_file);
        const Model *note = e->model("Note");
        const QString other = value + QStringLiteral("/updated");

        // save() (create) and the stored row.
        const InstancePtr a = e->create("Note", kw({{"title", V("a")}, {"body", V(value)}}));
        QVERIFY2(storedBody(*e, 1) == value, qPrintable(hex(storedBody(*e, 1))));
        // get() by the value itself, and refresh.
        const InstancePtr got = e->engine->get(note, kw({{"body", V(value)}}));
        QCOMPARE(got->pk().toInteger(), 1);
        QVERIFY(e->engine->attribute(*got, str("body")).toString() == value);
        e->engine->assign(a, str("body"), V(str("changed in memory")));
        e->engine->refresh(a);
        QVERIFY(e->engine->attribute(*a, str("body")).toString() == value);
        // save() (update) of another value, read back.
        e->engine->assign(a, str("body"), V(other));
        e->engine->save(a);
        QVERIFY(storedBody(*e, 1) == other);
        // QuerySet.update() with the value in both WHERE and SET.
        QCOMPARE(e->engine->update(note, kw({{"body", V(other)}}), kw({{"body", V(value)}})), 1);
        QVERIFY(storedBody(*e, 1) == value);
        // loaddata.
        QCborMap row;
        row.insert(QStringLiteral("pk"), 7);
        row.insert(QStringLiteral("title"), QStringLiteral("loaded"));
        row.insert(QStringLiteral("body"), value);
        e->engine->loaddata(note, QCborArray{row});
        QVERIFY(storedBody(*e, 7) == value);
        const InstancePtr loaded = e->engine->get(note, kw({{"pk", V(7)}}));
        QVERIFY(e->engine->attribute(*loaded, str("body")).toString() == value);
        // The table is intact and holds exactly these two rows.
        QCOMPARE(e->pks("Note"), str("[1,7]"));
        // Byte for byte in SQLite itself, through a connection of its own: the
        // stored text's UTF-8 bytes.
        const QByteArray expected = value.toUtf8().toHex().toUpper();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("hostile-check"));
            db.setDatabaseName(m_file);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT id, hex(CAST(body AS BLOB)), typeof(body) FROM hostile_note ORDER BY id")));
            int n = 0;
            while (q.next()) {
                ++n;
                QCOMPARE(q.value(2).toString(), str("text"));
                QVERIFY2(q.value(1).toByteArray() == expected, qPrintable(q.value(1).toString().left(80)));
            }
            QCOMPARE(n, 2);
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("hostile-check"));
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
