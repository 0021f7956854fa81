// Engine::loaddata: `manage.py loaddata` of a JSON fixture read from stdin,
// contract 5.7. What Django does, file by file:
//  - core/serializers/python.py builds each object: Field.to_python on every
//    value (a failure is DeserializationError.WithData), then Model(**data);
//    anything else that fails while building becomes an empty
//    DeserializationError (the json Deserializer's wrapper);
//  - commands/loaddata.py saves it raw and sets its many-to-many lists; a
//    DatabaseError or ValueError there is "Could not load <label>(pk=..)";
//    every error gets "Problem installing fixture '-': " in front;
//  - after the last object the foreign keys of the loaded tables are checked.
// The whole load is one transaction.

#include "model/engine.h"
#include "model/fieldvalues.h"
#include "model/m2mmanager.h"

#include <QCborArray>
#include <QCborMap>
#include <cmath>

namespace ss {

namespace {

// A failure of Field.to_python: its ValidationError text, "['...']".
struct ConversionError
{
    QString text;
};

[[noreturn]] void invalid(const QString &messageTemplate, const QCborValue &value)
{
    QString message = messageTemplate;
    message.replace(QStringLiteral("%(value)s"), pythonStr(value));
    throw ConversionError{QLatin1Char('[') + pythonRepr(QCborValue(message)) + QLatin1Char(']')};
}

// Field.to_python for the field's type (a relation: its target's pk).
QCborValue toPython(const Field *field, const QCborValue &value)
{
    const Field *typed = field->isForeignKey() ? field->target->pk : field;
    if (value.isNull() || value.isUndefined())
        return QCborValue(nullptr);
    switch (typed->type) {
    case FieldType::Int:   // int(value)
        if (value.isInteger()) return value;
        if (value.isBool()) return QCborValue(qint64(value.toBool() ? 1 : 0));
        if (value.isDouble() && std::isfinite(value.toDouble())) return QCborValue(qint64(std::trunc(value.toDouble())));
        if (value.isString()) {
            bool ok = false;
            const qint64 n = value.toString().trimmed().toLongLong(&ok);
            if (ok) return QCborValue(n);
        }
        invalid(QStringLiteral("\u201c%(value)s\u201d value must be an integer."), value);
    case FieldType::Float:  // float(value)
        if (value.isInteger()) return QCborValue(double(value.toInteger()));
        if (value.isDouble()) return value;
        if (value.isBool()) return QCborValue(value.toBool() ? 1.0 : 0.0);
        if (value.isString()) {
            bool ok = false;
            const double d = value.toString().trimmed().toDouble(&ok);
            if (ok) return QCborValue(d);
        }
        invalid(QStringLiteral("\u201c%(value)s\u201d value must be a float."), value);
    case FieldType::Bool:
        try {
            return prepareForDb(typed, value);
        } catch (const DjangoError &) {
            invalid(typed->null ? QStringLiteral("\u201c%(value)s\u201d value must be either True, False, or None.")
                                : QStringLiteral("\u201c%(value)s\u201d value must be either True or False."),
                    value);
        }
    case FieldType::Char:
    case FieldType::Text:
        return QCborValue(pythonStr(value));
    default:
        return value;
    }
}

bool isDatabaseError(const QString &type)
{
    static const QStringList family = {
        QStringLiteral("DatabaseError"), QStringLiteral("IntegrityError"), QStringLiteral("DataError"),
        QStringLiteral("OperationalError"), QStringLiteral("ProgrammingError"), QStringLiteral("InternalError"),
        QStringLiteral("NotSupportedError"), QStringLiteral("TransactionManagementError")};
    return family.contains(type);
}

const QString kFixturePrefix = QStringLiteral("Problem installing fixture '-': ");

} // namespace

void Engine::loaddata(const Model *model, const QCborArray &rows)
{
    QVector<FixtureObject> objects;
    for (const QCborValue &row : rows)
        objects.append({model, row.toMap()});
    loaddata(objects, {model});
}

void Engine::loaddata(const QVector<FixtureObject> &objects, QVector<const Model *> models)
{
    for (const FixtureObject &o : objects)
        if (!models.contains(o.model))
            models.append(o.model);

    Atomic transaction(*m_database);
    for (const FixtureObject &fixtureObject : objects) {
        const Model *model = fixtureObject.model;
        const QString labelLower = m_registry.app() + QLatin1Char('.') + model->name.toLower();
        const QString label = m_registry.app() + QLatin1Char('.') + model->name;
        auto withData = [&](const QString &error, const QCborValue &pk, const QString &fieldValue) {
            return DjangoError(QStringLiteral("DeserializationError"),
                               kFixturePrefix + QStringLiteral("%1: (%2:pk=%3) field_value was '%4'")
                                                    .arg(error, labelLower, pythonStr(pk), fieldValue));
        };
        // Build the object (the deserializer).
        const QCborMap &row = fixtureObject.fields;
        const bool hasPk = row.contains(QStringLiteral("pk")) || row.contains(model->pk->name);
        const QCborValue rawPk = row.contains(model->pk->name) ? row.value(model->pk->name) : row.value(QStringLiteral("pk"));
        InstancePtr object;
        QVector<QPair<const Field *, QVector<Value>>> m2mData;
        try {
            Kwargs data;
            if (hasPk) {
                try {
                    data.append({model->pk->attname, Value(toPython(model->pk, rawPk))});
                } catch (const ConversionError &e) {
                    throw withData(e.text, rawPk, QStringLiteral("None"));
                }
            }
            for (auto it = row.begin(); it != row.end(); ++it) {
                const QString key = it.key().toString();
                if (key == QLatin1String("pk") || key == model->pk->name)
                    continue;
                const QCborValue fieldValue = it.value();
                const Field *field = model->field(key);
                if (!field)
                    throw DjangoError(QStringLiteral("FieldDoesNotExist"), key);
                if (field->type == FieldType::ManyToMany) {
                    // deserialize_m2m_values: iter(value), each converted as the target's pk.
                    QVector<QCborValue> items;
                    if (fieldValue.isArray()) {
                        for (const QCborValue &v : fieldValue.toArray())
                            items.append(v);
                    } else if (fieldValue.isString()) {
                        for (QChar c : fieldValue.toString())
                            items.append(QCborValue(QString(c)));
                    } else if (fieldValue.isMap()) {
                        const QCborMap map = fieldValue.toMap();
                        for (auto k = map.begin(); k != map.end(); ++k)
                            items.append(k.key());
                    } else {
                        throw withData(QStringLiteral("'%1' object is not iterable").arg(pythonTypeName(fieldValue)),
                                       rawPk, pythonStr(fieldValue));
                    }
                    QVector<Value> ids;
                    for (const QCborValue &item : std::as_const(items)) {
                        try {
                            ids.append(Value(toPython(field->target->pk, item)));
                        } catch (const ConversionError &e) {
                            throw withData(e.text, rawPk, pythonStr(item));
                        }
                    }
                    m2mData.append({field, ids});
                    continue;
                }
                try {
                    data.append({field->isForeignKey() ? field->attname : field->name, Value(toPython(field, fieldValue))});
                } catch (const ConversionError &e) {
                    throw withData(e.text, rawPk, pythonStr(fieldValue));
                }
            }
            object = construct(model, data);
        } catch (const DjangoError &error) {
            if (error.type() == QLatin1String("DeserializationError"))
                throw;
            // Anything else the json Deserializer turns into DeserializationError().
            throw DjangoError(QStringLiteral("DeserializationError"), kFixturePrefix);
        }

        // Save it (loaddata's obj.save()).
        try {
            saveBase(object, true, false, std::nullopt);
            for (const auto &m2m : std::as_const(m2mData))
                M2mManager(*this, object, M2mAccessor{m2m.first, false}).set(m2m.second, false);
        } catch (const DjangoError &error) {
            // The recursion bound's message is fixed (contract 4.3, 5.9).
            if (error.type() == QLatin1String("RecursionError"))
                throw;
            QString message = error.message();
            if (isDatabaseError(error.type()) || error.type() == QLatin1String("ValueError"))
                message = QStringLiteral("Could not load %1(pk=%2): %3").arg(label, pythonStr(object->pk()), message);
            throw DjangoError(error.type(), kFixturePrefix + message);
        }
    }
    try {
        m_database->checkForeignKeys(models);
    } catch (const DjangoError &error) {
        throw DjangoError(error.type(), QStringLiteral("Problem installing fixtures: ") + error.message());
    }
    // The sequence reset of every model in the fixture (not of the through
    // tables its many-to-many lists filled), when anything was loaded.
    if (!objects.isEmpty())
        m_database->resetSequences(models);
    transaction.commit();
}

} // namespace ss
