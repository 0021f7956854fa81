#include "model/djangoversion.h"

#include "model/fieldvalues.h"

namespace ss {

static DjangoFeatures django32()
{
    return DjangoFeatures{};
}

static DjangoFeatures django50()
{
    DjangoFeatures f;
    f.version = DjangoVersion::V5_0;
    f.deleteSignalsCarryOrigin = true;
    f.onDeleteSetLoadsRows = false;
    f.bulkCreateReturnsRowsOnSqlite = true;
    f.initNamesAllUnexpectedKeywords = true;
    f.autoFieldIsIdentityOnPostgres = true;
    f.deleteWithoutPkError = QStringLiteral("ValueError");
    return f;
}

const DjangoFeatures &DjangoFeatures::of(DjangoVersion version)
{
    static const DjangoFeatures v32 = django32();
    static const DjangoFeatures v50 = django50();
    return version == DjangoVersion::V5_0 ? v50 : v32;
}

QString DjangoFeatures::unexpectedKeywordsMessage(const QString &model, const QStringList &names) const
{
    if (!initNamesAllUnexpectedKeywords || names.isEmpty())
        return QStringLiteral("%1() got an unexpected keyword argument '%2'").arg(model, names.value(0));
    QStringList reprs;
    for (const QString &name : names)
        reprs << pythonRepr(QCborValue(name));
    return QStringLiteral("%1() got unexpected keyword arguments: %2").arg(model, reprs.join(QStringLiteral(", ")));
}

QString djangoVersionName(DjangoVersion version)
{
    return version == DjangoVersion::V5_0 ? QStringLiteral("5.0") : QStringLiteral("3.2");
}

std::optional<DjangoVersion> djangoVersionFromName(const QString &name)
{
    for (DjangoVersion v : djangoVersions())
        if (djangoVersionName(v) == name)
            return v;
    return std::nullopt;
}

QList<DjangoVersion> djangoVersions()
{
    return {DjangoVersion::V3_2, DjangoVersion::V5_0};
}

QString djangoVersionChoices()
{
    QStringList names;
    for (DjangoVersion v : djangoVersions())
        names << QLatin1Char('"') + djangoVersionName(v) + QLatin1Char('"');
    return names.join(QStringLiteral(" or "));
}

} // namespace ss
