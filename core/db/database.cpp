#include "db/database.h"

#include <QAtomicInt>
#include <QCborArray>
#include <QSqlError>
#include <QStringList>
#include <QVariant>

#include <algorithm>
#include <cstring>

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
    m_statements.clear();
    for (auto &statement : m_transactionStatements)
        statement.reset();
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

// A statement's text is built once per shape where statements are prepared
// (and for every statement on a backend that inlines values), appended into
// one string rather than assembled from lists of temporaries.

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

// --- Statement shapes ---------------------------------------------------

// Statement kinds, the first word of a shape.
enum : quintptr { SelectStatement = 1, SelectColumnStatement, ExistsStatement, CountStatement,
                  InsertStatement, UpdateStatement, DeleteStatement };
// A condition's form, with its field: = ?, IS NULL, or IN of n values (n in the upper bits).
enum : quintptr { EqualsForm = 1, IsNullForm = 2, InForm = 3 };

static bool isNullCondition(const QCborValue &value)
{
    return value.isNull() || value.isUndefined();
}

void Database::Shape::addFields(const QVector<const Field *> &fields)
{
    add(quintptr(fields.size()));
    for (const Field *field : fields)
        add(field);
}

void Database::Shape::addConditions(const QVector<Condition> &where)
{
    add(quintptr(where.size()));
    for (const Condition &c : where) {
        add(c.field);
        if (c.in)
            add(InForm | quintptr(c.value.toArray().size()) << 2);
        else
            add(isNullCondition(c.value) ? IsNullForm : EqualsForm);
    }
}

size_t Database::Shape::hash() const
{
    return qHashBits(m_words.constData(), size_t(m_words.size()) * sizeof(quintptr));
}

bool Database::Shape::operator==(const Shape &other) const
{
    return m_words.size() == other.m_words.size()
           && std::equal(m_words.cbegin(), m_words.cend(), other.m_words.cbegin());
}

// The values whereClause() binds, in its order.
void Database::addConditionValues(Binds &binds, const QVector<Condition> &where)
{
    for (const Condition &c : where) {
        if (c.in) {
            const QCborArray values = c.value.toArray();
            for (const QCborValue &value : values)
                binds.append(value);
        } else if (!isNullCondition(c.value)) {
            binds.append(c.value);
        }
    }
}

template <typename BuildSql>
QSqlQuery &Database::execute(const Shape &shape, const Binds &binds, BuildSql buildSql)
{
    if (m_backend->preparesStatements()) {
        std::vector<Prepared> &bucket = m_statements[shape.hash()];
        Prepared *statement = nullptr;
        for (Prepared &p : bucket) {
            if (p.shape == shape) {
                statement = &p;
                break;
            }
        }
        if (!statement) {
            QVariantList unused;
            const QString sql = buildSql(unused);
            auto prepared = std::make_unique<QSqlQuery>(connection());
            if (!prepared->prepare(sql))
                fail(prepared->lastError());
            bucket.push_back({shape, std::move(prepared), {}});
            statement = &bucket.back();
        }
        QSqlQuery *query = statement->query.get();
        Binds &bound = statement->bound;
        if (bound.size() != binds.size())
            bound.resize(binds.size());     // the shape fixes the count; new slots are Undefined
        for (qsizetype i = 0; i < binds.size(); ++i) {
            if (sameBinding(bound[i], binds[i]))
                continue;
            query->bindValue(int(i), m_backend->bindable(binds[i]));
            bound[i] = binds[i];
        }
        if (!query->exec()) {
            const QSqlError error = query->lastError();
            query->finish();
            fail(error);
        }
        return *query;
    }
    QVariantList unused;    // values are inlined
    const QString sql = buildSql(unused);
    m_scratch = std::make_unique<QSqlQuery>(connection());
    QSqlQuery *query = m_scratch.get();
    if (!query->exec(sql)) {
        const QSqlError error = query->lastError();
        query->finish();
        fail(error);
    }
    return *query;
}

bool Database::sameBinding(const QCborValue &bound, const QCborValue &value)
{
    // Same type and same value, so that the driver would receive the very
    // same thing: 1 and 1.0 and true differ, and so do 0.0 and -0.0.
    if (bound.type() != value.type())
        return false;
    switch (value.type()) {
    case QCborValue::Null:
    case QCborValue::True:
    case QCborValue::False: return true;
    case QCborValue::Integer: return bound.toInteger() == value.toInteger();
    case QCborValue::Double: {
        const double a = bound.toDouble(), b = value.toDouble();
        return std::memcmp(&a, &b, sizeof a) == 0;
    }
    case QCborValue::String:
    case QCborValue::ByteArray: return bound.compare(value) == 0;
    default: return false;          // Undefined (nothing bound yet) and anything unusual: bind
    }
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
        } else if (isNullCondition(c.value)) {
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
    Shape shape(SelectStatement);
    shape.add(model);
    Binds binds;
    shape.add(quintptr(anyOf.size()));
    for (const QVector<Condition> &group : anyOf) {
        shape.addConditions(group);
        addConditionValues(binds, group);
    }
    shape.addFields(orderBy);
    shape.add(quintptr(limit + 1));
    QSqlQuery &query = execute(shape, binds, [&](QVariantList &values) {
        QString sql = QStringLiteral("SELECT ");
        appendColumns(sql, model->concreteFields);
        sql += QLatin1String(" FROM ");
        appendQuoted(sql, model->table);
        if (anyOf.size() == 1) {
            sql += whereClause(anyOf.first(), values);
        } else {
            // Django's Q(...) | Q(...): one statement, so SQLite's OR plan decides
            // the order and returns a row matching both branches once.
            QStringList branches;
            for (const QVector<Condition> &group : anyOf)
                branches << QLatin1Char('(') + whereClause(group, values).mid(7) + QLatin1Char(')');
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
        return sql;
    });
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
    Shape shape(SelectColumnStatement);
    shape.add(model);
    shape.add(column);
    shape.addConditions(where);
    Binds binds;
    addConditionValues(binds, where);
    QSqlQuery &query = execute(shape, binds, [&](QVariantList &values) {
        QString sql = QStringLiteral("SELECT ");
        appendQuoted(sql, column->attname);
        sql += QLatin1String(" FROM ");
        appendQuoted(sql, model->table);
        sql += whereClause(where, values);
        return sql;
    });
    QVector<QCborValue> values;
    while (query.next())
        values.append(toFieldValue(column, query.value(0)));
    query.finish();
    return values;
}

bool Database::exists(const Model *model, const QVector<Condition> &where)
{
    checkUsable();
    Shape shape(ExistsStatement);
    shape.add(model);
    shape.addConditions(where);
    Binds binds;
    addConditionValues(binds, where);
    QSqlQuery &query = execute(shape, binds, [&](QVariantList &values) {
        QString sql = QStringLiteral("SELECT 1 FROM ");
        appendQuoted(sql, model->table);
        sql += whereClause(where, values);
        sql += QLatin1String(" LIMIT 1");
        return sql;
    });
    const bool found = query.next();
    query.finish();
    return found;
}

qint64 Database::count(const Model *model)
{
    checkUsable();
    Shape shape(CountStatement);
    shape.add(model);
    QSqlQuery &query = execute(shape, {}, [&](QVariantList &) {
        QString sql = QStringLiteral("SELECT COUNT(*) FROM ");
        appendQuoted(sql, model->table);
        return sql;
    });
    const qint64 n = query.next() ? query.value(0).toLongLong() : 0;
    query.finish();
    return n;
}

qint64 Database::insert(const Model *model, const QVector<const Field *> &fields, const Row &values, bool ignoreConflicts)
{
    checkUsable();
    Shape shape(InsertStatement);
    shape.add(model);
    shape.add(quintptr(ignoreConflicts));
    shape.addFields(fields);
    Binds binds;
    for (qsizetype i = 0; i < fields.size(); ++i)
        binds.append(values[i]);
    QSqlQuery &query = execute(shape, binds, [&](QVariantList &bound) {
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
                m_backend->appendValue(sql, bound, values[i]);
            }
            sql += QLatin1Char(')');
        }
        sql += m_backend->insertTail(model, ignoreConflicts);
        return sql;
    });
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
    Shape shape(UpdateStatement);
    shape.add(model);
    shape.addFields(fields);
    shape.addConditions(where);
    Binds binds;
    for (qsizetype i = 0; i < fields.size(); ++i)
        binds.append(values[i]);
    addConditionValues(binds, where);
    QSqlQuery &query = execute(shape, binds, [&](QVariantList &bound) {
        QString sql = QStringLiteral("UPDATE ");
        appendQuoted(sql, model->table);
        sql += QLatin1String(" SET ");
        for (qsizetype i = 0; i < fields.size(); ++i) {
            if (i)
                sql += QLatin1String(", ");
            appendQuoted(sql, fields[i]->attname);
            sql += QLatin1String(" = ");
            m_backend->appendValue(sql, bound, values[i]);
        }
        sql += whereClause(where, bound);
        return sql;
    });
    const int affected = query.numRowsAffected();
    query.finish();
    return affected;
}

int Database::deleteWhere(const Model *model, const QVector<Condition> &where)
{
    checkUsable();
    Shape shape(DeleteStatement);
    shape.add(model);
    shape.addConditions(where);
    Binds binds;
    addConditionValues(binds, where);
    QSqlQuery &query = execute(shape, binds, [&](QVariantList &values) {
        QString sql = QStringLiteral("DELETE FROM ");
        appendQuoted(sql, model->table);
        sql += whereClause(where, values);
        return sql;
    });
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

// BEGIN, COMMIT and ROLLBACK: prepared once and reused where the backend
// prepares statements (SQLite); sent as text otherwise (a PostgreSQL server
// cannot PREPARE a transaction statement; psycopg2 sends them as text too).
bool Database::execTransaction(TransactionStatement which, QSqlError *error)
{
    static const QString texts[] = {QStringLiteral("BEGIN"), QStringLiteral("COMMIT"), QStringLiteral("ROLLBACK")};
    const QString &sql = texts[int(which)];
    bool ok = false;
    if (m_backend->preparesStatements()) {
        std::unique_ptr<QSqlQuery> &query = m_transactionStatements[int(which)];
        if (!query) {
            query = std::make_unique<QSqlQuery>(connection());
            if (!query->prepare(sql)) {
                if (error)
                    *error = query->lastError();
                query.reset();
                return false;
            }
        }
        ok = query->exec();
        if (!ok && error)
            *error = query->lastError();
        query->finish();
    } else {
        QSqlQuery query(connection());
        ok = query.exec(sql);
        if (!ok && error)
            *error = query.lastError();
        query.finish();
    }
    return ok;
}

void Database::begin()
{
    if (m_depth++ == 0) {
        m_needsRollback = false;
        QSqlError error;
        if (!execTransaction(TransactionStatement::Begin, &error)) {
            --m_depth;
            fail(error);
        }
    }
}

void Database::commit()
{
    if (--m_depth > 0)
        return;
    if (m_needsRollback) {
        // Django's outermost atomic block rolls back quietly when marked.
        m_needsRollback = false;
        execTransaction(TransactionStatement::Rollback);
        return;
    }
    QSqlError error;
    if (!execTransaction(TransactionStatement::Commit, &error)) {
        // A deferred foreign key failed: SQLite keeps the transaction open;
        // Django rolls it back and raises IntegrityError.
        execTransaction(TransactionStatement::Rollback);
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
    execTransaction(TransactionStatement::Rollback);
}

} // namespace ss
