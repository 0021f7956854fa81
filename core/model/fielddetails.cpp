#include "model/fielddetails.h"

#include "formats/schema.h"
#include "python/pythonvalue.h"

namespace ss {

QString fieldDetails(const Field &field)
{
    if (field.type == FieldType::ManyToMany)
        return QStringLiteral("many_to_many ⇄ %1 through %2, related_name='%3'")
            .arg(field.target ? field.target->name : QString(), field.through ? field.through->name : QString(), field.relatedName);
    if (field.autoIncrement)
        return QStringLiteral("auto primary key");
    QString details = fieldTypeName(field.type);
    if (field.isForeignKey() && field.target)
        details += QStringLiteral(" → %1, on_delete=%2, related_name='%3'")
                       .arg(field.target->name, onDeleteName(field.onDelete), field.relatedName);
    if (field.primaryKey)
        details += QStringLiteral(", primary key");
    else if (field.unique)
        details += QStringLiteral(", unique");
    if (field.null)
        details += QStringLiteral(", null");
    if (field.hasDefault && !field.isRelation())
        details += QStringLiteral(", default=") + pythonRepr(field.defaultValue);
    return details;
}

} // namespace ss
