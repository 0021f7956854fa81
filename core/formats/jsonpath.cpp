#include "formats/jsonpath.h"

namespace ss {

JsonPath JsonPath::key(const QString &name) const
{
    JsonPath child = *this;
    child.m_components.append({name, -1});
    return child;
}

JsonPath JsonPath::index(int position) const
{
    JsonPath child = *this;
    child.m_components.append({QString(), position});
    return child;
}

// A member name can be written after a dot when it cannot be misread: ASCII
// letters, digits and underscores, not starting with a digit.
static bool isPlainMemberName(const QString &name)
{
    if (name.isEmpty() || name.at(0).isDigit())
        return false;
    for (QChar ch : name) {
        const ushort c = ch.unicode();
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

QString JsonPath::toString() const
{
    QString out;
    for (const Component &component : m_components) {
        if (component.index >= 0) {
            out += QLatin1Char('[') + QString::number(component.index) + QLatin1Char(']');
        } else if (isPlainMemberName(component.key)) {
            if (!out.isEmpty())
                out += QLatin1Char('.');
            out += component.key;
        } else {
            QString escaped = component.key;
            escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
            escaped.replace(QLatin1Char('"'), QLatin1String("\\\""));
            out += QLatin1String("[\"") + escaped + QLatin1String("\"]");
        }
    }
    return out;
}

} // namespace ss
