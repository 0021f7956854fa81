#include "benchinputs.h"

#include "formats/loaders.h"

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
ss::ScenarioDecl signupScenario(int signups)
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
    ss::LoadError error;
    auto scenario = ss::parseScenario(json, QStringLiteral("bench-signups.scenario.json"), &error);
    if (!scenario)
        throw std::runtime_error(error.toString().toStdString());
    return *scenario;
}

} // namespace bench
