#include "db/databases.h"

#include "db/backend.h"

#include <QRegularExpression>
#include <QUrl>

namespace ss {

bool DatabaseAliases::isValidLocation(const QString &location, QString *error)
{
    auto refuse = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (location.isEmpty())
        return refuse(QStringLiteral("empty database location"));
    if (Backend::isServerUrl(location)) {
        const QUrl url(location, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            return refuse(QStringLiteral("invalid database URL '%1' (expected postgresql://user@host:port/name)").arg(location));
        return true;
    }
    if (location.contains(QLatin1String("://")) && !location.startsWith(QLatin1String("sqlite://")))
        return refuse(QStringLiteral("unsupported database URL '%1' (use a SQLite file or postgresql://user@host:port/name)").arg(location));
    return true;
}

bool DatabaseAliases::add(const QString &spec, QString *error)
{
    static const QRegularExpression aliased(QStringLiteral("^([A-Za-z_][A-Za-z0-9_]*)=(.*)$"));
    QString alias = defaultAlias();
    QString location = spec;
    const QRegularExpressionMatch match = aliased.match(spec);
    if (match.hasMatch()) {
        alias = match.captured(1);
        location = match.captured(2);
    }
    if (!isValidLocation(location, error))
        return false;
    m_locations.insert(alias, location);
    return true;
}

} // namespace ss
