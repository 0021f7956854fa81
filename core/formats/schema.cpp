#include "formats/schema.h"

#include <QCborArray>

namespace ss {

QString fieldTypeName(FieldType type)
{
    switch (type) {
    case FieldType::Char: return QStringLiteral("char");
    case FieldType::Text: return QStringLiteral("text");
    case FieldType::Int: return QStringLiteral("int");
    case FieldType::Float: return QStringLiteral("float");
    case FieldType::Bool: return QStringLiteral("bool");
    case FieldType::ForeignKey: return QStringLiteral("foreign_key");
    case FieldType::OneToOne: return QStringLiteral("one_to_one");
    case FieldType::ManyToMany: return QStringLiteral("many_to_many");
    }
    return QString();
}

QString onDeleteName(OnDelete onDelete)
{
    switch (onDelete) {
    case OnDelete::None: return QString();
    case OnDelete::Cascade: return QStringLiteral("CASCADE");
    case OnDelete::Protect: return QStringLiteral("PROTECT");
    case OnDelete::Restrict: return QStringLiteral("RESTRICT");
    case OnDelete::SetNull: return QStringLiteral("SET_NULL");
    case OnDelete::SetDefault: return QStringLiteral("SET_DEFAULT");
    case OnDelete::DoNothing: return QStringLiteral("DO_NOTHING");
    }
    return QString();
}

// The signals whose sender is a model class (section 4.2); the migrate pair
// has the app as sender.
static const char *const kModelSignals[] = {
    "pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed",
};

bool isModelSignal(const QString &name)
{
    for (const char *signal : kModelSignals) {
        if (name == QLatin1String(signal))
            return true;
    }
    return false;
}

bool isRequestSignal(const QString &name)
{
    return name == QLatin1String("request_started") || name == QLatin1String("request_finished")
        || name == QLatin1String("got_request_exception") || name == QLatin1String("setting_changed")
        || name == QLatin1String("template_rendered");
}

QStringList changedFieldNames(const QCborValue &changed)
{
    QStringList names;
    if (changed.isArray()) {
        for (const QCborValue &name : changed.toArray())
            names << name.toString();
    } else {
        names << changed.toString();
    }
    return names;
}

bool isBuiltinSignal(const QString &name)
{
    return isModelSignal(name) || name == QLatin1String("pre_migrate") || name == QLatin1String("post_migrate")
        || isRequestSignal(name);
}

} // namespace ss
