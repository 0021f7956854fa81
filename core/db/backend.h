#pragma once
// The backend layer: what differs between Django's database backends, kept
// out of the engine (Django's connection.ops / connection.features /
// schema_editor, for the two backends SignalScope runs on).
//
// - SqliteBackend: an embedded SQLite file or ":memory:" (Django's sqlite3
//   backend): AUTOINCREMENT ids, `?` parameters bound by the driver, foreign
//   keys checked with PRAGMA foreign_key_check after loaddata, no ids returned
//   by bulk inserts.
// - PostgresBackend: a PostgreSQL server through QPSQL (Django's postgresql
//   backend with psycopg2, contract section 7): Django's PostgreSQL DDL and
//   constraint names, serial ids, values sent as psycopg2 sends them (inlined
//   literals, so the server plans the very statement Django sends), INSERT ...
//   RETURNING, the server's error text, SET CONSTRAINTS ALL IMMEDIATE after
//   loaddata and the sequence reset.
//
// A database location is a SQLite path (or ":memory:", or sqlite:///path) or a
// postgresql://user[:password]@host[:port]/name URL. On a server each Database
// works, as Django's test runner does, in a database created empty for it:
// test_<name>_<pid>[_<n>], created through the server's `postgres` database
// and dropped again when the Database is closed.

#include "model/djangoerror.h"
#include "model/djangoversion.h"
#include "model/modelregistry.h"

#include <QCborValue>
#include <QSqlError>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QVector>
#include <memory>

namespace ss {

class Database;

class Backend
{
public:
    virtual ~Backend() = default;

    // The backend for a location (see above); throws DjangoError("OperationalError")
    // for a URL it cannot use.
    static std::unique_ptr<Backend> forLocation(const QString &location);
    static bool isServerUrl(const QString &location);
    // The location for messages: a URL without its password.
    static QString displayLocation(const QString &location);

    // Django's connection.vendor: "sqlite" or "postgresql".
    virtual QString vendor() const = 0;
    // For people: "SQLite in memory", "PostgreSQL test_x_12 on 127.0.0.1:5432".
    virtual QString description() const = 0;

    // Adds and opens the QSqlDatabase `connectionName` (creating the run's
    // database first on a server). Throws OperationalError.
    virtual void open(const QString &connectionName) = 0;
    // Closes it and removes what open() created.
    virtual void close(const QString &connectionName) = 0;

    // The schema editor: DDL for the models of `registry` that have no table yet.
    virtual bool createTables(Database &db, const ModelRegistry &registry, const DjangoFeatures &django) = 0;
    // Empties every table and restarts the ids.
    virtual void resetTables(Database &db, const ModelRegistry &registry) = 0;

    // A value in a statement: appended as a placeholder (its value to `binds`)
    // or as a literal. Throws what the database adapter raises before sending
    // (psycopg2: ValueError for a string with NUL).
    virtual void appendValue(QString &sql, QVariantList &binds, const QCborValue &value) const = 0;
    // Whether statements with placeholders are prepared and cached.
    virtual bool preparesStatements() const = 0;
    // What appendValue() binds for `value`, for binding it again into the
    // cached statement (asked only where preparesStatements()).
    virtual QVariant bindable(const QCborValue &value) const { Q_UNUSED(value); return {}; }
    // A WHERE term that matches nothing (an empty IN list).
    virtual QString falseCondition() const = 0;
    // Django's connection.ops.bulk_batch_size(fields, objs): how many objects
    // one query may take, e.g. how many pks the collector puts in one
    // `<fk> IN (...)` read of related rows.
    virtual int bulkBatchSize(int fieldCount, int objectCount) const = 0;

    // INSERT: the statement's head ("INSERT INTO" / "INSERT OR IGNORE INTO")
    // and tail (" ON CONFLICT DO NOTHING", " RETURNING ...").
    virtual QString insertHead(bool ignoreConflicts) const = 0;
    virtual QString insertTail(const Model *model, bool ignoreConflicts) const = 0;
    // Whether the insert returns the id as a result row (RETURNING) rather
    // than through lastInsertId.
    virtual bool returnsInsertedIds() const = 0;
    // Django's features.can_return_rows_from_bulk_insert, which depends on
    // the Django version for SQLite (contract 9.4).
    virtual bool canReturnRowsFromBulkInsert(const DjangoFeatures &django) const = 0;
    // Django's ops.max_name_length(): 0 for no limit.
    virtual int maxNameLength() const = 0;

    // Django's DatabaseError subclass and message for a driver error.
    virtual DjangoError translate(const QSqlError &error) const = 0;

    // connection.check_constraints() at the end of loaddata.
    virtual void checkConstraints(Database &db, const QVector<const Model *> &models) = 0;
    // connection.ops.sequence_reset_sql() after a successful loaddata.
    virtual void resetSequences(Database &db, const QVector<const Model *> &models) = 0;
};

// Django's schema_editor._create_index_name (max name length 63 as on
// PostgreSQL), exposed for the tests.
QString djangoIndexName(const QString &table, const QStringList &columns, const QString &suffix);
// The PostgreSQL DDL Django's schema editor runs for `registry`, in its order.
QStringList postgresSchemaSql(const ModelRegistry &registry,
                              const DjangoFeatures &django = DjangoFeatures::of(DjangoVersion::V3_2));

} // namespace ss
