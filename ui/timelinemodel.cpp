#include "timelinemodel.h"

#include "timeline/eventlabels.h"

#include "model/fieldvalues.h"
#include "python/djangocode.h"
#include "roles.h"
#include "session/session.h"
#include "signalstyle.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"

#include <algorithm>
#include <QApplication>
#include <QCborArray>
#include <QFont>
#include <QPalette>

namespace ss {

TimelineModel::TimelineModel(Session *session, QObject *parent)
    : QAbstractItemModel(parent), m_session(session), m_recorder(&session->recorder())
{
    TraceBridge *bridge = &session->bridge();
    connect(bridge, &TraceBridge::eventsAppended, this, &TimelineModel::appendEvents);
    connect(bridge, &TraceBridge::eventsChanged, this, &TimelineModel::changeEvents);
    connect(bridge, &TraceBridge::recordingCleared, this, &TimelineModel::clearAll);
    if (m_recorder->count() > 0)
        appendEvents(0, m_recorder->count() - 1);
}

QModelIndex TimelineModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= TimelineColumn::Count)
        return {};
    if (!parent.isValid()) {
        if (row >= m_top.size())
            return {};
        return createIndex(row, column, quintptr(m_top.at(row)));
    }
    if (parent.model() != this)
        return {};
    const int p = int(parent.internalId());
    if (size_t(p) >= m_children.size() || row >= m_children[size_t(p)].size())
        return {};
    return createIndex(row, column, quintptr(m_children[size_t(p)].at(row)));
}

QModelIndex TimelineModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const int p = m_recorder->parentOf(int(child.internalId()));
    if (p < 0 || size_t(p) >= m_row.size())
        return {};
    return createIndex(m_row[size_t(p)], 0, quintptr(p));
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return m_top.size();
    if (parent.column() != 0)
        return 0;
    const size_t p = size_t(parent.internalId());
    return p < m_children.size() ? m_children[p].size() : 0;
}

bool TimelineModel::hasChildren(const QModelIndex &parent) const
{
    return rowCount(parent) > 0;
}

int TimelineModel::columnCount(const QModelIndex &) const
{
    return TimelineColumn::Count;
}

int TimelineModel::childCount(int parentEvent) const
{
    if (parentEvent < 0)
        return m_top.size();
    return size_t(parentEvent) < m_children.size() ? m_children[size_t(parentEvent)].size() : 0;
}

int TimelineModel::childAt(int parentEvent, int row) const
{
    return parentEvent < 0 ? m_top.at(row) : m_children[size_t(parentEvent)].at(row);
}

QModelIndex TimelineModel::indexForEvent(int event, int column) const
{
    if (event < 0 || size_t(event) >= m_row.size())
        return {};
    return createIndex(m_row[size_t(event)], column, quintptr(event));
}

int TimelineModel::eventAt(const QModelIndex &index) const
{
    return index.isValid() ? int(index.internalId()) : -1;
}

QString TimelineModel::eventText(int event) const
{
    const TraceEvent e = m_recorder->event(event);
    switch (e.kind) {
    case TraceEventKind::Step:
        return e.text;
    case TraceEventKind::Send:
        return e.robust ? e.signal + QStringLiteral(" (send_robust)") : e.signal;
    case TraceEventKind::Receiver:
        if (e.failed())
            return QStringLiteral("→ %1  raised %2: %3").arg(e.label, e.errorType, e.errorMessage);
        return QStringLiteral("→ ") + e.label;
    case TraceEventKind::Effect:
        return e.effect + QStringLiteral(": ") + e.text;
    case TraceEventKind::Error:
        return QStringLiteral("✗ %1: %2").arg(e.errorType, e.errorMessage);
    case TraceEventKind::RecursionStop:
        return QStringLiteral("%1 — refused: RecursionError (depth bound %2)")
            .arg(e.signal).arg(m_session->isLoaded() ? m_session->engine().dispatch().maxDepth() : 32);
    }
    return {};
}

QString TimelineModel::senderText(int event) const
{
    const TraceRecord &r = m_recorder->record(event);
    if (r.kind != TraceEventKind::Send && r.kind != TraceEventKind::RecursionStop)
        return {};
    const QString name = m_recorder->string(r.sender);
    switch (r.senderKind()) {
    case Sender::Kind::None: return QStringLiteral("None");
    case Sender::Kind::App: return QStringLiteral("app ") + name;
    case Sender::Kind::Model: return name;
    case Sender::Kind::Object: return name;
    }
    return name;
}

QString TimelineModel::instanceText(int event) const
{
    const TraceEventKind kind = m_recorder->kindOf(event);
    if (kind != TraceEventKind::Send && kind != TraceEventKind::RecursionStop)
        return {};
    const QCborMap args = m_recorder->args(event);
    const QCborValue instance = args.value(QStringLiteral("instance"));
    if (instance.isUndefined())
        return {};
    return argumentRepr(QStringLiteral("instance"), instance);
}

QString sendArgumentsText(const TraceRecorder &recorder, int event)
{
    const TraceEventKind kind = recorder.kindOf(event);
    if (kind != TraceEventKind::Send && kind != TraceEventKind::RecursionStop)
        return {};
    const QCborMap args = recorder.args(event);
    // What a learner looks for comes first, so a narrow column still shows
    // it: an m2m_changed's action and pk_set, a post_save's created; then the
    // rest in Django's order.
    static const QStringList first = {QStringLiteral("action"), QStringLiteral("pk_set"), QStringLiteral("created")};
    QStringList leading, rest;
    for (auto it = args.begin(); it != args.end(); ++it) {
        const QString key = it.key().toString();
        if (key == QLatin1String("instance") || key == QLatin1String("using"))
            continue;
        if (key == QLatin1String("raw") && it.value().isFalse())
            continue;           // raw=False is the norm; True (loaddata) is shown
        (first.contains(key) ? leading : rest) << key + QLatin1Char('=') + argumentRepr(key, it.value());
    }
    std::sort(leading.begin(), leading.end(), [](const QString &a, const QString &b) {
        return first.indexOf(a.section(QLatin1Char('='), 0, 0)) < first.indexOf(b.section(QLatin1Char('='), 0, 0));
    });
    return (leading + rest).join(QStringLiteral(", "));
}

QString TimelineModel::argumentsText(int event) const
{
    return sendArgumentsText(*m_recorder, event);
}

QString TimelineModel::searchPart(int event, SearchPart part) const
{
    switch (part) {
    case SearchPart::EventAndSender: return eventText(event) + QLatin1Char(' ') + senderText(event);
    case SearchPart::Instance: return instanceText(event);
    case SearchPart::Arguments: return argumentsText(event);
    }
    return {};
}

QString TimelineModel::searchText(int event) const
{
    return searchPart(event, SearchPart::EventAndSender) + QLatin1Char(' ') + searchPart(event, SearchPart::Instance)
         + QLatin1Char(' ') + searchPart(event, SearchPart::Arguments);
}

static QString loopHint(const TraceRecorder *recorder, int loop)
{
    if (loop < 0 || loop >= recorder->loops().size())
        return {};
    const DetectedLoop &l = recorder->loops().at(loop);
    return QStringLiteral("Loop: %1%2").arg(l.path, l.stopped ? QStringLiteral(" (stopped by the recursion bound)") : QString());
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    const int event = int(index.internalId());
    if (event >= m_recorder->count())
        return {};
    const TraceRecord &r = m_recorder->record(event);
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (column) {
        case TimelineColumn::Event: return eventText(event);
        case TimelineColumn::Sender: return senderText(event);
        case TimelineColumn::Instance: return instanceText(event);
        case TimelineColumn::Arguments: return argumentsText(event);
        case TimelineColumn::Time: return timeCellText(*m_recorder, event); // what the delegate draws, so a copy says the same
        case TimelineColumn::Duration:
            if (r.kind == TraceEventKind::Effect || r.kind == TraceEventKind::Error || r.kind == TraceEventKind::RecursionStop)
                return QString();
            if (r.isOpen())
                return QStringLiteral("unfinished");
            return QString::number(double(r.durationNs) / 1e3, 'f', 1);
        }
        return {};
    case Qt::DecorationRole:
        if (column == TimelineColumn::Event && (r.kind == TraceEventKind::Send || r.kind == TraceEventKind::RecursionStop))
            return signalIcon(m_recorder->string(r.name));
        return {};
    case Qt::ForegroundRole:
        if (column == TimelineColumn::Event) {
            if (r.kind == TraceEventKind::Send || r.kind == TraceEventKind::RecursionStop)
                return signalTextColor(m_recorder->string(r.name), QApplication::palette());
            if (r.kind == TraceEventKind::Error || (r.kind == TraceEventKind::Receiver && r.error))
                return isDarkPalette(QApplication::palette()) ? QColor(255, 120, 110) : QColor(190, 20, 20);
        }
        return {};
    case Qt::BackgroundRole: {
        const QColor c = loopBackground(int(r.loopMark()));
        return c.isValid() ? QVariant(c) : QVariant();
    }
    case Qt::FontRole:
        if (r.kind == TraceEventKind::Step || (column == TimelineColumn::Event && r.kind == TraceEventKind::Send)) {
            QFont font;
            font.setBold(true);
            if (r.kind == TraceEventKind::Step)
                font.setFamily(QStringLiteral("monospace"));
            return font;
        }
        return {};
    case Qt::ToolTipRole: {
        QString tip = eventText(event);
        if (r.loop >= 0)
            tip += QStringLiteral("\n\n") + loopHint(m_recorder, r.loop)
                 + QStringLiteral("\nSee the inspector for the usual fixes.");
        return tip;
    }
    case EventIndexRole: return event;
    case EventKindRole: return int(r.kind);
    case SignalNameRole:
        return (r.kind == TraceEventKind::Send || r.kind == TraceEventKind::RecursionStop) ? m_recorder->string(r.name) : QString();
    case SenderNameRole:
        return (r.kind == TraceEventKind::Send || r.kind == TraceEventKind::RecursionStop) ? m_recorder->string(r.sender) : QString();
    case LoopMarkRole: return int(r.loopMark());
    case LoopTextRole: return loopHint(m_recorder, r.loop);
    case FailedRole: return r.error != 0 || r.kind == TraceEventKind::Error;
    case SearchTextRole:
        return searchText(event);
    }
    return {};
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimelineColumn::Event: return tr("Action / signal / receiver");
    case TimelineColumn::Sender: return tr("Sender");
    case TimelineColumn::Instance: return tr("Instance");
    case TimelineColumn::Arguments: return tr("Key arguments");
    case TimelineColumn::Time: return tr("Time (ms)");
    case TimelineColumn::Duration: return tr("Duration (µs)");
    }
    return {};
}

void TimelineModel::appendEvents(int first, int last)
{
    const int known = int(m_row.size());
    if (last >= m_recorder->count())
        last = m_recorder->count() - 1;
    if (first < known)
        first = known;
    if (first > last)
        return;
    m_children.resize(size_t(last) + 1);
    m_row.resize(size_t(last) + 1, -1);

    // Children of parents that are new in this batch: visible through their
    // parent's insertion, no notification of their own.
    QVector<int> groupParents;                  // visible parents, in order of first appearance
    QVector<QVector<int>> groupEvents;
    for (int i = first; i <= last; ++i) {
        const int p = m_recorder->parentOf(i);
        if (p >= first) {
            m_row[size_t(i)] = m_children[size_t(p)].size();
            m_children[size_t(p)].append(i);
            continue;
        }
        int g = groupParents.indexOf(p);
        if (g < 0) {
            g = groupParents.size();
            groupParents.append(p);
            groupEvents.append(QVector<int>());
        }
        groupEvents[g].append(i);
    }
    for (int g = 0; g < groupParents.size(); ++g) {
        const int p = groupParents[g];
        if (p >= 0 && (p >= known || m_row[size_t(p)] < 0))
            continue;   // a parent never announced (cleared recording): cannot happen in practice
        QVector<int> &list = p < 0 ? m_top : m_children[size_t(p)];
        const QModelIndex parentIndex = p < 0 ? QModelIndex() : indexForEvent(p);
        const int firstRow = list.size();
        beginInsertRows(parentIndex, firstRow, firstRow + groupEvents[g].size() - 1);
        for (int i : std::as_const(groupEvents[g])) {
            m_row[size_t(i)] = list.size();
            list.append(i);
        }
        ++m_batches;
        endInsertRows();
    }
    Q_EMIT eventsAppended(first, last);
}

void TimelineModel::changeEvents(int first, int last)
{
    last = std::min(last, int(m_row.size()) - 1);
    if (first > last)
        return;
    Q_EMIT eventsChanged(first, last);
    if (last - first > 20000) {
        if (!m_top.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(m_top.size() - 1, TimelineColumn::Count - 1));
        return;
    }
    for (int i = first; i <= last; ++i) {
        if (m_row[size_t(i)] < 0)
            continue;
        Q_EMIT dataChanged(createIndex(m_row[size_t(i)], 0, quintptr(i)),
                           createIndex(m_row[size_t(i)], TimelineColumn::Count - 1, quintptr(i)));
    }
}

void TimelineModel::clearAll()
{
    beginResetModel();
    m_top.clear();
    m_children.clear();
    m_row.clear();
    endResetModel();
}

} // namespace ss
