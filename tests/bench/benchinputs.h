#pragma once
// The inputs both halves of signalscope-bench run: the accounts app of the
// conformance suite and its signup scenario.

#include "formats/schema.h"
#include "formats/scenario.h"

#include <QByteArray>
#include <QStringList>

namespace bench {

// The accounts app (tests/conformance/schemas); `withReceiver`: with the
// declarative post_save receiver creating the BillingProfile.
QByteArray accountsSchemaJson(bool withReceiver);
ss::SchemaDecl accountsSchema(bool withReceiver);

// `signups` times: create a User (its post_save receiver creates the
// BillingProfile), change its email, save(update_fields=["email"]), delete it
// (cascading to the profile): about 22 recorded events each.
ss::ScenarioDecl signupScenario(int signups);
// The same scenario as a file's text (what compare_django.py gives both sides).
QByteArray signupScenarioJson(int signups);

// The CREATE statements an engine makes for `schema`, read back from the
// SQLite file it made at `path`: baselines get tables of the same shape.
QStringList engineDdl(const ss::SchemaDecl &schema, const QString &path);

} // namespace bench
