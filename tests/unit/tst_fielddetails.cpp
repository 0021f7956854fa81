// A field's declaration in one line (model/fielddetails.h): what the schema
// panel lists and the record tables' header tooltips say.

#include "enginetestutil.h"
#include "model/fielddetails.h"

using namespace sst;

class TestFieldDetails : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyKindOfField()
    {
        auto t = makeEngine(R"({
          "format": "signalscope-schema/1",
          "app": "shop",
          "models": [
            {"name": "User", "fields": [
              {"name": "username", "type": "char", "unique": true},
              {"name": "nickname", "type": "char", "null": true, "default": "anon"},
              {"name": "age", "type": "int", "default": 0}]},
            {"name": "Topping", "fields": [{"name": "name", "type": "char"}]},
            {"name": "Pizza", "fields": [
              {"name": "owner", "type": "foreign_key", "to": "User", "on_delete": "SET_NULL", "null": true, "related_name": "pizzas"},
              {"name": "profile", "type": "one_to_one", "to": "User", "on_delete": "CASCADE", "related_name": "pizza_profile"},
              {"name": "toppings", "type": "many_to_many", "to": "Topping", "related_name": "pizzas"}]}
          ]
        })");
        QVERIFY(t);
        const ModelRegistry &registry = t->engine->registry();
        const Model *user = registry.model(QStringLiteral("User"));
        const Model *pizza = registry.model(QStringLiteral("Pizza"));
        QVERIFY(user && pizza);
        QCOMPARE(fieldDetails(*user->field(QStringLiteral("id"))), QStringLiteral("auto primary key"));
        QCOMPARE(fieldDetails(*user->field(QStringLiteral("username"))), QStringLiteral("char, unique"));
        QCOMPARE(fieldDetails(*user->field(QStringLiteral("nickname"))), QStringLiteral("char, null, default='anon'"));
        QCOMPARE(fieldDetails(*user->field(QStringLiteral("age"))), QStringLiteral("int, default=0"));
        QCOMPARE(fieldDetails(*pizza->field(QStringLiteral("owner"))),
                 QStringLiteral("foreign_key → User, on_delete=SET_NULL, related_name='pizzas', null"));
        QCOMPARE(fieldDetails(*pizza->field(QStringLiteral("profile"))),
                 QStringLiteral("one_to_one → User, on_delete=CASCADE, related_name='pizza_profile', unique"));
        QCOMPARE(fieldDetails(*pizza->field(QStringLiteral("toppings"))),
                 QStringLiteral("many_to_many ⇄ Topping through Pizza_toppings, related_name='pizzas'"));
    }
};

QTEST_GUILESS_MAIN(TestFieldDetails)
#include "tst_fielddetails.moc"
