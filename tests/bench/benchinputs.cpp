#include "benchinputs.h"

#include "formats/loaders.h"
#include "model/engine.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <stdexcept>

namespace bench {

// The accounts app of the conformance suite (tests/conformance/schemas).
// `withReceiver`: the declarative post_save receiver creating BillingProfile.
QByteArray accountsSchemaJson(bool withReceiver)
{
    QByteArray json = R"({"format": "signalscope-schema/1", "app": "accounts", "models": [
        {"name": "User", "fields": [
            {"name": "username", "type": "char", "max_length": 150, "unique": true},
            {"name": "email", "type": "char", "default": ""},
            {"name": "is_active", "type": "bool", "default": true}]},
        {"name": "BillingProfile", "fields": [
            {"name": "user", "type": "one_to_one", "to": "User", "on_delete": "CASCADE",
             "related_name": "billing_profile"},
            {"name": "user_image", "type": "char", "default": "user_image.jpg"}]}])";
    if (withReceiver)
        json += R"(, "receivers": [
        {"name": "create_billing_profile", "signal": "post_save", "sender": "User",
         "when": {"created": true},
         "do": [{"create": "BillingProfile", "values": {"user": "$instance"}}]}])";
    json += "}";
    return json;
}

ss::SchemaDecl accountsSchema(bool withReceiver)
{
    ss::LoadError error;
    auto schema = ss::parseSchema(accountsSchemaJson(withReceiver), QStringLiteral("bench-accounts.schema.json"), &error);
    if (!schema)
        throw std::runtime_error(error.toString().toStdString());
    return *schema;
}

// `signups` times: create a User (its post_save receiver creates the
// BillingProfile), change its email, save(update_fields=["email"]), delete it
// (cascading to the profile).
QByteArray signupScenarioJson(int signups)
{
    QByteArray json = R"({"format": "signalscope-scenario/1", "name": "bench signups", "schema": )";
    json += accountsSchemaJson(true);
    json += R"(, "steps": [)";
    for (int i = 0; i < signups; ++i) {
        const QByteArray n = QByteArray::number(i);
        if (i)
            json += ',';
        json += R"({"op": "create", "model": "User", "values": {"username": "user)" + n + R"("}, "as": "u"},)";
        json += R"({"op": "set", "ref": "u", "values": {"email": "user)" + n + R"(@example.org"}},)";
        json += R"({"op": "save", "ref": "u", "update_fields": ["email"]},)";
        json += R"({"op": "delete", "ref": "u"})";
    }
    json += "]}";
    return json;
}

ss::ScenarioDecl signupScenario(int signups)
{
    ss::LoadError error;
    auto scenario = ss::parseScenario(signupScenarioJson(signups), QStringLiteral("bench-signups.scenario.json"), &error);
    if (!scenario)
        throw std::runtime_error(error.toString().toStdString());
    return *scenario;
}

// The engine's CREATE statements, read back from a database it made, so the raw
// baseline inserts into a table of exactly the same shape (same indexes).
QStringList engineDdl(const ss::SchemaDecl &schema, const QString &path)
{
    { ss::Engine ddlSource(schema, path); }
    QStringList ddl;
    const QString connection = QStringLiteral("bench-ddl");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        if (!db.open())
            throw std::runtime_error("cannot open the DDL source database");
        QSqlQuery query(db);
        query.exec(QStringLiteral("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"));
        while (query.next())
            ddl << query.value(0).toString();
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return ddl;
}

} // namespace bench
