#pragma once
// The SQL side of the engine: a database through QtSql (embedded SQLite, or a
// PostgreSQL server; what differs lives in the Backend, backend.h), tables
// created the way Django's schema editor creates them, and Django's
// transaction model (autocommit, atomic blocks nesting without savepoints).
//
// Every identifier is quoted and every value bound: no value is ever spliced
// into SQL text, and names reach this layer only after the loader checked they
// are identifiers.

#include "db/backend.h"
#include "model/djangoerror.h"
#include "model/modelregistry.h"

#include <QCborValue>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVarLengthArray>
#include <QVector>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ss {

using Row = QVector<QCborValue>;

class Database
{
public:
    // Opens (creating if needed) the SQLite file at `location`; ":memory:" for
    // a private in-memory database; a postgresql://user@host:port/name URL for
    // a database created empty for this object on that server (backend.h).
    // Throws DjangoError("OperationalError", ...) when it cannot be opened.
    explicit Database(const QString &location);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    const QString &path() const { return m_path; }
    const Backend &backend() const { return *m_backend; }
    QString vendor() const { return m_backend->vendor(); }
    QString description() const { return m_backend->description(); }
    // Django's features.can_return_rows_from_bulk_insert.
    bool canReturnRowsFromBulkInsert(const DjangoFeatures &django) const
    {
        return m_backend->canReturnRowsFromBulkInsert(django);
    }

    // CREATE TABLE for every model that has no table yet (registration order);
    // returns whether any table was created. Sends no signal.
    bool createTables(const ModelRegistry &registry, const DjangoFeatures &django);
    // Empties every table of the registry and resets its ids (a fresh start).
    void resetTables(const ModelRegistry &registry);

    // SELECT the concrete columns of `model` WHERE the given columns equal the
    // values (null means IS NULL; a list means IN), ordered by `orderBy` columns.
    struct Condition { const Field *field; QCborValue value; bool in = false; };
    // No ORDER BY unless asked: like Django, the engine lets SQLite return rows
    // in whatever order its plan gives, over the same tables and indexes.
    QVector<Row> select(const Model *model, const QVector<Condition> &where,
                        const QVector<const Field *> &orderBy, int limit = -1);
    // WHERE (group 1) OR (group 2) ...: the filter of a symmetrical relation.
    QVector<Row> selectAnyOf(const Model *model, const QVector<QVector<Condition>> &anyOf,
                             const QVector<const Field *> &orderBy, int limit = -1);
    // SELECT one column only (Django's values_list(flat=True)), no instances.
    QVector<QCborValue> selectColumn(const Model *model, const Field *column, const QVector<Condition> &where);
    bool exists(const Model *model, const QVector<Condition> &where);
    // SELECT COUNT(*): the rows of a table, for status lines (no rows read).
    qint64 count(const Model *model);

    // INSERT one row of the given fields; returns the new id (0 when ignoring conflicts).
    qint64 insert(const Model *model, const QVector<const Field *> &fields, const Row &values, bool ignoreConflicts = false);
    // UPDATE the given fields WHERE conditions; returns the number of rows matched.
    int update(const Model *model, const QVector<const Field *> &fields, const Row &values, const QVector<Condition> &where);
    int deleteWhere(const Model *model, const QVector<Condition> &where);

    // Django's GET_ITERATOR_CHUNK_SIZE: the pks one DELETE or UPDATE of the
    // collector takes. Short statements keep a delete linear: Qt 6.4's SQLite
    // driver prepares an IN list in time growing with the square of its length
    // (2,000 placeholders 14 ms, 10,000 330 ms).
    static constexpr int iteratorChunkSize = 100;
    // DeleteQuery.delete_batch: DELETE ... WHERE pk IN (chunk) for each chunk
    // of `pks` in their order; returns the number of rows deleted.
    int deleteBatch(const Model *model, const QVector<QCborValue> &pks);
    // UpdateQuery.update_batch: UPDATE ... SET fields WHERE pk IN (chunk).
    void updateBatch(const Model *model, const QVector<const Field *> &fields, const Row &values,
                     const QVector<QCborValue> &pks);
    // connection.ops.bulk_batch_size (backend.h).
    int bulkBatchSize(int fieldCount, int objectCount) const { return m_backend->bulkBatchSize(fieldCount, objectCount); }

    // Django's foreign-key check after loaddata (connection.check_constraints):
    // throws IntegrityError naming the first bad row (SQLite: of the first
    // table that has one; PostgreSQL: SET CONSTRAINTS ALL IMMEDIATE).
    void checkForeignKeys(const QVector<const Model *> &models);
    // loaddata's sequence reset after a successful load (PostgreSQL only).
    void resetSequences(const QVector<const Model *> &models);

    // Transactions. An atomic block is BEGIN..COMMIT when outermost and joins
    // the enclosing one otherwise (Django's atomic(savepoint=False)). Foreign
    // keys are DEFERRABLE INITIALLY DEFERRED, so they are checked at COMMIT.
    void begin();
    void commit();      // throws IntegrityError("FOREIGN KEY constraint failed") and rolls back
    void rollback();    // left by an exception: inner blocks only mark the transaction
    bool inTransaction() const { return m_depth > 0; }
    // Django's needs_rollback: an error escaped an inner block (or a write,
    // mark_for_rollback_on_error) while a transaction was open. Until the
    // outermost block ends, every query raises TransactionManagementError, and
    // that block then rolls back instead of committing.
    void markForRollback() { if (m_depth > 0) m_needsRollback = true; }
    bool needsRollback() const { return m_needsRollback; }

    // Plain SQL without parameters, for PRAGMAs and DDL.
    void exec(const QString &sql);
    QSqlDatabase connection() const;
    // Throws the backend's Django error for a driver error.
    [[noreturn]] void fail(const QSqlError &error);

    static QString quote(const QString &identifier);
    static QCborValue toFieldValue(const Field *field, const QVariant &value);

private:
    // What decides a statement's text apart from its values: the kind, the
    // model, the fields, each condition's field and form (= / IS NULL / IN of
    // n), the order and the limit, as words. Models and fields are the
    // engine's registry's, which outlives its Database, so their addresses
    // name them. Its hash is the prepared-statement cache's integer key: a
    // repeated statement is found without building or hashing its SQL text.
    class Shape
    {
    public:
        explicit Shape(quintptr kind) { m_words.append(kind); }
        void add(quintptr word) { m_words.append(word); }
        void add(const void *pointer) { m_words.append(quintptr(pointer)); }
        void addFields(const QVector<const Field *> &fields);
        void addConditions(const QVector<Condition> &where);
        size_t hash() const;
        bool operator==(const Shape &other) const;
    private:
        QVarLengthArray<quintptr, 24> m_words;
    };
    // A statement's values in placeholder order.
    using Binds = QVarLengthArray<QCborValue, 16>;
    static void addConditionValues(Binds &binds, const QVector<Condition> &where);

    // The statement of `shape` with `binds` bound, executed: a cached prepared
    // statement (`buildSql` runs only the first time), or, for a backend that
    // inlines values, a fresh query of `buildSql`'s text every time.
    template <typename BuildSql>
    QSqlQuery &execute(const Shape &shape, const Binds &binds, BuildSql buildSql);
    QString whereClause(const QVector<Condition> &where, QVariantList &binds) const;
    // A transaction statement: prepared once where the backend prepares.
    enum class TransactionStatement { Begin, Commit, Rollback };
    bool execTransaction(TransactionStatement which, QSqlError *error = nullptr);

    QString m_path;
    QString m_connectionName;
    std::unique_ptr<Backend> m_backend;
    std::unique_ptr<QSqlQuery> m_scratch;
    void checkUsable() const;

    // A prepared statement and the values bound to it now, in placeholder
    // order. QtSql keeps a statement's bound values from one exec to the next,
    // and binding one costs more than the statement's own SQLite work for a
    // short row (Qt 6.4 formats a ":N" name per positional bind): a value
    // equal to the one already bound, of the same type, is not bound again.
    struct Prepared
    {
        Shape shape;
        std::unique_ptr<QSqlQuery> query;
        Binds bound;                // Undefined: nothing known bound there
    };
    static bool sameBinding(const QCborValue &bound, const QCborValue &value);
    std::unordered_map<size_t, std::vector<Prepared>> m_statements;    // Shape::hash() -> the statements with it
    std::unique_ptr<QSqlQuery> m_transactionStatements[3];
    int m_depth = 0;
    bool m_needsRollback = false;
};

// An OperationalError that says the database file itself cannot be used
// (locked by another process, read-only, unreadable, disk full): not a step's
// Django failure but the environment's. Its message names the file.
bool isDatabaseUnusable(const DjangoError &error);

// A Django atomic block as an RAII guard: commits on commit(), rolls back when
// left by an exception.
class Atomic
{
public:
    explicit Atomic(Database &db) : m_db(db) { m_db.begin(); }
    ~Atomic() { if (!m_done) m_db.rollback(); }
    void commit() { m_done = true; m_db.commit(); }
private:
    Database &m_db;
    bool m_done = false;
};

} // namespace ss
