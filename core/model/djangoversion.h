#pragma once
// The Django version an engine reproduces (contract section 9), and the small
// table of what differs between the versions. Each entry is read where
// Django's own mechanism is (the collector, the bulk insert, Model.__init__,
// Model.delete), never by comparing version numbers.

#include <QString>
#include <QStringList>
#include <optional>

namespace ss {

enum class DjangoVersion { V3_2, V5_0 };

struct DjangoFeatures
{
    DjangoVersion version = DjangoVersion::V3_2;
    // pre_delete/post_delete carry `origin`: the instance or QuerySet whose
    // delete() started the deletion (4.1, Fixed #13251; contract 9.2).
    bool deleteSignalsCarryOrigin = false;
    // SET_NULL / SET_DEFAULT read the rows they update and update them by pk
    // (3.2); from 4.2 they are lazy_sub_objs: nothing is read, and one
    // `UPDATE ... WHERE <fk> IN (...)` per relation runs after the pre_delete
    // receivers (Fixed #33928; contract 9.5).
    bool onDeleteSetLoadsRows = true;
    // SQLite 3.35+ returns bulk-inserted rows (INSERT ... RETURNING) from 4.0
    // (Fixed #32501; contract 9.4). PostgreSQL always did.
    bool bulkCreateReturnsRowsOnSqlite = false;
    // Model(**kw) with unknown keywords names all of them (4.1) instead of
    // the first one (contract 9.3).
    bool initNamesAllUnexpectedKeywords = false;
    // delete() of an instance without pk: AssertionError (3.2) or ValueError (4.0).
    QString deleteWithoutPkError = QStringLiteral("AssertionError");

    static const DjangoFeatures &of(DjangoVersion version);

    // TypeError text for Model(**kw) with keywords no field takes.
    QString unexpectedKeywordsMessage(const QString &model, const QStringList &names) const;
};

// "3.2", "5.0".
QString djangoVersionName(DjangoVersion version);
// The version a scenario's "django" or --django names; nullopt for anything else.
std::optional<DjangoVersion> djangoVersionFromName(const QString &name);
// Every version, oldest first, for selectors and messages.
QList<DjangoVersion> djangoVersions();
// "\"3.2\" or \"5.0\"", for messages.
QString djangoVersionChoices();

} // namespace ss
