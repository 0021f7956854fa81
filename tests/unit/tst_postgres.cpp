// The PostgreSQL backend (formats.md section 7), checked in the database: what
// stays after a rollback, the ids bulk_create returns, the sequence after lost
// ids and loaddata, the server's messages, and the database each engine gets.
// Every expectation was also seen in Django 3.2 on PostgreSQL 15 (the
// conformance oracle with --db, scenarios pg_ids_errors_values and
// pg_row_order_updates).
//
// Needs a server: SIGNALSCOPE_TEST_POSTGRES_URL=postgresql://user@host:port/name
// (scripts/postgres-cluster.sh start prints one). Without it the server tests
// skip; the DDL tests need no server and always run.

#include "db/backend.h"
#include "enginetestutil.h"
#include "session/session.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUrl>
#include <QtTest>

using namespace ss;
using namespace sst;

namespace {

const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "pgt",
  "models": [
    {"name": "Blog", "fields": [{"name": "name", "type": "char", "max_length": 8, "unique": true}]},
    {"name": "Post", "fields": [
      {"name": "blog", "type": "foreign_key", "to": "Blog", "on_delete": "CASCADE"},
      {"name": "title", "type": "char", "max_length": 20},
      {"name": "n", "type": "int", "default": 0}]},
    {"name": "Ref", "fields": [{"name": "blog", "type": "foreign_key", "to": "Blog", "on_delete": "DO_NOTHING"}]},
    {"name": "Log", "fields": [{"name": "text", "type": "text"}]},
    {"name": "Tag", "fields": [
      {"name": "name", "type": "char", "max_length": 8},
      {"name": "posts", "type": "many_to_many", "to": "Post", "related_name": "tags"}]}
  ]
})";

// The m2m_add_remove_clear_set schema's DDL as Django's PostgreSQL schema
// editor writes it (connection.schema_editor(collect_sql=True)).
const QByteArray kPizzeria = R"({
  "format": "signalscope-schema/1",
  "app": "pizzeria",
  "models": [
    {"name": "Topping", "fields": [{"name": "name", "type": "char", "max_length": 30}]},
    {"name": "Pizza", "fields": [
      {"name": "name", "type": "char", "max_length": 30},
      {"name": "toppings", "type": "many_to_many", "to": "Topping", "related_name": "pizzas"}]}
  ]
})";

const char *kPizzeriaDdl[] = {
    R"(CREATE TABLE "pizzeria_topping" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(30) NOT NULL))",
    R"(CREATE TABLE "pizzeria_pizza" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(30) NOT NULL))",
    R"(CREATE TABLE "pizzeria_pizza_toppings" ("id" serial NOT NULL PRIMARY KEY, "pizza_id" integer NOT NULL, "topping_id" integer NOT NULL))",
    R"(ALTER TABLE "pizzeria_pizza_toppings" ADD CONSTRAINT "pizzeria_pizza_toppings_pizza_id_topping_id_85b8b4b7_uniq" UNIQUE ("pizza_id", "topping_id"))",
    R"(ALTER TABLE "pizzeria_pizza_toppings" ADD CONSTRAINT "pizzeria_pizza_toppings_pizza_id_e01c5f16_fk_pizzeria_pizza_id" FOREIGN KEY ("pizza_id") REFERENCES "pizzeria_pizza" ("id") DEFERRABLE INITIALLY DEFERRED)",
    R"(ALTER TABLE "pizzeria_pizza_toppings" ADD CONSTRAINT "pizzeria_pizza_toppi_topping_id_2cd03427_fk_pizzeria_" FOREIGN KEY ("topping_id") REFERENCES "pizzeria_topping" ("id") DEFERRABLE INITIALLY DEFERRED)",
    R"(CREATE INDEX "pizzeria_pizza_toppings_pizza_id_e01c5f16" ON "pizzeria_pizza_toppings" ("pizza_id"))",
    R"(CREATE INDEX "pizzeria_pizza_toppings_topping_id_2cd03427" ON "pizzeria_pizza_toppings" ("topping_id"))",
};

// A char pk, a relation to it and a unique char: varchar_pattern_ops indexes.
const QByteArray kLexicon = R"({
  "format": "signalscope-schema/1",
  "app": "lexicon",
  "models": [
    {"name": "Language", "fields": [
      {"name": "code", "type": "char", "max_length": 5, "primary_key": true},
      {"name": "family", "type": "char", "max_length": 20}]},
    {"name": "Word", "fields": [
      {"name": "spelling", "type": "char", "max_length": 20, "primary_key": true},
      {"name": "language", "type": "foreign_key", "to": "Language", "on_delete": "CASCADE"},
      {"name": "common", "type": "bool"}]}
  ]
})";

const char *kLexiconDdl[] = {
    R"(CREATE TABLE "lexicon_language" ("code" varchar(5) NOT NULL PRIMARY KEY, "family" varchar(20) NOT NULL))",
    R"(CREATE TABLE "lexicon_word" ("spelling" varchar(20) NOT NULL PRIMARY KEY, "language_id" varchar(5) NOT NULL, "common" boolean NOT NULL))",
    R"(CREATE INDEX "lexicon_language_code_a65e4562_like" ON "lexicon_language" ("code" varchar_pattern_ops))",
    R"(ALTER TABLE "lexicon_word" ADD CONSTRAINT "lexicon_word_language_id_56d9e4b1_fk_lexicon_language_code" FOREIGN KEY ("language_id") REFERENCES "lexicon_language" ("code") DEFERRABLE INITIALLY DEFERRED)",
    R"(CREATE INDEX "lexicon_word_spelling_4ea5d9bf_like" ON "lexicon_word" ("spelling" varchar_pattern_ops))",
    R"(CREATE INDEX "lexicon_word_language_id_56d9e4b1" ON "lexicon_word" ("language_id"))",
    R"(CREATE INDEX "lexicon_word_language_id_56d9e4b1_like" ON "lexicon_word" ("language_id" varchar_pattern_ops))",
};

QString serverUrl()
{
    return qEnvironmentVariable("SIGNALSCOPE_TEST_POSTGRES_URL");
}

#define REQUIRE_SERVER()                                                                                        \
    do {                                                                                                        \
        if (serverUrl().isEmpty())                                                                              \
            QSKIP("no PostgreSQL server: set SIGNALSCOPE_TEST_POSTGRES_URL=postgresql://user@host:port/name "   \
                  "(scripts/postgres-cluster.sh start prints one)");                                            \
    } while (0)

std::unique_ptr<TestEngine> pgEngine(const QByteArray &schema = kSchema)
{
    return std::make_unique<TestEngine>(schema, serverUrl());
}

// Plain SQL on the engine's connection, for what Database::select cannot ask.
QVariant scalar(TestEngine &e, const QString &sql)
{
    QSqlQuery query(e.engine->database().connection());
    if (!query.exec(sql) || !query.next())
        return {};
    return query.value(0);
}

QStringList databasesOnServer()
{
    const QUrl url(serverUrl());
    QStringList names;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("tst_postgres_probe"));
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(QStringLiteral("postgres"));
        if (db.open()) {
            QSqlQuery query(db);
            query.exec(QStringLiteral("SELECT datname FROM pg_database"));
            while (query.next())
                names << query.value(0).toString();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst_postgres_probe"));
    return names;
}

} // namespace

class TestPostgres : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- DDL (no server needed) ---------------------------------------------

    void ddlIsDjangos()
    {
        ModelRegistry pizzeria(schemaFrom(kPizzeria));
        QStringList expected;
        for (const char *line : kPizzeriaDdl)
            expected << QString::fromUtf8(line);
        COMPARE_LINES(postgresSchemaSql(pizzeria), expected);

        ModelRegistry lexicon(schemaFrom(kLexicon));
        expected.clear();
        for (const char *line : kLexiconDdl)
            expected << QString::fromUtf8(line);
        COMPARE_LINES(postgresSchemaSql(lexicon), expected);
    }

    void ddlUnderDjango50UsesIdentityColumns()
    {
        // Contract 9.6: integer GENERATED BY DEFAULT AS IDENTITY after
        // PRIMARY KEY (db_type_suffix); everything else as under 3.2.
        ModelRegistry pizzeria(schemaFrom(kPizzeria));
        QStringList expected;
        for (const char *line : kPizzeriaDdl)
            expected << QString::fromUtf8(line).replace(QStringLiteral("\"id\" serial NOT NULL PRIMARY KEY"),
                                                        QStringLiteral("\"id\" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY"));
        QCOMPARE(expected.first(), QStringLiteral("CREATE TABLE \"pizzeria_topping\" (\"id\" integer NOT NULL PRIMARY KEY "
                                                  "GENERATED BY DEFAULT AS IDENTITY, \"name\" varchar(30) NOT NULL)"));
        COMPARE_LINES(postgresSchemaSql(pizzeria, DjangoFeatures::of(DjangoVersion::V5_0)), expected);
    }

    void longNamesAreShortenedAsDjangoDoes()
    {
        QCOMPARE(djangoIndexName(str("pizzeria_pizza_toppings"), {str("topping_id")}, str("_fk_pizzeria_topping_id")),
                 str("pizzeria_pizza_toppi_topping_id_2cd03427_fk_pizzeria_"));
        QCOMPARE(djangoIndexName(str("friends_person_follows"), {str("from_person_id"), str("to_person_id")}, str("_uniq")),
                 str("friends_person_follows_from_person_id_to_person_cfc6ae5a_uniq"));
        // Short enough: kept whole.
        QCOMPARE(djangoIndexName(str("publishing_post"), {str("blog_id")}, QString()), str("publishing_post_blog_id_24a09c5f"));
    }

    // ---- on a server ------------------------------------------------------------

    // Each engine works in a database of its own, dropped when it closes.
    void eachEngineGetsAFreshDatabase()
    {
        REQUIRE_SERVER();
        QString name;
        {
            auto a = pgEngine();
            auto b = pgEngine();
            QCOMPARE(a->engine->database().vendor(), str("postgresql"));
            name = scalar(*a, str("SELECT current_database()")).toString();
            QVERIFY2(name.startsWith(str("test_")), qPrintable(name));
            QVERIFY(name != scalar(*b, str("SELECT current_database()")).toString());
            a->create("Blog", kw({{"name", V("x")}}));
            QCOMPARE(b->count("Blog"), 0);
            QVERIFY(databasesOnServer().contains(name));
        }
        QVERIFY(!databasesOnServer().contains(name));
    }

    // A failing delete (DO_NOTHING left a reference, found at COMMIT) rolls
    // back everything, rows written by its receivers included.
    void failedDeleteLeavesEverything()
    {
        REQUIRE_SERVER();
        auto e = pgEngine();
        auto blog = e->create("Blog", kw({{"name", V("b")}}));
        e->create("Post", kw({{"blog", V(blog)}, {"title", V("p")}}));
        e->create("Ref", kw({{"blog", V(blog)}}));
        Engine &engine = *e->engine;
        e->connect(engine.preDelete, [&](const Sender &, const SignalArgs &) {
            engine.create(e->model("Log"), kw({{"text", V("written in the delete")}}));
        });
        const auto error = thrown([&] { engine.deleteInstance(blog); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("IntegrityError"));
        QVERIFY2(error->message().startsWith(str("update or delete on table \"pgt_blog\" violates foreign key constraint "
                                                 "\"pgt_ref_blog_id_")),
                 qPrintable(error->message()));
        QVERIFY2(error->message().endsWith(str("\nDETAIL:  Key (id)=(1) is still referenced from table \"pgt_ref\".\n")),
                 qPrintable(error->message()));
        QCOMPARE(e->pks("Blog"), str("[1]"));
        QCOMPARE(e->pks("Post"), str("[1]"));
        QCOMPARE(e->count("Log"), 0);
        QCOMPARE(blog->pk(), QCborValue(1));
        // The Log ids taken inside the rolled-back transaction are lost.
        auto log = e->create("Log", kw({{"text", V("after")}}));
        QCOMPARE(log->pk(), QCborValue(3));
    }

    // bulk_create: INSERT ... RETURNING puts the pks on the objects, which
    // count as saved (7.3).
    void bulkCreateGetsPks()
    {
        REQUIRE_SERVER();
        auto e = pgEngine();
        auto blog = e->create("Blog", kw({{"name", V("b")}}));
        const auto posts = e->engine->bulkCreate(e->model("Post"), {kw({{"blog", V(blog)}, {"title", V("a")}}),
                                                                    kw({{"blog", V(blog)}, {"title", V("b")}})});
        QCOMPARE(posts.size(), 2);
        QCOMPARE(posts[0]->pk(), QCborValue(1));
        QCOMPARE(posts[1]->pk(), QCborValue(2));
        QCOMPARE(e->column("Post", "title"), str(R"(["a","b"])"));
        e->log.clear();
        posts[0]->setValue(e->field("Post", "title"), QCborValue(str("a2")));
        e->engine->save(posts[0]);
        QCOMPARE(e->log.brief({"post_save"}), names({"post_save Post 1"}));
        QCOMPARE(e->log.only("post_save").first().arg("created"), QCborValue(false));
        QCOMPARE(e->column("Post", "title"), str(R"(["a2","b"])"));
        // Usable as m2m targets and deletable.
        auto tag = e->create("Tag", kw({{"name", V("t")}}));
        e->engine->m2m(tag, str("posts"), M2mAction::Add, {V(posts[1])});
        QCOMPARE(e->count("Tag_posts"), 1);
        e->engine->deleteInstance(posts[1]);
        QCOMPARE(e->pks("Post"), str("[1]"));
        QCOMPARE(e->count("Tag_posts"), 0);
    }

    // The server's text with DETAIL, psycopg2's exception classes, and the
    // ids failed INSERTs use up (7.4, 7.5, 7.7); nothing is written.
    void serverMessagesAndLostIds()
    {
        REQUIRE_SERVER();
        auto e = pgEngine();
        auto blog = e->create("Blog", kw({{"name", V("b")}}));

        auto duplicate = thrown([&] { e->create("Blog", kw({{"name", V("b")}})); });
        QVERIFY(duplicate);
        QCOMPARE(duplicate->type(), str("IntegrityError"));
        QCOMPARE(duplicate->message(), str("duplicate key value violates unique constraint \"pgt_blog_name_key\"\n"
                                           "DETAIL:  Key (name)=(b) already exists.\n"));

        auto nullValue = thrown([&] { e->create("Post", kw({{"blog", V(blog)}, {"title", V("t")}, {"n", Null()}})); });
        QVERIFY(nullValue);
        QCOMPARE(nullValue->type(), str("IntegrityError"));
        QCOMPARE(nullValue->message(), str("null value in column \"n\" of relation \"pgt_post\" violates not-null constraint\n"
                                           "DETAIL:  Failing row contains (1, 1, t, null).\n"));

        auto tooLong = thrown([&] { e->create("Blog", kw({{"name", V("much too long")}})); });
        QVERIFY(tooLong);
        QCOMPARE(tooLong->type(), str("DataError"));
        QCOMPARE(tooLong->message(), str("value too long for type character varying(8)\n"));

        auto range = thrown([&] { e->create("Post", kw({{"blog", V(blog)}, {"title", V("t")}, {"n", V(qint64(1) << 31)}})); });
        QVERIFY(range);
        QCOMPARE(range->type(), str("DataError"));
        QCOMPARE(range->message(), str("integer out of range\n"));

        auto nul = thrown([&] { e->get("Blog", kw({{"name", V(QString(QChar(0)))}})); });
        QVERIFY(nul);
        QCOMPARE(nul->type(), str("ValueError"));
        QCOMPARE(nul->message(), str("A string literal cannot contain NUL (0x00) characters."));

        auto missing = thrown([&] { e->create("Post", kw({{"blog_id", V(99)}, {"title", V("t")}})); });
        QVERIFY(missing);
        QCOMPARE(missing->type(), str("IntegrityError"));
        QVERIFY2(missing->message().endsWith(str("\nDETAIL:  Key (blog_id)=(99) is not present in table \"pgt_blog\".\n")),
                 qPrintable(missing->message()));

        QCOMPARE(e->pks("Blog"), str("[1]"));
        QCOMPARE(e->count("Post"), 0);
        // Blog: 1 stored, 2 lost to the duplicate (the too-long name used none).
        QCOMPARE(e->create("Blog", kw({{"name", V("c")}}))->pk(), QCborValue(3));
        // Post: 1 lost to NOT NULL, 2 to the foreign key (range used none).
        QCOMPARE(e->create("Post", kw({{"blog", V(blog)}, {"title", V("t")}}))->pk(), QCborValue(3));
    }

    // Explicit ids do not move the sequence; loaddata resets it to max(id).
    void explicitIdsAndLoaddataSequenceReset()
    {
        REQUIRE_SERVER();
        auto e = pgEngine();
        e->create("Blog", kw({{"id", V(2)}, {"name", V("two")}}));
        QCOMPARE(e->create("Blog", kw({{"name", V("one")}}))->pk(), QCborValue(1));
        auto collision = thrown([&] { e->create("Blog", kw({{"name", V("x")}})); });
        QVERIFY(collision);
        QCOMPARE(collision->message(), str("duplicate key value violates unique constraint \"pgt_blog_pkey\"\n"
                                           "DETAIL:  Key (id)=(2) already exists.\n"));
        QCOMPARE(e->create("Blog", kw({{"name", V("three")}}))->pk(), QCborValue(3));

        QCborArray rows;
        rows.append(QCborMap({{str("pk"), 10}, {str("name"), str("ten")}}));
        e->engine->loaddata(e->model("Blog"), rows);
        QCOMPARE(e->create("Blog", kw({{"name", V("eleven")}}))->pk(), QCborValue(11));
        QCOMPARE(scalar(*e, str("SELECT last_value FROM pgt_blog_id_seq")).toInt(), 11);

        // A failing load resets nothing and leaves nothing.
        QCborArray bad;
        bad.append(QCborMap({{str("pk"), 50}, {str("name"), str("fifty")}}));
        bad.append(QCborMap({{str("pk"), 51}, {str("name"), str("fifty")}}));
        QVERIFY(thrown([&] { e->engine->loaddata(e->model("Blog"), bad); }));
        QCOMPARE(e->pks("Blog"), str("[1,2,3,10,11]"));
        QCOMPARE(e->create("Blog", kw({{"name", V("twelve")}}))->pk(), QCborValue(12));
    }

    // loaddata's SET CONSTRAINTS ALL IMMEDIATE also checks the through rows
    // its many-to-many lists wrote (7.6).
    void loaddataChecksThroughRows()
    {
        REQUIRE_SERVER();
        auto e = pgEngine();
        QCborArray rows;
        rows.append(QCborMap({{str("pk"), 1}, {str("name"), str("t")}, {str("posts"), QCborArray({7})}}));
        const auto error = thrown([&] { e->engine->loaddata(e->model("Tag"), rows); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("IntegrityError"));
        QVERIFY2(error->message().startsWith(str("Problem installing fixtures: insert or update on table \"pgt_tag_posts\" "
                                                 "violates foreign key constraint ")),
                 qPrintable(error->message()));
        QVERIFY2(error->message().endsWith(str("\nDETAIL:  Key (post_id)=(7) is not present in table \"pgt_post\".\n")),
                 qPrintable(error->message()));
        QCOMPARE(e->count("Tag"), 0);
        QCOMPARE(e->count("Tag_posts"), 0);
    }

    // The window's session on a server: a database per build, the sample's
    // steps run, the recording filled; the default goes back afterwards.
    void sessionOnServer()
    {
        REQUIRE_SERVER();
        Session::setDefaultDatabase(serverUrl());
        {
            Session session;
            QString error;
            QVERIFY2(session.loadFile(str(SIGNALSCOPE_RESOURCES "/samples/cascade.scenario.json"), &error), qPrintable(error));
            QVERIFY2(session.databaseDescription().startsWith(str("PostgreSQL test_")), qPrintable(session.databaseDescription()));
            while (!session.atEnd())
                session.runNext();
            QVERIFY(session.recorder().count() > 0);
            session.reset();
            QVERIFY(session.databaseDescription().startsWith(str("PostgreSQL test_")));
        }
        Session::setDefaultDatabase(str(":memory:"));
        Session session;
        QVERIFY(session.loadFile(str(SIGNALSCOPE_RESOURCES "/samples/cascade.scenario.json")));
        QCOMPARE(session.databaseDescription(), str("SQLite in memory"));
    }

    // A database alias other than "default" is the signals' `using`.
    void usingIsTheAlias()
    {
        REQUIRE_SERVER();
        Engine other(schemaFrom(kSchema), serverUrl(), str("replica"));
        LineLog log;
        other.dispatch().addListener(&log);
        other.create(other.registry().model(str("Blog")), kw({{"name", V("b")}}));
        other.dispatch().removeListener(&log);
        QCOMPARE(log.only("post_save").first().arg("using"), QCborValue(str("replica")));
    }
};

QTEST_GUILESS_MAIN(TestPostgres)
#include "tst_postgres.moc"
