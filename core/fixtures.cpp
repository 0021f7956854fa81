// Engine::loaddata: `manage.py loaddata` of a JSON fixture read from stdin
// (django/core/management/commands/loaddata.py and core/serializers/python.py),
// contract 5.7. One transaction; each object is built with Model(**data),
// saved raw, then its many-to-many lists are set; after the last object the
// foreign keys of the loaded tables are checked.

#include "engine.h"
#include "fieldvalues.h"
#include "m2mmanager.h"

#include <QJsonObject>
#include <cmath>

namespace ss {

static DjangoError fixtureError(const QString &type, const QString &message)
{
    // loaddata rewrites every exception's first argument, keeping its class.
    return DjangoError(type, QStringLiteral("Problem installing fixture '-': ") + message);
}

// Field.to_python as the deserializer applies it; a failure is a ValidationError
// wrapped in DeserializationError.WithData.
static QCborValue toPython(const Model *model, const Field *field, const QCborValue &value, const QCborValue &pk)
{
    const Field *typed = field->isForeignKey() ? field->target->pk : field;
    if (value.isNull())
        return value;
    auto invalid = [&](const QString &template_) -> QCborValue {
        const QString text = value.isString() ? value.toString() : pythonRepr(value);
        const QString validation = QStringLiteral("['%1']").arg(QString(template_).replace(QStringLiteral("%(value)s"), text));
        throw fixtureError(QStringLiteral("DeserializationError"),
                           QStringLiteral("%1: (%2.%3:pk=%4) field_value was '%5'")
                               .arg(validation, model->table.section(QLatin1Char('_'), 0, 0), model->name.toLower(),
                                    pk.isNull() ? QStringLiteral("None") : placeholderText(pk), text));
    };
    switch (typed->type) {
    case FieldType::Int:
        if (value.isInteger()) return value;
        if (value.isBool()) return QCborValue(qint64(value.toBool() ? 1 : 0));
        if (value.isDouble() && std::trunc(value.toDouble()) == value.toDouble()) return QCborValue(qint64(value.toDouble()));
        if (value.isString()) {
            bool ok = false;
            const qint64 n = value.toString().toLongLong(&ok);
            if (ok) return QCborValue(n);
        }
        return invalid(QStringLiteral("\u201c%(value)s\u201d value must be an integer."));
    case FieldType::Float:
        if (value.isInteger()) return QCborValue(double(value.toInteger()));
        if (value.isDouble()) return value;
        if (value.isBool()) return QCborValue(value.toBool() ? 1.0 : 0.0);
        if (value.isString()) {
            bool ok = false;
            const double d = value.toString().toDouble(&ok);
            if (ok) return QCborValue(d);
        }
        return invalid(QStringLiteral("\u201c%(value)s\u201d value must be a float."));
    case FieldType::Bool:
        try {
            return prepareForDb(typed, value);
        } catch (const DjangoError &) {
            return invalid(QStringLiteral("\u201c%(value)s\u201d value must be either True or False."));
        }
    case FieldType::Char:
    case FieldType::Text:
        return prepareForDb(typed, value);
    default:
        return value;
    }
}

void Engine::loaddata(const Model *model, const QJsonArray &rows)
{
    Atomic transaction(*m_database);
    for (const QJsonValue &rowValue : rows) {
        if (!rowValue.isObject())
            throw fixtureError(QStringLiteral("DeserializationError"), QStringLiteral("each fixture row must be an object"));
        const QJsonObject row = rowValue.toObject();
        QCborValue pk(nullptr);
        const QString pkKey = row.contains(QStringLiteral("pk")) ? QStringLiteral("pk") : model->pk->name;
        Kwargs data;
        if (row.contains(pkKey)) {
            pk = toPython(model, model->pk, cborFromJson(row.value(pkKey)), QCborValue(nullptr));
            data.append({model->pk->attname, Value(pk)});
        }
        QVector<QPair<const Field *, QJsonArray>> m2mData;
        for (auto it = row.begin(); it != row.end(); ++it) {
            if (it.key() == pkKey)
                continue;
            const Field *field = model->field(it.key());
            if (!field || field->name != it.key())
                // Django 3.2 wraps FieldDoesNotExist in a DeserializationError
                // that drops the original text: the detail is empty.
                throw fixtureError(QStringLiteral("DeserializationError"), QString());
            if (field->type == FieldType::ManyToMany) {
                m2mData.append({field, it.value().toArray()});
                continue;
            }
            const QCborValue converted = toPython(model, field, cborFromJson(it.value()), pk);
            data.append({field->attname, Value(converted)});
        }
        const InstancePtr object = construct(model, data);
        saveBase(object, true, false, std::nullopt);
        for (const auto &m2m : std::as_const(m2mData)) {
            QVector<Value> ids;
            for (const QJsonValue &id : m2m.second)
                ids.append(Value(toPython(model, m2m.first->target->pk, cborFromJson(id), pk)));
            M2mManager(*this, object, M2mAccessor{m2m.first, false}).set(ids, false);
        }
    }
    try {
        m_database->checkForeignKeys({model});
    } catch (const DjangoError &error) {
        throw DjangoError(error.type(), QStringLiteral("Problem installing fixtures: ") + error.message());
    }
    transaction.commit();
}

} // namespace ss
