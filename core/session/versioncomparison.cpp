#include "session/versioncomparison.h"

#include "db/backend.h"
#include "model/value.h"
#include "session/scenariorunner.h"
#include "trace/traceexport.h"
#include "trace/tracerecorder.h"

#include <QBuffer>
#include <QSet>
#include <algorithm>

namespace ss {

namespace {

const QString kOrigin = QStringLiteral("origin");
const QString kSeq = QStringLiteral("seq");

// The line as the alignment sees it: without seq and origin.
QByteArray alignmentKey(const QCborMap &line)
{
    QCborMap copy = line;
    copy.remove(kSeq);
    copy.remove(kOrigin);
    return canonicalJson(QCborValue(copy));
}

QStringList differingKeys(const QCborMap &a, const QCborMap &b)
{
    QSet<QString> keys;
    for (auto it = a.begin(); it != a.end(); ++it)
        keys.insert(it.key().toString());
    for (auto it = b.begin(); it != b.end(); ++it)
        keys.insert(it.key().toString());
    keys.remove(kSeq);
    QStringList out;
    for (const QString &key : std::as_const(keys))
        if (!a.contains(key) || !b.contains(key) || !jsonEquals(a.value(key), b.value(key)))
            out << key;
    std::sort(out.begin(), out.end());
    return out;
}

bool isError(const QCborMap &line) { return line.contains(QStringLiteral("error")); }
QString signalOf(const QCborMap &line) { return line.value(QStringLiteral("signal")).toString(); }

} // namespace

bool VersionComparison::run(const ScenarioDecl &scenario, DjangoVersion left, DjangoVersion right,
                            const QString &database, QString *error)
{
    m_leftVersion = left;
    m_rightVersion = right;
    QVector<QCborMap> traces[2];
    const DjangoVersion versions[2] = {left, right};
    QStringList codes;
    for (int side = 0; side < 2; ++side) {
        ScenarioDecl copy = scenario;
        copy.django = versions[side];
        TraceRecorder recorder;
        try {
            ScenarioRunner runner(std::move(copy), database);
            if (database != QLatin1String(":memory:") && !Backend::isServerUrl(database))
                runner.engine().resetDatabase();
            runner.engine().dispatch().addListener(&recorder);
            runner.open();
            runner.runAll();
            runner.engine().dispatch().removeListener(&recorder);
            if (side == 0)
                for (int i = 0; i < runner.stepCount(); ++i)
                    codes << runner.stepCode(i);
        } catch (const DjangoError &e) {
            if (error)
                *error = QStringLiteral("Django %1: %2: %3").arg(djangoVersionName(versions[side]), e.type(), e.message());
            return false;
        }
        QBuffer buffer;
        buffer.open(QIODevice::ReadWrite);
        writeCanonicalJsonl(recorder, buffer);
        const CanonicalTrace trace = readCanonicalJsonl(buffer.data());
        if (!trace.ok()) {
            if (error)
                *error = QStringLiteral("Django %1: the trace cannot be read back: %2").arg(djangoVersionName(versions[side]), trace.error);
            return false;
        }
        traces[side] = trace.lines;
    }
    align(scenario, traces[0], traces[1], codes);
    return true;
}

void VersionComparison::align(const ScenarioDecl &scenario, QVector<QCborMap> left, QVector<QCborMap> right,
                              const QStringList &stepCodes)
{
    m_stepCodes = stepCodes;
    m_left = std::move(left);
    m_right = std::move(right);
    m_rows.clear();
    m_setModels.clear();
    for (const ModelDecl &model : scenario.schema.models)
        for (const FieldDecl &field : model.fields)
            if (field.onDelete == OnDelete::SetNull || field.onDelete == OnDelete::SetDefault)
                m_setModels << model.name;

    // Lines by step, steps in the order they first appear on either side.
    QVector<int> steps;
    QHash<int, QVector<int>> leftByStep, rightByStep;
    auto collect = [&steps](const QVector<QCborMap> &lines, QHash<int, QVector<int>> &byStep) {
        for (int i = 0; i < lines.size(); ++i) {
            const int step = int(lines[i].value(QStringLiteral("step")).toInteger());
            if (!byStep.contains(step) && !steps.contains(step))
                steps << step;
            byStep[step] << i;
        }
    };
    collect(m_left, leftByStep);
    collect(m_right, rightByStep);
    std::stable_sort(steps.begin(), steps.end());
    for (int step : std::as_const(steps))
        alignStep(step, leftByStep.value(step), rightByStep.value(step));
    annotate();
}

void VersionComparison::alignStep(int step, const QVector<int> &left, const QVector<int> &right)
{
    const qsizetype n = left.size(), m = right.size();
    QVector<QByteArray> a(n), b(m);
    for (qsizetype i = 0; i < n; ++i)
        a[i] = alignmentKey(m_left[left[i]]);
    for (qsizetype j = 0; j < m; ++j)
        b[j] = alignmentKey(m_right[right[j]]);
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    QVector<QVector<int>> lcs(n + 1, QVector<int>(m + 1, 0));
    for (qsizetype i = n - 1; i >= 0; --i)
        for (qsizetype j = m - 1; j >= 0; --j)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);

    QVector<ComparedRow> rows;
    qsizetype i = 0, j = 0;
    while (i < n || j < m) {
        ComparedRow row;
        row.step = step;
        if (i < n && j < m && a[i] == b[j]) {
            row.left = left[i++];
            row.right = right[j++];
            row.changedKeys = differingKeys(m_left[row.left], m_right[row.right]);
            row.kind = row.changedKeys.isEmpty() ? ComparedRow::Kind::Same : ComparedRow::Kind::Differs;
        } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
            row.left = left[i++];
            row.kind = ComparedRow::Kind::OnlyLeft;
        } else {
            row.right = right[j++];
            row.kind = ComparedRow::Kind::OnlyRight;
        }
        rows << row;
    }
    // An error on each side at the same place is one line whose text changed.
    for (int k = 0; k + 1 < rows.size(); ++k) {
        ComparedRow &x = rows[k];
        const ComparedRow &y = rows[k + 1];
        if (x.kind == ComparedRow::Kind::OnlyLeft && y.kind == ComparedRow::Kind::OnlyRight
            && isError(m_left[x.left]) && isError(m_right[y.right])) {
            x.right = y.right;
            x.kind = ComparedRow::Kind::Differs;
            x.changedKeys = differingKeys(m_left[x.left], m_right[x.right]);
            rows.remove(k + 1);
        }
    }
    m_rows += rows;
}

void VersionComparison::annotate()
{
    const QString leftName = djangoVersionName(m_leftVersion), rightName = djangoVersionName(m_rightVersion);
    // Steps that delete: the left version sends pre_delete in them, or their
    // code deletes (a delete PROTECT refuses still collects, and reads, first).
    QSet<int> deletingSteps;
    for (const QCborMap &line : std::as_const(m_left))
        if (signalOf(line) == QLatin1String("pre_delete"))
            deletingSteps.insert(int(line.value(QStringLiteral("step")).toInteger()));
    for (int step = 0; step < m_stepCodes.size(); ++step)
        if (m_stepCodes[step].contains(QLatin1String(".delete(")))
            deletingSteps.insert(step);

    int notLoadedDepth = -1;        // inside the receivers of a post_init of a row not loaded
    for (ComparedRow &row : m_rows) {
        switch (row.kind) {
        case ComparedRow::Kind::Same:
            notLoadedDepth = -1;
            break;
        case ComparedRow::Kind::Differs:
            notLoadedDepth = -1;
            if (row.changedKeys == QStringList{kOrigin})
                row.note = QStringLiteral("Django %1 passes origin: what started the deletion").arg(rightName);
            else if (isError(m_left[row.left]))
                row.note = QStringLiteral("The error changed between Django %1 and %2").arg(leftName, rightName);
            else
                row.note = QStringLiteral("Differs in %1").arg(row.changedKeys.join(QStringLiteral(", ")));
            break;
        case ComparedRow::Kind::OnlyLeft: {
            const QCborMap &line = m_left[row.left];
            const QString signal = signalOf(line);
            const int depth = int(line.value(QStringLiteral("depth")).toInteger());
            const bool setRow = (signal == QLatin1String("pre_init") || signal == QLatin1String("post_init"))
                                && m_setModels.contains(line.value(QStringLiteral("sender")).toString())
                                && deletingSteps.contains(row.step);
            if (setRow) {
                row.rowNotLoaded = true;
                notLoadedDepth = signal == QLatin1String("post_init") ? depth : -1;
                row.note = QStringLiteral("Django %1 does not load SET_NULL/SET_DEFAULT rows: no pre_init/post_init").arg(rightName);
            } else if (notLoadedDepth >= 0 && depth > notLoadedDepth) {
                row.rowNotLoaded = true;
                row.note = QStringLiteral("A post_init receiver of a row Django %1 does not load").arg(rightName);
            } else {
                notLoadedDepth = -1;
                row.note = QStringLiteral("Only Django %1 sends this").arg(leftName);
            }
            break;
        }
        case ComparedRow::Kind::OnlyRight:
            notLoadedDepth = -1;
            row.note = QStringLiteral("Only Django %1 sends this").arg(rightName);
            break;
        }
    }
}

int VersionComparison::count(ComparedRow::Kind kind) const
{
    return int(std::count_if(m_rows.begin(), m_rows.end(), [kind](const ComparedRow &r) { return r.kind == kind; }));
}

int VersionComparison::rowsNotLoaded() const
{
    return int(std::count_if(m_rows.begin(), m_rows.end(), [](const ComparedRow &r) { return r.rowNotLoaded; }));
}

QString VersionComparison::summary() const
{
    const QString l = djangoVersionName(m_leftVersion), r = djangoVersionName(m_rightVersion);
    const int onlyLeft = count(ComparedRow::Kind::OnlyLeft), onlyRight = count(ComparedRow::Kind::OnlyRight);
    const int differs = count(ComparedRow::Kind::Differs);
    if (!onlyLeft && !onlyRight && !differs)
        return QStringLiteral("Django %1 and %2 send the same %3 lines").arg(l, r).arg(m_left.size());
    QStringList parts;
    parts << QStringLiteral("%1 lines under %2, %3 under %4").arg(m_left.size()).arg(l).arg(m_right.size()).arg(r);
    if (onlyLeft)
        parts << QStringLiteral("%1 only under %2%3").arg(onlyLeft).arg(l)
                     .arg(rowsNotLoaded() ? QStringLiteral(" (%1 for rows %2 does not load)").arg(rowsNotLoaded()).arg(r) : QString());
    if (onlyRight)
        parts << QStringLiteral("%1 only under %2").arg(onlyRight).arg(r);
    if (differs)
        parts << QStringLiteral("%1 differ (origin, error texts)").arg(differs);
    return parts.join(QStringLiteral(" · "));
}

QString VersionComparison::brief(const QCborMap &line)
{
    if (line.contains(QStringLiteral("effect")))
        return QStringLiteral("%1: %2").arg(line.value(QStringLiteral("effect")).toString(), line.value(QStringLiteral("text")).toString());
    if (line.contains(QStringLiteral("error")))
        return QStringLiteral("%1: %2").arg(line.value(QStringLiteral("error")).toString(), line.value(QStringLiteral("message")).toString());
    QString text = signalOf(line);
    const QCborValue sender = line.value(QStringLiteral("sender"));
    text += QLatin1Char(' ') + (sender.isString() ? sender.toString() : QString::fromUtf8(canonicalJson(sender)));
    const QCborMap instance = line.value(QStringLiteral("instance")).toMap();
    if (line.contains(QStringLiteral("instance")))
        text += QLatin1Char(' ') + placeholderText(instance.value(QStringLiteral("pk")));
    if (line.contains(QStringLiteral("action")))
        text += QLatin1Char(' ') + line.value(QStringLiteral("action")).toString() + QLatin1Char(' ')
                + placeholderText(line.value(QStringLiteral("pk_set")));
    if (line.contains(QStringLiteral("created")))
        text += line.value(QStringLiteral("created")).toBool() ? QStringLiteral(" created") : QStringLiteral(" updated");
    if (signalOf(line) == QLatin1String("pre_init"))
        text += QLatin1Char(' ') + placeholderText(line.value(QStringLiteral("args")).toArray().isEmpty()
                                                       ? line.value(QStringLiteral("kwargs")) : line.value(QStringLiteral("args")));
    return text;
}

} // namespace ss
