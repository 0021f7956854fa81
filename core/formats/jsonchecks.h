#pragma once
// Checked reading of a parsed JSON document. Each helper returns what the
// contract asks for or throws JsonRefusal naming the path of the offending
// value, so the loaders read like the contract and never act on a value of the
// wrong type. Loaders catch JsonRefusal at their public boundary.

#include "formats/jsonpath.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QString>
#include <optional>

namespace ss {

struct JsonRefusal
{
    JsonPath path;      // the offending value (or the object missing a member)
    QString message;
};

[[noreturn]] void refuse(const JsonPath &path, const QString &message);

// "a string", "an array", "null", ... for messages.
QString jsonTypeName(const QCborValue &value);

QCborMap expectObject(const QCborValue &value, const JsonPath &path);
QCborArray expectArray(const QCborValue &value, const JsonPath &path);
QString expectString(const QCborValue &value, const JsonPath &path);
bool expectBool(const QCborValue &value, const JsonPath &path);

// Members of `object` (at `path`). "Absent" means missing; optional members
// may also be null, which counts as absent.
QString requiredString(const QCborMap &object, const QString &key, const JsonPath &path);
std::optional<QString> optionalString(const QCborMap &object, const QString &key, const JsonPath &path);
bool optionalBool(const QCborMap &object, const QString &key, const JsonPath &path, bool fallback);
QCborArray optionalArray(const QCborMap &object, const QString &key, const JsonPath &path);       // absent: empty
QCborArray requiredArray(const QCborMap &object, const QString &key, const JsonPath &path);
QCborMap optionalObject(const QCborMap &object, const QString &key, const JsonPath &path);        // absent: empty
// An array of strings, e.g. update_fields; absent or null: nullopt.
std::optional<QStringList> optionalStringList(const QCborMap &object, const QString &key, const JsonPath &path);

} // namespace ss
