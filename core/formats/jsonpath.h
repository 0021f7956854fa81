#pragma once
// The address of a value inside a JSON document, as messages spell it:
// `steps[3].model`, `models[0].fields[2]`, `receivers[1].when["instance.status"]`.
// Kept as components (not text) so the reader can find the value again and
// report its line and column.

#include <QString>
#include <QVector>

namespace ss {

class JsonPath
{
public:
    struct Component
    {
        QString key;        // object member name; unused when index >= 0
        int index = -1;     // array position, or -1 for a member
        bool operator==(const Component &other) const { return index == other.index && key == other.key; }
    };

    JsonPath() = default;

    JsonPath key(const QString &name) const;
    JsonPath index(int position) const;

    const QVector<Component> &components() const { return m_components; }
    bool isRoot() const { return m_components.isEmpty(); }

    // "" for the root; members that are not identifiers are quoted: when["a.b"].
    QString toString() const;

private:
    QVector<Component> m_components;
};

} // namespace ss
