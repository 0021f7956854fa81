#include "model/fieldvalues.h"

#include "model/djangoerror.h"
#include "model/value.h"
#include "python/pythonvalue.h"

#include <QCborArray>
#include <QCborMap>
#include <cmath>

namespace ss {

static QCborValue toInteger(const Field *field, const QCborValue &value)
{
    // int(value): floats truncate, bools are 0/1, numeric strings parse.
    auto fail = [&](const QString &type) -> QCborValue {
        throw DjangoError(type, QStringLiteral("Field '%1' expected a number but got %2.").arg(field->name, pythonRepr(value)));
    };
    switch (value.type()) {
    case QCborValue::Integer: return value;
    case QCborValue::Double: {
        const double d = value.toDouble();
        if (!std::isfinite(d))
            return fail(std::isnan(d) ? QStringLiteral("ValueError") : QStringLiteral("OverflowError"));
        return QCborValue(qint64(std::trunc(d)));
    }
    case QCborValue::True: return QCborValue(qint64(1));
    case QCborValue::False: return QCborValue(qint64(0));
    case QCborValue::String: {
        bool ok = false;
        const qint64 n = value.toString().trimmed().toLongLong(&ok);
        if (!ok)
            return fail(QStringLiteral("ValueError"));
        return QCborValue(n);
    }
    default: return fail(QStringLiteral("TypeError"));
    }
}

static QCborValue toFloat(const Field *field, const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::Integer: return QCborValue(double(value.toInteger()));
    case QCborValue::Double: return value;
    case QCborValue::True: return QCborValue(1.0);
    case QCborValue::False: return QCborValue(0.0);
    case QCborValue::String: {
        bool ok = false;
        const double d = value.toString().trimmed().toDouble(&ok);
        if (ok)
            return QCborValue(d);
        throw DjangoError(QStringLiteral("ValueError"),
                          QStringLiteral("Field '%1' expected a number but got %2.").arg(field->name, pythonRepr(value)));
    }
    default:
        throw DjangoError(QStringLiteral("TypeError"),
                          QStringLiteral("Field '%1' expected a number but got %2.").arg(field->name, pythonRepr(value)));
    }
}

static QCborValue toBoolean(const Field *field, const QCborValue &value)
{
    // BooleanField.to_python; ValidationError's first argument is the
    // unformatted message template.
    if (field->null && (value.isNull() || (value.isString() && value.toString().isEmpty())))
        return QCborValue(nullptr);
    if (value.isBool()) return value;
    if (value.isInteger() && (value.toInteger() == 0 || value.toInteger() == 1)) return QCborValue(value.toInteger() == 1);
    if (value.isDouble() && (value.toDouble() == 0.0 || value.toDouble() == 1.0)) return QCborValue(value.toDouble() == 1.0);
    if (value.isString()) {
        const QString s = value.toString();
        if (s == QLatin1String("t") || s == QLatin1String("True") || s == QLatin1String("1")) return QCborValue(true);
        if (s == QLatin1String("f") || s == QLatin1String("False") || s == QLatin1String("0")) return QCborValue(false);
    }
    throw DjangoError(QStringLiteral("ValidationError"),
                      field->null ? QStringLiteral("\u201c%(value)s\u201d value must be either True, False, or None.")
                                  : QStringLiteral("\u201c%(value)s\u201d value must be either True or False."));
}

QCborValue prepareForDb(const Field *field, const QCborValue &value)
{
    if (value.isNull() || value.isUndefined())
        return QCborValue(nullptr);
    const Field *typed = field->isForeignKey() ? field->target->pk : field;
    switch (typed->type) {
    case FieldType::Int: return toInteger(typed, value);
    case FieldType::Float: return toFloat(typed, value);
    case FieldType::Bool: return toBoolean(typed, value);
    case FieldType::Char:
    case FieldType::Text:
        // str(value); a string is its own str(), kept as it is (no copy).
        return value.isString() ? value : QCborValue(pythonStr(value));
    default: return value;
    }
}

} // namespace ss
