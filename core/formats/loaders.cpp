#include "formats/loaders.h"

#include "formats/jsonchecks.h"
#include "formats/jsonreader.h"
#include "web/djangosettings.h"
#include "web/templates.h"
#include "python/djangocode.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <cmath>
#include <functional>
#include <limits>

// The rules below follow contract sections 1-3 and the "Validation" paragraph
// of section 3. Beyond that list, a value of the wrong type is refused (never
// guessed at), and so is what Django itself could not run (two models whose
// names differ only in case, two columns that SQLite would see as one, an
// option a field type does not take). Names used in values (field names in
// `values`, `where`, `update_fields`, attributes after `$name.`) are *not*
// checked here: the contract gives those run-time errors (TypeError,
// ValueError, ScenarioError) that belong in the trace.

namespace ss {

QString LoadError::toString() const
{
    QString out = file;
    if (line > 0) {
        out += QLatin1Char(':') + QString::number(line);
        if (column > 0)
            out += QLatin1Char(':') + QString::number(column);
    }
    if (!out.isEmpty())
        out += QLatin1String(": ");
    if (!path.isEmpty())
        out += path + QLatin1String(": ");
    return out + message;
}

namespace {

const QLatin1String kSchemaFormat("signalscope-schema/1");
const QLatin1String kScenarioFormat("signalscope-scenario/1");

// Bigger than any scenario a person writes or a benchmark generates; bounds
// what a stray device file or a wrong path can make us allocate.
constexpr qint64 kMaxFileSize = 64 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Names

// A name as it may appear in a message: quoted, control characters escaped,
// long ones cut, so a hostile name cannot garble the message. File paths are
// never cut (maxShown -1): the file name is at their end.
QString quoted(const QString &name, int maxShown = 60)
{
    const int kMaxShown = maxShown < 0 ? int(name.size()) : maxShown;
    QString shown;
    for (QChar ch : name.left(kMaxShown)) {
        const ushort c = ch.unicode();
        if (c < 0x20 || c == 0x7F)
            shown += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
        else
            shown += ch;
    }
    if (name.size() > kMaxShown)
        shown += QLatin1String("...");
    return QLatin1Char('\'') + shown + QLatin1Char('\'');
}

// Names end up in Python identifiers, table and column names: ASCII letters,
// digits and underscores, not starting with a digit. Nothing else, so no name
// can carry SQL.
bool isAsciiIdentifier(const QString &name)
{
    if (name.isEmpty())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const ushort c = name.at(i).unicode();
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i > 0))
            return false;
    }
    return true;
}

// Longer names are refused: they would only make every statement and message
// huge (Django itself gives up at 63 bytes on PostgreSQL, 30 on Oracle).
constexpr qsizetype kMaxIdentifierLength = 255;

QString expectIdentifier(const QCborValue &value, const JsonPath &path, const QString &what)
{
    const QString name = expectString(value, path);
    if (!isAsciiIdentifier(name)) {
        refuse(path, QStringLiteral("%1 %2 is not an ASCII identifier (letters, digits and '_', not starting with a digit)")
                         .arg(what, quoted(name)));
    }
    if (name.size() > kMaxIdentifierLength) {
        refuse(path, QStringLiteral("%1 %2 is too long (%3 characters, at most %4)")
                         .arg(what, quoted(name)).arg(name.size()).arg(kMaxIdentifierLength));
    }
    return name;
}

QString requiredIdentifier(const QCborMap &object, const QString &key, const JsonPath &path, const QString &what)
{
    if (!object.contains(key))
        refuse(path, QStringLiteral("missing \"%1\"").arg(key));
    return expectIdentifier(object.value(key), path.key(key), what);
}

void checkFormat(const QCborMap &root, const JsonPath &path, QLatin1String expected, QLatin1String other,
                 bool required = true)
{
    const QString key = QStringLiteral("format");
    if (!root.contains(key)) {
        if (required)
            refuse(path, QStringLiteral("missing \"format\" (expected '%1')").arg(expected));
        return;
    }
    const QCborValue value = root.value(key);
    if (!value.isString())
        refuse(path.key(key), QStringLiteral("wrong format tag: expected '%1', found %2").arg(expected, jsonTypeName(value)));
    const QString tag = value.toString();
    if (tag == other) {
        refuse(path.key(key), QStringLiteral("wrong format %1: expected '%2' (this is a %3 file)")
                                  .arg(quoted(tag), expected, tag == kSchemaFormat ? QStringLiteral("schema") : QStringLiteral("scenario")));
    }
    if (tag != expected)
        refuse(path.key(key), QStringLiteral("wrong format %1: expected '%2'").arg(quoted(tag), expected));
}

// ---------------------------------------------------------------------------
// Schema lookups shared by schema and scenario rules

const ModelDecl *findModel(const SchemaDecl &schema, const QString &name)
{
    for (const ModelDecl &model : schema.models) {
        if (model.name == name)
            return &model;
    }
    return nullptr;
}

// Django's auto-created through models: `<Model>_<field>` for every
// many_to_many without "through".
QStringList autoThroughNames(const SchemaDecl &schema)
{
    QStringList names;
    for (const ModelDecl &model : schema.models) {
        for (const FieldDecl &field : model.fields) {
            if (field.type == FieldType::ManyToMany && field.through.isEmpty())
                names.append(model.name + QLatin1Char('_') + field.name);
        }
    }
    return names;
}

// A sender is a model class: a schema model or an auto-created through model.
bool isKnownSender(const SchemaDecl &schema, const QString &name)
{
    return findModel(schema, name) || autoThroughNames(schema).contains(name);
}

QString unknownModelMessage(const SchemaDecl &schema, const QString &name)
{
    QString message = QStringLiteral("unknown model %1").arg(quoted(name));
    if (autoThroughNames(schema).contains(name))
        message += QLatin1String(" (an auto-created through model; only the schema's models can be used here)");
    return message;
}

QString requiredSchemaModel(const SchemaDecl &schema, const QCborMap &object, const QString &key, const JsonPath &path)
{
    const QString name = requiredString(object, key, path);
    const ModelDecl *model = findModel(schema, name);
    if (!model)
        refuse(path.key(key), unknownModelMessage(schema, name));
    return model->name;         // the schema's own text: a step holding it costs no copy
}

// ---------------------------------------------------------------------------
// Schema (section 1)

std::optional<FieldType> fieldTypeFromName(const QString &name)
{
    for (FieldType type : {FieldType::Char, FieldType::Text, FieldType::Int, FieldType::Float, FieldType::Bool,
                           FieldType::ForeignKey, FieldType::OneToOne, FieldType::ManyToMany}) {
        if (fieldTypeName(type) == name)
            return type;
    }
    return std::nullopt;
}

std::optional<OnDelete> onDeleteFromName(const QString &name)
{
    for (OnDelete onDelete : {OnDelete::Cascade, OnDelete::Protect, OnDelete::Restrict, OnDelete::SetNull,
                              OnDelete::SetDefault, OnDelete::DoNothing}) {
        if (onDeleteName(onDelete) == name)
            return onDelete;
    }
    return std::nullopt;
}

class SchemaReader
{
public:
    explicit SchemaReader(QString originFile) : m_originFile(std::move(originFile)) {}

    // `inlined`: the schema object of a scenario, where "format" may be left out.
    SchemaDecl read(const QCborValue &rootValue, const JsonPath &base, bool inlined)
    {
        const QCborMap root = expectObject(rootValue, base);
        checkFormat(root, base, kSchemaFormat, kScenarioFormat, !inlined);
        m_schema.app = requiredIdentifier(root, QStringLiteral("app"), base, QStringLiteral("app label"));

        const JsonPath modelsPath = base.key(QStringLiteral("models"));
        const QCborArray models = requiredArray(root, QStringLiteral("models"), base);
        // Relations may point forward, so every model is named before any
        // field is read, and relations are resolved once all fields are known.
        for (qsizetype i = 0; i < models.size(); ++i)
            readModelName(models.at(i), modelsPath.index(int(i)));
        for (qsizetype i = 0; i < models.size(); ++i)
            readFields(int(i), models.at(i).toMap(), modelsPath.index(int(i)));
        for (qsizetype i = 0; i < models.size(); ++i)
            resolveRelations(int(i), modelsPath.index(int(i)));

        readSignals(root, base);
        const JsonPath receiversPath = base.key(QStringLiteral("receivers"));
        const QCborArray receivers = optionalArray(root, QStringLiteral("receivers"), base);
        for (qsizetype i = 0; i < receivers.size(); ++i) {
            const JsonPath path = receiversPath.index(int(i));
            m_schema.receivers.append(readReceiver(receivers.at(i), path, m_schema, originOf(m_originFile, path)));
        }
        return m_schema;
    }

    static QString originOf(const QString &file, const JsonPath &path)
    {
        const QString name = QFileInfo(file).fileName();
        return name.isEmpty() ? path.toString() : name + QLatin1String(": ") + path.toString();
    }

    // A receiver of section 2, checked against `schema` (also used for connect steps).
    static ReceiverDecl readReceiver(const QCborValue &value, const JsonPath &path, const SchemaDecl &schema,
                                     const QString &origin);

private:
    void readModelName(const QCborValue &value, const JsonPath &path)
    {
        const QCborMap object = expectObject(value, path);
        ModelDecl model;
        model.name = requiredIdentifier(object, QStringLiteral("name"), path, QStringLiteral("model name"));
        // Django's app registry knows models by their lowercased name.
        const QString key = model.name.toLower();
        if (m_modelsByLowerName.contains(key)) {
            const QString existing = m_modelsByLowerName.value(key);
            refuse(path.key(QStringLiteral("name")),
                   existing == model.name ? QStringLiteral("duplicate model %1").arg(quoted(model.name))
                                          : QStringLiteral("duplicate model %1 (Django compares model names ignoring case: %2)")
                                                .arg(quoted(model.name), quoted(existing)));
        }
        m_modelsByLowerName.insert(key, model.name);
        m_schema.models.append(model);
        m_fieldObjects.append(QVector<QCborMap>());
    }

    void readFields(int modelIndex, const QCborMap &modelObject, const JsonPath &modelPath)
    {
        ModelDecl &model = m_schema.models[modelIndex];
        const JsonPath fieldsPath = modelPath.key(QStringLiteral("fields"));
        const QCborArray fields = optionalArray(modelObject, QStringLiteral("fields"), modelPath);

        // Names and columns taken so far, lowercased: SQLite compares column
        // names ignoring case, so "Name" and "name" could not both exist.
        struct Taken
        {
            QString name;
            QString relation;   // set when `name` is the `<relation>_id` column of a relation
            JsonPath path;
            QString describe() const
            {
                return relation.isEmpty() ? QStringLiteral("field %1").arg(quoted(name))
                                          : QStringLiteral("%1 (the column of relation %2)").arg(quoted(name), quoted(relation));
            }
        };
        QHash<QString, Taken> taken;
        auto take = [&](const Taken &mine) {
            const QString key = mine.name.toLower();
            if (!taken.contains(key)) {
                taken.insert(key, mine);
                return;
            }
            const Taken &other = taken.value(key);
            if (mine.relation.isEmpty() && other.relation.isEmpty() && mine.name == other.name)
                refuse(mine.path, QStringLiteral("duplicate field %1 in model %2").arg(quoted(mine.name), quoted(model.name)));
            refuse(mine.path, QStringLiteral("duplicate field in model %1: %2 clashes with %3%4")
                                  .arg(quoted(model.name), mine.describe(), other.describe(),
                                       mine.name == other.name ? QString() : QStringLiteral(" (column names ignore case)")));
        };

        QString primaryKey;
        for (qsizetype j = 0; j < fields.size(); ++j) {
            const JsonPath path = fieldsPath.index(int(j));
            const QCborMap object = expectObject(fields.at(j), path);
            FieldDecl field = readField(object, path, model.name);
            if (field.primaryKey) {
                if (!primaryKey.isEmpty()) {
                    refuse(path.key(QStringLiteral("primary_key")),
                           QStringLiteral("more than one primary key in model %1 (%2 and %3)")
                               .arg(quoted(model.name), quoted(primaryKey), quoted(field.name)));
                }
                primaryKey = field.name;
            }
            const JsonPath namePath = path.key(QStringLiteral("name"));
            take({field.name, QString(), namePath});
            if (field.type == FieldType::ForeignKey || field.type == FieldType::OneToOne)
                take({field.name + QLatin1String("_id"), field.name, namePath});
            model.fields.append(field);
            m_fieldObjects[modelIndex].append(object);
        }
        if (primaryKey.isEmpty() && taken.contains(QStringLiteral("id"))) {
            const Taken &other = taken.value(QStringLiteral("id"));
            refuse(other.path, QStringLiteral("duplicate field in model %1: %2 clashes with the implicit primary key 'id' (column names ignore case)")
                                   .arg(quoted(model.name), other.describe()));
        }
    }

    static FieldDecl readField(const QCborMap &object, const JsonPath &path, const QString &modelName)
    {
        FieldDecl field;
        const JsonPath namePath = path.key(QStringLiteral("name"));
        field.name = requiredIdentifier(object, QStringLiteral("name"), path, QStringLiteral("field name"));
        // Django's own field-name rules (fields.E001, E002): "__" separates
        // lookups, a trailing "_" would be ambiguous with them.
        if (field.name.contains(QLatin1String("__")))
            refuse(namePath, QStringLiteral("field name %1 contains '__'").arg(quoted(field.name)));
        if (field.name.endsWith(QLatin1Char('_')))
            refuse(namePath, QStringLiteral("field name %1 ends with '_'").arg(quoted(field.name)));

        const QString typeName = requiredString(object, QStringLiteral("type"), path);
        const std::optional<FieldType> type = fieldTypeFromName(typeName);
        if (!type) {
            refuse(path.key(QStringLiteral("type")),
                   QStringLiteral("unknown field type %1 (expected char, text, int, float, bool, foreign_key, one_to_one or many_to_many)")
                       .arg(quoted(typeName)));
        }
        field.type = *type;

        field.null = optionalBool(object, QStringLiteral("null"), path, false);
        field.blank = optionalBool(object, QStringLiteral("blank"), path, false);
        field.unique = optionalBool(object, QStringLiteral("unique"), path, false);
        field.primaryKey = optionalBool(object, QStringLiteral("primary_key"), path, false);
        field.dbIndex = optionalBool(object, QStringLiteral("db_index"), path, false);
        if (field.name == QLatin1String("id") && !field.primaryKey) {
            refuse(namePath, QStringLiteral("a field named 'id' must be the primary key (\"primary_key\": true): "
                                            "model %1 has an implicit 'id' otherwise").arg(quoted(modelName)));
        }
        if (field.primaryKey && field.type == FieldType::ManyToMany)
            refuse(path.key(QStringLiteral("primary_key")), QStringLiteral("a many_to_many field cannot be the primary key"));
        if (object.contains(QStringLiteral("max_length"))) {
            // An integer; 150.0 is accepted too (Python would take it).
            const QCborValue value = object.value(QStringLiteral("max_length"));
            const double number = value.isInteger() ? double(value.toInteger()) : value.isDouble() ? value.toDouble() : 0.0;
            const bool ok = (value.isInteger() || value.isDouble()) && number >= 1 && number <= std::numeric_limits<int>::max()
                            && number == std::floor(number);
            if (!ok) {
                refuse(path.key(QStringLiteral("max_length")),
                       QStringLiteral("expected a positive integer, found %1")
                           .arg(value.isInteger() || value.isDouble() ? QString::number(number) : jsonTypeName(value)));
            }
            field.maxLength = int(number);
        }
        if (object.contains(QStringLiteral("default")))
            field.defaultValue = object.value(QStringLiteral("default"));

        readRelationOptions(object, path, modelName, &field);
        return field;
    }

    // Options Django's field classes take: an option the type does not take
    // would be a TypeError in Django, so it is refused rather than ignored.
    static void readRelationOptions(const QCborMap &object, const JsonPath &path, const QString &modelName, FieldDecl *field)
    {
        const bool isRelation = field->isRelation();
        const bool isForeignKey = field->type == FieldType::ForeignKey || field->type == FieldType::OneToOne;
        const bool isManyToMany = field->type == FieldType::ManyToMany;
        for (const char *option : {"to", "related_name", "on_delete", "through", "symmetrical"}) {
            const QString key = QLatin1String(option);
            if (!object.contains(key))
                continue;
            const bool applies = (key == QLatin1String("to") || key == QLatin1String("related_name")) ? isRelation
                               : key == QLatin1String("on_delete") ? isForeignKey
                               : isManyToMany;
            if (!applies) {
                refuse(path.key(key), QStringLiteral("\"%1\" does not apply to a %2 field")
                                          .arg(key, fieldTypeName(field->type)));
            }
        }
        if (!isRelation)
            return;

        field->to = requiredString(object, QStringLiteral("to"), path);
        // Django defaults symmetrical=True only for the literal "self", not
        // for a relation that names its own model.
        const bool literalSelf = field->to == QLatin1String("self");
        if (literalSelf)
            field->to = modelName;
        if (const auto relatedName = optionalString(object, QStringLiteral("related_name"), path))
            field->relatedName = expectIdentifier(QCborValue(*relatedName), path.key(QStringLiteral("related_name")), QStringLiteral("related_name"));

        if (isForeignKey) {
            if (!object.contains(QStringLiteral("on_delete"))) {
                refuse(path, QStringLiteral("%1 %2 needs \"on_delete\" (CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT or DO_NOTHING)")
                                 .arg(fieldTypeName(field->type), quoted(field->name)));
            }
            const JsonPath onDeletePath = path.key(QStringLiteral("on_delete"));
            const QString onDeleteText = expectString(object.value(QStringLiteral("on_delete")), onDeletePath);
            const std::optional<OnDelete> onDelete = onDeleteFromName(onDeleteText);
            if (!onDelete) {
                refuse(onDeletePath, QStringLiteral("unknown on_delete %1 (expected CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT or DO_NOTHING)")
                                         .arg(quoted(onDeleteText)));
            }
            field->onDelete = *onDelete;
            if (field->onDelete == OnDelete::SetNull && !field->null)
                refuse(onDeletePath, QStringLiteral("on_delete SET_NULL needs \"null\": true on %1").arg(quoted(field->name)));
            if (field->onDelete == OnDelete::SetDefault && !field->defaultValue)
                refuse(onDeletePath, QStringLiteral("on_delete SET_DEFAULT needs a \"default\" on %1").arg(quoted(field->name)));
        }
        if (isManyToMany) {
            if (const auto through = optionalString(object, QStringLiteral("through"), path))
                field->through = *through;
            field->symmetrical = optionalBool(object, QStringLiteral("symmetrical"), path, literalSelf);
        }
    }

    void resolveRelations(int modelIndex, const JsonPath &modelPath)
    {
        const ModelDecl &model = m_schema.models[modelIndex];
        const JsonPath fieldsPath = modelPath.key(QStringLiteral("fields"));
        for (int j = 0; j < model.fields.size(); ++j) {
            const FieldDecl &field = model.fields[j];
            if (!field.isRelation())
                continue;
            const JsonPath path = fieldsPath.index(j);
            const QCborMap &object = m_fieldObjects[modelIndex][j];
            if (!findModel(m_schema, field.to)) {
                refuse(path.key(QStringLiteral("to")), QStringLiteral("unknown relation target %1 (a model of the schema, or \"self\")")
                                                            .arg(quoted(field.to)));
            }
            if (field.type != FieldType::ManyToMany)
                continue;
            if (object.contains(QStringLiteral("symmetrical")) && field.to != model.name) {
                refuse(path.key(QStringLiteral("symmetrical")),
                       QStringLiteral("\"symmetrical\" applies only to a many_to_many to self, and %1 points to %2")
                           .arg(quoted(field.name), quoted(field.to)));
            }
            if (field.through.isEmpty())
                checkAutoThroughName(model, field, path);
            else
                checkThroughModel(model, field, path.key(QStringLiteral("through")));
        }
    }

    // The through model needs a foreign key to each side (two to the model for
    // a relation to self), as Django requires.
    void checkThroughModel(const ModelDecl &model, const FieldDecl &field, const JsonPath &path) const
    {
        const ModelDecl *through = findModel(m_schema, field.through);
        if (!through)
            refuse(path, QStringLiteral("unknown through model %1").arg(quoted(field.through)));
        int toSource = 0;
        int toTarget = 0;
        for (const FieldDecl &candidate : through->fields) {
            if (candidate.type != FieldType::ForeignKey && candidate.type != FieldType::OneToOne)
                continue;
            toSource += candidate.to == model.name;
            toTarget += candidate.to == field.to;
        }
        const bool ok = model.name == field.to ? toSource >= 2 : (toSource >= 1 && toTarget >= 1);
        if (!ok) {
            refuse(path, QStringLiteral("through model %1 needs a foreign key to %2 and one to %3")
                             .arg(quoted(field.through), quoted(model.name), quoted(field.to)));
        }
    }

    // Django registers `<Model>_<field>` in the same app: it must not clash
    // with a declared model or another auto-created one.
    void checkAutoThroughName(const ModelDecl &model, const FieldDecl &field, const JsonPath &path)
    {
        const QString name = model.name + QLatin1Char('_') + field.name;
        const QString key = name.toLower();
        if (m_modelsByLowerName.contains(key)) {
            refuse(path.key(QStringLiteral("name")), QStringLiteral("the auto-created through model %1 clashes with model %2")
                                                         .arg(quoted(name), quoted(m_modelsByLowerName.value(key))));
        }
        m_modelsByLowerName.insert(key, name);
    }

    void readSignals(const QCborMap &root, const JsonPath &base)
    {
        const JsonPath signalsPath = base.key(QStringLiteral("signals"));
        const QCborArray list = optionalArray(root, QStringLiteral("signals"), base);
        for (qsizetype i = 0; i < list.size(); ++i) {
            const JsonPath path = signalsPath.index(int(i));
            const QString name = expectIdentifier(list.at(i), path, QStringLiteral("signal name"));
            if (isBuiltinSignal(name))
                refuse(path, QStringLiteral("custom signal %1 has the name of a built-in signal").arg(quoted(name)));
            if (m_schema.customSignals.contains(name))
                refuse(path, QStringLiteral("duplicate signal %1").arg(quoted(name)));
            m_schema.customSignals.append(name);
        }
    }

    QString m_originFile;
    SchemaDecl m_schema;
    QHash<QString, QString> m_modelsByLowerName;    // also holds auto-created through models
    QVector<QVector<QCborMap>> m_fieldObjects;      // the JSON of each field, by model and position
};

// ---------------------------------------------------------------------------
// Receivers (section 2)

// save/delete act on "$instance" or "$instance.<relation>".
QCborValue readActionTarget(const QCborValue &value, const JsonPath &path)
{
    const QString target = expectString(value, path);
    if (target != QLatin1String("$instance") && !target.startsWith(QLatin1String("$instance.")))
        refuse(path, QStringLiteral("expected \"$instance\" or \"$instance.<relation>\", found %1").arg(quoted(target)));
    return QCborValue(target);
}

// `$origin` (a QuerySet under Django 5.0, contract 9.2) and `$stdout`
// (migrate's output wrapper, 9.7) have no portable raw value: refused under
// every version.
static void refuseArgumentsWithoutRawValue(const QCborMap &values, const JsonPath &path)
{
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (!it.value().isString())
            continue;
        const QString text = it.value().toString();
        const QString name = text.startsWith(QLatin1Char('$')) ? text.mid(1).section(QLatin1Char('.'), 0, 0) : QString();
        if (name == QLatin1String("origin") || name == QLatin1String("stdout"))
            refuse(path.key(it.key().toString()),
                   QStringLiteral("%1 cannot be used as a value: the %2 argument has no portable raw value (use it in \"when\" or as {%2} in a text)")
                       .arg(quoted(text), name));
    }
}

ActionDecl readAction(const QCborValue &value, const JsonPath &path, const SchemaDecl &schema)
{
    static const QList<QPair<QLatin1String, ActionDecl::Kind>> kinds = {
        {QLatin1String("create"), ActionDecl::Kind::Create}, {QLatin1String("save"), ActionDecl::Kind::Save},
        {QLatin1String("set"), ActionDecl::Kind::Set},       {QLatin1String("delete"), ActionDecl::Kind::Delete},
        {QLatin1String("notify"), ActionDecl::Kind::Notify}, {QLatin1String("send"), ActionDecl::Kind::Send},
        {QLatin1String("raise"), ActionDecl::Kind::Raise},
    };
    const QCborMap object = expectObject(value, path);
    QStringList present;
    ActionDecl action;
    for (const auto &kind : kinds) {
        if (object.contains(QString(kind.first))) {
            present.append(kind.first);
            action.kind = kind.second;
        }
    }
    if (present.size() != 1) {
        refuse(path, present.isEmpty()
                         ? QStringLiteral("an action needs exactly one of create, save, set, delete, notify, send, raise")
                         : QStringLiteral("an action needs exactly one of create, save, set, delete, notify, send, raise; found %1")
                               .arg(present.join(QLatin1String(", "))));
    }
    const QString key = present.first();
    const JsonPath keyPath = path.key(key);
    const QCborValue argument = object.value(key);
    switch (action.kind) {
    case ActionDecl::Kind::Create:
        action.model = expectString(argument, keyPath);
        if (!findModel(schema, action.model))
            refuse(keyPath, unknownModelMessage(schema, action.model));
        action.exactValues = optionalObject(object, QStringLiteral("values"), path);
        break;
    case ActionDecl::Kind::Save:
        action.target = readActionTarget(argument, keyPath);
        action.updateFields = optionalStringList(object, QStringLiteral("update_fields"), path);
        action.forceInsert = optionalBool(object, QStringLiteral("force_insert"), path, false);
        break;
    case ActionDecl::Kind::Set:
        action.exactValues = expectObject(argument, keyPath);
        break;
    case ActionDecl::Kind::Delete:
        action.target = readActionTarget(argument, keyPath);
        break;
    case ActionDecl::Kind::Notify:
    case ActionDecl::Kind::Raise:
        action.text = expectString(argument, keyPath);
        break;
    case ActionDecl::Kind::Send:
        action.signal = expectString(argument, keyPath);
        if (!schema.customSignals.contains(action.signal)) {
            refuse(keyPath, isBuiltinSignal(action.signal)
                                ? QStringLiteral("%1 is a built-in signal; \"send\" sends custom signals only").arg(quoted(action.signal))
                                : QStringLiteral("unknown custom signal %1").arg(quoted(action.signal)));
        }
        action.robust = optionalBool(object, QStringLiteral("robust"), path, false);
        break;
    }
    refuseArgumentsWithoutRawValue(action.exactValues, path.key(key == QLatin1String("set") ? key : QStringLiteral("values")));
    return action;
}

// Section 8.5: the request and test signals have no instance and no sender
// object a receiver could use; their environ, request, template and context
// have no portable raw value, in any receiver.
void checkRequestSignalValue(const QCborValue &value, const JsonPath &path, const QString &signal, bool requestSignal)
{
    if (value.isMap()) {
        const QCborMap map = value.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            checkRequestSignalValue(it.value(), path.key(it.key().toString()), signal, requestSignal);
        return;
    }
    if (value.isArray()) {
        const QCborArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            checkRequestSignalValue(array.at(i), path.index(int(i)), signal, requestSignal);
        return;
    }
    if (!value.isString())
        return;
    const QString text = value.toString();
    if (!text.startsWith(QLatin1Char('$')) || text.startsWith(QLatin1String("$$")))
        return;
    const QString name = text.mid(1).section(QLatin1Char('.'), 0, 0);
    static const QStringList noRawValue = {QStringLiteral("environ"), QStringLiteral("request"),
                                           QStringLiteral("template"), QStringLiteral("context")};
    if (noRawValue.contains(name))
        refuse(path, QStringLiteral("%1 has no portable raw value; use the text placeholder {%2}").arg(quoted(text), name));
    if (requestSignal && (name == QLatin1String("instance") || name == QLatin1String("sender")))
        refuse(path, QStringLiteral("%1 cannot be used in a receiver of %2 (it has no instance and no model sender)")
                         .arg(quoted(text), signal));
}

void checkRequestSignalAction(const ActionDecl &action, const JsonPath &path, const QString &signal, bool requestSignal)
{
    if (requestSignal && action.kind == ActionDecl::Kind::Set)
        refuse(path.key(QStringLiteral("set")), QStringLiteral("%1 has no instance to set attributes on").arg(signal));
    if (action.kind == ActionDecl::Kind::Save || action.kind == ActionDecl::Kind::Delete)
        checkRequestSignalValue(action.target, path.key(action.kind == ActionDecl::Kind::Save
                                                                           ? QStringLiteral("save") : QStringLiteral("delete")),
                                signal, requestSignal);
    checkRequestSignalValue(action.exactValues, path.key(action.kind == ActionDecl::Kind::Set ? QStringLiteral("set")
                                                                                              : QStringLiteral("values")),
                            signal, requestSignal);
}

ReceiverDecl SchemaReader::readReceiver(const QCborValue &value, const JsonPath &path, const SchemaDecl &schema,
                                        const QString &origin)
{
    const QCborMap object = expectObject(value, path);
    ReceiverDecl receiver;
    receiver.origin = origin;
    // A receiver's name only identifies it for disconnect; it never reaches
    // SQL, so any text will do.
    receiver.name = requiredString(object, QStringLiteral("name"), path);

    receiver.signal = requiredString(object, QStringLiteral("signal"), path);
    if (!isBuiltinSignal(receiver.signal) && !schema.customSignals.contains(receiver.signal)) {
        refuse(path.key(QStringLiteral("signal")),
               QStringLiteral("unknown signal %1 (neither a built-in signal nor one of the schema's \"signals\")").arg(quoted(receiver.signal)));
    }
    receiver.sender = optionalString(object, QStringLiteral("sender"), path);
    const bool requestSignal = isRequestSignal(receiver.signal);
    if (requestSignal && receiver.sender) {
        // Section 8.5: handler classes or UserSettingsHolder, never a model.
        QStringList allowed;
        if (receiver.signal == QLatin1String("request_started") || receiver.signal == QLatin1String("request_finished"))
            allowed = {QStringLiteral("WSGIHandler"), QStringLiteral("ClientHandler")};
        else if (receiver.signal == QLatin1String("setting_changed"))
            allowed = {QStringLiteral("UserSettingsHolder")};
        if (!allowed.contains(*receiver.sender)) {
            refuse(path.key(QStringLiteral("sender")),
                   allowed.isEmpty() ? QStringLiteral("%1 takes no sender").arg(receiver.signal)
                                     : QStringLiteral("unknown sender %1 for %2 (expected %3 or none)")
                                           .arg(quoted(*receiver.sender), receiver.signal, allowed.join(QLatin1String(" or "))));
        }
    } else if (receiver.sender && !isKnownSender(schema, *receiver.sender)) {
        refuse(path.key(QStringLiteral("sender")),
               QStringLiteral("unknown sender %1 (a model of the schema or an auto-created through model)").arg(quoted(*receiver.sender)));
    }
    // Django takes any hashable uid; a number is kept as its JSON text.
    const QCborValue uid = object.value(QStringLiteral("dispatch_uid"));
    if (uid.isString())
        receiver.dispatchUid = uid.toString();
    else if (uid.isInteger())
        receiver.dispatchUid = QString::number(uid.toInteger());
    else if (uid.isDouble())
        receiver.dispatchUid = QString::number(uid.toDouble(), 'g', 17);
    else if (!uid.isUndefined() && !uid.isNull())
        refuse(path.key(QStringLiteral("dispatch_uid")), QStringLiteral("expected a string, found %1").arg(jsonTypeName(uid)));

    const JsonPath whenPath = path.key(QStringLiteral("when"));
    receiver.exactWhen = optionalObject(object, QStringLiteral("when"), path);
    if (receiver.exactWhen.contains(QStringLiteral("changed"))) {
        const QCborValue changed = receiver.exactWhen.value(QStringLiteral("changed"));
        const JsonPath changedPath = whenPath.key(QStringLiteral("changed"));
        if (changed.isArray()) {
            const QCborArray fields = changed.toArray();
            for (qsizetype i = 0; i < fields.size(); ++i)
                expectString(fields.at(i), changedPath.index(int(i)));
        } else if (!changed.isString()) {
            refuse(changedPath, QStringLiteral("expected a field name or an array of field names, found %1").arg(jsonTypeName(changed)));
        }
    }
    if (requestSignal) {
        for (auto it = receiver.exactWhen.cbegin(); it != receiver.exactWhen.cend(); ++it) {
            const QString key = it.key().toString();
            if (key == QLatin1String("instance") || key.startsWith(QLatin1String("instance.")) || key == QLatin1String("changed"))
                refuse(whenPath.key(key), QStringLiteral("%1 has no instance: \"%2\" cannot be tested").arg(receiver.signal, key));
        }
    }

    const JsonPath doPath = path.key(QStringLiteral("do"));
    const QCborArray actions = optionalArray(object, QStringLiteral("do"), path);
    for (qsizetype i = 0; i < actions.size(); ++i) {
        const JsonPath actionPath = doPath.index(int(i));
        receiver.actions.append(readAction(actions.at(i), actionPath, schema));
        checkRequestSignalAction(receiver.actions.last(), actionPath, receiver.signal, requestSignal);
    }
    return receiver;
}

// ---------------------------------------------------------------------------
// Scenario steps (section 3)

std::optional<StepDecl::Op> opFromName(const QString &name)
{
    for (int i = int(StepDecl::Op::New); i <= int(StepDecl::Op::Flush); ++i) {
        const auto op = StepDecl::Op(i);
        if (stepOpName(op) == name)
            return op;
    }
    return std::nullopt;
}

class StepReader
{
public:
    StepReader(const SchemaDecl &schema, QString originFile, const TemplateSet &templates)
        : m_schema(schema), m_originFile(std::move(originFile)), m_templates(templates)
    {
        for (const ReceiverDecl &receiver : schema.receivers)
            m_receiverNames.insert(receiver.name);
    }

    StepDecl read(const QCborValue &value, int index, const JsonPath &path)
    {
        const QCborMap object = expectObject(value, path);
        StepDecl step;
        step.index = index;
        const QString opName = requiredString(object, QStringLiteral("op"), path);
        const std::optional<StepDecl::Op> op = opFromName(opName);
        if (!op) {
            refuse(path.key(QStringLiteral("op")),
                   QStringLiteral("unknown op %1 (expected new, create, set, save, get, all, refresh, update, bulk_create, "
                                  "delete, delete_where, m2m, loaddata, connect, disconnect, send, migrate, request, "
                                  "override_settings, setup_test_environment, render or flush)").arg(quoted(opName)));
        }
        step.op = *op;
        if (m_viewDepth > 0 && (step.op == StepDecl::Op::Request || step.op == StepDecl::Op::Migrate
                                || step.op == StepDecl::Op::Flush)) {
            refuse(path.key(QStringLiteral("op")),
                   QStringLiteral("%1 cannot run inside a request's view").arg(quoted(opName)));
        }

        switch (step.op) {
        case StepDecl::Op::New:
        case StepDecl::Op::Create:
            step.model = requiredSchemaModel(m_schema, object, QStringLiteral("model"), path);
            readValues(object, path, &step);
            step.as = readName(object, path);
            break;
        case StepDecl::Op::Set:
            step.ref = readRef(object, path);
            readValues(object, path, &step);
            break;
        case StepDecl::Op::Save:
            step.ref = readRef(object, path);
            step.updateFields = optionalStringList(object, QStringLiteral("update_fields"), path);
            if (step.updateFields) {
                // Many steps name the same fields: they share one list.
                auto known = m_fieldLists.constFind(*step.updateFields);
                if (known == m_fieldLists.cend())
                    known = m_fieldLists.insert(*step.updateFields);
                step.updateFields = *known;
            }
            step.forceInsert = optionalBool(object, QStringLiteral("force_insert"), path, false);
            break;
        case StepDecl::Op::Get:
            step.model = requiredSchemaModel(m_schema, object, QStringLiteral("model"), path);
            readWhere(object, path, &step);
            step.as = readName(object, path);
            break;
        case StepDecl::Op::All:
            step.model = requiredSchemaModel(m_schema, object, QStringLiteral("model"), path);
            readWhere(object, path, &step);
            step.extra().asList = readNameList(object, path);
            break;
        case StepDecl::Op::Refresh:
        case StepDecl::Op::Delete:
            step.ref = readRef(object, path);
            break;
        case StepDecl::Op::Update:
            step.model = requiredSchemaModel(m_schema, object, QStringLiteral("model"), path);
            readWhere(object, path, &step);
            readValues(object, path, &step);
            break;
        case StepDecl::Op::BulkCreate:
            step.model = requiredSchemaModel(m_schema, object, QStringLiteral("model"), path);
            readRows(object, path, &step);
            step.extra().asList = readNameList(object, path);
            break;
        case StepDecl::Op::DeleteWhere:
            step.model = requiredSchemaModel(m_schema, object, QStringLiteral("model"), path);
            readWhere(object, path, &step);
            break;
        case StepDecl::Op::M2m:
            readM2m(object, path, &step);
            break;
        case StepDecl::Op::LoadData:
            step.model = requiredSchemaModel(m_schema, object, QStringLiteral("model"), path);
            readRows(object, path, &step);
            break;
        case StepDecl::Op::Connect: {
            const QString key = QStringLiteral("receiver");
            if (!object.contains(key))
                refuse(path, QStringLiteral("missing \"receiver\""));
            const JsonPath receiverPath = path.key(key);
            step.extra().receiver = SchemaReader::readReceiver(object.value(key), receiverPath, m_schema,
                                                       SchemaReader::originOf(m_originFile, receiverPath));
            break;
        }
        case StepDecl::Op::Disconnect:
            step.extra().name = requiredString(object, QStringLiteral("name"), path);
            if (!m_receiverNames.contains(step.extra().name)) {
                refuse(path.key(QStringLiteral("name")),
                       QStringLiteral("no receiver named %1 is declared in the schema or by an earlier connect step").arg(quoted(step.extra().name)));
            }
            break;
        case StepDecl::Op::Send:
            readSend(object, path, &step);
            break;
        case StepDecl::Op::Migrate:
        case StepDecl::Op::SetupTestEnvironment:
        case StepDecl::Op::Flush:
            break;
        case StepDecl::Op::Request:
            readRequest(object, index, path, &step);
            break;
        case StepDecl::Op::OverrideSettings:
            readOverrideSettings(object, index, path, &step);
            break;
        case StepDecl::Op::Render:
            readRender(object, path, &step);
            break;
        }

        // Only now: a step's own names are not visible to itself. A name
        // bound again shares the text of its first binding (readRef too).
        if (!step.as.isEmpty()) {
            auto bound = m_boundModels.find(step.as);
            if (bound == m_boundModels.end())
                bound = m_boundModels.insert(step.as, {});
            step.as = bound.key();
            bound->insert(step.model);
        }
        for (const QString &name : std::as_const(step).extra().asList)
            m_boundModels[name].insert(step.model);
        if (step.op == StepDecl::Op::Connect)
            m_receiverNames.insert(step.extra().receiver.name);
        return step;
    }

private:
    // "$name" / "$name.attr" in a step value must name an instance an earlier
    // step bound with "as". "$$" escapes a literal "$". Values are resolved
    // at any depth (a loaddata row's many_to_many list, for one), so they are
    // checked at any depth.
    void checkReferences(const QCborValue &value, const JsonPath &path) const
    {
        QVector<JsonPath::Component> trail;
        const std::optional<QString> unknown = unknownReference(value, trail);
        if (!unknown)
            return;
        JsonPath found = path;     // built only for the refusal
        for (auto it = trail.crbegin(); it != trail.crend(); ++it)
            found = it->index >= 0 ? found.index(it->index) : found.key(it->key);
        refuse(found, unknownNameMessage(*unknown));
    }

    // The first name in `value` no earlier step binds; `trail` then holds the
    // steps from `value` down to it, innermost first.
    std::optional<QString> unknownReference(const QCborValue &value, QVector<JsonPath::Component> &trail) const
    {
        if (value.isArray()) {
            const QCborArray array = value.toArray();
            for (qsizetype i = 0; i < array.size(); ++i) {
                if (auto unknown = unknownReference(array.at(i), trail)) {
                    trail.append({QString(), int(i)});
                    return unknown;
                }
            }
            return std::nullopt;
        }
        if (value.isMap()) {
            const QCborMap map = value.toMap();
            for (auto it = map.begin(); it != map.end(); ++it) {
                if (auto unknown = unknownReference(it.value(), trail)) {
                    trail.append({it.key().toString(), -1});
                    return unknown;
                }
            }
            return std::nullopt;
        }
        if (!value.isString())
            return std::nullopt;
        const QString text = value.toString();
        if (!text.startsWith(QLatin1Char('$')) || text.startsWith(QLatin1String("$$")))
            return std::nullopt;
        const QString name = text.mid(1).section(QLatin1Char('.'), 0, 0);
        if (m_boundModels.contains(name))
            return std::nullopt;
        return name;
    }

    static QString unknownNameMessage(const QString &name)
    {
        QString message = QStringLiteral("unknown name %1: no earlier step binds it with \"as\"").arg(quoted(name));
        if (name == QLatin1String("instance") || name == QLatin1String("sender"))
            message += QStringLiteral(" ($%1 exists only inside receivers)").arg(name);
        return message;
    }

    QString readRef(const QCborMap &object, const JsonPath &path) const
    {
        const QString ref = requiredString(object, QStringLiteral("ref"), path);
        const auto bound = m_boundModels.constFind(ref);
        if (bound == m_boundModels.cend())
            refuse(path.key(QStringLiteral("ref")), unknownNameMessage(ref));
        return bound.key();     // the text of its binding: shared, not copied
    }

    static QString readName(const QCborMap &object, const JsonPath &path)
    {
        const QString key = QStringLiteral("as");
        if (!object.contains(key) || object.value(key).isNull())
            return QString();
        return expectIdentifier(object.value(key), path.key(key), QStringLiteral("name"));
    }

    static QStringList readNameList(const QCborMap &object, const JsonPath &path)
    {
        const QString key = QStringLiteral("as");
        if (!object.contains(key) || object.value(key).isNull())
            return {};
        const JsonPath listPath = path.key(key);
        const QCborArray names = expectArray(object.value(key), listPath);
        QStringList list;
        for (qsizetype i = 0; i < names.size(); ++i)
            list.append(expectIdentifier(names.at(i), listPath.index(int(i)), QStringLiteral("name")));
        return list;
    }

    void readValues(const QCborMap &object, const JsonPath &path, StepDecl *step) const
    {
        step->exactValues = optionalObject(object, QStringLiteral("values"), path);
        checkReferences(step->exactValues, path.key(QStringLiteral("values")));
    }

    void readWhere(const QCborMap &object, const JsonPath &path, StepDecl *step) const
    {
        const QString key = QStringLiteral("where");
        if (!object.contains(key) || object.value(key).isNull())
            return;
        const JsonPath wherePath = path.key(key);
        step->exactWhere = expectObject(object.value(key), wherePath);
        checkReferences(*step->exactWhere, wherePath);
    }

    void readRows(const QCborMap &object, const JsonPath &path, StepDecl *step) const
    {
        const JsonPath rowsPath = path.key(QStringLiteral("rows"));
        QCborArray &rows = step->extra().exactRows;
        rows = requiredArray(object, QStringLiteral("rows"), path);
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const JsonPath rowPath = rowsPath.index(int(i));
            expectObject(rows.at(i), rowPath);
        }
        checkReferences(rows, rowsPath);
    }

    void readM2m(const QCborMap &object, const JsonPath &path, StepDecl *step) const
    {
        step->ref = readRef(object, path);
        StepDecl::Extra &m2m = step->extra();
        m2m.field = requiredString(object, QStringLiteral("field"), path);
        // The models the name may hold: each binding step names one, and a
        // later binding that failed at run time leaves an earlier one.
        bool found = false;
        for (const QString &model : m_boundModels.value(step->ref))
            found = found || hasManyToManyAccessor(model, m2m.field);
        if (!found) {
            const QStringList models = m_boundModels.value(step->ref).values();
            refuse(path.key(QStringLiteral("field")),
                   QStringLiteral("%1 has no many_to_many field or reverse accessor %2")
                       .arg(models.size() == 1 ? quoted(models.first()) : QStringLiteral("'%1'").arg(step->ref), quoted(m2m.field)));
        }

        m2m.action = requiredString(object, QStringLiteral("action"), path);
        if (!m2mActionFromName(m2m.action)) {
            refuse(path.key(QStringLiteral("action")),
                   QStringLiteral("unknown m2m action %1 (expected add, remove, clear or set)").arg(quoted(m2m.action)));
        }
        const JsonPath targetsPath = path.key(QStringLiteral("targets"));
        m2m.exactTargets = m2m.action == QLatin1String("clear")
                                 ? optionalArray(object, QStringLiteral("targets"), path)
                                 : requiredArray(object, QStringLiteral("targets"), path);
        checkReferences(m2m.exactTargets, targetsPath);
        m2m.clear = optionalBool(object, QStringLiteral("clear"), path, false);
    }

    // x.<accessor> is a many-to-many manager: a many_to_many field of the
    // model, or the reverse accessor of one pointing at it (related_name, or
    // Django's `<model>_set`; a symmetrical relation to self has none).
    bool hasManyToManyAccessor(const QString &modelName, const QString &accessor) const
    {
        for (const ModelDecl &model : m_schema.models) {
            for (const FieldDecl &field : model.fields) {
                if (field.type != FieldType::ManyToMany)
                    continue;
                if (model.name == modelName && field.name == accessor)
                    return true;
                if (field.to != modelName || (field.to == model.name && field.symmetrical))
                    continue;
                const QString reverse = field.relatedName.isEmpty() ? model.name.toLower() + QLatin1String("_set") : field.relatedName;
                if (reverse == accessor)
                    return true;
            }
        }
        return false;
    }

    void readSend(const QCborMap &object, const JsonPath &path, StepDecl *step) const
    {
        step->extra().signal = requiredString(object, QStringLiteral("signal"), path);
        if (!m_schema.customSignals.contains(step->extra().signal)) {
            refuse(path.key(QStringLiteral("signal")),
                   isBuiltinSignal(step->extra().signal)
                       ? QStringLiteral("%1 is a built-in signal; a send step sends custom signals only").arg(quoted(step->extra().signal))
                       : QStringLiteral("unknown custom signal %1").arg(quoted(step->extra().signal)));
        }
        // Steps operate on the schema's models only, the sender of a send
        // step included (receivers may also name auto-created through models).
        step->extra().sender = optionalString(object, QStringLiteral("sender"), path);
        if (step->extra().sender && !findModel(m_schema, *step->extra().sender)) {
            refuse(path.key(QStringLiteral("sender")),
                   QStringLiteral("unknown sender %1 (%2)").arg(quoted(*step->extra().sender),
                       autoThroughNames(m_schema).contains(*step->extra().sender)
                           ? QStringLiteral("an auto-created through model; a send step takes a model of the schema")
                           : QStringLiteral("not a model of the schema")));
        }
        const QString instanceKey = QStringLiteral("instance");
        if (object.contains(instanceKey)) {
            step->extra().exactInstance = object.value(instanceKey);
            checkReferences(*step->extra().exactInstance, path.key(instanceKey));
        }
        step->extra().robust = optionalBool(object, QStringLiteral("robust"), path, false);
    }

    // --- Section 8 ---------------------------------------------------------

    void readNested(const QCborMap &object, const QString &key, int index, const JsonPath &path, StepDecl *step)
    {
        const JsonPath nestedPath = path.key(key);
        const QCborArray steps = key == QLatin1String("view") ? optionalArray(object, key, path)
                                                               : requiredArray(object, key, path);
        for (qsizetype i = 0; i < steps.size(); ++i)
            step->extra().nested.push_back(read(steps.at(i), index, nestedPath.index(int(i))));
    }

    void readRequest(const QCborMap &object, int index, const JsonPath &path, StepDecl *step)
    {
        static const QStringList methods = {QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
                                            QStringLiteral("PATCH"), QStringLiteral("DELETE")};
        static const QRegularExpression pathRe(QStringLiteral("^/[A-Za-z0-9/_.-]*$"));
        static const QRegularExpression raiseRe(
            QStringLiteral("^(Http404|PermissionDenied|BadRequest|ValueError|RuntimeError)(: (.*))?$"),
            QRegularExpression::DotMatchesEverythingOption);
        step->extra().method = requiredString(object, QStringLiteral("method"), path);
        if (!methods.contains(step->extra().method))
            refuse(path.key(QStringLiteral("method")),
                   QStringLiteral("unknown method %1 (expected GET, POST, PUT, PATCH or DELETE)").arg(quoted(step->extra().method)));
        step->extra().path = requiredString(object, QStringLiteral("path"), path);
        if (!pathRe.match(step->extra().path).hasMatch())
            refuse(path.key(QStringLiteral("path")),
                   QStringLiteral("%1 is not a path: \"/\" followed by ASCII letters, digits and / _ . - only").arg(quoted(step->extra().path)));
        step->extra().handler = requiredString(object, QStringLiteral("handler"), path);
        if (step->extra().handler != QLatin1String("wsgi") && step->extra().handler != QLatin1String("client"))
            refuse(path.key(QStringLiteral("handler")),
                   QStringLiteral("unknown handler %1 (expected \"wsgi\" or \"client\")").arg(quoted(step->extra().handler)));
        step->extra().atomic = optionalBool(object, QStringLiteral("atomic"), path, false);
        if (const std::optional<QString> raise = optionalString(object, QStringLiteral("raise"), path)) {
            const QRegularExpressionMatch m = raiseRe.match(*raise);
            if (!m.hasMatch())
                refuse(path.key(QStringLiteral("raise")),
                       QStringLiteral("%1 is not \"<Class>\" or \"<Class>: <message>\" with a class of Http404, PermissionDenied, "
                                      "BadRequest, ValueError, RuntimeError").arg(quoted(*raise)));
            step->extra().raiseClass = m.captured(1);
            step->extra().raiseHasMessage = m.capturedStart(2) >= 0;
            step->extra().raiseMessage = step->extra().raiseHasMessage ? m.captured(3) : QString();
        }
        ++m_viewDepth;
        readNested(object, QStringLiteral("view"), index, path, step);
        --m_viewDepth;
    }

    void readOverrideSettings(const QCborMap &object, int index, const JsonPath &path, StepDecl *step)
    {
        const QString key = QStringLiteral("settings");
        if (!object.contains(key))
            refuse(path, QStringLiteral("missing \"settings\""));
        const JsonPath settingsPath = path.key(key);
        const QCborMap settings = expectObject(object.value(key), settingsPath);
        QStringList names;
        for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
            const QString name = it.key().toString();
            if (!isSettingName(name))
                refuse(settingsPath.key(name), QStringLiteral("%1 is not a setting name (an uppercase identifier)").arg(quoted(name)));
            if (isDjangoOwnSetting(name))
                refuse(settingsPath.key(name),
                       QStringLiteral("%1 is one of Django's own settings, which its receivers react to").arg(quoted(name)));
            names << name;
        }
        names.sort();   // ASCII order: the order of the sends
        for (const QString &name : std::as_const(names))
            step->extra().settings.insert(name, settings.value(name));
        readNested(object, QStringLiteral("steps"), index, path, step);
    }

    void readRender(const QCborMap &object, const JsonPath &path, StepDecl *step)
    {
        static const QRegularExpression contextName(QStringLiteral("^[A-Za-z][A-Za-z0-9_]*$"));
        static const QStringList reserved = {QStringLiteral("block"), QStringLiteral("True"), QStringLiteral("False"),
                                             QStringLiteral("None")};
        step->extra().templateName = requiredString(object, QStringLiteral("template"), path);
        if (!m_templates.contains(step->extra().templateName))
            refuse(path.key(QStringLiteral("template")),
                   QStringLiteral("no template %1 in the scenario's \"templates\"").arg(quoted(step->extra().templateName)));
        const JsonPath contextPath = path.key(QStringLiteral("context"));
        const QCborMap context = optionalObject(object, QStringLiteral("context"), path);
        QStringList names;
        for (auto it = context.cbegin(); it != context.cend(); ++it) {
            const QString name = it.key().toString();
            const JsonPath valuePath = contextPath.key(name);
            if (!contextName.match(name).hasMatch() || reserved.contains(name))
                refuse(valuePath, QStringLiteral("%1 is not a context variable name").arg(quoted(name)));
            const QCborValue value = it.value();
            if (value.isArray() || value.isMap())
                refuse(valuePath, QStringLiteral("a context value is a JSON scalar, \"$name\" or \"$name.<attr>\", found %1")
                                      .arg(jsonTypeName(value)));
            if (value.isString() && value.toString().startsWith(QLatin1Char('$')) && !value.toString().startsWith(QLatin1String("$$"))
                && value.toString().count(QLatin1Char('.')) > 1)
                refuse(valuePath, QStringLiteral("%1: only one attribute may follow the name").arg(quoted(value.toString())));
            checkReferences(value, valuePath);
            names << name;
        }
        names.sort();   // resolved in ASCII order of the names
        for (const QString &name : std::as_const(names))
            step->extra().context.insert(name, context.value(name));
    }

    const SchemaDecl &m_schema;
    QString m_originFile;
    const TemplateSet &m_templates;
    int m_viewDepth = 0;                            // > 0 while reading a request's view
    QHash<QString, QSet<QString>> m_boundModels;    // "as" names so far -> the models they may hold
    QSet<QStringList> m_fieldLists;                 // the update_fields lists read so far
    QSet<QString> m_receiverNames;                  // declared in the schema or by earlier connect steps
};

// ---------------------------------------------------------------------------
// Files and errors

std::optional<QByteArray> readWholeFile(const QString &path, QString *why)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        *why = QStringLiteral("no such file");
        return std::nullopt;
    }
    if (info.isDir()) {
        *why = QStringLiteral("is a directory");
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *why = file.errorString();
        return std::nullopt;
    }
    // Bounded read. A regular file knows its size; a pipe or device may not,
    // so it is read in chunks up to the limit.
    const QString tooLarge = QStringLiteral("larger than %1 MiB").arg(kMaxFileSize / (1024 * 1024));
    QByteArray data;
    if (!file.isSequential()) {
        if (file.size() > kMaxFileSize) {
            *why = tooLarge;
            return std::nullopt;
        }
        data = file.readAll();
    } else {
        constexpr qint64 kChunk = 64 * 1024;
        for (QByteArray chunk = file.read(kChunk); !chunk.isEmpty(); chunk = file.read(kChunk)) {
            data += chunk;
            if (data.size() > kMaxFileSize) {
                *why = tooLarge;
                return std::nullopt;
            }
        }
    }
    if (file.error() != QFileDevice::NoError) {
        *why = file.errorString();
        return std::nullopt;
    }
    return data;
}

LoadError syntaxError(const QString &file, const JsonSyntaxError &syntax)
{
    LoadError error;
    error.file = file;
    error.line = syntax.position.line;
    error.column = syntax.position.column;
    error.message = syntax.message;
    return error;
}

LoadError refusalError(const QString &file, const QByteArray &text, const JsonRefusal &refusal)
{
    LoadError error;
    error.file = file;
    error.path = refusal.path.toString();
    error.message = refusal.message;
    if (const auto position = locateJsonValue(text, refusal.path)) {
        error.line = position->line;
        error.column = position->column;
    }
    return error;
}

// Section 3: integers beyond 64 bits and lone surrogate escapes are refused
// as a whole file, before anything else is read.
void refuseUnrepresentable(const QCborValue &root)
{
    if (const auto found = findUnrepresentable(root))
        refuse(found->path, found->message);
}

void report(LoadError *target, LoadError error)
{
    if (target)
        *target = std::move(error);
}

// "x.scenario.json" -> "x": a name for a scenario that gives none.
QString nameFromFile(const QString &file)
{
    QString name = QFileInfo(file).fileName();
    for (const char *suffix : {".scenario.json", ".json"}) {
        if (name.endsWith(QLatin1String(suffix))) {
            name.chop(int(qstrlen(suffix)));
            break;
        }
    }
    return name;
}

} // namespace

std::optional<SchemaDecl> loadSchemaFile(const QString &path, LoadError *error)
{
    QString why;
    const std::optional<QByteArray> text = readWholeFile(path, &why);
    if (!text) {
        report(error, LoadError{path, 0, 0, QString(), QStringLiteral("cannot read the file: %1").arg(why)});
        return std::nullopt;
    }
    return parseSchema(*text, path, error);
}

std::optional<SchemaDecl> parseSchema(const QByteArray &json, const QString &fileForMessages, LoadError *error)
{
    JsonSyntaxError syntax;
    const std::optional<QCborValue> root = readJson(json, &syntax);
    if (!root) {
        report(error, syntaxError(fileForMessages, syntax));
        return std::nullopt;
    }
    try {
        refuseUnrepresentable(*root);
        SchemaDecl schema = SchemaReader(fileForMessages).read(*root, JsonPath(), false);
        schema.path = fileForMessages;
        return schema;
    } catch (const JsonRefusal &refusal) {
        report(error, refusalError(fileForMessages, json, refusal));
        return std::nullopt;
    }
}

std::optional<ScenarioDecl> loadScenarioFile(const QString &path, LoadError *error)
{
    QString why;
    const std::optional<QByteArray> text = readWholeFile(path, &why);
    if (!text) {
        report(error, LoadError{path, 0, 0, QString(), QStringLiteral("cannot read the file: %1").arg(why)});
        return std::nullopt;
    }
    return parseScenario(*text, path, error);
}

namespace {

// The scenario's steps, handed to the StepReader one value at a time.
using StepSource = std::function<void(const std::function<void(const QCborValue &step, int index)> &)>;

// Everything of a scenario file but reading its text: `object` is the root
// object (its "steps", when an array, may be a stand-in: the steps come from
// `eachStep`, with `stepCount` of them).
std::optional<ScenarioDecl> readScenario(const QCborMap &object, qsizetype stepCount, const StepSource &eachStep,
                                         const QString &fileForMessages, LoadError *error)
{
    const JsonPath root;
    checkFormat(object, root, kScenarioFormat, kSchemaFormat);

    ScenarioDecl scenario;
    scenario.path = fileForMessages;
    scenario.name = optionalString(object, QStringLiteral("name"), root).value_or(nameFromFile(fileForMessages));
    scenario.description = optionalString(object, QStringLiteral("description"), root).value_or(QString());
    const QString djangoKey = QStringLiteral("django");
    if (object.contains(djangoKey)) {
        const QCborValue django = object.value(djangoKey);
        const std::optional<DjangoVersion> version =
            django.isString() ? djangoVersionFromName(django.toString()) : std::nullopt;
        if (!django.isString())
            refuse(root.key(djangoKey), QStringLiteral("expected the string %1, found %2")
                                            .arg(djangoVersionChoices(), jsonTypeName(django)));
        if (!version)
            refuse(root.key(djangoKey), QStringLiteral("unknown Django version %1 (expected %2)")
                                            .arg(quoted(django.toString()), djangoVersionChoices()));
        scenario.django = *version;
    }

    const QString schemaKey = QStringLiteral("schema");
    const JsonPath schemaPath = root.key(schemaKey);
    if (!object.contains(schemaKey))
        refuse(root, QStringLiteral("missing \"schema\" (a path to a schema file, or a schema object)"));
    const QCborValue schemaValue = object.value(schemaKey);
    if (schemaValue.isString()) {
        // Relative to the scenario file's directory.
        const QString reference = schemaValue.toString();
        const QString schemaFile = QDir::isAbsolutePath(reference)
                                       ? QDir::cleanPath(reference)
                                       : QDir::cleanPath(QFileInfo(fileForMessages).path() + QLatin1Char('/') + reference);
        QString why;
        const std::optional<QByteArray> schemaText = readWholeFile(schemaFile, &why);
        if (!schemaText)
            refuse(schemaPath, QStringLiteral("cannot read the schema file %1: %2").arg(quoted(schemaFile, -1), why));
        // A bad schema file is reported as itself, not as the scenario.
        std::optional<SchemaDecl> schema = parseSchema(*schemaText, schemaFile, error);
        if (!schema)
            return std::nullopt;
        scenario.schema = std::move(*schema);
    } else if (schemaValue.isMap()) {
        scenario.schema = SchemaReader(fileForMessages).read(schemaValue, schemaPath, true);
    } else {
        refuse(schemaPath, QStringLiteral("expected a path or a schema object, found %1").arg(jsonTypeName(schemaValue)));
    }

    const JsonPath stepsPath = root.key(QStringLiteral("steps"));
    requiredArray(object, QStringLiteral("steps"), root);
    // Section 8.3: the templates, checked whole before any render names one.
    const QString templatesKey = QStringLiteral("templates");
    const JsonPath templatesPath = root.key(templatesKey);
    const QCborMap templates = optionalObject(object, templatesKey, root);
    for (auto it = templates.cbegin(); it != templates.cend(); ++it)
        scenario.templates.insert(it.key().toString(), expectString(it.value(), templatesPath.key(it.key().toString())));
    TemplateSet templateSet;
    QString badTemplate;
    if (const std::optional<QString> problem = templateSet.parse(scenario.templates, &badTemplate))
        refuse(templatesPath.key(badTemplate), *problem);

    StepReader reader(scenario.schema, fileForMessages, templateSet);
    scenario.steps.reserve(stepCount);
    eachStep([&](const QCborValue &step, int index) {
        scenario.steps.append(reader.read(step, index, stepsPath.index(index)));
    });
    return scenario;
}

} // namespace

std::optional<ScenarioDecl> parseScenarioAsTree(const QByteArray &json, const QString &fileForMessages, LoadError *error)
{
    JsonSyntaxError syntax;
    const std::optional<QCborValue> rootValue = readJson(json, &syntax);
    if (!rootValue) {
        report(error, syntaxError(fileForMessages, syntax));
        return std::nullopt;
    }
    try {
        refuseUnrepresentable(*rootValue);
        const QCborMap object = expectObject(*rootValue, JsonPath());
        const QCborValue stepsValue = object.value(QStringLiteral("steps"));
        const QCborArray steps = stepsValue.isArray() ? stepsValue.toArray() : QCborArray();
        return readScenario(object, steps.size(), [&](const auto &read) {
            for (qsizetype i = 0; i < steps.size(); ++i)
                read(steps.at(i), int(i));
        }, fileForMessages, error);
    } catch (const JsonRefusal &refusal) {
        report(error, refusalError(fileForMessages, json, refusal));
        return std::nullopt;
    }
}

std::optional<ScenarioDecl> parseScenario(const QByteArray &json, const QString &fileForMessages, LoadError *error)
{
    // Two passes over the text, so that a big file is never held as a tree:
    // the first checks all of it (a syntax error anywhere is reported before
    // anything is read, as always); the second reads the root object's
    // members except "steps", then the steps one at a time, each value built,
    // turned into its StepDecl and dropped.
    JsonSyntaxError syntax;
    bool mayHoldUnrepresentable = false;
    if (!checkJson(json, &syntax, &mayHoldUnrepresentable)) {
        report(error, syntaxError(fileForMessages, syntax));
        return std::nullopt;
    }
    JsonStreamReader in(json);
    if (mayHoldUnrepresentable || in.peekType() != QCborValue::Map)
        return parseScenarioAsTree(json, fileForMessages, error);
    try {
        const QString stepsKey = QStringLiteral("steps");
        QCborMap object;
        qsizetype stepsAt = -1;         // where the steps array starts (the last "steps" wins, as in a tree)
        qsizetype stepCount = 0;
        in.enterContainer();
        QString name;
        while (in.nextMember(&name)) {
            if (name != stepsKey || in.peekType() != QCborValue::Array) {
                if (name == stepsKey)
                    stepsAt = -1;
                object.insert(name, in.readValue());
                continue;
            }
            stepsAt = in.position();
            stepCount = in.skipArrayCountingElements();
            object.insert(name, QCborArray());      // stands in for the array read below
        }
        return readScenario(object, stepCount, [&](const auto &read) {
            if (stepsAt < 0)
                return;
            in.seek(stepsAt);
            in.enterContainer();
            for (int index = 0; in.nextElement(); ++index)
                read(in.readValue(), index);
        }, fileForMessages, error);
    } catch (const JsonRefusal &refusal) {
        report(error, refusalError(fileForMessages, json, refusal));
        return std::nullopt;
    }
}

bool looksLikeScenario(const QByteArray &json)
{
    if (!checkJson(json, nullptr, nullptr))
        return false;
    JsonStreamReader in(json);
    if (in.peekType() != QCborValue::Map)
        return false;
    QCborValue format;
    in.enterContainer();
    QString name;
    while (in.nextMember(&name)) {
        if (name == QLatin1String("format"))
            format = in.readValue();        // the last one counts, as in a tree
        else
            in.skipValue();
    }
    return format.toString() == kScenarioFormat;
}

} // namespace ss
