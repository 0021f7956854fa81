#include "formats/jsonchecks.h"

#include <QStringList>

namespace ss {

void refuse(const JsonPath &path, const QString &message)
{
    throw JsonRefusal{path, message};
}

QString jsonTypeName(const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::Map: return QStringLiteral("an object");
    case QCborValue::Array: return QStringLiteral("an array");
    case QCborValue::String: return QStringLiteral("a string");
    case QCborValue::Integer:
    case QCborValue::Double: return QStringLiteral("a number");
    case QCborValue::True:
    case QCborValue::False: return QStringLiteral("a boolean");
    case QCborValue::Null: return QStringLiteral("null");
    default: return QStringLiteral("nothing");
    }
}

static void refuseType(const QCborValue &value, const JsonPath &path, const char *expected)
{
    refuse(path, QStringLiteral("expected %1, found %2").arg(QLatin1String(expected), jsonTypeName(value)));
}

QCborMap expectObject(const QCborValue &value, const JsonPath &path)
{
    if (!value.isMap())
        refuseType(value, path, "an object");
    return value.toMap();
}

QCborArray expectArray(const QCborValue &value, const JsonPath &path)
{
    if (!value.isArray())
        refuseType(value, path, "an array");
    return value.toArray();
}

QString expectString(const QCborValue &value, const JsonPath &path)
{
    if (!value.isString())
        refuseType(value, path, "a string");
    return value.toString();
}

bool expectBool(const QCborValue &value, const JsonPath &path)
{
    if (!value.isBool())
        refuseType(value, path, "true or false");
    return value.toBool();
}

// The helpers below read a member once (a missing member reads as undefined,
// which no JSON value is) and build the member's path only to refuse it: a
// clean file builds no path at all.

QString requiredString(const QCborMap &object, const QString &key, const JsonPath &path)
{
    const QCborValue value = object.value(key);
    if (value.isUndefined())
        refuse(path, QStringLiteral("missing \"%1\"").arg(key));
    if (!value.isString())
        refuseType(value, path.key(key), "a string");
    return value.toString();
}

std::optional<QString> optionalString(const QCborMap &object, const QString &key, const JsonPath &path)
{
    const QCborValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isString())
        refuseType(value, path.key(key), "a string");
    return value.toString();
}

bool optionalBool(const QCborMap &object, const QString &key, const JsonPath &path, bool fallback)
{
    const QCborValue value = object.value(key);
    if (value.isUndefined())
        return fallback;
    if (!value.isBool())
        refuseType(value, path.key(key), "true or false");
    return value.toBool();
}

QCborArray optionalArray(const QCborMap &object, const QString &key, const JsonPath &path)
{
    const QCborValue value = object.value(key);
    if (value.isUndefined())
        return {};
    if (!value.isArray())
        refuseType(value, path.key(key), "an array");
    return value.toArray();
}

QCborArray requiredArray(const QCborMap &object, const QString &key, const JsonPath &path)
{
    const QCborValue value = object.value(key);
    if (value.isUndefined())
        refuse(path, QStringLiteral("missing \"%1\"").arg(key));
    if (!value.isArray())
        refuseType(value, path.key(key), "an array");
    return value.toArray();
}

QCborMap optionalObject(const QCborMap &object, const QString &key, const JsonPath &path)
{
    const QCborValue value = object.value(key);
    if (value.isUndefined())
        return {};
    if (!value.isMap())
        refuseType(value, path.key(key), "an object");
    return value.toMap();
}

std::optional<QStringList> optionalStringList(const QCborMap &object, const QString &key, const JsonPath &path)
{
    const QCborValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isArray())
        refuseType(value, path.key(key), "an array");
    const QCborArray array = value.toArray();
    QStringList names;
    names.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QCborValue name = array.at(i);
        if (!name.isString())
            refuseType(name, path.key(key).index(int(i)), "a string");
        names.append(name.toString());
    }
    return names;
}

} // namespace ss
