// What stays in the database when something fails (formats.md 5.2, 5.5, 5.7,
// 5.8): autocommit for plain saves, one transaction for deletes, m2m
// operations, bulk_create and loaddata. Every test checks the TABLES (read with
// Database::select, which sends nothing), not only the trace. Each case was also
// run through Django 3.2 (the conformance oracle), reading the tables back with
// `all` steps.

#include "enginetestutil.h"

#include <QtTest>

using namespace ss;
using namespace sst;

namespace {

const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "atom",
  "models": [
    {"name": "Blog", "fields": [{"name": "name", "type": "char", "unique": true}]},
    {"name": "Post", "fields": [
      {"name": "blog", "type": "foreign_key", "to": "Blog", "on_delete": "CASCADE"},
      {"name": "title", "type": "char"}]},
    {"name": "Comment", "fields": [{"name": "post", "type": "foreign_key", "to": "Post", "on_delete": "CASCADE"}]},
    {"name": "Log", "fields": [{"name": "text", "type": "char"}]},
    {"name": "Pin", "fields": [{"name": "post", "type": "foreign_key", "to": "Post", "on_delete": "PROTECT"}]},
    {"name": "Tag", "fields": [
      {"name": "name", "type": "char"},
      {"name": "posts", "type": "many_to_many", "to": "Post", "related_name": "tags"}]},
    {"name": "Car", "fields": [{"name": "owner", "type": "foreign_key", "to": "Blog", "on_delete": "SET_NULL", "null": true}]},
    {"name": "Ref", "fields": [{"name": "blog", "type": "foreign_key", "to": "Blog", "on_delete": "DO_NOTHING", "null": true}]}
  ]
})";

QStringList list(std::initializer_list<const char *> items) { return names(items); }

// Blog "b" (pk 1) with posts 1 and 2, comments 1 (post 1) and 2 (post 2), a car owned by the blog.
struct World
{
    std::unique_ptr<TestEngine> e = makeEngine(kSchema);
    InstancePtr blog, post1, post2, car;
    World()
    {
        blog = e->create("Blog", kw({{"name", V("b")}}));
        post1 = e->create("Post", kw({{"blog", V(blog)}, {"title", V("p1")}}));
        post2 = e->create("Post", kw({{"blog", V(blog)}, {"title", V("p2")}}));
        e->create("Comment", kw({{"post", V(post1)}}));
        e->create("Comment", kw({{"post", V(post2)}}));
        car = e->create("Car", kw({{"owner", V(blog)}}));
        e->log.clear();
    }
    // The whole blog world, as stored: "Blog[1] Post[1,2] Comment[1,2] Car.owner[1]".
    QString tables()
    {
        return QStringLiteral("Blog%1 Post%2 Comment%3 Car.owner%4")
            .arg(e->pks("Blog"), e->pks("Post"), e->pks("Comment"), e->column("Car", "owner"));
    }
};

const char *kIntact = "Blog[1] Post[1,2] Comment[1,2] Car.owner[1]";

} // namespace

class TestAtomicity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- saves: autocommit --------------------------------------------------

    // A pre_save receiver raising aborts before the write: nothing stored.
    void preSaveRaiseWritesNothing()
    {
        auto e = makeEngine(kSchema);
        e->connect(e->engine->preSave, raiser("no"), model("Blog"));
        InstancePtr blog;
        const auto error = thrown([&] { blog = e->create("Blog", kw({{"name", V("b")}})); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("ReceiverError"));
        COMPARE_LINES(e->log.brief(), list({"pre_init Blog", "post_init Blog null", "pre_save Blog null"}));
        QCOMPARE(e->count("Blog"), 0);
    }

    // ... also for an update: the stored row keeps its old values.
    void preSaveRaiseOnUpdateWritesNothing()
    {
        World w;
        w.e->connect(w.e->engine->preSave, raiser("no"), model("Post"));
        w.e->engine->assign(w.post1, str("title"), V("changed"));
        QVERIFY(thrown([&] { w.e->engine->save(w.post1); }));
        QCOMPARE(w.e->column("Post", "title"), str(R"(["p1","p2"])"));
    }

    // A post_save receiver raising comes after the row was committed: it stays.
    void postSaveRaiseOnCreateKeepsRow()
    {
        auto e = makeEngine(kSchema);
        e->connect(e->engine->postSave, raiser("late"), model("Blog"));
        const auto error = thrown([&] { e->create("Blog", kw({{"name", V("b")}})); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("late"));
        COMPARE_LINES(e->log.brief(),
                      list({"pre_init Blog", "post_init Blog null", "pre_save Blog null", "post_save Blog 1"}));
        QCOMPARE(e->row("Blog", QCborValue(1)), str(R"([1,"b"])"));
    }

    // Work done by receivers before a failure stays done (autocommit): a
    // post_save receiver logs, a later one raises; the log row stays.
    void receiverWorkBeforeFailureStays()
    {
        auto e = makeEngine(kSchema);
        e->connect(e->engine->postSave, [&](const Sender &, const SignalArgs &) {
            e->create("Log", kw({{"text", V("saved")}}));
        }, model("Blog"));
        e->connect(e->engine->postSave, raiser("late"), model("Blog"));
        QVERIFY(thrown([&] { e->create("Blog", kw({{"name", V("b")}})); }));
        QCOMPARE(e->count("Blog"), 1);
        QCOMPARE(e->column("Log", "text"), str(R"(["saved"])"));
    }

    // A unique clash fails at the INSERT, after pre_save: no post_save, one row.
    void uniqueClash()
    {
        World w;
        const auto error = thrown([&] { w.e->create("Blog", kw({{"name", V("b")}})); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("IntegrityError"));
        QCOMPARE(error->message(), str("UNIQUE constraint failed: atom_blog.name"));
        COMPARE_LINES(w.e->log.brief(), list({"pre_init Blog", "post_init Blog null", "pre_save Blog null"}));
        QCOMPARE(w.e->column("Blog", "name"), str(R"(["b"])"));

        // An UPDATE clashing: the stored row is unchanged.
        const InstancePtr other = w.e->create("Blog", kw({{"name", V("c")}}));
        w.e->engine->assign(other, str("name"), V("b"));
        QVERIFY(thrown([&] { w.e->engine->save(other); }));
        QCOMPARE(w.e->column("Blog", "name"), str(R"(["b","c"])"));
    }

    // A receiver-created row that clashes aborts the save of its sender too, but
    // rows saved before it (autocommit) stay.
    void uniqueClashInsideReceiver()
    {
        World w;
        w.e->connect(w.e->engine->postSave, [&](const Sender &, const SignalArgs &) {
            w.e->create("Blog", kw({{"name", V("b")}}));      // clashes with blog 1
        }, model("Log"));
        const auto error = thrown([&] { w.e->create("Log", kw({{"text", V("x")}})); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("UNIQUE constraint failed: atom_blog.name"));
        QCOMPARE(w.e->count("Log"), 1);
        QCOMPARE(w.e->count("Blog"), 1);
    }

    // ---- deletes: one transaction -------------------------------------------

    // A pre_delete receiver raising in the middle of a cascade: nothing deleted,
    // no SET_NULL applied, no pk nulled.
    void preDeleteRaiseInCascade()
    {
        World w;
        w.e->connect(w.e->engine->preDelete, [](const Sender &, const SignalArgs &args) {
            if (livePk(args) == QCborValue(2))
                throw DjangoError(str("ReceiverError"), str("keep comment 2"));
        }, model("Comment"));
        const auto error = thrown([&] { w.e->engine->deleteInstance(w.blog); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("keep comment 2"));
        COMPARE_LINES(w.e->log.brief({"pre_delete", "post_delete"}), list({"pre_delete Comment 1", "pre_delete Comment 2"}));
        QCOMPARE(w.tables(), str(kIntact));
        QCOMPARE(w.blog->pk().toInteger(), 1);
    }

    // A post_delete receiver raising at the very end (the blog, deleted last):
    // every DELETE and the SET_NULL UPDATE are rolled back.
    void postDeleteRaiseInCascade()
    {
        World w;
        w.e->connect(w.e->engine->postDelete, raiser("late"), model("Blog"));
        QVERIFY(thrown([&] { w.e->engine->deleteInstance(w.blog); }));
        COMPARE_LINES(w.e->log.brief({"post_delete"}),
                      list({"post_delete Comment 2", "post_delete Comment 1", "post_delete Post 2", "post_delete Post 1",
                            "post_delete Blog 1"}));
        QCOMPARE(w.tables(), str(kIntact));
        QCOMPARE(w.blog->pk().toInteger(), 1);
        QCOMPARE(w.post1->pk().toInteger(), 1);
    }

    // A PROTECT found mid-cascade refuses the whole delete before any signal.
    void protectMidCascade()
    {
        World w;
        w.e->create("Pin", kw({{"post", V(w.post2)}}));
        w.e->log.clear();
        const auto error = thrown([&] { w.e->engine->deleteInstance(w.blog); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("ProtectedError"));
        QCOMPARE(error->message(), str("Cannot delete some instances of model 'Blog' because they are referenced "
                                       "through protected foreign keys: 'Post.blog'."));
        COMPARE_LINES(w.e->log.brief({"pre_delete", "post_delete"}), QStringList());
        QCOMPARE(w.tables(), str(kIntact));
        QCOMPARE(w.e->count("Pin"), 1);
    }

    // Rows a pre_delete receiver creates are rolled back with the delete when it
    // fails later (section 6, item 19), and their ids are handed out again
    // (SQLite AUTOINCREMENT is transactional).
    void preDeleteReceiverRowsRolledBack()
    {
        World w;
        w.e->connect(w.e->engine->preDelete, [&](const Sender &, const SignalArgs &args) {
            w.e->create("Log", kw({{"text", V(QStringLiteral("deleting post %1").arg(json(livePk(args))))}}));
        }, model("Post"));
        w.e->connect(w.e->engine->postDelete, raiser("late"), model("Blog"));
        QVERIFY(thrown([&] { w.e->engine->deleteInstance(w.blog); }));
        // The receiver did run twice (its rows had ids 1 and 2)...
        COMPARE_LINES(w.e->log.brief({"post_save"}), list({"post_save Log 1", "post_save Log 2"}));
        // ...and nothing of it is left.
        QCOMPARE(w.e->count("Log"), 0);
        QCOMPARE(w.tables(), str(kIntact));
        const InstancePtr next = w.e->create("Log", kw({{"text", V("after")}}));
        QCOMPARE(next->pk().toInteger(), 1);
    }

    // The same with the failure coming from the database: a DO_NOTHING
    // reference fails the commit after every signal was sent.
    void preDeleteReceiverRowsRolledBackOnCommitFailure()
    {
        World w;
        w.e->create("Ref", kw({{"blog", V(w.blog)}}));
        w.e->connect(w.e->engine->preDelete, [&](const Sender &, const SignalArgs &) {
            w.e->create("Log", kw({{"text", V("x")}}));
        }, model("Blog"));
        w.e->log.clear();
        const auto error = thrown([&] { w.e->engine->deleteInstance(w.blog); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("FOREIGN KEY constraint failed"));
        QCOMPARE(w.e->log.brief({"post_delete"}).size(), 5);
        QCOMPARE(w.e->count("Log"), 0);
        QCOMPARE(w.tables(), str(kIntact));
        QCOMPARE(w.e->count("Ref"), 1);
    }

    // A delete made by a receiver of another delete joins its transaction: it
    // is undone with it.
    void nestedDeleteRolledBackWithOuter()
    {
        World w;
        const InstancePtr other = w.e->create("Blog", kw({{"name", V("other")}}));
        w.e->connect(w.e->engine->preDelete, [&](const Sender &, const SignalArgs &args) {
            if (livePk(args) == QCborValue(1))
                w.e->engine->deleteInstance(other);
        }, model("Blog"));
        w.e->connect(w.e->engine->postDelete, raiser("late"), model("Post"));
        QVERIFY(thrown([&] { w.e->engine->deleteInstance(w.blog); }));
        QCOMPARE(w.tables(), str("Blog[1,2] Post[1,2] Comment[1,2] Car.owner[1]"));
    }

    // ---- m2m: each operation is one transaction -------------------------------

    void m2mPreAddRaiseAddsNothing()
    {
        World w;
        const InstancePtr tag = w.e->create("Tag", kw({{"name", V("t")}}));
        w.e->connect(w.e->engine->m2mChanged, raiseOnAction("pre_add", "no add"), model("Tag_posts"));
        QVERIFY(thrown([&] { w.e->engine->m2m(tag, str("posts"), M2mAction::Add, {V(w.post1), V(w.post2)}); }));
        QCOMPARE(w.e->count("Tag_posts"), 0);
    }

    // post_add comes after the insert: the raise rolls the rows back, and rows
    // the receiver wrote with them.
    void m2mPostAddRaiseRollsBack()
    {
        World w;
        const InstancePtr tag = w.e->create("Tag", kw({{"name", V("t")}}));
        w.e->connect(w.e->engine->m2mChanged, [&](const Sender &, const SignalArgs &args) {
            if (args.get(QStringLiteral("action")).scalar().toString() == QLatin1String("post_add")) {
                QCOMPARE(w.e->count("Tag_posts"), 2);      // inserted by now
                w.e->create("Log", kw({{"text", V("added")}}));
                throw DjangoError(str("ReceiverError"), str("no add"));
            }
        }, model("Tag_posts"));
        QVERIFY(thrown([&] { w.e->engine->m2m(tag, str("posts"), M2mAction::Add, {V(w.post1), V(w.post2)}); }));
        QCOMPARE(w.e->count("Tag_posts"), 0);
        QCOMPARE(w.e->count("Log"), 0);
        COMPARE_LINES(w.e->log.brief({"m2m_changed"}), list({"m2m_changed pre_add [1,2]", "m2m_changed post_add [1,2]"}));
    }

    void m2mRemoveAndClearRaiseKeepRows()
    {
        World w;
        const InstancePtr tag = w.e->create("Tag", kw({{"name", V("t")}}));
        w.e->engine->m2m(tag, str("posts"), M2mAction::Add, {V(w.post1), V(w.post2)});
        w.e->connect(w.e->engine->m2mChanged, raiseOnAction("post_remove", "no remove"), model("Tag_posts"));
        w.e->connect(w.e->engine->m2mChanged, raiseOnAction("post_clear", "no clear"), model("Tag_posts"));
        auto error = thrown([&] { w.e->engine->m2m(tag, str("posts"), M2mAction::Remove, {V(w.post1)}); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("no remove"));
        QCOMPARE(w.e->count("Tag_posts"), 2);
        error = thrown([&] { w.e->engine->m2m(w.post2, str("tags"), M2mAction::Clear, {}); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("no clear"));
        QCOMPARE(w.e->count("Tag_posts"), 2);
    }

    // set() is one transaction: its remove is undone when its add fails.
    void m2mSetIsOneTransaction()
    {
        World w;
        const InstancePtr tag = w.e->create("Tag", kw({{"name", V("t")}}));
        w.e->engine->m2m(tag, str("posts"), M2mAction::Add, {V(w.post1)});
        w.e->connect(w.e->engine->m2mChanged, raiseOnAction("pre_add", "no add"), model("Tag_posts"));
        w.e->log.clear();
        QVERIFY(thrown([&] { w.e->engine->m2m(tag, str("posts"), M2mAction::Set, {V(w.post2)}); }));
        COMPARE_LINES(w.e->log.brief({"m2m_changed"}),
                      list({"m2m_changed pre_remove [1]", "m2m_changed post_remove [1]", "m2m_changed pre_add [2]"}));
        QCOMPARE(w.e->column("Tag_posts", "post"), str("[1]"));
    }

    // ---- bulk_create and loaddata: one transaction ----------------------------

    void bulkCreateClashInsertsNothing()
    {
        World w;
        const auto error = thrown([&] {
            w.e->engine->bulkCreate(w.e->model("Blog"), {kw({{"name", V("x")}}), kw({{"name", V("x")}})});
        });
        QVERIFY(error);
        QCOMPARE(error->message(), str("UNIQUE constraint failed: atom_blog.name"));
        COMPARE_LINES(w.e->log.brief(), list({"pre_init Blog", "post_init Blog null", "pre_init Blog", "post_init Blog null"}));
        QCOMPARE(w.e->column("Blog", "name"), str(R"(["b"])"));
    }

    // A dangling foreign key is found after every row's signals; all rows go.
    void loaddataDanglingFkRollsBackEverything()
    {
        World w;
        const QCborArray rows = QCborArray::fromJsonArray(QJsonDocument::fromJson(R"([
            {"pk": 10, "blog": 1, "title": "ok"},
            {"pk": 1, "blog": 1, "title": "overwritten"},
            {"pk": 11, "blog": 99, "title": "bad"}])").array());
        const auto error = thrown([&] { w.e->engine->loaddata(w.e->model("Post"), rows); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("IntegrityError"));
        QCOMPARE(error->message(), str("Problem installing fixtures: The row in table 'atom_post' with primary key '11' "
                                       "has an invalid foreign key: atom_post.blog_id contains a value '99' that does "
                                       "not have a corresponding value in atom_blog.id."));
        COMPARE_LINES(w.e->log.brief({"post_save"}), list({"post_save Post 10", "post_save Post 1", "post_save Post 11"}));
        QCOMPARE(w.e->pks("Post"), str("[1,2]"));
        QCOMPARE(w.e->column("Post", "title"), str(R"(["p1","p2"])"));
    }

    // loaddata rewrites every exception escaping the load, a receiver's too:
    // "Problem installing fixture '-': ..." (and "Could not load <app>.<Model>(pk=..)"
    // for database errors of a row); everything loaded so far is rolled back.
    void loaddataReceiverErrorRollsBackAndIsRewritten()
    {
        World w;
        w.e->connect(w.e->engine->postSave, [](const Sender &, const SignalArgs &args) {
            if (livePk(args) == QCborValue(11))
                throw DjangoError(str("ReceiverError"), str("no 11"));
        }, model("Post"));
        const QCborArray rows = QCborArray::fromJsonArray(QJsonDocument::fromJson(R"([
            {"pk": 10, "blog": 1, "title": "ok"},
            {"pk": 11, "blog": 1, "title": "refused"}])").array());
        auto error = thrown([&] { w.e->engine->loaddata(w.e->model("Post"), rows); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("ReceiverError"));
        QCOMPARE(error->message(), str("Problem installing fixture '-': no 11"));
        QCOMPARE(w.e->pks("Post"), str("[1,2]"));

        const QCborArray clash = QCborArray::fromJsonArray(QJsonDocument::fromJson(R"([
            {"pk": 5, "name": "new"},
            {"pk": 6, "name": "b"}])").array());
        error = thrown([&] { w.e->engine->loaddata(w.e->model("Blog"), clash); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("IntegrityError"));
        QCOMPARE(error->message(), str("Problem installing fixture '-': Could not load atom.Blog(pk=6): "
                                       "UNIQUE constraint failed: atom_blog.name"));
        QCOMPARE(w.e->column("Blog", "name"), str(R"(["b"])"));
    }

    // ---- the recursion bound (5.9): committed work stays -----------------------

    void recursionStopKeepsCommittedRows()
    {
        auto e = makeEngine(kSchema);
        e->connect(e->engine->postSave, [&](const Sender &, const SignalArgs &args) {
            Q_UNUSED(args);
            e->create("Log", kw({{"text", V("again")}}));
        }, model("Log"));
        const auto error = thrown([&] { e->create("Log", kw({{"text", V("first")}})); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("RecursionError"));
        QCOMPARE(error->message(), str("maximum recursion depth exceeded"));
        int deepest = 0;
        for (const Line &line : e->log.lines)
            deepest = qMax(deepest, line.depth);
        QCOMPARE(deepest, 31);
        // One create per depth 0..31, each committed before its post_save; the
        // create at depth 32 fails at its pre_init.
        QCOMPARE(e->log.only("post_save").size(), 32);
        QCOMPARE(e->count("Log"), 32);
    }
};

QTEST_GUILESS_MAIN(TestAtomicity)
#include "tst_atomicity.moc"
