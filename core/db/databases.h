#pragma once
// Django's DATABASES setting: database aliases and where each one is. An
// engine works on one alias (its `using`); without configuration that is
// "default", an embedded SQLite database in memory.
//
// A location is a SQLite path, ":memory:", sqlite:///path, or
// postgresql://user[:password]@host[:port]/name (backend.h).

#include <QMap>
#include <QString>
#include <QStringList>

namespace ss {

class DatabaseAliases
{
public:
    static QString defaultAlias() { return QStringLiteral("default"); }

    DatabaseAliases() { m_locations.insert(defaultAlias(), QStringLiteral(":memory:")); }

    // "LOCATION" sets the default alias, "ALIAS=LOCATION" any alias (an
    // identifier). Returns false with a message for a malformed spec or a
    // location no backend takes.
    bool add(const QString &spec, QString *error = nullptr);
    bool contains(const QString &alias) const { return m_locations.contains(alias); }
    QString location(const QString &alias) const { return m_locations.value(alias); }
    QStringList aliases() const { return m_locations.keys(); }

    // Whether a location names a backend SignalScope has (no connection made).
    static bool isValidLocation(const QString &location, QString *error = nullptr);

private:
    QMap<QString, QString> m_locations;
};

} // namespace ss
