#include "model/instance.h"

#include "python/pythonvalue.h"

namespace ss {

Instance::Instance(const Model *model)
    : m_model(model), m_values(model->concreteFields.size())
{
}

void Instance::setValue(const Field *field, const QCborValue &value)
{
    // Django's ForeignKeyDeferredAttribute: assigning a different id to the
    // attname drops the cached related object; the same id keeps it.
    if (field->isForeignKey() && hasCached(field) && !pythonEquals(m_values[field->index], value))
        clearCache(field);
    m_values[field->index] = value;
}

QString Instance::identityKey() const
{
    const QCborValue id = pk();
    if (id.isNull() || id.isUndefined())
        return m_model->name + QStringLiteral("@0x") + QString::number(quintptr(this), 16);
    if (id.isInteger())     // the common case, without pythonKey's detour
        return m_model->name + QLatin1Char(':') + QString::number(id.toInteger());
    // Equal pks are one identity, as Model.__eq__ has it: pk 1.0 is pk 1.
    const QString key = pythonKey(id);
    return m_model->name + QLatin1Char(':') + (id.isString() ? id.toString() : key.mid(key.indexOf(QLatin1Char(':')) + 1));
}

} // namespace ss
