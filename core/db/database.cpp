#include "db/database.h"

#include <QAtomicInt>
#include <QCborArray>
#include <QSqlError>
#include <QStringList>
#include <QVariant>

#include <algorithm>

namespace ss {

static QAtomicInt s_connectionCounter;

Database::Database(const QString &location)
    : m_path(location),
      m_connectionName(QStringLiteral("signalscope-%1").arg(s_connectionCounter.fetchAndAddRelaxed(1))),
      m_backend(Backend::forLocation(location))
{
    try {
        m_backend->open(m_connectionName);
    } catch (const DjangoError &error) {
        m_backend->close(m_connectionName);
        QSqlDatabase::removeDatabase(m_connectionName);
        const QString where = Backend::displayLocation(location);
        if (error.message().startsWith(QLatin1String("unable to open")) || error.message().startsWith(where + QLatin1Char(':')))
            throw;   // the message names the database already
        throw DjangoError(error.type(), QStringLiteral("%1: %2").arg(where, error.message()));
    }
}

Database::~Database()
{
    qDeleteAll(m_statements);
    m_statements.clear();
    m_scratch.reset();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_backend->close(m_connectionName);
}

QSqlDatabase Database::connection() const
{
    return QSqlDatabase::database(m_connectionName, false);
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

bool Database::createTables(const ModelRegistry &registry, const DjangoFeatures &django)
{
    return m_backend->createTables(*this, registry, django);
}

void Database::resetTables(const ModelRegistry &registry)
{
    m_backend->resetTables(*this, registry);
}

void Database::exec(const QString &sql)
{
    QSqlQuery query(connection());
    if (!query.exec(sql))
        fail(query.lastError());
    query.finish();
}

QSqlQuery &Database::execute(const QString &sql, const QVariantList &binds)
{
    QSqlQuery *query = nullptr;
    if (m_backend->preparesStatements()) {
        auto it = m_statements.find(sql);
        if (it != m_statements.end()) {
            query = *it;
        } else {
            query = new QSqlQuery(connection());
            if (!query->prepare(sql)) {
                const QSqlError error = query->lastError();
                delete query;
                fail(error);
            }
            m_statements.insert(sql, query);
        }
        for (const QVariant &b : binds)
            query->addBindValue(b);
        if (!query->exec()) {
            const QSqlError error = query->lastError();
            query->finish();
            fail(error);
        }
        return *query;
    }
    m_scratch = std::make_unique<QSqlQuery>(connection());
    query = m_scratch.get();
    if (!query->exec(sql)) {
        const QSqlError error = query->lastError();
        query->finish();
        fail(error);
    }
    return *query;
}

void Database::fail(const QSqlError &error)
{
    DjangoError translated = m_backend->translate(error);
    // The database itself is not usable (a file locked by another process,
    // read-only, gone): name it, since the message reaches whoever has to fix that.
    if (isDatabaseUnusable(translated) && m_path != QLatin1String(":memory:")
        && !translated.message().startsWith(Backend::displayLocation(m_path) + QLatin1Char(':')))
        throw DjangoError(translated.type(), Backend::displayLocation(m_path) + QStringLiteral(": ") + translated.message());
    throw translated;
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
                sql += m_backend->falseCondition();
                continue;
            }
            appendQuoted(sql, c.field->attname);
            sql += QLatin1String(" IN (");
            for (qsizetype j = 0; j < values.size(); ++j) {
                if (j)
                    sql += QLatin1Char(',');
                m_backend->appendValue(sql, binds, values.at(j));
            }
            sql += QLatin1Char(')');
        } else if (c.value.isNull() || c.value.isUndefined()) {
            appendQuoted(sql, c.field->attname);
            sql += QLatin1String(" IS NULL");
        } else {
            appendQuoted(sql, c.field->attname);
            sql += QLatin1String(" = ");
            m_backend->appendValue(sql, binds, c.value);
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
    QSqlQuery &query = execute(sql, binds);
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
    QSqlQuery &query = execute(sql, binds);
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
    QSqlQuery &query = execute(sql, binds);
    const bool found = query.next();
    query.finish();
    return found;
}

qint64 Database::count(const Model *model)
{
    checkUsable();
    QString sql = QStringLiteral("SELECT COUNT(*) FROM ");
    appendQuoted(sql, model->table);
    QSqlQuery &query = execute(sql, {});
    const qint64 n = query.next() ? query.value(0).toLongLong() : 0;
    query.finish();
    return n;
}

qint64 Database::insert(const Model *model, const QVector<const Field *> &fields, const Row &values, bool ignoreConflicts)
{
    checkUsable();
    QVariantList binds;
    QString sql = m_backend->insertHead(ignoreConflicts);
    appendQuoted(sql, model->table);
    if (fields.isEmpty()) {
        sql += QLatin1String(" DEFAULT VALUES");
    } else {
        sql += QLatin1String(" (");
        appendColumns(sql, fields);
        sql += QLatin1String(") VALUES (");
        for (qsizetype i = 0; i < fields.size(); ++i) {
            if (i)
                sql += QLatin1String(", ");
            m_backend->appendValue(sql, binds, values[i]);
        }
        sql += QLatin1Char(')');
    }
    sql += m_backend->insertTail(model, ignoreConflicts);
    QSqlQuery &query = execute(sql, binds);
    qint64 id = 0;
    if (m_backend->returnsInsertedIds()) {
        if (query.next())
            id = query.value(0).toLongLong();
    } else {
        id = query.lastInsertId().toLongLong();
    }
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
        sql += QLatin1String(" = ");
        m_backend->appendValue(sql, binds, values[i]);
    }
    sql += whereClause(where, binds);
    QSqlQuery &query = execute(sql, binds);
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
    QSqlQuery &query = execute(sql, binds);
    const int affected = query.numRowsAffected();
    query.finish();
    return affected;
}

// The pks from `offset` on, at most one chunk of them, as an IN condition's value.
static QCborValue pkChunk(const QVector<QCborValue> &pks, qsizetype offset)
{
    QCborArray chunk;
    const qsizetype end = std::min<qsizetype>(pks.size(), offset + Database::iteratorChunkSize);
    for (qsizetype i = offset; i < end; ++i)
        chunk.append(pks[i]);
    return chunk;
}

int Database::deleteBatch(const Model *model, const QVector<QCborValue> &pks)
{
    int deleted = 0;
    for (qsizetype offset = 0; offset < pks.size(); offset += iteratorChunkSize)
        deleted += deleteWhere(model, {{model->pk, pkChunk(pks, offset), true}});
    return deleted;
}

void Database::updateBatch(const Model *model, const QVector<const Field *> &fields, const Row &values,
                           const QVector<QCborValue> &pks)
{
    for (qsizetype offset = 0; offset < pks.size(); offset += iteratorChunkSize)
        update(model, fields, values, {{model->pk, pkChunk(pks, offset), true}});
}

void Database::checkForeignKeys(const QVector<const Model *> &models)
{
    checkUsable();
    m_backend->checkConstraints(*this, models);
}

void Database::resetSequences(const QVector<const Model *> &models)
{
    checkUsable();
    m_backend->resetSequences(*this, models);
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
        QSqlQuery rollback(connection());
        rollback.exec(QStringLiteral("ROLLBACK"));
        return;
    }
    QSqlQuery query(connection());
    if (!query.exec(QStringLiteral("COMMIT"))) {
        // A deferred foreign key failed: SQLite keeps the transaction open;
        // Django rolls it back and raises IntegrityError.
        const QSqlError error = query.lastError();
        query.finish();
        QSqlQuery rollback(connection());
        rollback.exec(QStringLiteral("ROLLBACK"));
        fail(error);
    }
}

void Database::rollback()
{
    if (--m_depth > 0) {
        m_needsRollback = true;     // Atomic(savepoint=False).__exit__ with an exception
        return;
    }
    m_needsRollback = false;
    QSqlQuery query(connection());
    query.exec(QStringLiteral("ROLLBACK"));
}

} // namespace ss
