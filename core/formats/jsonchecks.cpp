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

static bool absentOrNull(const QCborMap &object, const QString &key)
{
    const QCborValue value = object.value(key);
    return value.isUndefined() || value.isNull();
}

QString requiredString(const QCborMap &object, const QString &key, const JsonPath &path)
{
    if (!object.contains(key))
        refuse(path, QStringLiteral("missing \"%1\"").arg(key));
    return expectString(object.value(key), path.key(key));
}

std::optional<QString> optionalString(const QCborMap &object, const QString &key, const JsonPath &path)
{
    if (absentOrNull(object, key))
        return std::nullopt;
    return expectString(object.value(key), path.key(key));
}

bool optionalBool(const QCborMap &object, const QString &key, const JsonPath &path, bool fallback)
{
    if (!object.contains(key))
        return fallback;
    return expectBool(object.value(key), path.key(key));
}

QCborArray optionalArray(const QCborMap &object, const QString &key, const JsonPath &path)
{
    if (!object.contains(key))
        return {};
    return expectArray(object.value(key), path.key(key));
}

QCborArray requiredArray(const QCborMap &object, const QString &key, const JsonPath &path)
{
    if (!object.contains(key))
        refuse(path, QStringLiteral("missing \"%1\"").arg(key));
    return expectArray(object.value(key), path.key(key));
}

QCborMap optionalObject(const QCborMap &object, const QString &key, const JsonPath &path)
{
    if (!object.contains(key))
        return {};
    return expectObject(object.value(key), path.key(key));
}

std::optional<QStringList> optionalStringList(const QCborMap &object, const QString &key, const JsonPath &path)
{
    if (absentOrNull(object, key))
        return std::nullopt;
    const JsonPath listPath = path.key(key);
    const QCborArray array = expectArray(object.value(key), listPath);
    QStringList names;
    for (qsizetype i = 0; i < array.size(); ++i)
        names.append(expectString(array.at(i), listPath.index(int(i))));
    return names;
}

} // namespace ss
