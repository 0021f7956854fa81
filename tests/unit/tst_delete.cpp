// Deletion against what Django's own tests/delete asserts (ported), with the
// contract's order rules (formats.md 5.5, 5.6, section 6 items 1-8): the order
// of pre_delete/post_delete for cascades, related rows read grouped by FK value,
// SET_NULL/SET_DEFAULT as plain UPDATEs, PROTECT/RESTRICT messages, DO_NOTHING
// failing at commit, pks nulled afterwards, and the collector's plan() that a
// GUI preview shows. Every expectation was also checked against Django 3.2
// (the conformance oracle) with the same operations.

#include "enginetestutil.h"

#include "model/collector.h"

#include <QtTest>

using namespace ss;
using namespace sst;

namespace {

// Django's tests/delete/models.py, reduced: P <- R <- S <- T, and A with one
// foreign key to R per on_delete.
const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "delete",
  "models": [
    {"name": "P", "fields": [{"name": "name", "type": "char"}]},
    {"name": "R", "fields": [
      {"name": "name", "type": "char"},
      {"name": "p", "type": "foreign_key", "to": "P", "on_delete": "CASCADE", "null": true}]},
    {"name": "S", "fields": [{"name": "r", "type": "foreign_key", "to": "R", "on_delete": "CASCADE"}]},
    {"name": "T", "fields": [{"name": "s", "type": "foreign_key", "to": "S", "on_delete": "CASCADE"}]},
    {"name": "A", "fields": [
      {"name": "name", "type": "char"},
      {"name": "cascade", "type": "foreign_key", "to": "R", "on_delete": "CASCADE", "null": true, "related_name": "cascade_set"},
      {"name": "setnull", "type": "foreign_key", "to": "R", "on_delete": "SET_NULL", "null": true, "related_name": "setnull_set"},
      {"name": "setdefault", "type": "foreign_key", "to": "R", "on_delete": "SET_DEFAULT", "null": true, "default": 1, "related_name": "setdefault_set"},
      {"name": "protect", "type": "foreign_key", "to": "R", "on_delete": "PROTECT", "null": true, "related_name": "protect_set"},
      {"name": "restrict", "type": "foreign_key", "to": "R", "on_delete": "RESTRICT", "null": true, "related_name": "restrict_set"},
      {"name": "donothing", "type": "foreign_key", "to": "R", "on_delete": "DO_NOTHING", "null": true, "related_name": "donothing_set"}]},
    {"name": "B", "fields": [{"name": "protect", "type": "foreign_key", "to": "R", "on_delete": "PROTECT"}]}
  ]
})";

const QByteArray kBlogSchema = R"({
  "format": "signalscope-schema/1",
  "app": "blog",
  "models": [
    {"name": "Blog", "fields": [{"name": "name", "type": "char"}]},
    {"name": "Post", "fields": [{"name": "blog", "type": "foreign_key", "to": "Blog", "on_delete": "CASCADE"}]},
    {"name": "Comment", "fields": [{"name": "post", "type": "foreign_key", "to": "Post", "on_delete": "CASCADE"}]}
  ]
})";

// The same with a nullable Post.blog (contract section 6, item 7).
const QByteArray kNullableBlogSchema = R"({
  "format": "signalscope-schema/1",
  "app": "blog",
  "models": [
    {"name": "Blog", "fields": []},
    {"name": "Post", "fields": [{"name": "blog", "type": "foreign_key", "to": "Blog", "on_delete": "CASCADE", "null": true}]},
    {"name": "Comment", "fields": [{"name": "post", "type": "foreign_key", "to": "Post", "on_delete": "CASCADE"}]}
  ]
})";

QStringList list(std::initializer_list<const char *> items) { return names(items); }

// The delete signals only, in order.
QStringList deletes(const LineLog &log) { return log.brief({"pre_delete", "post_delete"}); }

// The blog fixture: blog 1 with posts 1 and 2; comment 1 on post 2, comment 2
// on post 1, comment 3 on post 2 (pk order differs from FK order).
struct Blog
{
    std::unique_ptr<TestEngine> e;
    InstancePtr blog, post1, post2;
    explicit Blog(const QByteArray &schema = kBlogSchema) : e(makeEngine(schema))
    {
        blog = e->create("Blog");
        post1 = e->create("Post", kw({{"blog", V(blog)}}));
        post2 = e->create("Post", kw({{"blog", V(blog)}}));
        e->create("Comment", kw({{"post", V(post2)}}));
        e->create("Comment", kw({{"post", V(post1)}}));
        e->create("Comment", kw({{"post", V(post2)}}));
        e->log.clear();
    }
};

} // namespace

class TestDelete : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The collector's set of pks per model compares them as Python's set of
    // instances does: 1, 1.0 and True are one pk, "1" and 1.5 are others;
    // the same past the linear search, once the set hashes its integers.
    void pkKeysCompareAsPythonDoes()
    {
        PkKeySet keys;
        QVERIFY(keys.insert(QCborValue(1)));
        QVERIFY(!keys.insert(QCborValue(1)));
        QVERIFY(!keys.insert(QCborValue(1.0)));
        QVERIFY(!keys.insert(QCborValue(true)));
        QVERIFY(keys.contains(QCborValue(1.0)));
        QVERIFY(!keys.contains(QCborValue(QStringLiteral("1"))));
        QVERIFY(keys.insert(QCborValue(QStringLiteral("1"))));
        QVERIFY(!keys.insert(QCborValue(QStringLiteral("1"))));
        QVERIFY(keys.insert(QCborValue(1.5)));
        QVERIFY(!keys.insert(QCborValue(1.5)));
        QVERIFY(keys.insert(QCborValue(false)));
        QVERIFY(!keys.insert(QCborValue(0)));
        QVERIFY(!keys.contains(QCborValue(2)));
        for (qint64 n = 2; n < 100; ++n)
            QVERIFY(keys.insert(QCborValue(n)));
        for (qint64 n = 0; n < 100; ++n) {
            QVERIFY(keys.contains(QCborValue(n)));
            QVERIFY(keys.contains(QCborValue(double(n))));
            QVERIFY(!keys.insert(QCborValue(n)));
        }
        QVERIFY(!keys.contains(QCborValue(100)));
        QVERIFY(!keys.contains(QCborValue(-1)));
        QVERIFY(keys.contains(QCborValue(QStringLiteral("1"))));
        QVERIFY(!keys.contains(QCborValue(QStringLiteral("2"))));
        QVERIFY(keys.contains(QCborValue(1.5)));
    }

    // Django's test_deletion_order: referencing models first; pre_delete by
    // ascending pk, post_delete in the same model order by descending pk.
    void deletionOrder()
    {
        auto e = makeEngine(kSchema);
        const InstancePtr r = e->create("R", kw({{"name", V("r")}}));
        const InstancePtr s1 = e->create("S", kw({{"r", V(r)}}));
        const InstancePtr s2 = e->create("S", kw({{"r", V(r)}}));
        e->create("T", kw({{"s", V(s1)}}));
        e->create("T", kw({{"s", V(s2)}}));
        e->log.clear();
        e->engine->deleteInstance(r);
        COMPARE_LINES(deletes(e->log), list({"pre_delete T 1", "pre_delete T 2", "pre_delete S 1", "pre_delete S 2",
                                        "pre_delete R 1", "post_delete T 2", "post_delete T 1", "post_delete S 2",
                                        "post_delete S 1", "post_delete R 1"}));
        for (const char *m : {"R", "S", "T"})
            QCOMPARE(e->count(m), 0);
    }

    // Related rows are read before any delete signal, with `<fk> IN (...)`:
    // grouped by FK value, not in pk order (section 6, items 1 and 2).
    void cascadeReadsRowsGroupedByFk()
    {
        Blog b;
        b.e->engine->deleteInstance(b.blog);
        COMPARE_LINES(b.e->log.brief(),
                 list({"pre_init Post", "post_init Post 1", "pre_init Post", "post_init Post 2",
                       "pre_init Comment", "post_init Comment 2",        // post 1's comment
                       "pre_init Comment", "post_init Comment 1",        // then post 2's, by pk
                       "pre_init Comment", "post_init Comment 3",
                       "pre_delete Comment 1", "pre_delete Comment 2", "pre_delete Comment 3",
                       "pre_delete Post 1", "pre_delete Post 2", "pre_delete Blog 1",
                       "post_delete Comment 3", "post_delete Comment 2", "post_delete Comment 1",
                       "post_delete Post 2", "post_delete Post 1", "post_delete Blog 1"}));
        QCOMPARE(json(b.e->log.at(4).arg("args")), str("[2,1]"));
        for (const Line &line : b.e->log.lines)
            QCOMPARE(line.depth, 0);
        for (const char *m : {"Blog", "Post", "Comment"})
            QCOMPARE(b.e->count(m), 0);
        // The instance deleted gets pk None; other named instances are not the
        // collector's copies and keep theirs.
        QVERIFY(b.blog->pk().isNull());
        QCOMPARE(b.post1->pk().toInteger(), 1);
    }

    // A nullable CASCADE adds no "delete me first" dependency: the blog's
    // pre_delete comes before its posts' (section 6, item 7).
    void nullableCascadeAddsNoDependency()
    {
        Blog b(kNullableBlogSchema);
        b.e->engine->deleteInstance(b.blog);
        COMPARE_LINES(deletes(b.e->log), list({"pre_delete Blog 1", "pre_delete Comment 1", "pre_delete Comment 2",
                                          "pre_delete Comment 3", "pre_delete Post 1", "pre_delete Post 2",
                                          "post_delete Blog 1", "post_delete Comment 3", "post_delete Comment 2",
                                          "post_delete Comment 1", "post_delete Post 2", "post_delete Post 1"}));
        QCOMPARE(b.e->count("Post"), 0);
    }

    // delete_where reads the matching rows (pk order) and collects them all;
    // matching nothing sends nothing at all.
    void deleteWhere()
    {
        Blog b;
        b.e->engine->deleteWhere(b.e->model("Comment"), kw({{"post", V(999)}}));
        QCOMPARE(b.e->log.size(), 0);

        b.e->engine->deleteWhere(b.e->model("Comment"), kw({{"post", V(b.post2)}}));
        COMPARE_LINES(b.e->log.brief(), list({"pre_init Comment", "post_init Comment 1", "pre_init Comment",
                                         "post_init Comment 3", "pre_delete Comment 1", "pre_delete Comment 3",
                                         "post_delete Comment 3", "post_delete Comment 1"}));
        QCOMPARE(b.e->pks("Comment"), str("[2]"));
    }

    // SET_NULL / SET_DEFAULT: the referencing rows are read, then updated with a
    // plain UPDATE: no pre_save/post_save; named instances keep the old id
    // (section 6, item 3).
    void setNullAndSetDefaultSendNoSaveSignals()
    {
        auto e = makeEngine(kSchema);
        e->create("R", kw({{"name", V("default")}}));
        const InstancePtr r = e->create("R", kw({{"name", V("r")}}));
        const InstancePtr a = e->create("A", kw({{"name", V("a")}, {"setnull", V(r)}, {"setdefault", V(r)}}));
        e->log.clear();
        e->engine->deleteInstance(r);
        COMPARE_LINES(e->log.brief(), list({"pre_init A", "post_init A 1", "pre_init A", "post_init A 1",
                                       "pre_delete R 2", "post_delete R 2"}));
        QCOMPARE(e->row("A", QCborValue(1)), str(R"([1,"a",null,null,1,null,null,null])"));
        QCOMPARE(e->engine->attribute(*a, str("setnull_id")).toInteger(), 2);
        QCOMPARE(e->engine->attribute(*a, str("setdefault_id")).toInteger(), 2);
        QCOMPARE(e->pks("R"), str("[1]"));
    }

    // Django's test_protect / test_protect_multiple: the blocking rows are read,
    // then ProtectedError naming the model and every protecting key; nothing
    // deleted, no delete signal, the pk stays (section 6, item 4).
    void protect()
    {
        auto e = makeEngine(kSchema);
        e->create("R", kw({{"name", V("default")}}));          // pk 1: A.setdefault's default
        const InstancePtr r = e->create("R", kw({{"name", V("r")}}));
        e->create("A", kw({{"name", V("a")}, {"protect", V(r)}}));
        e->log.clear();
        auto error = thrown([&] { e->engine->deleteInstance(r); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("ProtectedError"));
        QCOMPARE(error->message(), str("Cannot delete some instances of model 'R' because they are referenced through "
                                       "protected foreign keys: 'A.protect'."));
        COMPARE_LINES(e->log.brief(), list({"pre_init A", "post_init A 1"}));
        QCOMPARE(r->pk().toInteger(), 2);
        QCOMPARE(e->count("R"), 2);

        e->create("B", kw({{"protect", V(r)}}));
        e->log.clear();
        error = thrown([&] { e->engine->deleteInstance(r); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("Cannot delete some instances of model 'R' because they are referenced through "
                                       "protected foreign keys: 'A.protect', 'B.protect'."));
        COMPARE_LINES(e->log.brief(), list({"pre_init A", "post_init A 1", "pre_init B", "post_init B 1"}));
        COMPARE_LINES(deletes(e->log), QStringList());
    }

    // A PROTECT met inside a cascade is reported under the cascading field of
    // the outermost model, and the remaining relations are still read before
    // the error (section 6, item 8).
    void protectInsideCascadeReportedUnderCascadingField()
    {
        auto e = makeEngine(R"({
          "format": "signalscope-schema/1", "app": "tree",
          "models": [
            {"name": "Node", "fields": [{"name": "parent", "type": "foreign_key", "to": "self", "on_delete": "CASCADE", "null": true}]},
            {"name": "Pin", "fields": [{"name": "node", "type": "foreign_key", "to": "Node", "on_delete": "PROTECT"}]},
            {"name": "Lock", "fields": [{"name": "node", "type": "foreign_key", "to": "Node", "on_delete": "PROTECT"}]}]
        })");
        const InstancePtr root = e->create("Node");
        const InstancePtr child = e->create("Node", kw({{"parent", V(root)}}));
        const InstancePtr grandchild = e->create("Node", kw({{"parent", V(child)}}));
        e->create("Pin", kw({{"node", V(grandchild)}}));
        e->create("Lock", kw({{"node", V(root)}}));
        e->log.clear();
        const auto error = thrown([&] { e->engine->deleteInstance(root); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("ProtectedError"));
        QCOMPARE(error->message(), str("Cannot delete some instances of model 'Node' because they are referenced through "
                                       "protected foreign keys: 'Node.parent', 'Lock.node'."));
        COMPARE_LINES(e->log.brief(), list({"pre_init Node", "post_init Node 2", "pre_init Node", "post_init Node 3",
                                       "pre_init Pin", "post_init Pin 1", "pre_init Lock", "post_init Lock 1"}));
        QCOMPARE(e->count("Node"), 3);

        // Without the blockers, the whole tree goes.
        e->engine->deleteWhere(e->model("Pin"), {});
        e->engine->deleteWhere(e->model("Lock"), {});
        e->log.clear();
        e->engine->deleteInstance(root);
        COMPARE_LINES(deletes(e->log), list({"pre_delete Node 1", "pre_delete Node 2", "pre_delete Node 3",
                                        "post_delete Node 3", "post_delete Node 2", "post_delete Node 1"}));
        QCOMPARE(e->count("Node"), 0);
    }

    // Django's test_restrict: RestrictedError names the model and the key.
    void restrict()
    {
        auto e = makeEngine(kSchema);
        e->create("R", kw({{"name", V("default")}}));
        const InstancePtr r = e->create("R", kw({{"name", V("r")}}));
        e->create("A", kw({{"name", V("a")}, {"restrict", V(r)}}));
        e->log.clear();
        const auto error = thrown([&] { e->engine->deleteInstance(r); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("RestrictedError"));
        QCOMPARE(error->message(), str("Cannot delete some instances of model 'R' because they are referenced through "
                                       "restricted foreign keys: 'A.restrict'."));
        COMPARE_LINES(e->log.brief(), list({"pre_init A", "post_init A 1"}));
        QCOMPARE(e->count("R"), 2);
        QCOMPARE(e->count("A"), 1);
    }

    // Django's test_restrict_path_cascade_indirect: the error names the model
    // deleted (P), not the one restricted; once the restricted row is also
    // reached through a CASCADE, it is forgiven.
    void restrictPathCascadeIndirect()
    {
        auto e = makeEngine(kSchema);
        const InstancePtr p = e->create("P");
        const InstancePtr r = e->create("R", kw({{"name", V("r")}, {"p", V(p)}}));
        const InstancePtr a = e->create("A", kw({{"name", V("restrict")}, {"restrict", V(r)}}));
        e->log.clear();
        const auto error = thrown([&] { e->engine->deleteInstance(p); });
        QVERIFY(error);
        QCOMPARE(error->message(), str("Cannot delete some instances of model 'P' because they are referenced through "
                                       "restricted foreign keys: 'A.restrict'."));
        COMPARE_LINES(deletes(e->log), QStringList());

        // a.cascade = r: now A is collected through R.cascade_set as well.
        e->engine->assign(a, str("cascade"), V(r));
        e->engine->save(a);
        e->log.clear();
        e->engine->deleteInstance(p);
        // R.p and A.cascade are nullable (no dependency), but the restriction
        // recorded "A before R": P, A, R (section 6, item 7).
        COMPARE_LINES(deletes(e->log), list({"pre_delete P 1", "pre_delete A 1", "pre_delete R 1", "post_delete P 1",
                                        "post_delete A 1", "post_delete R 1"}));
        QCOMPARE(e->count("A"), 0);
        QCOMPARE(e->count("R"), 0);
    }

    // Django's Artist/Album/Song example (section 6, item 5): deleting the album
    // alone is restricted; deleting the artist cascades to both and forgives it.
    void restrictForgivenThroughCascade()
    {
        auto e = makeEngine(R"({
          "format": "signalscope-schema/1", "app": "music",
          "models": [
            {"name": "Artist", "fields": [{"name": "name", "type": "char"}]},
            {"name": "Album", "fields": [{"name": "artist", "type": "foreign_key", "to": "Artist", "on_delete": "CASCADE"}]},
            {"name": "Song", "fields": [
              {"name": "artist", "type": "foreign_key", "to": "Artist", "on_delete": "CASCADE"},
              {"name": "album", "type": "foreign_key", "to": "Album", "on_delete": "RESTRICT"}]}]
        })");
        const InstancePtr artist = e->create("Artist", kw({{"name", V("a")}}));
        const InstancePtr album = e->create("Album", kw({{"artist", V(artist)}}));
        e->create("Song", kw({{"artist", V(artist)}, {"album", V(album)}}));
        e->log.clear();
        const auto error = thrown([&] { e->engine->deleteInstance(album); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("RestrictedError"));
        QCOMPARE(error->message(), str("Cannot delete some instances of model 'Album' because they are referenced through "
                                       "restricted foreign keys: 'Song.album'."));
        e->log.clear();
        e->engine->deleteInstance(artist);
        // The song is read twice: once as restricted by Album, once through Artist's cascade.
        COMPARE_LINES(e->log.brief(), list({"pre_init Album", "post_init Album 1", "pre_init Song", "post_init Song 1",
                                       "pre_init Song", "post_init Song 1", "pre_delete Song 1", "pre_delete Album 1",
                                       "pre_delete Artist 1", "post_delete Song 1", "post_delete Album 1",
                                       "post_delete Artist 1"}));
        for (const char *m : {"Artist", "Album", "Song"})
            QCOMPARE(e->count(m), 0);
    }

    // DO_NOTHING: no query for the relation, every delete signal sent, then the
    // deferred foreign key check fails at commit and everything is rolled back
    // (section 6, item 6). The pk is not nulled.
    void doNothingFailsAtCommit()
    {
        auto e = makeEngine(kSchema);
        e->create("R", kw({{"name", V("default")}}));
        const InstancePtr r = e->create("R", kw({{"name", V("r")}}));
        e->create("A", kw({{"name", V("a")}, {"donothing", V(r)}}));
        e->log.clear();
        const auto error = thrown([&] { e->engine->deleteInstance(r); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("IntegrityError"));
        QCOMPARE(error->message(), str("FOREIGN KEY constraint failed"));
        COMPARE_LINES(e->log.brief(), list({"pre_delete R 2", "post_delete R 2"}));
        QCOMPARE(r->pk().toInteger(), 2);
        QCOMPARE(e->count("R"), 2);
        QCOMPARE(e->count("A"), 1);
    }

    // Django's test_instance_update: after the delete every collected instance
    // (the copies receivers saw) has pk None, and SET_NULL rows are null.
    void instanceUpdate()
    {
        auto e = makeEngine(kSchema);
        QVector<InstancePtr> deleted;
        e->connect(e->engine->preDelete, [&](const Sender &, const SignalArgs &args) {
            deleted << args.get(QStringLiteral("instance")).instance();
        });
        e->create("R", kw({{"name", V("default")}}));
        const InstancePtr r1 = e->create("R", kw({{"name", V("setnull")}}));
        e->create("A", kw({{"name", V("update_setnull")}, {"setnull", V(r1)}}));
        e->engine->deleteInstance(r1);
        const InstancePtr r2 = e->create("R", kw({{"name", V("cascade")}}));
        e->create("A", kw({{"name", V("update_cascade")}, {"cascade", V(r2)}}));
        e->engine->deleteInstance(r2);

        QCOMPARE(deleted.size(), 3);      // R 1, then A 2 and R 2
        for (const InstancePtr &obj : std::as_const(deleted))
            QVERIFY2(obj->pk().isNull(), qPrintable(obj->model()->name));
        QCOMPARE(e->column("A", "setnull"), str("[null]"));
        QCOMPARE(e->column("A", "setdefault"), str("[1]"));
        QCOMPARE(e->column("A", "name"), str(R"(["update_setnull"])"));
    }

    // Collector::plan(): what deleteCollected() will do, for a preview. Planning
    // reads rows (their init signals) but sends no delete signal and changes
    // nothing; deleting afterwards follows the plan.
    void collectorPlan()
    {
        Blog b;
        Collector collector(*b.e->engine);
        collector.collect({b.blog});
        const QVector<Collector::PlannedModel> plan = collector.plan();
        QStringList planned;
        for (const Collector::PlannedModel &entry : plan) {
            QStringList pks;
            for (const InstancePtr &object : entry.instances)
                pks << json(object->pk());
            planned << entry.model->name + QLatin1Char(' ') + pks.join(QLatin1Char(','));
        }
        COMPARE_LINES(planned, list({"Comment 1,2,3", "Post 1,2", "Blog 1"}));
        QVERIFY(collector.fieldUpdates().isEmpty());
        COMPARE_LINES(deletes(b.e->log), QStringList());
        QCOMPARE(b.e->log.brief({"pre_init"}).size(), 5);
        QCOMPARE(b.e->count("Comment"), 3);
        QVERIFY(!b.blog->pk().isNull());

        b.e->log.clear();
        collector.deleteCollected();
        COMPARE_LINES(deletes(b.e->log), list({"pre_delete Comment 1", "pre_delete Comment 2", "pre_delete Comment 3",
                                          "pre_delete Post 1", "pre_delete Post 2", "pre_delete Blog 1",
                                          "post_delete Comment 3", "post_delete Comment 2", "post_delete Comment 1",
                                          "post_delete Post 2", "post_delete Post 1", "post_delete Blog 1"}));
        QCOMPARE(b.e->count("Comment"), 0);
        QVERIFY(b.blog->pk().isNull());
    }

    // The plan lists SET_NULL / SET_DEFAULT updates separately, and models
    // without instances do not appear with any.
    void collectorPlanFieldUpdates()
    {
        auto e = makeEngine(kSchema);
        e->create("R", kw({{"name", V("default")}}));
        const InstancePtr r = e->create("R", kw({{"name", V("r")}}));
        e->create("A", kw({{"name", V("a1")}, {"setnull", V(r)}}));
        e->create("A", kw({{"name", V("a2")}, {"setnull", V(r)}, {"setdefault", V(r)}}));
        Collector collector(*e->engine);
        collector.collect({r});
        const QVector<Collector::PlannedModel> plan = collector.plan();
        QCOMPARE(plan.size(), 1);
        QCOMPARE(plan[0].model->name, str("R"));
        QStringList updates;
        for (const Collector::FieldUpdate &u : collector.fieldUpdates()) {
            QStringList pks;
            for (const InstancePtr &object : u.instances)
                pks << json(object->pk());
            updates << QStringLiteral("%1.%2=%3 %4").arg(u.field->owner->name, u.field->name, json(u.value),
                                                         pks.join(QLatin1Char(',')));
        }
        COMPARE_LINES(updates, list({"A.setnull=null 1,2", "A.setdefault=1 2"}));
        QCOMPARE(e->column("A", "setnull"), str("[2,2]"));       // nothing changed yet
        collector.deleteCollected();
        QCOMPARE(e->column("A", "setnull"), str("[null,null]"));
        QCOMPARE(e->column("A", "setdefault"), str("[1,1]"));
        QCOMPARE(e->log.brief({"pre_save", "post_save"}).size(), 8);   // only the four creates
    }

    // A collector that refuses (PROTECT) refuses in collect(), before any plan.
    void collectorRefusesProtected()
    {
        auto e = makeEngine(kSchema);
        const InstancePtr r = e->create("R", kw({{"name", V("r")}}));
        e->create("B", kw({{"protect", V(r)}}));
        Collector collector(*e->engine);
        const auto error = thrown([&] { collector.collect({r}); });
        QVERIFY(error);
        QCOMPARE(error->type(), str("ProtectedError"));
        QCOMPARE(error->message(), str("Cannot delete some instances of model 'R' because they are referenced through "
                                       "protected foreign keys: 'B.protect'."));
    }
};

QTEST_GUILESS_MAIN(TestDelete)
#include "tst_delete.moc"
