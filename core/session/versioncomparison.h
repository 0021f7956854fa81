#pragma once
// One scenario run under two Django versions (contract section 9), and the two
// canonical traces aligned line by line for the comparison view: what both
// versions send, what only one of them sends, and lines that differ only in
// what changed between the versions (the `origin` argument, an error text).
//
// Alignment is per step (every line carries its step) by longest common
// subsequence over the lines without `seq` and `origin`, so a line that only
// gained `origin` pairs with its 3.2 twin instead of showing as two lines.

#include "formats/scenario.h"
#include "model/djangoversion.h"

#include <QCborMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace ss {

struct ComparedRow
{
    enum class Kind { Same, Differs, OnlyLeft, OnlyRight };
    Kind kind = Kind::Same;
    int step = 0;
    int left = -1;              // index into leftLines, -1 when the left version has no such line
    int right = -1;
    QStringList changedKeys;    // Differs: the keys whose values differ ("origin", "error", "message")
    // OnlyLeft lines of a SET_NULL/SET_DEFAULT row (and what its post_init
    // receivers did) that the right version does not load (contract 9.5).
    bool rowNotLoaded = false;
    QString note;               // one line for a learner: why the row differs
};

class VersionComparison
{
public:
    // Runs `scenario` once under each version, each on a fresh database at
    // `database` (":memory:" or a postgresql:// URL). Returns false with a
    // message when a run cannot start (the database is unusable).
    bool run(const ScenarioDecl &scenario, DjangoVersion left = DjangoVersion::V3_2,
             DjangoVersion right = DjangoVersion::V5_0, const QString &database = QStringLiteral(":memory:"),
             QString *error = nullptr);

    // Aligns two canonical traces already at hand (also used by run()), with
    // the Django code of each step for the notes.
    void align(const ScenarioDecl &scenario, QVector<QCborMap> left, QVector<QCborMap> right,
               const QStringList &stepCodes);

    DjangoVersion leftVersion() const { return m_leftVersion; }
    DjangoVersion rightVersion() const { return m_rightVersion; }
    const QVector<QCborMap> &leftLines() const { return m_left; }
    const QVector<QCborMap> &rightLines() const { return m_right; }
    const QVector<ComparedRow> &rows() const { return m_rows; }
    QString stepCode(int step) const { return m_stepCodes.value(step); }

    int count(ComparedRow::Kind kind) const;
    int rowsNotLoaded() const;
    // "3 lines only under 3.2 (2 rows not loaded) · 12 differ (origin) · ..."
    QString summary() const;

    // A trace line in a few words: "pre_delete Lesson 1", "notify: text",
    // "error ValueError: ...", without `origin` (shown apart).
    static QString brief(const QCborMap &line);

private:
    void alignStep(int step, const QVector<int> &left, const QVector<int> &right);
    void annotate();

    DjangoVersion m_leftVersion = DjangoVersion::V3_2;
    DjangoVersion m_rightVersion = DjangoVersion::V5_0;
    QVector<QCborMap> m_left, m_right;
    QVector<ComparedRow> m_rows;
    QStringList m_stepCodes;
    QStringList m_setModels;    // models with a SET_NULL / SET_DEFAULT foreign key
};

} // namespace ss
