#include "database.h"

#include <QAtomicInt>
#include <QCborArray>
#include <QSqlError>
#include <QSqlRecord>
#include <QStringList>
#include <QVariant>

namespace ss {

static QAtomicInt s_connectionCounter;

Database::Database(const QString &path)
    : m_path(path),
      m_connectionName(QStringLiteral("signalscope-%1").arg(s_connectionCounter.fetchAndAddRelaxed(1)))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(path);
    // Wait briefly for a lock held by another process rather than failing at once.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));
    if (!db.open()) {
        const QString text = db.lastError().driverText() + QLatin1Char(' ') + db.lastError().databaseText();
        throw DjangoError(QStringLiteral("OperationalError"),
                          QStringLiteral("unable to open database file '%1': %2").arg(path, text.trimmed()));
    }
    try {
        exec(QStringLiteral("PRAGMA foreign_keys = ON"));
        exec(QStringLiteral("SELECT count(*) FROM sqlite_master"));   // "file is not a database"
    } catch (const DjangoError &error) {
        if (error.message().startsWith(path + QLatin1Char(':')))
            throw;   // fail() named the file already
        throw DjangoError(error.type(), QStringLiteral("%1: %2").arg(path, error.message()));
    }
}

Database::~Database()
{
    qDeleteAll(m_statements);
    m_statements.clear();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString Database::quote(const QString &identifier)
{
    QString quoted = identifier;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// The statements below are rebuilt on every call (their text is the key of the
// prepared-statement cache), so they are appended into one string rather than
// assembled from lists of temporaries. The text is the same, byte for byte.

// quote(identifier), appended.
static void appendQuoted(QString &sql, const QString &identifier)
{
    sql += QLatin1Char('"');
    if (identifier.contains(QLatin1Char('"')))
        sql += QString(identifier).replace(QLatin1Char('"'), QStringLiteral("\"\""));
    else
        sql += identifier;
    sql += QLatin1Char('"');
}

// The quoted attnames of `fields`, joined with ", ".
static void appendColumns(QString &sql, const QVector<const Field *> &fields)
{
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i)
            sql += QLatin1String(", ");
        appendQuoted(sql, fields[i]->attname);
    }
}

static QString columnType(const Field *field)
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

static QString columnDefinition(const Field *field)
{
    QString sql = Database::quote(field->attname) + QLatin1Char(' ') + columnType(field);
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

bool Database::createTables(const ModelRegistry &registry)
{
    bool created = false;
    for (const auto &model : registry.models()) {
        QSqlQuery probe(QSqlDatabase::database(m_connectionName));
        probe.prepare(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"));
        probe.addBindValue(model->table);
        run(probe, QStringLiteral("sqlite_master"));
        const bool exists = probe.next();
        probe.finish();
        if (exists)
            continue;
        QStringList columns;
        for (const Field *f : model->concreteFields)
            columns << columnDefinition(f);
        exec(QStringLiteral("CREATE TABLE %1 (%2)").arg(quote(model->table), columns.join(QStringLiteral(", "))));
        // Django's schema editor, index for index and in its order (SQLite's
        // planner picks among them, which decides the order unsorted reads
        // return rows in): an auto-created through table's unique
        // (first, second) index, then one index per indexed field that is not
        // unique, in field order.
        if (model->autoCreated) {
            const Field *first = model->concreteFields[1];
            const Field *second = model->concreteFields[2];
            exec(QStringLiteral("CREATE UNIQUE INDEX %1 ON %2 (%3, %4)")
                     .arg(quote(model->table + QLatin1Char('_') + first->attname + QLatin1Char('_') + second->attname + QStringLiteral("_uniq")),
                          quote(model->table), quote(first->attname), quote(second->attname)));
        }
        for (const Field *f : model->concreteFields) {
            if (f->dbIndex && !f->unique && !f->primaryKey)
                exec(QStringLiteral("CREATE INDEX %1 ON %2 (%3)")
                         .arg(quote(model->table + QLatin1Char('_') + f->attname), quote(model->table), quote(f->attname)));
        }
        created = true;
    }
    return created;
}

void Database::resetTables(const ModelRegistry &registry)
{
    exec(QStringLiteral("PRAGMA foreign_keys = OFF"));   // a no-op inside a transaction: set it first
    // One transaction, so a process killed halfway leaves every table as it
    // was rather than some emptied and rows pointing into them.
    const bool own = !inTransaction();
    if (own)
        exec(QStringLiteral("BEGIN"));
    try {
        for (const auto &model : registry.models())
            exec(QStringLiteral("DELETE FROM %1").arg(quote(model->table)));
        QSqlQuery query(QSqlDatabase::database(m_connectionName));
        if (query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")) && query.next()) {
            query.finish();
            exec(QStringLiteral("DELETE FROM sqlite_sequence"));
        }
        if (own)
            exec(QStringLiteral("COMMIT"));
    } catch (...) {
        if (own) {
            QSqlQuery(QSqlDatabase::database(m_connectionName)).exec(QStringLiteral("ROLLBACK"));
        }
        QSqlQuery(QSqlDatabase::database(m_connectionName)).exec(QStringLiteral("PRAGMA foreign_keys = ON"));
        throw;
    }
    exec(QStringLiteral("PRAGMA foreign_keys = ON"));
}

void Database::exec(const QString &sql)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    if (!query.exec(sql))
        fail(query.lastError(), sql);
    query.finish();
}

QSqlQuery &Database::prepared(const QString &sql)
{
    auto it = m_statements.find(sql);
    if (it != m_statements.end())
        return **it;
    auto *query = new QSqlQuery(QSqlDatabase::database(m_connectionName));
    if (!query->prepare(sql)) {
        const QSqlError error = query->lastError();
        delete query;
        fail(error, sql);
    }
    m_statements.insert(sql, query);
    return *query;
}

void Database::run(QSqlQuery &query, const QString &sql)
{
    if (!query.exec()) {
        const QSqlError error = query.lastError();
        query.finish();
        fail(error, sql);
    }
}

void Database::fail(const QSqlError &error, const QString &sql)
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
    Q_UNUSED(sql);
    // The file is not usable (locked by another process, read-only, gone):
    // name it, since the message reaches whoever has to fix that.
    if (isDatabaseUnusable(DjangoError(type, text)) && m_path != QLatin1String(":memory:"))
        throw DjangoError(type, m_path + QStringLiteral(": ") + text);
    throw DjangoError(type, text);
}

bool isDatabaseUnusable(const DjangoError &error)
{
    if (error.type() != QLatin1String("OperationalError"))
        return false;
    const QString &text = error.message();
    return text.contains(QLatin1String("locked")) || text.contains(QLatin1String("readonly"))
           || text.contains(QLatin1String("read-only")) || text.contains(QLatin1String("unable to open"))
           || text.contains(QLatin1String("disk")) || text.contains(QLatin1String("busy"));
}

static QVariant toSql(const QCborValue &value)
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

QCborValue Database::toFieldValue(const Field *field, const QVariant &value)
{
    if (value.isNull())
        return QCborValue(nullptr);
    const Field *typed = field->isForeignKey() ? field->target->pk : field;
    switch (typed->type) {
    case FieldType::Bool: return QCborValue(value.toLongLong() != 0);
    case FieldType::Float: return QCborValue(value.toDouble());
    case FieldType::Char:
    case FieldType::Text: return QCborValue(value.toString());
    default:
        if (value.typeId() == QMetaType::Double)
            return QCborValue(value.toDouble());
        if (value.typeId() == QMetaType::QString) {
            bool ok = false;
            const qlonglong n = value.toString().toLongLong(&ok);
            return ok ? QCborValue(qint64(n)) : QCborValue(value.toString());
        }
        return QCborValue(qint64(value.toLongLong()));
    }
}

QString Database::whereClause(const QVector<Condition> &where, QVariantList &binds) const
{
    if (where.isEmpty())
        return {};
    QString sql = QStringLiteral(" WHERE ");
    for (qsizetype i = 0; i < where.size(); ++i) {
        const Condition &c = where[i];
        if (i)
            sql += QLatin1String(" AND ");
        if (c.in) {
            const QCborArray values = c.value.toArray();
            if (values.isEmpty()) {
                sql += QLatin1Char('0');
                continue;
            }
            appendQuoted(sql, c.field->attname);
            sql += QLatin1String(" IN (");
            for (qsizetype j = 0; j < values.size(); ++j) {
                if (j)
                    sql += QLatin1Char(',');
                sql += QLatin1Char('?');
                binds << toSql(values.at(j));
            }
            sql += QLatin1Char(')');
        } else if (c.value.isNull() || c.value.isUndefined()) {
            appendQuoted(sql, c.field->attname);
            sql += QLatin1String(" IS NULL");
        } else {
            appendQuoted(sql, c.field->attname);
            sql += QLatin1String(" = ?");
            binds << toSql(c.value);
        }
    }
    return sql;
}

QVector<Row> Database::select(const Model *model, const QVector<Condition> &where,
                              const QVector<const Field *> &orderBy, int limit)
{
    return selectAnyOf(model, {where}, orderBy, limit);
}

QVector<Row> Database::selectAnyOf(const Model *model, const QVector<QVector<Condition>> &anyOf,
                                   const QVector<const Field *> &orderBy, int limit)
{
    checkUsable();
    QVariantList binds;
    QString sql = QStringLiteral("SELECT ");
    appendColumns(sql, model->concreteFields);
    sql += QLatin1String(" FROM ");
    appendQuoted(sql, model->table);
    if (anyOf.size() == 1) {
        sql += whereClause(anyOf.first(), binds);
    } else {
        // Django's Q(...) | Q(...): one statement, so SQLite's OR plan decides
        // the order and returns a row matching both branches once.
        QStringList branches;
        for (const QVector<Condition> &group : anyOf)
            branches << QLatin1Char('(') + whereClause(group, binds).mid(7) + QLatin1Char(')');
        sql += QStringLiteral(" WHERE ") + branches.join(QStringLiteral(" OR "));
    }
    if (!orderBy.isEmpty()) {
        sql += QLatin1String(" ORDER BY ");
        appendColumns(sql, orderBy);
    }
    if (limit >= 0) {
        sql += QLatin1String(" LIMIT ");
        sql += QString::number(limit);
    }
    QSqlQuery &query = prepared(sql);
    for (const QVariant &b : std::as_const(binds))
        query.addBindValue(b);
    run(query, sql);
    QVector<Row> rows;
    const int columns = model->concreteFields.size();
    while (query.next()) {
        Row row(columns);
        for (int i = 0; i < columns; ++i)
            row[i] = toFieldValue(model->concreteFields[i], query.value(i));
        rows.append(row);
    }
    query.finish();
    return rows;
}

QVector<QCborValue> Database::selectColumn(const Model *model, const Field *column, const QVector<Condition> &where)
{
    checkUsable();
    QVariantList binds;
    QString sql = QStringLiteral("SELECT ");
    appendQuoted(sql, column->attname);
    sql += QLatin1String(" FROM ");
    appendQuoted(sql, model->table);
    sql += whereClause(where, binds);
    QSqlQuery &query = prepared(sql);
    for (const QVariant &b : std::as_const(binds))
        query.addBindValue(b);
    run(query, sql);
    QVector<QCborValue> values;
    while (query.next())
        values.append(toFieldValue(column, query.value(0)));
    query.finish();
    return values;
}

bool Database::exists(const Model *model, const QVector<Condition> &where)
{
    checkUsable();
    QVariantList binds;
    QString sql = QStringLiteral("SELECT 1 FROM ");
    appendQuoted(sql, model->table);
    sql += whereClause(where, binds);
    sql += QLatin1String(" LIMIT 1");
    QSqlQuery &query = prepared(sql);
    for (const QVariant &b : std::as_const(binds))
        query.addBindValue(b);
    run(query, sql);
    const bool found = query.next();
    query.finish();
    return found;
}

qint64 Database::insert(const Model *model, const QVector<const Field *> &fields, const Row &values, bool ignoreConflicts)
{
    checkUsable();
    QString sql = ignoreConflicts ? QStringLiteral("INSERT OR IGNORE INTO ") : QStringLiteral("INSERT INTO ");
    appendQuoted(sql, model->table);
    if (fields.isEmpty()) {
        sql += QLatin1String(" DEFAULT VALUES");
    } else {
        sql += QLatin1String(" (");
        appendColumns(sql, fields);
        sql += QLatin1String(") VALUES (");
        for (qsizetype i = 0; i < fields.size(); ++i)
            sql += i ? QLatin1String(", ?") : QLatin1String("?");
        sql += QLatin1Char(')');
    }
    QSqlQuery &query = prepared(sql);
    for (const QCborValue &v : values)
        query.addBindValue(toSql(v));
    run(query, sql);
    const qint64 id = query.lastInsertId().toLongLong();
    query.finish();
    return id;
}

int Database::update(const Model *model, const QVector<const Field *> &fields, const Row &values, const QVector<Condition> &where)
{
    checkUsable();
    QVariantList binds;
    QString sql = QStringLiteral("UPDATE ");
    appendQuoted(sql, model->table);
    sql += QLatin1String(" SET ");
    for (int i = 0; i < fields.size(); ++i) {
        if (i)
            sql += QLatin1String(", ");
        appendQuoted(sql, fields[i]->attname);
        sql += QLatin1String(" = ?");
        binds << toSql(values[i]);
    }
    sql += whereClause(where, binds);
    QSqlQuery &query = prepared(sql);
    for (const QVariant &b : std::as_const(binds))
        query.addBindValue(b);
    run(query, sql);
    const int affected = query.numRowsAffected();
    query.finish();
    return affected;
}

int Database::deleteWhere(const Model *model, const QVector<Condition> &where)
{
    checkUsable();
    QVariantList binds;
    QString sql = QStringLiteral("DELETE FROM ");
    appendQuoted(sql, model->table);
    sql += whereClause(where, binds);
    QSqlQuery &query = prepared(sql);
    for (const QVariant &b : std::as_const(binds))
        query.addBindValue(b);
    run(query, sql);
    const int affected = query.numRowsAffected();
    query.finish();
    return affected;
}

void Database::checkForeignKeys(const QVector<const Model *> &models)
{
    checkUsable();
    // As django.db.backends.sqlite3.base.DatabaseWrapper.check_constraints.
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    for (const Model *model : models) {
        QSqlQuery check(db);
        if (!check.exec(QStringLiteral("PRAGMA foreign_key_check(%1)").arg(quote(model->table))))
            fail(check.lastError(), QStringLiteral("foreign_key_check"));
        if (!check.next())
            continue;
        const qint64 rowid = check.value(1).toLongLong();
        const QString referencedTable = check.value(2).toString();
        const int fkIndex = check.value(3).toInt();
        check.finish();
        QSqlQuery list(db);
        list.exec(QStringLiteral("PRAGMA foreign_key_list(%1)").arg(quote(model->table)));
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
                        .arg(quote(model->pk->attname), quote(column), quote(model->table)));
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

void Database::checkUsable() const
{
    if (m_depth > 0 && m_needsRollback)
        throw DjangoError(QStringLiteral("TransactionManagementError"),
                          QStringLiteral("An error occurred in the current transaction. You can't execute queries "
                                         "until the end of the 'atomic' block."));
}

void Database::begin()
{
    if (m_depth++ == 0) {
        m_needsRollback = false;
        exec(QStringLiteral("BEGIN"));
    }
}

void Database::commit()
{
    if (--m_depth > 0)
        return;
    if (m_needsRollback) {
        // Django's outermost atomic block rolls back quietly when marked.
        m_needsRollback = false;
        QSqlQuery rollback(QSqlDatabase::database(m_connectionName));
        rollback.exec(QStringLiteral("ROLLBACK"));
        return;
    }
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    if (!query.exec(QStringLiteral("COMMIT"))) {
        // A deferred foreign key failed: SQLite keeps the transaction open;
        // Django rolls it back and raises IntegrityError.
        const QSqlError error = query.lastError();
        query.finish();
        QSqlQuery rollback(QSqlDatabase::database(m_connectionName));
        rollback.exec(QStringLiteral("ROLLBACK"));
        fail(error, QStringLiteral("COMMIT"));
    }
}

void Database::rollback()
{
    if (--m_depth > 0) {
        m_needsRollback = true;     // Atomic(savepoint=False).__exit__ with an exception
        return;
    }
    m_needsRollback = false;
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    query.exec(QStringLiteral("ROLLBACK"));
}

} // namespace ss
