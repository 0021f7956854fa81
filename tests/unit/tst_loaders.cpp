// The loaders against contract sections 1-3: every public schema and scenario
// loads; every refusal of the Validation paragraph (section 3) has a fixture in
// tests/data/bad/ whose message must name the file, the JSON path and the
// line:column of the offending value; and the JSON reader underneath keeps
// what Qt's own parser loses (99.0 stays a float).

#include "formats/jsonreader.h"
#include "formats/loaders.h"
#include "python/djangocode.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;

namespace {

QString testData(const QString &relative)
{
    return QStringLiteral(SIGNALSCOPE_TEST_DATA "/") + relative;
}

// The public conformance files (a copy of the shared ones). The variable lets
// a developer point the test at another copy.
QString conformanceDir()
{
    return qEnvironmentVariable("SIGNALSCOPE_CONFORMANCE_DIR", testData(QStringLiteral("conformance")));
}

QStringList filesIn(const QString &dir, const QString &pattern)
{
    return QDir(dir).entryList({pattern}, QDir::Files, QDir::Name);
}

// line:column of `needle` in `file`; a '^' inside the needle marks the exact
// spot (for needles that are only unique with some context before them).
// Counted by hand here, independently of the reader under test.
QPair<int, int> positionOfNeedle(const QString &file, QString needle)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {-1, -1};
    const QByteArray text = f.readAll();
    const int marker = int(needle.indexOf(QLatin1Char('^')));
    needle.remove(QLatin1Char('^'));
    const qsizetype found = text.indexOf(needle.toUtf8());
    if (found < 0 || text.indexOf(needle.toUtf8(), found + 1) >= 0)
        return {-2, -2};    // the needle must occur exactly once
    const qsizetype offset = found + qMax(0, marker);
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (text.at(i) == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    return {line, int(offset - lineStart) + 1};
}

LoadError loadBad(const QString &path)
{
    LoadError error;
    if (path.endsWith(QLatin1String(".scenario.json"))) {
        const auto scenario = loadScenarioFile(path, &error);
        if (scenario)
            error.message = QStringLiteral("UNEXPECTEDLY LOADED");
    } else {
        const auto schema = loadSchemaFile(path, &error);
        if (schema)
            error.message = QStringLiteral("UNEXPECTEDLY LOADED");
    }
    return error;
}

QByteArray minimalScenario(const QByteArray &steps)
{
    return QByteArray(R"({"format": "signalscope-scenario/1", "schema": {"format": "signalscope-schema/1", "app": "shop",
        "signals": ["pinged"],
        "models": [{"name": "Topping", "fields": [{"name": "name", "type": "char"}]}]}, "steps": )") + steps + "}";
}

} // namespace

class TestLoaders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The public conformance files
    void conformanceFilesArePresent();
    void loadsConformanceSchema_data();
    void loadsConformanceSchema();
    void loadsConformanceScenario_data();
    void loadsConformanceScenario();
    void resolvesSchemaPathRelativeToScenario();

    // What a loaded file holds
    void schemaDeclarations();
    void selfRelationsAndThroughModels();
    void scenarioStepsFilledForEveryOp();
    void inlineSchemaAndReceiverOrigins();
    void keepsIntegersAndFloatsApart();
    void laterBindingsAndConnectsAreVisible();
    void djangoVersionKey_data();
    void djangoVersionKey();
    void refusesArgumentsWithoutRawValue_data();
    void refusesArgumentsWithoutRawValue();

    // Refusals (section 3, Validation)
    void refusesBadFixture_data();
    void refusesBadFixture();
    void refusesMissingFile();
    void refusesDirectory();
    void refusesDeepNestingWithoutOverflow_data();
    void refusesDeepNestingWithoutOverflow();
    void syntaxErrorHasLineAndColumn();

    // Steps read one at a time: the same steps and messages as a tree
    void streamedLoadMatchesTreeLoad_data();
    void streamedLoadMatchesTreeLoad();
    void streamedLoadReportsWhatTheTreeLoadReports_data();
    void streamedLoadReportsWhatTheTreeLoadReports();
    void streamedLoadKeepsTheFileOrderOfErrors();
    void streamedLoadLastStepsKeyWins();
    void stepsShareTheirNames();

    // LoadError and format sniffing
    void errorToString();
    void looksLikeScenarioReadsTheTag();

    // The JSON reader
    void readerNumbers_data();
    void readerNumbers();
    void readerStrings();
    void readerRefusesNonJson_data();
    void readerRefusesNonJson();
    void readerNestingLimit();
    void readerLocatesValues();
    void readerStreamsPieces();
};

// ---------------------------------------------------------------------------

void TestLoaders::conformanceFilesArePresent()
{
    QVERIFY2(filesIn(conformanceDir() + QStringLiteral("/schemas"), QStringLiteral("*.schema.json")).size() >= 14,
             qPrintable(conformanceDir()));
    QVERIFY2(filesIn(conformanceDir() + QStringLiteral("/scenarios"), QStringLiteral("*.scenario.json")).size() >= 20,
             qPrintable(conformanceDir()));
}

void TestLoaders::loadsConformanceSchema_data()
{
    QTest::addColumn<QString>("path");
    const QString dir = conformanceDir() + QStringLiteral("/schemas");
    for (const QString &name : filesIn(dir, QStringLiteral("*.schema.json")))
        QTest::newRow(qPrintable(name)) << dir + QLatin1Char('/') + name;
}

void TestLoaders::loadsConformanceSchema()
{
    QFETCH(QString, path);
    LoadError error;
    const auto schema = loadSchemaFile(path, &error);
    QVERIFY2(schema, qPrintable(error.toString()));
    QCOMPARE(schema->path, path);
    QVERIFY(!schema->app.isEmpty());
    QVERIFY(!schema->models.isEmpty());
}

void TestLoaders::loadsConformanceScenario_data()
{
    QTest::addColumn<QString>("path");
    const QString dir = conformanceDir() + QStringLiteral("/scenarios");
    for (const QString &name : filesIn(dir, QStringLiteral("*.scenario.json")))
        QTest::newRow(qPrintable(name)) << dir + QLatin1Char('/') + name;
}

void TestLoaders::loadsConformanceScenario()
{
    QFETCH(QString, path);
    LoadError error;
    const auto scenario = loadScenarioFile(path, &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    QCOMPARE(scenario->path, path);
    QVERIFY(!scenario->name.isEmpty());
    QVERIFY(!scenario->steps.isEmpty());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray written = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("steps")).toArray();
    QCOMPARE(written.size(), scenario->steps.size());
    for (int i = 0; i < scenario->steps.size(); ++i) {
        const StepDecl &step = scenario->steps[i];
        QCOMPARE(step.index, i);
        QCOMPARE(written.at(i).toObject().value(QStringLiteral("op")).toString(), stepOpName(step.op));
    }
}

void TestLoaders::resolvesSchemaPathRelativeToScenario()
{
    const QString path = conformanceDir() + QStringLiteral("/scenarios/m2m_add_remove_clear_set.scenario.json");
    LoadError error;
    const auto scenario = loadScenarioFile(path, &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    QCOMPARE(scenario->schema.path, QDir::cleanPath(conformanceDir() + QStringLiteral("/schemas/pizzeria.schema.json")));
    QCOMPARE(scenario->schema.app, QStringLiteral("pizzeria"));
    QCOMPARE(scenario->schema.receivers.size(), 1);
    QCOMPARE(scenario->schema.receivers[0].origin, QStringLiteral("pizzeria.schema.json: receivers[0]"));
    QCOMPARE(scenario->schema.receivers[0].sender, std::optional<QString>(QStringLiteral("Pizza_toppings")));
}

// ---------------------------------------------------------------------------

void TestLoaders::schemaDeclarations()
{
    const QByteArray json = R"({
      "format": "signalscope-schema/1", "app": "shop", "signals": ["pinged", "ponged"],
      "models": [
        {"name": "User", "fields": [
          {"name": "username", "type": "char", "max_length": 150, "unique": true, "db_index": true},
          {"name": "email", "type": "char", "default": ""},
          {"name": "score", "type": "float", "default": 2.0, "blank": true},
          {"name": "visits", "type": "int", "null": true}
        ]},
        {"name": "Profile", "fields": [
          {"name": "code", "type": "char", "primary_key": true},
          {"name": "user", "type": "one_to_one", "to": "User", "on_delete": "SET_DEFAULT", "default": 1},
          {"name": "backup", "type": "foreign_key", "to": "User", "on_delete": "SET_NULL", "null": true, "related_name": "backups"}
        ]}
      ],
      "receivers": [
        {"name": "welcome", "signal": "post_save", "sender": "User", "dispatch_uid": "w1",
         "when": {"created": true, "changed": ["email", "username"]},
         "do": [
           {"create": "Profile", "values": {"user": "$instance", "code": "x"}},
           {"save": "$instance.user", "update_fields": ["email"], "force_insert": true},
           {"set": {"email": "a@b"}},
           {"delete": "$instance"},
           {"notify": "hi {instance.pk}"},
           {"send": "pinged", "robust": true},
           {"raise": "boom"}
         ]},
        {"name": "anything", "signal": "ponged", "sender": null}
      ]
    })";
    LoadError error;
    const auto schema = parseSchema(json, QStringLiteral("mem/shop.schema.json"), &error);
    QVERIFY2(schema, qPrintable(error.toString()));
    QCOMPARE(schema->path, QStringLiteral("mem/shop.schema.json"));
    QCOMPARE(schema->app, QStringLiteral("shop"));
    QCOMPARE(schema->customSignals, QStringList({QStringLiteral("pinged"), QStringLiteral("ponged")}));
    QCOMPARE(schema->models.size(), 2);

    const ModelDecl &user = schema->models[0];
    QCOMPARE(user.name, QStringLiteral("User"));
    QCOMPARE(user.fields.size(), 4);
    QCOMPARE(user.fields[0].maxLength, 150);
    QVERIFY(user.fields[0].unique && user.fields[0].dbIndex && !user.fields[0].null);
    QVERIFY(!user.fields[0].defaultValue);
    QCOMPARE(*user.fields[1].defaultValue, QCborValue(QString()));
    QVERIFY(user.fields[2].defaultValue->isDouble());
    QVERIFY(user.fields[2].blank);
    QCOMPARE(user.fields[2].type, FieldType::Float);
    QVERIFY(user.fields[3].null);
    QCOMPARE(user.fields[3].maxLength, 255);

    const ModelDecl &profile = schema->models[1];
    QVERIFY(profile.fields[0].primaryKey);
    QCOMPARE(profile.fields[1].type, FieldType::OneToOne);
    QCOMPARE(profile.fields[1].to, QStringLiteral("User"));
    QCOMPARE(profile.fields[1].onDelete, OnDelete::SetDefault);
    QVERIFY(profile.fields[1].defaultValue->isInteger());
    QCOMPARE(profile.fields[2].onDelete, OnDelete::SetNull);
    QCOMPARE(profile.fields[2].relatedName, QStringLiteral("backups"));

    QCOMPARE(schema->receivers.size(), 2);
    const ReceiverDecl &welcome = schema->receivers[0];
    QCOMPARE(welcome.name, QStringLiteral("welcome"));
    QCOMPARE(welcome.signal, QStringLiteral("post_save"));
    QCOMPARE(welcome.sender, std::optional<QString>(QStringLiteral("User")));
    QCOMPARE(welcome.dispatchUid, std::optional<QString>(QStringLiteral("w1")));
    QCOMPARE(welcome.exactWhen.value(QStringLiteral("created")), QCborValue(true));
    QCOMPARE(welcome.origin, QStringLiteral("shop.schema.json: receivers[0]"));
    QCOMPARE(welcome.actions.size(), 7);
    const auto &a = welcome.actions;
    QCOMPARE(a[0].kind, ActionDecl::Kind::Create);
    QCOMPARE(a[0].model, QStringLiteral("Profile"));
    QCOMPARE(a[0].exactValues.value(QStringLiteral("user")).toString(), QStringLiteral("$instance"));
    QCOMPARE(a[0].exactValues.value(QStringLiteral("code")), QCborValue(QStringLiteral("x")));
    QCOMPARE(a[1].kind, ActionDecl::Kind::Save);
    QCOMPARE(a[1].target, QCborValue(QStringLiteral("$instance.user")));
    QCOMPARE(a[1].updateFields, std::optional<QStringList>(QStringList{QStringLiteral("email")}));
    QVERIFY(a[1].forceInsert);
    QCOMPARE(a[2].kind, ActionDecl::Kind::Set);
    QCOMPARE(a[2].exactValues.value(QStringLiteral("email")).toString(), QStringLiteral("a@b"));
    QCOMPARE(a[3].kind, ActionDecl::Kind::Delete);
    QCOMPARE(a[3].target, QCborValue(QStringLiteral("$instance")));
    QCOMPARE(a[4].kind, ActionDecl::Kind::Notify);
    QCOMPARE(a[4].text, QStringLiteral("hi {instance.pk}"));
    QCOMPARE(a[5].kind, ActionDecl::Kind::Send);
    QCOMPARE(a[5].signal, QStringLiteral("pinged"));
    QVERIFY(a[5].robust);
    QCOMPARE(a[6].kind, ActionDecl::Kind::Raise);
    QCOMPARE(a[6].text, QStringLiteral("boom"));

    const ReceiverDecl &anything = schema->receivers[1];
    QVERIFY(!anything.sender);
    QVERIFY(!anything.dispatchUid);
    QVERIFY(anything.actions.isEmpty());
    QVERIFY(anything.exactWhen.isEmpty());

    // max_length: an integer, also written as 80.0 (Python would take it); not 0 or 2.5.
    const QByteArray lengths = R"({"format": "signalscope-schema/1", "app": "a", "models": [
        {"name": "M", "fields": [{"name": "title", "type": "char", "max_length": 80.0}]}]})";
    const auto withLength = parseSchema(lengths, QStringLiteral("l.schema.json"), &error);
    QVERIFY2(withLength, qPrintable(error.toString()));
    QCOMPARE(withLength->models[0].fields[0].maxLength, 80);
    QVERIFY(!parseSchema(QByteArray(lengths).replace("80.0", "0"), QStringLiteral("l.schema.json"), &error));
    QCOMPARE(error.toString(), QStringLiteral("l.schema.json:2:82: models[0].fields[0].max_length: expected a positive integer, found 0"));
    QVERIFY(!parseSchema(QByteArray(lengths).replace("80.0", "2.5"), QStringLiteral("l.schema.json"), &error));
    QCOMPARE(error.path, QStringLiteral("models[0].fields[0].max_length"));
}

void TestLoaders::selfRelationsAndThroughModels()
{
    const QByteArray json = R"({
      "format": "signalscope-schema/1", "app": "net",
      "models": [
        {"name": "Node", "fields": [
          {"name": "parent", "type": "foreign_key", "to": "self", "on_delete": "CASCADE", "null": true},
          {"name": "friends", "type": "many_to_many", "to": "self"},
          {"name": "follows", "type": "many_to_many", "to": "Node", "symmetrical": false, "related_name": "followers"},
          {"name": "groups", "type": "many_to_many", "to": "Group", "through": "Membership"}
        ]},
        {"name": "Group", "fields": []},
        {"name": "Membership", "fields": [
          {"name": "node", "type": "foreign_key", "to": "Node", "on_delete": "CASCADE"},
          {"name": "group", "type": "foreign_key", "to": "Group", "on_delete": "PROTECT"}
        ]}
      ],
      "receivers": [
        {"name": "r", "signal": "m2m_changed", "sender": "Node_friends"},
        {"name": "s", "signal": "m2m_changed", "sender": "Membership", "dispatch_uid": 7}
      ]
    })";
    LoadError error;
    const auto schema = parseSchema(json, QStringLiteral("net.schema.json"), &error);
    QVERIFY2(schema, qPrintable(error.toString()));
    const ModelDecl &node = schema->models[0];
    QCOMPARE(node.fields[0].to, QStringLiteral("Node"));       // "self" resolved
    QCOMPARE(node.fields[1].to, QStringLiteral("Node"));
    QVERIFY(node.fields[1].symmetrical);
    QVERIFY(!node.fields[2].symmetrical);
    QCOMPARE(node.fields[3].through, QStringLiteral("Membership"));
    QCOMPARE(node.fields[3].onDelete, OnDelete::None);
    QVERIFY(schema->models[1].fields.isEmpty());
    QCOMPARE(schema->receivers[1].dispatchUid, std::optional<QString>(QStringLiteral("7")));   // Django takes any hashable

    // A through model with two foreign keys to the model itself is also fine.
    const QByteArray selfThrough = R"({"format": "signalscope-schema/1", "app": "net", "models": [
        {"name": "Person", "fields": [{"name": "friends", "type": "many_to_many", "to": "self", "through": "Friendship", "symmetrical": false}]},
        {"name": "Friendship", "fields": [
          {"name": "a", "type": "foreign_key", "to": "Person", "on_delete": "CASCADE"},
          {"name": "b", "type": "foreign_key", "to": "Person", "on_delete": "CASCADE"}]}]})";
    QVERIFY2(parseSchema(selfThrough, QStringLiteral("f.schema.json"), &error), qPrintable(error.toString()));
}

void TestLoaders::scenarioStepsFilledForEveryOp()
{
    const QByteArray json = R"({
      "format": "signalscope-scenario/1", "name": "every op", "description": "all of them",
      "schema": {"format": "signalscope-schema/1", "app": "shop", "signals": ["pinged"],
        "models": [
          {"name": "Topping", "fields": [{"name": "name", "type": "char"}, {"name": "price", "type": "float", "null": true}]},
          {"name": "Pizza", "fields": [{"name": "toppings", "type": "many_to_many", "to": "Topping", "related_name": "pizzas"}]}
        ],
        "receivers": [{"name": "log", "signal": "post_save", "do": [{"notify": "x"}]}]},
      "steps": [
        {"op": "new", "model": "Topping", "values": {"name": "ham", "price": 1.0}, "as": "ham"},
        {"op": "create", "model": "Pizza", "values": {}, "as": "pizza"},
        {"op": "set", "ref": "ham", "values": {"name": "$$ham"}},
        {"op": "save", "ref": "ham", "update_fields": ["name"], "force_insert": true},
        {"op": "get", "model": "Topping", "where": {"name": "ham"}, "as": "ham2"},
        {"op": "all", "model": "Topping", "where": {"pk": "$ham.pk"}, "as": ["t1", "t2"]},
        {"op": "refresh", "ref": "t1"},
        {"op": "update", "model": "Topping", "values": {"price": 2}},
        {"op": "bulk_create", "model": "Topping", "rows": [{"name": "a"}, {"name": "b", "price": 3.5}], "as": ["a", "b"]},
        {"op": "delete", "ref": "a"},
        {"op": "delete_where", "model": "Topping", "where": {"name": "b"}},
        {"op": "m2m", "ref": "pizza", "field": "toppings", "action": "set", "targets": ["$ham", 7], "clear": true},
        {"op": "loaddata", "model": "Pizza", "rows": [{"pk": 5, "toppings": [1, 2]}]},
        {"op": "connect", "receiver": {"name": "late", "signal": "pinged", "sender": "Pizza_toppings", "do": [{"notify": "y"}]}},
        {"op": "disconnect", "name": "late"},
        {"op": "send", "signal": "pinged", "sender": "Pizza", "instance": "$pizza", "robust": true},
        {"op": "migrate"},
        {"op": "m2m", "ref": "ham2", "field": "pizzas", "action": "clear"},
        {"op": "all", "model": "Pizza"},
        {"op": "send", "signal": "pinged"}
      ]
    })";
    LoadError error;
    const auto scenario = parseScenario(json, QStringLiteral("every.scenario.json"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    QCOMPARE(scenario->name, QStringLiteral("every op"));
    QCOMPARE(scenario->description, QStringLiteral("all of them"));
    const auto &s = scenario->steps;
    QCOMPARE(s.size(), 20);
    using Op = StepDecl::Op;
    const QVector<Op> ops = {Op::New, Op::Create, Op::Set, Op::Save, Op::Get, Op::All, Op::Refresh, Op::Update,
                             Op::BulkCreate, Op::Delete, Op::DeleteWhere, Op::M2m, Op::LoadData, Op::Connect,
                             Op::Disconnect, Op::Send, Op::Migrate, Op::M2m, Op::All, Op::Send};
    for (int i = 0; i < s.size(); ++i) {
        QCOMPARE(s[i].op, ops[i]);
        QCOMPARE(s[i].index, i);
    }

    QCOMPARE(s[0].model, QStringLiteral("Topping"));
    QCOMPARE(s[0].as, QStringLiteral("ham"));
    QCOMPARE(s[0].exactValues.value(QStringLiteral("name")).toString(), QStringLiteral("ham"));
    QVERIFY(s[0].exactValues.value(QStringLiteral("price")).isDouble());
    QCOMPARE(s[1].model, QStringLiteral("Pizza"));
    QVERIFY(s[1].exactValues.isEmpty());
    QCOMPARE(s[2].ref, QStringLiteral("ham"));
    QCOMPARE(s[2].exactValues.value(QStringLiteral("name")).toString(), QStringLiteral("$$ham"));  // unescaped at run time
    QCOMPARE(s[3].ref, QStringLiteral("ham"));
    QCOMPARE(s[3].updateFields, std::optional<QStringList>(QStringList{QStringLiteral("name")}));
    QVERIFY(s[3].forceInsert);
    QCOMPARE(s[4].as, QStringLiteral("ham2"));
    QVERIFY(s[4].exactWhere);
    QCOMPARE(s[4].exactWhere->value(QStringLiteral("name")).toString(), QStringLiteral("ham"));
    QCOMPARE(s[5].extra().asList, QStringList({QStringLiteral("t1"), QStringLiteral("t2")}));
    QCOMPARE(s[5].exactWhere->value(QStringLiteral("pk")).toString(), QStringLiteral("$ham.pk"));
    QCOMPARE(s[6].ref, QStringLiteral("t1"));
    QVERIFY(!s[7].exactWhere);
    QVERIFY(s[7].exactValues.value(QStringLiteral("price")).isInteger());
    QCOMPARE(s[8].extra().exactRows.size(), 2);
    QVERIFY(s[8].extra().exactRows.at(1).toMap().value(QStringLiteral("price")).isDouble());
    QCOMPARE(s[8].extra().asList, QStringList({QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(s[9].ref, QStringLiteral("a"));
    QCOMPARE(s[10].exactWhere->value(QStringLiteral("name")).toString(), QStringLiteral("b"));
    QCOMPARE(s[11].ref, QStringLiteral("pizza"));
    QCOMPARE(s[11].extra().field, QStringLiteral("toppings"));
    QCOMPARE(s[11].extra().action, QStringLiteral("set"));
    QCOMPARE(s[11].extra().exactTargets.size(), 2);
    QCOMPARE(s[11].extra().exactTargets.at(1), QCborValue(7));
    QVERIFY(s[11].extra().clear);
    QCOMPARE(s[12].model, QStringLiteral("Pizza"));
    QCOMPARE(s[12].extra().exactRows.at(0).toMap().value(QStringLiteral("pk")), QCborValue(5));
    QCOMPARE(s[13].extra().receiver.name, QStringLiteral("late"));
    QCOMPARE(s[13].extra().receiver.sender, std::optional<QString>(QStringLiteral("Pizza_toppings")));
    QCOMPARE(s[13].extra().receiver.origin, QStringLiteral("every.scenario.json: steps[13].receiver"));
    QCOMPARE(s[13].extra().receiver.actions.size(), 1);
    QCOMPARE(s[14].extra().name, QStringLiteral("late"));
    QCOMPARE(s[15].extra().signal, QStringLiteral("pinged"));
    QCOMPARE(s[15].extra().sender, std::optional<QString>(QStringLiteral("Pizza")));
    QCOMPARE(s[15].extra().exactInstance, std::optional<QCborValue>(QCborValue(QStringLiteral("$pizza"))));
    QVERIFY(s[15].extra().robust);
    QCOMPARE(s[17].extra().field, QStringLiteral("pizzas"));    // a reverse accessor
    QCOMPARE(s[17].extra().action, QStringLiteral("clear"));
    QVERIFY(s[17].extra().exactTargets.isEmpty());
    QVERIFY(!s[18].exactWhere);
    QVERIFY(s[18].extra().asList.isEmpty());
    QVERIFY(!s[19].extra().sender);
    QVERIFY(!s[19].extra().exactInstance);
    QVERIFY(!s[19].extra().robust);
}

void TestLoaders::inlineSchemaAndReceiverOrigins()
{
    LoadError error;
    const auto scenario = parseScenario(minimalScenario(R"([{"op": "migrate"}])"), QStringLiteral("dir/x.scenario.json"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    QVERIFY(scenario->schema.path.isEmpty());
    QCOMPARE(scenario->schema.app, QStringLiteral("shop"));
    QCOMPARE(scenario->name, QStringLiteral("x"));      // from the file name when none is given

    // An inline schema may leave "format" out; a wrong one is still refused.
    QByteArray noTag = minimalScenario("[]");
    noTag.replace(R"("format": "signalscope-schema/1", )", "");
    QVERIFY2(parseScenario(noTag, QStringLiteral("x.scenario.json"), &error), qPrintable(error.toString()));
    QByteArray wrongTag = minimalScenario("[]");
    wrongTag.replace("signalscope-schema/1", "signalscope-schema/9");
    QVERIFY(!parseScenario(wrongTag, QStringLiteral("x.scenario.json"), &error));
    QCOMPARE(error.path, QStringLiteral("schema.format"));
}

void TestLoaders::keepsIntegersAndFloatsApart()
{
    // Qt 6.4's QJsonValue turns 99.0 into the integer 99; the exact members
    // must not. The trace prints floats as Python does ("price": 99.0).
    LoadError error;
    const auto scenario = parseScenario(minimalScenario(
        R"([{"op": "create", "model": "Topping", "values": {"a": 99.0, "b": 99, "c": 1e2, "d": -0, "e": 1.2345678901234567e19, "f": 0.5}}])"),
        QStringLiteral("n.scenario.json"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    const QCborMap values = scenario->steps[0].exactValues;
    QVERIFY(values.value(QStringLiteral("a")).isDouble());
    QCOMPARE(values.value(QStringLiteral("a")).toDouble(), 99.0);
    QVERIFY(values.value(QStringLiteral("b")).isInteger());
    QCOMPARE(values.value(QStringLiteral("b")).toInteger(), 99);
    QVERIFY(values.value(QStringLiteral("c")).isDouble());
    QVERIFY(values.value(QStringLiteral("d")).isInteger());
    QVERIFY(values.value(QStringLiteral("e")).isDouble());
    QVERIFY(values.value(QStringLiteral("f")).isDouble());
}

void TestLoaders::laterBindingsAndConnectsAreVisible()
{
    // A name bound by an earlier step is visible to every later one, even
    // after a rebinding to another model; a receiver connected by a step can
    // be disconnected by a later one.
    LoadError error;
    QByteArray json = minimalScenario(R"([
        {"op": "create", "model": "Topping", "values": {}, "as": "x"},
        {"op": "all", "model": "Topping", "as": ["y", "z"]},
        {"op": "new", "model": "Topping", "values": {"name": "$z.name", "other": "$x", "lit": "$$5"}, "as": "x"},
        {"op": "connect", "receiver": {"name": "r", "signal": "pre_save", "do": [{"create": "Topping", "values": {"name": "$instance.name"}}]}},
        {"op": "disconnect", "name": "r"},
        {"op": "disconnect", "name": "r"}
    ])");
    QVERIFY2(parseScenario(json, QStringLiteral("b.scenario.json"), &error), qPrintable(error.toString()));
}

// ---------------------------------------------------------------------------

void TestLoaders::refusesBadFixture_data()
{
    QTest::addColumn<QString>("fixture");       // under tests/data/bad/
    QTest::addColumn<QString>("namedFile");     // the file the error must name (under tests/data/bad/)
    QTest::addColumn<QString>("path");          // the JSON path the error must give
    QTest::addColumn<QString>("fragment");      // a part of the message that says what is wrong
    QTest::addColumn<QString>("needle");        // where line:column must point; empty: not checked

    auto row = [](const char *fixture, const char *path, const char *fragment, const char *needle, const char *namedFile = nullptr) {
        QTest::newRow(fixture) << QString::fromUtf8(fixture) << QString::fromUtf8(namedFile ? namedFile : fixture)
                               << QString::fromUtf8(path) << QString::fromUtf8(fragment) << QString::fromUtf8(needle);
    };

    // Files that are not JSON documents of the right kind.
    row("trailing_comma.scenario.json", "", "unexpected character ']', expected a value", "]");
    row("not_an_object.schema.json", "", "expected an object, found an array", "[");
    row("empty.schema.json", "", "empty file", "");
    row("not_utf8.schema.json", "", "not UTF-8", "\"caf^");
    row("binary_garbage.scenario.json", "", "not UTF-8", "");
    row("wrong_format.schema.json", "format", "wrong format 'signalscope-schema/2'", "\"signalscope-schema/2\"");
    row("scenario_format_in_schema.schema.json", "format", "this is a scenario file", "\"signalscope-scenario/1\"");
    row("missing_format.schema.json", "", "missing \"format\"", "{\n  \"app\"");
    row("wrong_format.scenario.json", "format", "this is a schema file", "\"signalscope-schema/1\",\n  \"name\"");

    // Values no engine value can hold (section 3), refused with their path.
    row("integer_beyond_64_bits.scenario.json", "steps[1].values.weight",
        "the integer -9223372036854775809 is outside the signed 64-bit range", "-9223372036854775809");
    row("integer_beyond_64_bits.schema.json", "models[0].fields[0].default",
        "the integer 18446744073709551616 is outside the signed 64-bit range", "18446744073709551616");
    row("lone_surrogate.scenario.json", "steps[0].values.name", "a lone surrogate escape (\\ud800)", "\"half");
    row("lone_surrogate.schema.json", "models[0].fields[0].default", "a lone surrogate escape (\\udc00)", "\"\\udc00\"");

    // Arrays that are not arrays.
    row("models_not_array.schema.json", "models", "expected an array, found an object", "{\"Topping\"");
    row("fields_not_array.schema.json", "models[0].fields", "expected an array, found an object", "{\"name\": \"char\"}");
    row("signals_not_array.schema.json", "signals", "expected an array, found a string", "\"pinged\"");
    row("receivers_not_array.schema.json", "receivers", "expected an array, found an object", "{\"log_save\"");
    row("do_not_array.schema.json", "receivers[0].do", "expected an array, found an object", "{\"notify\": \"saved\"}");
    row("steps_not_array.scenario.json", "steps", "expected an array, found an object", "{\"op\": \"migrate\"}");

    // Names that are not ASCII identifiers.
    row("app_not_identifier.schema.json", "app", "app label 'my-shop' is not an ASCII identifier", "\"my-shop\"");
    row("model_name_not_identifier.schema.json", "models[0].name", "model name 'Bad Name' is not an ASCII identifier", "\"Bad Name\"");
    row("model_name_sql.schema.json", "models[0].name", "model name 'x\"; DROP TABLE shop_user; --' is not an ASCII identifier", "\"x\\\"; DROP");
    row("field_name_sql.schema.json", "models[0].fields[0].name", "field name 'name\" TEXT); DROP TABLE x; --' is not an ASCII identifier", "\"name\\\" TEXT");
    row("field_name_not_ascii.schema.json", "models[0].fields[0].name", "is not an ASCII identifier", "\"pr");
    row("signal_name_not_identifier.schema.json", "signals[1]", "signal name 'ping-pong' is not an ASCII identifier", "\"ping-pong\"");
    row("related_name_not_identifier.schema.json", "models[1].fields[0].related_name", "related_name '+' is not an ASCII identifier", "\"+\"");
    row("as_not_identifier.scenario.json", "steps[0].as", "name 'my ham' is not an ASCII identifier", "\"my ham\"");

    // Field-name rules.
    row("field_double_underscore.schema.json", "models[0].fields[0].name", "field name 'first__name' contains '__'", "\"first__name\"");
    row("field_trailing_underscore.schema.json", "models[0].fields[0].name", "field name 'name_' ends with '_'", "\"name_\"");
    row("field_id_not_primary_key.schema.json", "models[0].fields[0].name", "a field named 'id' must be the primary key", "\"id\"");

    // Duplicates.
    row("duplicate_model.schema.json", "models[2].name", "duplicate model 'Topping'", "^\"Topping\", \"fields\": [\n        {\"name\": \"label\"");
    row("duplicate_model_case.schema.json", "models[2].name", "duplicate model 'topping' (Django compares model names ignoring case: 'Topping')", "\"topping\", \"fields\"");
    row("duplicate_field.schema.json", "models[0].fields[1].name", "duplicate field 'name' in model 'Topping'", "\"name\", \"type\": \"text\"");
    row("duplicate_field_relation_column.schema.json", "models[1].fields[1].name",
        "duplicate field in model 'Pizza': field 'topping_id' clashes with 'topping_id' (the column of relation 'topping')", "\"topping_id\"");
    row("duplicate_signal.schema.json", "signals[1]", "duplicate signal 'pinged'", "\"pinged\"]");
    row("signal_named_like_builtin.schema.json", "signals[1]", "custom signal 'post_save' has the name of a built-in signal", "\"post_save\"]");
    row("auto_through_clash.schema.json", "models[1].fields[1].name", "the auto-created through model 'Pizza_toppings' clashes with model 'Pizza_toppings'", "\"toppings\", \"type\"");

    // Field types and relations.
    row("unknown_field_type.schema.json", "models[0].fields[0].type", "unknown field type 'varchar'", "\"varchar\"");
    row("unknown_relation_target.schema.json", "models[1].fields[0].to", "unknown relation target 'Crust'", "\"Crust\"");
    row("unknown_through.schema.json", "models[1].fields[0].through", "unknown through model 'Layer'", "\"Layer\"");
    row("through_without_foreign_keys.schema.json", "models[1].fields[0].through",
        "through model 'Layer' needs a foreign key to 'Pizza' and one to 'Topping'", "\"Layer\"}");
    row("unknown_on_delete.schema.json", "models[1].fields[0].on_delete", "unknown on_delete 'CASCADES'", "\"CASCADES\"");
    row("missing_on_delete.schema.json", "models[1].fields[0]", "one_to_one 'topping' needs \"on_delete\"", "{\"name\": \"topping\"");
    row("set_null_without_null.schema.json", "models[1].fields[0].on_delete", "on_delete SET_NULL needs \"null\": true", "\"SET_NULL\"");
    row("set_default_without_default.schema.json", "models[1].fields[0].on_delete", "on_delete SET_DEFAULT needs a \"default\"", "\"SET_DEFAULT\"");
    row("symmetrical_not_to_self.schema.json", "models[1].fields[0].symmetrical", "\"symmetrical\" applies only to a many_to_many to self", "false}");
    row("two_primary_keys.schema.json", "models[0].fields[1].primary_key", "more than one primary key in model 'Topping' ('code' and 'number')",
        "\"number\", \"type\": \"int\", \"primary_key\": ^true");
    row("option_not_for_type.schema.json", "models[0].fields[0].to", "\"to\" does not apply to a char field", "\"to\": ^\"Topping\"}");
    row("option_wrong_type.schema.json", "models[0].fields[0].null", "expected true or false, found a string", "\"yes\"");

    // Receivers and their actions.
    row("receiver_without_name.schema.json", "receivers[0]", "missing \"name\"", "{\"signal\": \"post_save\", \"do\": []}");
    row("receiver_unknown_signal.schema.json", "receivers[0].signal", "unknown signal 'post_saved'", "\"post_saved\"");
    row("receiver_unknown_sender.schema.json", "receivers[0].sender", "unknown sender 'Crust'", "\"Crust\"");
    row("action_two_kinds.schema.json", "receivers[0].do[1]", "an action needs exactly one of create, save, set, delete, notify, send, raise; found notify, raise", "{\"notify\": \"b\"");
    row("action_unknown.schema.json", "receivers[0].do[0]", "an action needs exactly one of", "{\"shout\"");
    row("action_create_unknown_model.schema.json", "receivers[0].do[0].create", "unknown model 'Crust'", "\"Crust\"");
    row("action_send_builtin_signal.schema.json", "receivers[0].do[0].send", "'post_save' is a built-in signal", "\"post_save\"}");
    row("action_send_unknown_signal.schema.json", "receivers[0].do[0].send", "unknown custom signal 'ponged'", "\"ponged\"");
    row("action_values_not_object.schema.json", "receivers[0].do[0].values", "expected an object, found an array", "[\"name\", \"x\"]");
    row("action_save_not_instance.schema.json", "receivers[0].do[0].save", "expected \"$instance\" or \"$instance.<relation>\", found '$sender'", "\"$sender\"");
    row("connect_bad_receiver.scenario.json", "steps[0].receiver.sender", "unknown sender 'Crust'", "\"Crust\"");

    // Steps.
    row("step_not_object.scenario.json", "steps[1]", "expected an object, found a string", "\"migrate\"");
    row("step_unknown_op.scenario.json", "steps[1].op", "unknown op 'destroy'", "\"destroy\"");
    row("step_unknown_model.scenario.json", "steps[1].model", "unknown model 'Crust'", "\"Crust\"");
    row("step_through_model.scenario.json", "steps[1].model", "unknown model 'Pizza_toppings' (an auto-created through model", "\"Pizza_toppings\"");
    row("values_not_object.scenario.json", "steps[0].values", "expected an object, found an array", "[\"name\", \"ham\"]");
    row("as_list_not_array.scenario.json", "steps[0].as", "expected an array, found a string", "\"as\": ^\"toppings\"");
    row("m2m_unknown_action.scenario.json", "steps[2].action", "unknown m2m action 'append'", "\"append\"");
    row("m2m_unknown_field.scenario.json", "steps[2].field", "'Pizza' has no many_to_many field or reverse accessor 'sauces'", "\"sauces\"");
    row("send_unknown_signal.scenario.json", "steps[1].signal", "unknown custom signal 'ponged'", "\"ponged\"");
    row("send_builtin_signal.scenario.json", "steps[1].signal", "'post_save' is a built-in signal; a send step sends custom signals only", "\"post_save\", \"sender\"");
    row("send_through_model_sender.scenario.json", "steps[1].sender", "unknown sender 'Pizza_toppings' (an auto-created through model; a send step takes a model of the schema)", "\"Pizza_toppings\"");
    row("send_unknown_sender.scenario.json", "steps[1].sender", "unknown sender 'Crust'", "\"Crust\"");
    row("disconnect_unknown_name.scenario.json", "steps[1].name", "no receiver named 'log_delete'", "\"log_delete\"");
    row("disconnect_before_connect.scenario.json", "steps[0].name", "no receiver named 'late'", "\"late\"}");

    // Names used before an earlier step binds them.
    row("ref_unknown.scenario.json", "steps[1].ref", "unknown name 'spam': no earlier step binds it with \"as\"", "\"spam\"");
    row("ref_bound_later.scenario.json", "steps[0].ref", "unknown name 'ham'", "\"ref\": ^\"ham\"");
    row("name_in_own_step.scenario.json", "steps[0].values.name", "unknown name 'ham'", "\"$ham.name\"");
    row("name_unknown_in_values.scenario.json", "steps[1].values.name", "unknown name 'margherita'", "\"$margherita.name\"");
    row("name_unknown_in_where.scenario.json", "steps[1].where.id", "unknown name 'olive'", "\"$olive.pk\"");
    row("name_unknown_in_rows.scenario.json", "steps[1].rows[1].name", "unknown name 'olive'", "\"$olive\"");
    row("name_unknown_in_targets.scenario.json", "steps[2].targets[1]", "unknown name 'olive'", "\"$olive\"");
    row("name_unknown_in_instance.scenario.json", "steps[1].instance", "unknown name 'olive'", "\"$olive\"");
    row("name_unknown_nested.scenario.json", "steps[1].rows[0].toppings[1]", "unknown name 'olive'", "\"$olive\"");
    row("instance_outside_receiver.scenario.json", "steps[1].values.name", "($instance exists only inside receivers)", "\"$instance.name\"");

    // The scenario's schema.
    row("schema_missing_file.scenario.json", "schema", "cannot read the schema file", "\"no_such.schema.json\"");
    row("schema_file_bad.scenario.json", "models[0].fields[0].type", "unknown field type 'varchar'", "\"varchar\"", "unknown_field_type.schema.json");
    row("schema_not_object.scenario.json", "schema", "expected a path or a schema object, found a number", "42");
    row("inline_schema_bad.scenario.json", "schema.models[0].name", "model name 'Top ping' is not an ASCII identifier", "\"Top ping\"");
}

void TestLoaders::refusesBadFixture()
{
    QFETCH(QString, fixture);
    QFETCH(QString, namedFile);
    QFETCH(QString, path);
    QFETCH(QString, fragment);
    QFETCH(QString, needle);

    const QString dir = testData(QStringLiteral("data/bad/"));
    const LoadError error = loadBad(dir + fixture);
    const QString text = error.toString();
    QVERIFY2(error.message.contains(fragment), qPrintable(text));
    QCOMPARE(QDir::cleanPath(error.file), QDir::cleanPath(dir + namedFile));
    QCOMPARE(error.path, path);
    QVERIFY2(text.startsWith(error.file), qPrintable(text));
    QVERIFY2(text.contains(fragment), qPrintable(text));
    if (!path.isEmpty())
        QVERIFY2(text.contains(QLatin1String(": ") + path + QLatin1String(": ")), qPrintable(text));
    if (!needle.isEmpty()) {
        const QPair<int, int> expected = positionOfNeedle(error.file, needle);
        QVERIFY2(expected.first > 0, "the needle must occur exactly once in the file");
        QCOMPARE(error.line, expected.first);
        QCOMPARE(error.column, expected.second);
        QVERIFY2(text.startsWith(QStringLiteral("%1:%2:%3: ").arg(error.file).arg(error.line).arg(error.column)), qPrintable(text));
    }
    if (fixture == QLatin1String("schema_missing_file.scenario.json"))
        QVERIFY2(error.message.contains(QDir::cleanPath(dir + QStringLiteral("no_such.schema.json"))), qPrintable(text));
}

void TestLoaders::refusesMissingFile()
{
    const QString path = testData(QStringLiteral("data/bad/does_not_exist.schema.json"));
    LoadError error;
    QVERIFY(!loadSchemaFile(path, &error));
    QCOMPARE(error.file, path);
    QCOMPARE(error.toString(), path + QStringLiteral(": cannot read the file: no such file"));
    QVERIFY(!loadScenarioFile(path, &error));
    QCOMPARE(error.file, path);
}

void TestLoaders::refusesDirectory()
{
    const QString path = testData(QStringLiteral("data/bad"));
    LoadError error;
    QVERIFY(!loadScenarioFile(path, &error));
    QCOMPARE(error.file, path);
    QVERIFY2(error.message.contains(QLatin1String("is a directory")), qPrintable(error.toString()));
}

void TestLoaders::refusesDeepNestingWithoutOverflow_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("100k [") << QByteArray(100000, '[');
    QByteArray objects;
    for (int i = 0; i < 100000; ++i)
        objects += "{\"a\":";
    QTest::newRow("100k {\"a\":") << objects;
    // Deep inside otherwise valid content (a step's values).
    QTest::newRow("deep values") << minimalScenario("[{\"op\": \"create\", \"model\": \"Topping\", \"values\": {\"name\": " + QByteArray(5000, '[') + QByteArray(5000, ']') + "}}]");
}

void TestLoaders::refusesDeepNestingWithoutOverflow()
{
    QFETCH(QByteArray, json);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("deep.scenario.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
    file.close();

    LoadError error;
    QVERIFY(!loadScenarioFile(path, &error));
    QCOMPARE(error.file, path);
    QVERIFY2(error.message.contains(QLatin1String("nested too deeply")), qPrintable(error.toString()));
    QVERIFY(error.line >= 1);
    QVERIFY(error.column > 0);
    QVERIFY(!parseSchema(json, QStringLiteral("deep.schema.json"), &error));
    QVERIFY(error.message.contains(QLatin1String("nested too deeply")));
}

void TestLoaders::syntaxErrorHasLineAndColumn()
{
    LoadError error;
    QVERIFY(!parseSchema("{\n  \"format\": \"signalscope-schema/1\",\n  \"app\": tru\n}", QStringLiteral("s.schema.json"), &error));
    QCOMPARE(error.line, 3);
    QCOMPARE(error.column, 10);
    QVERIFY(error.path.isEmpty());
    QCOMPARE(error.toString(), QStringLiteral("s.schema.json:3:10: unexpected character 't', expected a value"));

    // Columns count characters, not bytes.
    QVERIFY(!parseSchema("{\"app\": \"\xc3\xa9\xc3\xa9\", x}", QStringLiteral("s.schema.json"), &error));
    QCOMPARE(error.line, 1);
    QCOMPARE(error.column, 15);
}

// ---------------------------------------------------------------------------

void TestLoaders::errorToString()
{
    LoadError error{QStringLiteral("scenarios/x.scenario.json"), 12, 25, QStringLiteral("steps[3].model"), QStringLiteral("unknown model 'Foo'")};
    QCOMPARE(error.toString(), QStringLiteral("scenarios/x.scenario.json:12:25: steps[3].model: unknown model 'Foo'"));
    error.column = 0;
    QCOMPARE(error.toString(), QStringLiteral("scenarios/x.scenario.json:12: steps[3].model: unknown model 'Foo'"));
    error.line = 0;
    error.path.clear();
    QCOMPARE(error.toString(), QStringLiteral("scenarios/x.scenario.json: unknown model 'Foo'"));
    error.file.clear();
    QCOMPARE(error.toString(), QStringLiteral("unknown model 'Foo'"));

    // A path with a member that is not an identifier is quoted.
    QVERIFY(!parseSchema(R"({"format": "signalscope-schema/1", "app": "a", "models": [], "receivers": [
        {"name": "r", "signal": "post_save", "when": {"instance.x": 1, "changed": 5}}]})", QStringLiteral("w.schema.json"), &error));
    QCOMPARE(error.path, QStringLiteral("receivers[0].when.changed"));
    JsonPath quotedPath = JsonPath().key(QStringLiteral("when")).key(QStringLiteral("instance.x"));
    QCOMPARE(quotedPath.toString(), QStringLiteral("when[\"instance.x\"]"));
}

void TestLoaders::looksLikeScenarioReadsTheTag()
{
    QVERIFY(looksLikeScenario(minimalScenario("[]")));
    QVERIFY(!looksLikeScenario(R"({"format": "signalscope-schema/1"})"));
    QVERIFY(!looksLikeScenario("[1, 2]"));
    QVERIFY(!looksLikeScenario("\xff\xfe"));
    QVERIFY(!looksLikeScenario(QByteArray(100000, '[')));
}

// ---------------------------------------------------------------------------

void TestLoaders::readerNumbers_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QCborValue>("expected");
    QTest::newRow("int") << QByteArray("1") << QCborValue(1);
    QTest::newRow("float with .0") << QByteArray("1.0") << QCborValue(1.0);
    QTest::newRow("exponent") << QByteArray("1e2") << QCborValue(100.0);
    QTest::newRow("exponent E+") << QByteArray("2E+1") << QCborValue(20.0);
    QTest::newRow("negative") << QByteArray("-42") << QCborValue(-42);
    QTest::newRow("minus zero int") << QByteArray("-0") << QCborValue(0);
    QTest::newRow("int64 max") << QByteArray("9223372036854775807") << QCborValue(std::numeric_limits<qint64>::max());
    QTest::newRow("int64 min") << QByteArray("-9223372036854775808") << QCborValue(std::numeric_limits<qint64>::min());
    // Beyond 64 bits: the text, tagged for the loaders to refuse (section 3).
    QTest::newRow("beyond int64") << QByteArray("9223372036854775808")
                                  << QCborValue(kIntegerBeyond64Bits, QCborValue(QStringLiteral("9223372036854775808")));
    QTest::newRow("below int64") << QByteArray("-9223372036854775809")
                                 << QCborValue(kIntegerBeyond64Bits, QCborValue(QStringLiteral("-9223372036854775809")));
    QTest::newRow("fraction") << QByteArray("0.1") << QCborValue(0.1);
    QTest::newRow("overflow") << QByteArray("1e400") << QCborValue(std::numeric_limits<double>::infinity());
    QTest::newRow("underflow") << QByteArray("1e-400") << QCborValue(0.0);
    QTest::newRow("overflow, long mantissa") << QByteArray("0.00001e400") << QCborValue(std::numeric_limits<double>::infinity());
    QTest::newRow("underflow, long mantissa") << QByteArray("100000e-400") << QCborValue(0.0);
    QTest::newRow("negative overflow") << QByteArray("-1e999999999999") << QCborValue(-std::numeric_limits<double>::infinity());
}

void TestLoaders::readerNumbers()
{
    QFETCH(QByteArray, json);
    QFETCH(QCborValue, expected);
    JsonSyntaxError error;
    const auto value = readJson(json, &error);
    QVERIFY2(value, qPrintable(error.message));
    QCOMPARE(value->type(), expected.type());
    QCOMPARE(*value, expected);
}

void TestLoaders::readerStrings()
{
    JsonSyntaxError error;
    const auto value = readJson("\xEF\xBB\xBF {\"a\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\", \"a2\": \"caf\xc3\xa9\", \"d\": 1, \"d\": 2, \"n\": null, \"t\": [true, false]}", &error);
    QVERIFY2(value, qPrintable(error.message));
    const QCborMap map = value->toMap();
    QCOMPARE(map.value(QStringLiteral("a")).toString(), QStringLiteral("x\"\\/\b\f\n\r\t\u00e9\U0001F600"));
    QCOMPARE(map.value(QStringLiteral("a2")).toString(), QStringLiteral("caf\u00e9"));
    QCOMPARE(map.value(QStringLiteral("d")), QCborValue(2));     // the last duplicate wins, as in Python
    QCOMPARE(map.size(), 5);
    QVERIFY(map.value(QStringLiteral("n")).isNull());
    QCOMPARE(map.value(QStringLiteral("t")).toArray().at(1), QCborValue(false));

    // Plain ASCII strings and names (read as views of the text, no QString
    // built) are the same values as strings built from QStrings.
    const auto plain = readJson(R"({"name": "ham", "": "", "n\u0061me": "h\u0061m", "ok": ["caf)" "\xc3\xa9" R"(", "x"]})", &error);
    QVERIFY2(plain, qPrintable(error.message));
    QCborMap expected;
    expected.insert(QStringLiteral("name"), QStringLiteral("ham"));        // "n\u0061me" replaces it in place
    expected.insert(QString(), QString());
    expected.insert(QStringLiteral("ok"), QCborArray{QStringLiteral("caf\u00e9"), QStringLiteral("x")});
    expected[QStringLiteral("name")] = QStringLiteral("ham");
    QCOMPARE(plain->toMap(), expected);
    QCOMPARE(plain->toMap().size(), 3);
    QCOMPARE(plain->toMap().keys().first().toString(), QStringLiteral("name"));
    QCOMPARE(plain->toMap().value(QStringLiteral("")).type(), QCborValue::String);

    // A lone surrogate escape is kept (Python keeps it too).
    const auto lone = readJson("\"\\ud800\"", &error);
    QVERIFY(lone);
    QCOMPARE(lone->toString().size(), 1);
    QCOMPARE(lone->toString().at(0).unicode(), ushort(0xD800));
}

void TestLoaders::readerRefusesNonJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("fragment");
    QTest::addColumn<int>("column");
    QTest::newRow("empty") << QByteArray("  ") << QStringLiteral("empty file") << 3;
    QTest::newRow("NaN") << QByteArray("[NaN]") << QStringLiteral("unexpected character 'N'") << 2;
    QTest::newRow("Infinity") << QByteArray("-Infinity") << QStringLiteral("invalid number") << 1;
    QTest::newRow("leading zero") << QByteArray("012") << QStringLiteral("leading zeros") << 1;
    QTest::newRow("trailing dot") << QByteArray("1.") << QStringLiteral("digits expected after '.'") << 1;
    QTest::newRow("trailing comma") << QByteArray("{\"a\": 1,}") << QStringLiteral("expected a member name") << 9;
    QTest::newRow("single quotes") << QByteArray("{'a': 1}") << QStringLiteral("expected a member name") << 2;
    QTest::newRow("raw newline in string") << QByteArray("\"a\nb\"") << QStringLiteral("control character 0x0a") << 3;
    QTest::newRow("bad escape") << QByteArray("\"\\x\"") << QStringLiteral("invalid escape") << 2;
    QTest::newRow("short unicode escape") << QByteArray("\"\\u12\"") << QStringLiteral("invalid \\u escape") << 2;
    QTest::newRow("unterminated string") << QByteArray("[\"abc") << QStringLiteral("unterminated string") << 2;
    QTest::newRow("extra data") << QByteArray("{} {}") << QStringLiteral("after the JSON value") << 4;
    QTest::newRow("NUL byte") << QByteArray("[1,\0 2]", 7) << QStringLiteral("control character 0x00") << 4;
    QTest::newRow("invalid UTF-8") << QByteArray("[\"\xff\"]") << QStringLiteral("not UTF-8 text (invalid byte 0xff)") << 3;
    QTest::newRow("overlong UTF-8") << QByteArray("\"\xc0\xaf\"") << QStringLiteral("not UTF-8") << 2;
    QTest::newRow("UTF-8 surrogate") << QByteArray("\"\xed\xa0\x80\"") << QStringLiteral("not UTF-8") << 2;
    QTest::newRow("truncated UTF-8") << QByteArray("\"\xe2\x82") << QStringLiteral("not UTF-8") << 2;
    QTest::newRow("missing colon") << QByteArray("{\"a\" 1}") << QStringLiteral("expected ':'") << 6;
    QTest::newRow("unclosed array") << QByteArray("[1, 2") << QStringLiteral("expected ',' or ']'") << 6;
}

void TestLoaders::readerRefusesNonJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, fragment);
    QFETCH(int, column);
    JsonSyntaxError error;
    QVERIFY(!readJson(json, &error));
    QVERIFY2(error.message.contains(fragment), qPrintable(error.message));
    QCOMPARE(error.position.line, 1 + int(json.left(error.offset).count('\n')));
    QCOMPARE(error.position.column, column);

    // The first pass of a streamed read refuses it the same way, building nothing.
    JsonSyntaxError checked;
    QVERIFY(!checkJson(json, &checked, nullptr));
    QCOMPARE(checked.message, error.message);
    QCOMPARE(checked.offset, error.offset);
    QCOMPARE(checked.position.line, error.position.line);
    QCOMPARE(checked.position.column, error.position.column);
}

void TestLoaders::readerNestingLimit()
{
    JsonSyntaxError error;
    const QByteArray atLimit = QByteArray(kMaxJsonNesting, '[') + QByteArray(kMaxJsonNesting, ']');
    QVERIFY2(readJson(atLimit, &error), qPrintable(error.message));
    const QByteArray beyond = QByteArray(kMaxJsonNesting + 1, '[') + QByteArray(kMaxJsonNesting + 1, ']');
    QVERIFY(!readJson(beyond, &error));
    QVERIFY(error.message.contains(QLatin1String("nested too deeply")));
    QCOMPARE(error.offset, qsizetype(kMaxJsonNesting));
}

void TestLoaders::readerLocatesValues()
{
    const QByteArray text = "{\n  \"a\": [10, {\"b\": \"x\"}],\n  \"a\": [20, {\"b\":   \"y\"}]\n}";
    const JsonPath b = JsonPath().key(QStringLiteral("a")).index(1).key(QStringLiteral("b"));
    const auto position = locateJsonValue(text, b);
    QVERIFY(position);
    QCOMPARE(position->line, 3);        // the duplicate that won
    QCOMPARE(position->column, 21);
    const auto root = locateJsonValue(text, JsonPath());
    QVERIFY(root);
    QCOMPARE(root->line, 1);
    QCOMPARE(root->column, 1);
    QVERIFY(!locateJsonValue(text, JsonPath().key(QStringLiteral("zz"))));
    QVERIFY(!locateJsonValue(text, JsonPath().key(QStringLiteral("a")).index(5)));
}

QTEST_APPLESS_MAIN(TestLoaders)
// Contract 9.1: "django" is "3.2" (the default) or "5.0"; anything else,
// a number included, refuses the file at that key.
void TestLoaders::djangoVersionKey_data()
{
    QTest::addColumn<QByteArray>("value");      // the "django" member as written; empty: absent
    QTest::addColumn<int>("version");           // -1: refused
    QTest::addColumn<QString>("fragment");
    QTest::newRow("absent") << QByteArray() << int(DjangoVersion::V3_2) << QString();
    QTest::newRow("3.2") << QByteArray(R"("3.2")") << int(DjangoVersion::V3_2) << QString();
    QTest::newRow("5.0") << QByteArray(R"("5.0")") << int(DjangoVersion::V5_0) << QString();
    QTest::newRow("number") << QByteArray("5.0") << -1 << QStringLiteral("expected the string \"3.2\" or \"5.0\", found a number");
    QTest::newRow("unknown") << QByteArray(R"("4.2")") << -1 << QStringLiteral("unknown Django version '4.2'");
    QTest::newRow("5") << QByteArray(R"("5")") << -1 << QStringLiteral("unknown Django version '5'");
    QTest::newRow("null") << QByteArray("null") << -1 << QStringLiteral("found null");
}

void TestLoaders::djangoVersionKey()
{
    QFETCH(QByteArray, value);
    QFETCH(int, version);
    QFETCH(QString, fragment);
    QByteArray json = minimalScenario(R"([{"op": "migrate"}])");
    if (!value.isEmpty())
        json.replace(QByteArray(R"("steps": )"), QByteArray(QByteArray(R"("django": )") + value + QByteArray(R"(, "steps": )")));
    LoadError error;
    const auto scenario = parseScenario(json, QStringLiteral("v.scenario.json"), &error);
    if (version >= 0) {
        QVERIFY2(scenario, qPrintable(error.toString()));
        QCOMPARE(int(scenario->django), version);
        return;
    }
    QVERIFY(!scenario);
    QCOMPARE(error.path, QStringLiteral("django"));
    QVERIFY2(error.toString().contains(fragment), qPrintable(error.toString()));
    QVERIFY2(error.toString().contains(QStringLiteral("v.scenario.json")), qPrintable(error.toString()));
}

// `$origin` and `$stdout` have no portable raw value (contract 9.2, 9.7):
// refused in receiver values under every version; `when` and {origin} are fine.
void TestLoaders::refusesArgumentsWithoutRawValue_data()
{
    QTest::addColumn<QByteArray>("action");
    QTest::addColumn<QString>("path");          // empty: accepted
    QTest::newRow("create $origin") << QByteArray(R"({"create": "Topping", "values": {"name": "$origin"}})")
                                    << QStringLiteral("steps[0].receiver.do[0].values.name");
    QTest::newRow("set $origin.pk") << QByteArray(R"({"set": {"name": "$origin.pk"}})")
                                    << QStringLiteral("steps[0].receiver.do[0].set.name");
    QTest::newRow("create $stdout") << QByteArray(R"({"create": "Topping", "values": {"name": "$stdout"}})")
                                    << QStringLiteral("steps[0].receiver.do[0].values.name");
    QTest::newRow("escaped") << QByteArray(R"({"create": "Topping", "values": {"name": "$$origin"}})") << QString();
    QTest::newRow("placeholder") << QByteArray(R"({"notify": "origin {origin}"})") << QString();
}

void TestLoaders::refusesArgumentsWithoutRawValue()
{
    QFETCH(QByteArray, action);
    QFETCH(QString, path);
    const QByteArray json = minimalScenario(R"([{"op": "connect", "receiver": {"name": "r", "signal": "pre_delete",
        "when": {"origin": {"queryset": "Topping"}}, "do": [)" + action + "]}}]");
    LoadError error;
    const auto scenario = parseScenario(json, QStringLiteral("o.scenario.json"), &error);
    if (path.isEmpty()) {
        QVERIFY2(scenario, qPrintable(error.toString()));
        return;
    }
    QVERIFY(!scenario);
    QCOMPARE(error.path, path);
    QVERIFY2(error.toString().contains(QStringLiteral("no portable raw value")), qPrintable(error.toString()));
}

// ---------------------------------------------------------------------------
// Streamed steps

namespace {

// Every file the repository has of scenarios, good and bad (the fixtures, the
// fuzzers' corpus and regressions, the conformance scenarios, the samples).
QStringList scenarioFiles()
{
    QStringList files;
    const QStringList dirs = {testData(QStringLiteral("data/bad")), testData(QStringLiteral("fuzz/corpus/scenario")),
                              testData(QStringLiteral("fuzz/regressions/scenario")), conformanceDir() + QStringLiteral("/scenarios"),
                              QStringLiteral(SIGNALSCOPE_RESOURCES "/samples")};
    for (const QString &dir : dirs) {
        for (const QString &name : QDir(dir).entryList(QDir::Files, QDir::Name)) {
            if (!name.endsWith(QLatin1String(".schema.json")))
                files << QDir::cleanPath(dir + QLatin1Char('/') + name);
        }
    }
    return files;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The streamed read and the tree read of `text` agree: both refuse it with the
// very same error, or both give the same steps.
void compareReadings(const QByteArray &text, const QString &file)
{
    LoadError streamedError;
    LoadError treeError;
    const auto streamed = parseScenario(text, file, &streamedError);
    const auto tree = parseScenarioAsTree(text, file, &treeError);
    QCOMPARE(bool(streamed), bool(tree));
    if (!streamed) {
        QCOMPARE(streamedError.toString(), treeError.toString());
        QCOMPARE(streamedError.file, treeError.file);
        QCOMPARE(streamedError.line, treeError.line);
        QCOMPARE(streamedError.column, treeError.column);
        QCOMPARE(streamedError.path, treeError.path);
        return;
    }
    QCOMPARE(streamed->name, tree->name);
    QCOMPARE(streamed->django, tree->django);
    QCOMPARE(streamed->templates, tree->templates);
    QCOMPARE(streamed->schema.models.size(), tree->schema.models.size());
    QCOMPARE(streamed->steps.size(), tree->steps.size());
    for (int i = 0; i < streamed->steps.size(); ++i) {
        const StepDecl &a = streamed->steps.at(i);
        const StepDecl &b = tree->steps.at(i);
        QCOMPARE(a.op, b.op);
        QCOMPARE(a.index, b.index);
        QCOMPARE(a.model, b.model);
        QCOMPARE(a.ref, b.ref);
        QCOMPARE(a.as, b.as);
        QCOMPARE(a.updateFields, b.updateFields);
        QCOMPARE(a.forceInsert, b.forceInsert);
        QCOMPARE(a.exactValues, b.exactValues);
        QCOMPARE(a.exactWhere, b.exactWhere);
        QCOMPARE(a.extra().asList, b.extra().asList);
        QCOMPARE(a.extra().exactRows, b.extra().exactRows);
        QCOMPARE(a.extra().exactTargets, b.extra().exactTargets);
        QCOMPARE(a.extra().nested.size(), b.extra().nested.size());
        QCOMPARE(a.extra().settings, b.extra().settings);
        QCOMPARE(a.extra().context, b.extra().context);
        QCOMPARE(stepCode(a), stepCode(b));     // everything else the step says, as Python
    }
}

} // namespace

void TestLoaders::streamedLoadMatchesTreeLoad_data()
{
    QTest::addColumn<QString>("file");
    const QStringList files = scenarioFiles();
    QVERIFY(files.size() > 100);
    for (const QString &file : files)
        QTest::newRow(qPrintable(QFileInfo(file).dir().dirName() + QLatin1Char('/') + QFileInfo(file).fileName())) << file;
}

void TestLoaders::streamedLoadMatchesTreeLoad()
{
    QFETCH(QString, file);
    compareReadings(fileBytes(file), file);
}

// Damaged copies of a scenario that uses every op: cut anywhere, a bracket
// or a quote changed anywhere. Whatever is wrong, the streamed read reports it
// exactly as the tree read does (message, file, line, column, path).
void TestLoaders::streamedLoadReportsWhatTheTreeLoadReports_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray good = minimalScenario(R"([
        {"op": "create", "model": "Topping", "values": {"name": "ham"}, "as": "ham"},
        {"op": "set", "ref": "ham", "values": {"name": "spam"}},
        {"op": "save", "ref": "ham", "update_fields": ["name"]},
        {"op": "all", "model": "Topping", "where": {"name": "spam"}, "as": ["t1"]},
        {"op": "send", "signal": "pinged", "sender": "Topping", "instance": "$ham"},
        {"op": "delete", "ref": "t1"}
    ])");
    for (qsizetype cut = 0; cut < good.size(); cut += 5)
        QTest::newRow(qPrintable(QStringLiteral("cut at %1").arg(cut))) << good.left(cut);
    const QByteArray swaps[][2] = {{"{", "["}, {"}", "]"}, {"[", "{"}, {"]", "}"}, {"\"", "'"}, {":", ","}, {",", ":"},
                                   {"\"", " "}, {"ham", "h\\am"}, {"e", "\\ud800"}, {"1", "99999999999999999999"}};
    for (const auto &swap : swaps) {
        for (qsizetype at = good.indexOf(swap[0]); at >= 0; at = good.indexOf(swap[0], at + 1)) {
            QByteArray damaged = good;
            damaged.replace(at, swap[0].size(), swap[1]);
            QTest::newRow(qPrintable(QStringLiteral("%1 -> %2 at %3").arg(QString::fromLatin1(swap[0]), QString::fromLatin1(swap[1])).arg(at)))
                << damaged;
        }
    }
}

void TestLoaders::streamedLoadReportsWhatTheTreeLoadReports()
{
    QFETCH(QByteArray, text);
    compareReadings(text, QStringLiteral("damaged.scenario.json"));
}

// The streamed read checks the whole text before reading a step: a syntax
// error or an unrepresentable value far down the file is reported, not the
// first step's mistake (as when the file was read whole).
void TestLoaders::streamedLoadKeepsTheFileOrderOfErrors()
{
    // line:column of the only occurrence of `needle`, counted by hand.
    auto positionIn = [](const QByteArray &text, const QByteArray &needle) {
        const qsizetype at = text.indexOf(needle);
        Q_ASSERT(at >= 0 && text.indexOf(needle, at + 1) < 0);
        const qsizetype lineStart = text.lastIndexOf('\n', at) + 1;
        return QPair<int, int>(1 + int(text.left(at).count('\n')), int(at - lineStart) + 1);
    };
    LoadError error;
    const QByteArray badFirstStep = R"([{"op": "create", "model": "Crust"},
        {"op": "migrate"},)";
    QVERIFY(!parseScenario(minimalScenario(badFirstStep + R"( {"op": "migrate"} ])").chopped(1),
                           QStringLiteral("late.scenario.json"), &error));
    QVERIFY2(error.path.isEmpty(), qPrintable(error.toString()));
    QVERIFY2(error.message.startsWith(QLatin1String("unexpected end of file")), qPrintable(error.toString()));

    const QByteArray late = minimalScenario(badFirstStep + R"( {"op": "create", "model": "Topping", "values": {"n": 18446744073709551616}}])");
    QVERIFY(!parseScenario(late, QStringLiteral("late.scenario.json"), &error));
    QCOMPARE(error.path, QStringLiteral("steps[2].values.n"));
    QVERIFY2(error.message.contains(QLatin1String("outside the signed 64-bit range")), qPrintable(error.toString()));
    QCOMPARE(error.line, positionIn(late, "18446744073709551616").first);
    QCOMPARE(error.column, positionIn(late, "18446744073709551616").second);

    // With the text sound, the first step's own mistake, where it is.
    const QByteArray sound = minimalScenario(badFirstStep + R"( {"op": "migrate"}])");
    QVERIFY(!parseScenario(sound, QStringLiteral("late.scenario.json"), &error));
    QCOMPARE(error.path, QStringLiteral("steps[0].model"));
    QCOMPARE(error.message, QStringLiteral("unknown model 'Crust'"));
    QCOMPARE(error.line, positionIn(sound, "\"Crust\"").first);
    QCOMPARE(error.column, positionIn(sound, "\"Crust\"").second);

    // A late step's mistake: its line and column, found without a tree.
    const QByteArray many = minimalScenario("[\n" + QByteArray(R"({"op": "migrate"},)" "\n").repeated(500)
                                            + R"(  {"op": "delete", "ref": "nobody"}])");
    QVERIFY(!parseScenario(many, QStringLiteral("many.scenario.json"), &error));
    QCOMPARE(error.path, QStringLiteral("steps[500].ref"));
    QCOMPARE(error.line, positionIn(many, "\"nobody\"").first);
    QCOMPARE(error.column, positionIn(many, "\"nobody\"").second);
    QVERIFY(error.line > 500);
}

// Duplicate member names: the last wins, as Python's json module (and the
// tree) has it, for "steps" too.
void TestLoaders::streamedLoadLastStepsKeyWins()
{
    LoadError error;
    QByteArray twice = minimalScenario(R"([{"op": "create", "model": "Crust"}], "steps": [{"op": "migrate"}, {"op": "flush"}])");
    auto scenario = parseScenario(twice, QStringLiteral("twice.scenario.json"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    QCOMPARE(scenario->steps.size(), 2);
    QCOMPARE(scenario->steps.at(1).op, StepDecl::Op::Flush);
    QCOMPARE(scenario->steps.at(1).index, 1);

    QByteArray thenObject = minimalScenario(R"([{"op": "migrate"}], "steps": {"op": "migrate"})");
    QVERIFY(!parseScenario(thenObject, QStringLiteral("twice.scenario.json"), &error));
    QCOMPARE(error.path, QStringLiteral("steps"));
    QCOMPARE(error.message, QStringLiteral("expected an array, found an object"));

    QVERIFY(!parseScenario(minimalScenario(R"([])").replace(R"("steps": [])", R"("step": [])"), QStringLiteral("none.scenario.json"), &error));
    QCOMPARE(error.message, QStringLiteral("missing \"steps\""));
}

// A step holds its names as shared text: the schema's model name, its
// binding's name, one list for equal update_fields. And it is small.
void TestLoaders::stepsShareTheirNames()
{
    LoadError error;
    const auto scenario = parseScenario(minimalScenario(R"([
        {"op": "create", "model": "Topping", "values": {"name": "a"}, "as": "t"},
        {"op": "create", "model": "Topping", "values": {"name": "b"}, "as": "t"},
        {"op": "save", "ref": "t", "update_fields": ["name"]},
        {"op": "save", "ref": "t", "update_fields": ["name"]}])"), QStringLiteral("names.scenario.json"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    const auto &s = scenario->steps;
    QCOMPARE(s[0].model, QStringLiteral("Topping"));
    QCOMPARE(s[0].model.constData(), scenario->schema.models.at(0).name.constData());
    QCOMPARE(s[1].model.constData(), s[0].model.constData());
    QCOMPARE(s[1].as.constData(), s[0].as.constData());
    QCOMPARE(s[2].ref, QStringLiteral("t"));
    QCOMPARE(s[2].ref.constData(), s[0].as.constData());
    QCOMPARE(s[3].updateFields, std::optional<QStringList>(QStringList{QStringLiteral("name")}));
    QCOMPARE(s[3].updateFields->constData(), s[2].updateFields->constData());
    QVERIFY2(sizeof(StepDecl) <= 144, qPrintable(QString::number(sizeof(StepDecl))));

    // What rarer ops declare is shared by copies until one is written.
    StepDecl copy = s[0];
    QVERIFY(copy.extra().asList.isEmpty());
    copy.extra().asList = QStringList{QStringLiteral("x")};
    StepDecl second = copy;
    second.extra().asList.append(QStringLiteral("y"));
    QCOMPARE(copy.extra().asList, QStringList{QStringLiteral("x")});
    QCOMPARE(second.extra().asList, QStringList({QStringLiteral("x"), QStringLiteral("y")}));
    QVERIFY(std::as_const(s[0]).extra().asList.isEmpty());
}

void TestLoaders::readerStreamsPieces()
{
    const QByteArray text = "\xEF\xBB\xBF {\"a\": [1, {\"b\": 2.0}, \"x\"], \"skip\": {\"deep\": [[], {}]}, \"a\": [], \"n\": null}";
    bool suspect = true;
    QVERIFY(checkJson(text, nullptr, &suspect));
    QVERIFY(!suspect);
    const QCborMap tree = readJson(text, nullptr)->toMap();

    JsonStreamReader in(text);
    QCOMPARE(in.peekType(), QCborValue::Map);
    in.enterContainer();
    QString name;
    QStringList names;
    QCborMap built;
    qsizetype firstArray = -1;
    while (in.nextMember(&name)) {
        names << name;
        if (name == QLatin1String("skip")) {
            in.skipValue();
            continue;
        }
        if (name == QLatin1String("a") && firstArray < 0)
            firstArray = in.position();
        built.insert(name, in.readValue());
    }
    QCOMPARE(names, QStringList({QStringLiteral("a"), QStringLiteral("skip"), QStringLiteral("a"), QStringLiteral("n")}));
    QCOMPARE(built.value(QStringLiteral("a")), tree.value(QStringLiteral("a")));
    QVERIFY(built.value(QStringLiteral("n")).isNull());

    // Back to the first "a", element by element.
    in.seek(firstArray);
    QCOMPARE(in.peekType(), QCborValue::Array);
    in.enterContainer();
    QCborArray elements;
    while (in.nextElement())
        elements.append(in.readValue());
    QCOMPARE(elements.size(), 3);
    QCOMPARE(elements.at(1).toMap().value(QStringLiteral("b")).type(), QCborValue::Double);
    QCOMPARE(elements.at(2), QCborValue(QStringLiteral("x")));

    // Counting an array's elements without reading them, then on past it.
    const QList<QPair<QByteArray, int>> arrays = {
        {"[]", 0}, {"[ \n ]", 0}, {"[1]", 1}, {"[\"a,]\", {\"x\": [1, 2]}, \"\\\"],\", [[], {}], null]", 5},
        {"[\"\\\\\", \"}\"]", 2}, {"[{\"a\": \"[\"}, 2.5e3,true]", 3}};
    for (const auto &[array, count] : arrays) {
        const QByteArray wrapped = "{\"a\": " + array + ", \"b\": 7}";
        QVERIFY2(checkJson(wrapped, nullptr, nullptr), wrapped.constData());
        JsonStreamReader counter(wrapped);
        counter.enterContainer();
        QVERIFY(counter.nextMember(&name));
        QCOMPARE(counter.skipArrayCountingElements(), qsizetype(count));
        QVERIFY(counter.nextMember(&name));
        QCOMPARE(name, QStringLiteral("b"));
        QCOMPARE(counter.readValue(), QCborValue(7));
        QVERIFY(!counter.nextMember(&name));
    }

    // What findUnrepresentable() may report makes the first pass say so.
    QVERIFY(checkJson("[18446744073709551616]", nullptr, &suspect));
    QVERIFY(suspect);
    QVERIFY(checkJson("{\"\\udc00\": 1}", nullptr, &suspect));
    QVERIFY(suspect);
    QVERIFY(checkJson("[-9223372036854775808, 1e400, \"\\u00e9\"]", nullptr, &suspect));
    QVERIFY(!suspect);
}

#include "tst_loaders.moc"
