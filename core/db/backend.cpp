#include "db/backend.h"

#include "db/database.h"
#include "python/pythonvalue.h"

#include <QAtomicInt>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUrl>
#include <cmath>

namespace ss {

static QVariant sqliteValue(const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::Integer: return QVariant(qlonglong(value.toInteger()));
    case QCborValue::Double: return QVariant(value.toDouble());
    case QCborValue::True: return QVariant(qlonglong(1));
    case QCborValue::False: return QVariant(qlonglong(0));
    case QCborValue::String: return QVariant(value.toString());
    case QCborValue::ByteArray: return QVariant(value.toByteArray());
    default: return QVariant(QMetaType::fromType<QString>());   // a typed NULL
    }
}

// ===========================================================================
// SQLite
// ===========================================================================

namespace {

class SqliteBackend : public Backend
{
public:
    explicit SqliteBackend(QString path) : m_path(std::move(path)) {}

    QString vendor() const override { return QStringLiteral("sqlite"); }
    QString description() const override
    {
        return m_path == QLatin1String(":memory:") ? QStringLiteral("SQLite in memory")
                                                   : QStringLiteral("SQLite %1").arg(m_path);
    }

    void open(const QString &connectionName) override
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        db.setDatabaseName(m_path);
        // Wait briefly for a lock held by another process rather than failing at once.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));
        if (!db.open()) {
            const QString text = db.lastError().driverText() + QLatin1Char(' ') + db.lastError().databaseText();
            throw DjangoError(QStringLiteral("OperationalError"),
                              QStringLiteral("unable to open database file '%1': %2").arg(m_path, text.trimmed()));
        }
        // Django's sqlite3 backend: foreign keys enforced on every connection.
        for (const QString &sql : {QStringLiteral("PRAGMA foreign_keys = ON"),
                                   QStringLiteral("SELECT count(*) FROM sqlite_master")}) {   // "file is not a database"
            QSqlQuery query(db);
            if (!query.exec(sql))
                throw translate(query.lastError());
        }
    }
    void close(const QString &) override {}

    bool createTables(Database &db, const ModelRegistry &registry, const DjangoFeatures &django) override;
    void resetTables(Database &db, const ModelRegistry &registry) override;

    void appendValue(QString &sql, QVariantList &binds, const QCborValue &value) const override
    {
        sql += QLatin1Char('?');
        binds << sqliteValue(value);
    }
    bool preparesStatements() const override { return true; }
    QVariant bindable(const QCborValue &value) const override { return sqliteValue(value); }
    QString falseCondition() const override { return QStringLiteral("0"); }
    // SQLite's 999 variables per query (features.max_query_params); 500 for a
    // single field (SQLITE_MAX_COMPOUND_SELECT).
    int bulkBatchSize(int fieldCount, int objectCount) const override
    {
        return fieldCount == 1 ? 500 : fieldCount > 1 ? 999 / fieldCount : objectCount;
    }

    QString insertHead(bool ignoreConflicts) const override
    {
        return ignoreConflicts ? QStringLiteral("INSERT OR IGNORE INTO ") : QStringLiteral("INSERT INTO ");
    }
    QString insertTail(const Model *, bool) const override { return {}; }
    bool returnsInsertedIds() const override { return false; }
    // Django 4.0+ on SQLite 3.35+: INSERT ... RETURNING.
    bool canReturnRowsFromBulkInsert(const DjangoFeatures &django) const override
    {
        return django.bulkCreateReturnsRowsOnSqlite;
    }
    int maxNameLength() const override { return 0; }

    DjangoError translate(const QSqlError &error) const override
    {
        // Django passes SQLite's own text through: "UNIQUE constraint failed: t.c".
        const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
        QString type = QStringLiteral("DatabaseError");
        if (text.contains(QLatin1String("constraint failed")))
            type = QStringLiteral("IntegrityError");
        else if (text.contains(QLatin1String("locked")) || text.contains(QLatin1String("readonly"))
                 || text.contains(QLatin1String("read-only")) || text.contains(QLatin1String("no such table"))
                 || text.contains(QLatin1String("unable to open")) || text.contains(QLatin1String("disk")))
            type = QStringLiteral("OperationalError");
        return DjangoError(type, text);
    }

    void checkConstraints(Database &db, const QVector<const Model *> &models) override;
    void resetSequences(Database &, const QVector<const Model *> &) override {}

private:
    QString m_path;
};

QString sqliteColumnType(const Field *field)
{
    const Field *typed = field;
    if (field->isForeignKey())
        typed = field->target->pk;
    switch (typed->type) {
    case FieldType::Char: return QStringLiteral("varchar(%1)").arg(typed->maxLength);
    case FieldType::Text: return QStringLiteral("text");
    case FieldType::Int: return QStringLiteral("integer");
    case FieldType::Float: return QStringLiteral("real");
    case FieldType::Bool: return QStringLiteral("bool");
    default: return QStringLiteral("integer");
    }
}

QString sqliteColumnDefinition(const Field *field)
{
    QString sql = Database::quote(field->attname) + QLatin1Char(' ') + sqliteColumnType(field);
    sql += field->null && !field->primaryKey ? QStringLiteral(" NULL") : QStringLiteral(" NOT NULL");
    if (field->primaryKey)
        sql += field->autoIncrement ? QStringLiteral(" PRIMARY KEY AUTOINCREMENT") : QStringLiteral(" PRIMARY KEY");
    else if (field->unique)
        sql += QStringLiteral(" UNIQUE");
    if (field->isForeignKey())
        sql += QStringLiteral(" REFERENCES %1 (%2) DEFERRABLE INITIALLY DEFERRED")
                   .arg(Database::quote(field->target->table), Database::quote(field->target->pk->attname));
    return sql;
}

bool SqliteBackend::createTables(Database &database, const ModelRegistry &registry, const DjangoFeatures &)
{
    bool created = false;
    for (const auto &model : registry.models()) {
        QSqlQuery probe(database.connection());
        probe.prepare(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"));
        probe.addBindValue(model->table);
        if (!probe.exec())
            database.fail(probe.lastError());
        const bool exists = probe.next();
        probe.finish();
        if (exists)
            continue;
        QStringList columns;
        for (const Field *f : model->concreteFields)
            columns << sqliteColumnDefinition(f);
        database.exec(QStringLiteral("CREATE TABLE %1 (%2)").arg(Database::quote(model->table), columns.join(QStringLiteral(", "))));
        // Django's schema editor, index for index and in its order (SQLite's
        // planner picks among them, which decides the order unsorted reads
        // return rows in): an auto-created through table's unique
        // (first, second) index, then one index per indexed field that is not
        // unique, in field order.
        if (model->autoCreated) {
            const Field *first = model->concreteFields[1];
            const Field *second = model->concreteFields[2];
            database.exec(QStringLiteral("CREATE UNIQUE INDEX %1 ON %2 (%3, %4)")
                              .arg(Database::quote(model->table + QLatin1Char('_') + first->attname + QLatin1Char('_') + second->attname + QStringLiteral("_uniq")),
                                   Database::quote(model->table), Database::quote(first->attname), Database::quote(second->attname)));
        }
        for (const Field *f : model->concreteFields) {
            if (f->dbIndex && !f->unique && !f->primaryKey)
                database.exec(QStringLiteral("CREATE INDEX %1 ON %2 (%3)")
                                  .arg(Database::quote(model->table + QLatin1Char('_') + f->attname), Database::quote(model->table), Database::quote(f->attname)));
        }
        created = true;
    }
    return created;
}

void SqliteBackend::resetTables(Database &database, const ModelRegistry &registry)
{
    database.exec(QStringLiteral("PRAGMA foreign_keys = OFF"));   // a no-op inside a transaction: set it first
    // One transaction, so a process killed halfway leaves every table as it
    // was rather than some emptied and rows pointing into them.
    const bool own = !database.inTransaction();
    if (own)
        database.exec(QStringLiteral("BEGIN"));
    try {
        for (const auto &model : registry.models())
            database.exec(QStringLiteral("DELETE FROM %1").arg(Database::quote(model->table)));
        QSqlQuery query(database.connection());
        if (query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")) && query.next()) {
            query.finish();
            database.exec(QStringLiteral("DELETE FROM sqlite_sequence"));
        }
        if (own)
            database.exec(QStringLiteral("COMMIT"));
    } catch (...) {
        if (own)
            QSqlQuery(database.connection()).exec(QStringLiteral("ROLLBACK"));
        QSqlQuery(database.connection()).exec(QStringLiteral("PRAGMA foreign_keys = ON"));
        throw;
    }
    database.exec(QStringLiteral("PRAGMA foreign_keys = ON"));
}

void SqliteBackend::checkConstraints(Database &database, const QVector<const Model *> &models)
{
    // As django.db.backends.sqlite3.base.DatabaseWrapper.check_constraints.
    QSqlDatabase db = database.connection();
    for (const Model *model : models) {
        QSqlQuery check(db);
        if (!check.exec(QStringLiteral("PRAGMA foreign_key_check(%1)").arg(Database::quote(model->table))))
            database.fail(check.lastError());
        if (!check.next())
            continue;
        const qint64 rowid = check.value(1).toLongLong();
        const QString referencedTable = check.value(2).toString();
        const int fkIndex = check.value(3).toInt();
        check.finish();
        QSqlQuery list(db);
        list.exec(QStringLiteral("PRAGMA foreign_key_list(%1)").arg(Database::quote(model->table)));
        QString column, referencedColumn;
        while (list.next()) {
            if (list.value(0).toInt() == fkIndex) {
                column = list.value(3).toString();
                referencedColumn = list.value(4).toString();
            }
        }
        list.finish();
        QSqlQuery row(db);
        row.prepare(QStringLiteral("SELECT %1, %2 FROM %3 WHERE rowid = ?")
                        .arg(Database::quote(model->pk->attname), Database::quote(column), Database::quote(model->table)));
        row.addBindValue(rowid);
        row.exec();
        row.next();
        const QString pkText = row.value(0).toString();
        const QString badValue = row.value(1).toString();
        row.finish();
        throw DjangoError(QStringLiteral("IntegrityError"),
                          QStringLiteral("The row in table '%1' with primary key '%2' has an invalid foreign key: "
                                         "%1.%3 contains a value '%4' that does not have a corresponding value in %5.%6.")
                              .arg(model->table, pkText, column, badValue, referencedTable, referencedColumn));
    }
}

} // namespace

// ===========================================================================
// PostgreSQL
// ===========================================================================

static constexpr int kMaxNameLength = 63;   // PostgreSQL's NAMEDATALEN - 1

QString djangoIndexName(const QString &table, const QStringList &columns, const QString &suffix)
{
    // BaseDatabaseSchemaEditor._create_index_name with names_digest(table, *columns, length=8).
    QCryptographicHash md5(QCryptographicHash::Md5);
    md5.addData(table.toUtf8());
    for (const QString &c : columns)
        md5.addData(c.toUtf8());
    QString hashSuffix = QString::fromLatin1(md5.result().toHex().left(8)) + suffix;
    const QString joined = columns.join(QLatin1Char('_'));
    QString name = table + QLatin1Char('_') + joined + QLatin1Char('_') + hashSuffix;
    if (name.size() <= kMaxNameLength)
        return name;
    if (hashSuffix.size() > kMaxNameLength / 3.0)
        hashSuffix = hashSuffix.left(kMaxNameLength / 3);
    const int other = (kMaxNameLength - int(hashSuffix.size())) / 2 - 1;
    name = table.left(other) + QLatin1Char('_') + joined.left(other) + QLatin1Char('_') + hashSuffix;
    if (name.startsWith(QLatin1Char('_')) || name.at(0).isDigit())
        name = QLatin1Char('D') + name.left(name.size() - 1);
    return name;
}

static QString pgColumnType(const Field *field, bool asReference, bool identity = false)
{
    const Field *typed = field->isForeignKey() ? field->target->pk : field;
    if (typed->autoIncrement)
        return asReference || field->isForeignKey() || identity ? QStringLiteral("integer") : QStringLiteral("serial");
    switch (typed->type) {
    case FieldType::Char: return QStringLiteral("varchar(%1)").arg(typed->maxLength);
    case FieldType::Text: return QStringLiteral("text");
    case FieldType::Float: return QStringLiteral("double precision");
    case FieldType::Bool: return QStringLiteral("boolean");
    case FieldType::Int:
    default: return QStringLiteral("integer");
    }
}

// Django's model order for create_model: declared models in registration
// order, each followed by the auto-created through tables of its many_to_many
// fields (create_model creates them right after the model).
static QVector<const Model *> creationOrder(const ModelRegistry &registry)
{
    QVector<const Model *> order;
    for (const auto &model : registry.models()) {
        if (model->autoCreated)
            continue;
        order.append(model.get());
        for (const Field *m2m : model->manyToMany)
            if (m2m->through && m2m->through->autoCreated && !order.contains(m2m->through))
                order.append(m2m->through);
    }
    for (const auto &model : registry.models())   // anything left over (never expected)
        if (!order.contains(model.get()))
            order.append(model.get());
    return order;
}

struct PgModelSql
{
    QString createTable;
    QStringList deferred;
};

static PgModelSql pgModelSql(const Model *model, const DjangoFeatures &django)
{
    // BaseDatabaseSchemaEditor.create_model / table_sql with the PostgreSQL
    // schema editor's templates.
    PgModelSql out;
    const QString table = model->table;
    if (model->autoCreated) {
        // unique_together (first, second) comes first in table_sql.
        const Field *first = model->concreteFields[1];
        const Field *second = model->concreteFields[2];
        out.deferred << QStringLiteral("ALTER TABLE %1 ADD CONSTRAINT %2 UNIQUE (%3, %4)")
                            .arg(Database::quote(table),
                                 Database::quote(djangoIndexName(table, {first->attname, second->attname}, QStringLiteral("_uniq"))),
                                 Database::quote(first->attname), Database::quote(second->attname));
    }
    QStringList columns;
    for (const Field *f : model->concreteFields) {
        const bool identity = f->autoIncrement && django.autoFieldIsIdentityOnPostgres;
        QString sql = Database::quote(f->attname) + QLatin1Char(' ') + pgColumnType(f, false, identity);
        sql += f->null && !f->primaryKey ? QStringLiteral(" NULL") : QStringLiteral(" NOT NULL");
        if (f->primaryKey)
            sql += QStringLiteral(" PRIMARY KEY");
        // data_types_suffix (4.1+): the sequence is still <table>_<column>_seq.
        if (identity)
            sql += QStringLiteral(" GENERATED BY DEFAULT AS IDENTITY");
        else if (f->unique)
            sql += QStringLiteral(" UNIQUE");
        columns << sql;
        if (f->isForeignKey()) {
            const QString toTable = f->target->table;
            const QString toColumn = f->target->pk->attname;
            const QString name = djangoIndexName(table, {f->attname}, QStringLiteral("_fk_%1_%2").arg(toTable, toColumn));
            out.deferred << QStringLiteral("ALTER TABLE %1 ADD CONSTRAINT %2 FOREIGN KEY (%3) REFERENCES %4 (%5) DEFERRABLE INITIALLY DEFERRED")
                                .arg(Database::quote(table), Database::quote(name), Database::quote(f->attname),
                                     Database::quote(toTable), Database::quote(toColumn));
        }
    }
    out.createTable = QStringLiteral("CREATE TABLE %1 (%2)").arg(Database::quote(table), columns.join(QStringLiteral(", ")));
    // _model_indexes_sql: per field, its index (db_index and not unique), then
    // the varchar_pattern_ops "_like" index of an indexed or unique varchar.
    for (const Field *f : model->concreteFields) {
        const bool unique = f->unique || f->primaryKey;
        const bool indexed = f->dbIndex || f->isForeignKey();
        if (indexed && !unique)
            out.deferred << QStringLiteral("CREATE INDEX %1 ON %2 (%3)")
                                .arg(Database::quote(djangoIndexName(table, {f->attname}, QString())),
                                     Database::quote(table), Database::quote(f->attname));
        const QString type = pgColumnType(f, true);
        if ((indexed || unique) && type.startsWith(QLatin1String("varchar")))
            out.deferred << QStringLiteral("CREATE INDEX %1 ON %2 (%3 varchar_pattern_ops)")
                                .arg(Database::quote(djangoIndexName(table, {f->attname}, QStringLiteral("_like"))),
                                     Database::quote(table), Database::quote(f->attname));
        else if ((indexed || unique) && type == QLatin1String("text"))
            out.deferred << QStringLiteral("CREATE INDEX %1 ON %2 (%3 text_pattern_ops)")
                                .arg(Database::quote(djangoIndexName(table, {f->attname}, QStringLiteral("_like"))),
                                     Database::quote(table), Database::quote(f->attname));
    }
    return out;
}

static QStringList pgSchemaSql(const QVector<const Model *> &models, const DjangoFeatures &django)
{
    // The schema editor runs every CREATE TABLE at once and its deferred SQL
    // (constraints, indexes) when it exits.
    QStringList tables, deferred;
    for (const Model *model : models) {
        const PgModelSql sql = pgModelSql(model, django);
        tables << sql.createTable;
        deferred << sql.deferred;
    }
    return tables + deferred;
}

QStringList postgresSchemaSql(const ModelRegistry &registry, const DjangoFeatures &django)
{
    return pgSchemaSql(creationOrder(registry), django);
}

namespace {

QAtomicInt s_pgDatabaseCounter;

class PostgresBackend : public Backend
{
public:
    explicit PostgresBackend(const QString &url);

    QString vendor() const override { return QStringLiteral("postgresql"); }
    QString description() const override
    {
        return QStringLiteral("PostgreSQL %1 on %2:%3").arg(m_testName, m_host).arg(m_port);
    }

    void open(const QString &connectionName) override;
    void close(const QString &connectionName) override;

    bool createTables(Database &db, const ModelRegistry &registry, const DjangoFeatures &django) override;
    void resetTables(Database &db, const ModelRegistry &registry) override;

    void appendValue(QString &sql, QVariantList &binds, const QCborValue &value) const override;
    bool preparesStatements() const override { return false; }
    QString falseCondition() const override { return QStringLiteral("false"); }
    // The base operations' answer: every object in one query (values are
    // inlined, so a long IN list costs its length).
    int bulkBatchSize(int, int objectCount) const override { return objectCount; }

    QString insertHead(bool) const override { return QStringLiteral("INSERT INTO "); }
    QString insertTail(const Model *model, bool ignoreConflicts) const override
    {
        if (ignoreConflicts)
            return QStringLiteral(" ON CONFLICT DO NOTHING");
        if (model->pk->autoIncrement)   // db_returning_fields: the AutoField
            return QStringLiteral(" RETURNING ") + Database::quote(model->table) + QLatin1Char('.') + Database::quote(model->pk->attname);
        return {};
    }
    bool returnsInsertedIds() const override { return true; }
    bool canReturnRowsFromBulkInsert(const DjangoFeatures &) const override { return true; }
    int maxNameLength() const override { return kMaxNameLength; }

    DjangoError translate(const QSqlError &error) const override;

    void checkConstraints(Database &db, const QVector<const Model *> &models) override;
    void resetSequences(Database &db, const QVector<const Model *> &models) override;

private:
    void configure(QSqlDatabase &db, const QString &name) const;
    void maintenance(const QString &sql);

    QString m_user, m_password, m_host, m_name;
    int m_port = 5432;
    QString m_testName;
    bool m_created = false;
};

PostgresBackend::PostgresBackend(const QString &location)
{
    const QUrl url(location, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        throw DjangoError(QStringLiteral("OperationalError"),
                          QStringLiteral("invalid database URL '%1' (expected postgresql://user@host:port/name)").arg(location));
    m_user = url.userName(QUrl::FullyDecoded);
    m_password = url.password(QUrl::FullyDecoded);
    m_host = url.host();
    m_port = url.port(5432);
    m_name = url.path(QUrl::FullyDecoded);
    if (m_name.startsWith(QLatin1Char('/')))
        m_name.remove(0, 1);
    if (m_name.isEmpty())
        m_name = QStringLiteral("postgres");
    const int n = s_pgDatabaseCounter.fetchAndAddRelaxed(1);
    m_testName = QStringLiteral("test_%1_%2").arg(m_name).arg(QCoreApplication::applicationPid());
    if (n > 0)
        m_testName += QStringLiteral("_%1").arg(n);
    m_testName = m_testName.left(kMaxNameLength);
}

void PostgresBackend::configure(QSqlDatabase &db, const QString &name) const
{
    db.setHostName(m_host);
    db.setPort(m_port);
    db.setDatabaseName(name);
    if (!m_user.isEmpty())
        db.setUserName(m_user);
    if (!m_password.isEmpty())
        db.setPassword(m_password);
    db.setConnectOptions(QStringLiteral("connect_timeout=10"));
}

static QString pgErrorText(const QSqlError &error)
{
    // QPSQL reports PQerrorMessage ("ERROR:  text\nDETAIL:  detail\n") with
    // the SQLSTATE appended in parentheses; psycopg2's message is the same
    // text without the severity.
    QString text = error.databaseText();
    if (text.isEmpty())
        return error.text();
    const QString code = error.nativeErrorCode();
    if (!code.isEmpty() && text.endsWith(QLatin1Char('(') + code + QLatin1Char(')')))
        text.chop(code.size() + 2);
    for (const char *severity : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
        if (text.startsWith(QLatin1String(severity))) {
            text.remove(0, int(qstrlen(severity)));
            break;
        }
    }
    return text;
}

void PostgresBackend::maintenance(const QString &sql)
{
    // Django's _nodb_cursor: a connection to the `postgres` database.
    const QString name = QStringLiteral("signalscope-pg-maintenance-%1").arg(quintptr(this));
    QString failure;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        configure(db, QStringLiteral("postgres"));
        if (!db.open()) {
            failure = pgErrorText(db.lastError());
        } else {
            QSqlQuery query(db);
            query.exec(QStringLiteral("SET client_min_messages TO error"));   // no NOTICE on stderr
            if (!query.exec(sql))
                failure = pgErrorText(query.lastError());
            query.finish();
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    if (!failure.isEmpty())
        throw DjangoError(QStringLiteral("OperationalError"), failure.trimmed());
}

void PostgresBackend::open(const QString &connectionName)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        throw DjangoError(QStringLiteral("ImproperlyConfigured"),
                          QStringLiteral("Qt's PostgreSQL driver QPSQL is not installed (Debian: libqt6sql6-psql)"));
    // DatabaseCreation._create_test_db with autoclobber: drop a leftover first.
    maintenance(QStringLiteral("DROP DATABASE IF EXISTS %1").arg(Database::quote(m_testName)));
    maintenance(QStringLiteral("CREATE DATABASE %1").arg(Database::quote(m_testName)));
    m_created = true;
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    configure(db, m_testName);
    if (!db.open()) {
        const QString text = pgErrorText(db.lastError()).trimmed();
        throw DjangoError(QStringLiteral("OperationalError"), text);
    }
    // psycopg2 keeps the server's notices to itself; libpq would print them.
    QSqlQuery(db).exec(QStringLiteral("SET client_min_messages TO error"));
}

void PostgresBackend::close(const QString &)
{
    if (!m_created)
        return;
    m_created = false;
    try {
        maintenance(QStringLiteral("DROP DATABASE IF EXISTS %1").arg(Database::quote(m_testName)));
    } catch (const DjangoError &) {
        // The server went away: nothing left to clean.
    }
}

bool PostgresBackend::createTables(Database &database, const ModelRegistry &registry, const DjangoFeatures &django)
{
    QVector<const Model *> missing;
    for (const Model *model : creationOrder(registry)) {
        QSqlQuery probe(database.connection());
        QString quoted = Database::quote(model->table);
        quoted.replace(QLatin1Char('\''), QStringLiteral("''"));
        if (!probe.exec(QStringLiteral("SELECT to_regclass('%1') IS NOT NULL").arg(quoted)))
            database.fail(probe.lastError());
        const bool exists = probe.next() && probe.value(0).toBool();
        probe.finish();
        if (!exists)
            missing.append(model);
    }
    if (missing.isEmpty())
        return false;
    // The schema editor is atomic on PostgreSQL (can_rollback_ddl).
    database.exec(QStringLiteral("BEGIN"));
    try {
        for (const QString &sql : pgSchemaSql(missing, django))
            database.exec(sql);
    } catch (...) {
        QSqlQuery(database.connection()).exec(QStringLiteral("ROLLBACK"));
        throw;
    }
    database.exec(QStringLiteral("COMMIT"));
    return true;
}

void PostgresBackend::resetTables(Database &database, const ModelRegistry &registry)
{
    // Django's flush with reset_sequences: TRUNCATE ... RESTART IDENTITY CASCADE.
    QStringList tables;
    for (const auto &model : registry.models())
        tables << Database::quote(model->table);
    if (!tables.isEmpty())
        database.exec(QStringLiteral("TRUNCATE %1 RESTART IDENTITY CASCADE").arg(tables.join(QStringLiteral(", "))));
}

// psycopg2's float adapter: repr(), and quoted casts for what SQL cannot spell.
static QString psycopgFloat(double d)
{
    if (std::isnan(d))
        return QStringLiteral("'NaN'::float");
    if (std::isinf(d))
        return d > 0 ? QStringLiteral("'Infinity'::float") : QStringLiteral("'-Infinity'::float");
    return pythonFloatRepr(d);
}

void PostgresBackend::appendValue(QString &sql, QVariantList &, const QCborValue &value) const
{
    // psycopg2's adapters: values are inlined into the statement.
    switch (value.type()) {
    case QCborValue::Integer: {
        const qint64 n = value.toInteger();
        if (n < 0)
            sql += QLatin1Char(' ');    // psycopg2 writes " -1" so that "--" never appears
        sql += QString::number(n);
        return;
    }
    case QCborValue::Double: {
        const QString text = psycopgFloat(value.toDouble());
        if (text.startsWith(QLatin1Char('-')))
            sql += QLatin1Char(' ');
        sql += text;
        return;
    }
    case QCborValue::True: sql += QLatin1String("true"); return;
    case QCborValue::False: sql += QLatin1String("false"); return;
    case QCborValue::String: {
        const QString s = value.toString();
        if (s.contains(QChar(0)))
            throw DjangoError(QStringLiteral("ValueError"),
                              QStringLiteral("A string literal cannot contain NUL (0x00) characters."));
        sql += QLatin1Char('\'');
        sql += QString(s).replace(QLatin1Char('\''), QStringLiteral("''"));
        sql += QLatin1Char('\'');
        return;
    }
    case QCborValue::ByteArray:
        sql += QStringLiteral("'\\x%1'::bytea").arg(QString::fromLatin1(value.toByteArray().toHex()));
        return;
    default:
        sql += QLatin1String("NULL");
        return;
    }
}

DjangoError PostgresBackend::translate(const QSqlError &error) const
{
    // psycopg2's exception classes by SQLSTATE class, as Django re-raises them.
    const QString code = error.nativeErrorCode();
    const QString cls = code.left(2);
    QString type = QStringLiteral("DatabaseError");
    if (cls == QLatin1String("23"))
        type = QStringLiteral("IntegrityError");
    else if (cls == QLatin1String("22"))
        type = QStringLiteral("DataError");
    else if (cls == QLatin1String("42") || cls == QLatin1String("2F") || cls == QLatin1String("34")
             || cls == QLatin1String("3D") || cls == QLatin1String("3F") || cls == QLatin1String("44"))
        type = QStringLiteral("ProgrammingError");
    else if (cls == QLatin1String("0A"))
        type = QStringLiteral("NotSupportedError");
    else if (cls == QLatin1String("25") || cls == QLatin1String("2D") || cls == QLatin1String("XX"))
        type = QStringLiteral("InternalError");
    else if (cls == QLatin1String("08") || cls == QLatin1String("40") || cls == QLatin1String("53")
             || cls == QLatin1String("54") || cls == QLatin1String("55") || cls == QLatin1String("57")
             || cls == QLatin1String("58") || cls == QLatin1String("F0") || code.isEmpty())
        type = QStringLiteral("OperationalError");
    return DjangoError(type, pgErrorText(error));
}

void PostgresBackend::checkConstraints(Database &database, const QVector<const Model *> &)
{
    // DatabaseWrapper.check_constraints: every deferred constraint written in
    // the transaction so far is checked now.
    database.exec(QStringLiteral("SET CONSTRAINTS ALL IMMEDIATE"));
    database.exec(QStringLiteral("SET CONSTRAINTS ALL DEFERRED"));
}

void PostgresBackend::resetSequences(Database &database, const QVector<const Model *> &models)
{
    // DatabaseOperations.sequence_reset_sql.
    for (const Model *model : models) {
        if (!model->pk->autoIncrement)
            continue;
        const QString table = Database::quote(model->table);
        const QString column = Database::quote(model->pk->attname);
        QString tableLiteral = table;
        tableLiteral.replace(QLatin1Char('\''), QStringLiteral("''"));
        QString columnLiteral = model->pk->attname;
        columnLiteral.replace(QLatin1Char('\''), QStringLiteral("''"));
        database.exec(QStringLiteral("SELECT setval(pg_get_serial_sequence('%1','%2'), coalesce(max(%3), 1), max(%3) IS NOT null) FROM %4;")
                          .arg(tableLiteral, columnLiteral, column, table));
    }
}

} // namespace

QString Backend::displayLocation(const QString &location)
{
    if (!isServerUrl(location))
        return location;
    return QUrl(location).toString(QUrl::RemovePassword);
}

bool Backend::isServerUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

std::unique_ptr<Backend> Backend::forLocation(const QString &location)
{
    if (isServerUrl(location))
        return std::make_unique<PostgresBackend>(location);
    if (location.startsWith(QLatin1String("sqlite://"))) {
        // sqlite:///absolute/path, sqlite://relative/path, sqlite:// = memory
        QString path = location.mid(9);
        return std::make_unique<SqliteBackend>(path.isEmpty() ? QStringLiteral(":memory:") : path);
    }
    if (location.contains(QLatin1String("://")))
        throw DjangoError(QStringLiteral("ImproperlyConfigured"),
                          QStringLiteral("unsupported database URL '%1' (use a SQLite file or postgresql://user@host:port/name)").arg(location));
    return std::make_unique<SqliteBackend>(location);
}

} // namespace ss
