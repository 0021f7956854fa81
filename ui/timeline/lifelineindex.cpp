#include "lifelineindex.h"

#include "eventlabels.h"
#include "model/value.h"
#include "timelinemodel.h"
#include "trace/tracerecorder.h"

#include <QCborArray>
#include <QCborMap>

#include <algorithm>
#include <iterator>

namespace ss {

LifelineIndex::LifelineIndex(const TraceRecorder *recorder)
    : m_recorder(recorder)
{
}

void LifelineIndex::clear()
{
    m_indexed = 0;
    m_lanes.clear();
    m_links.clear();
    m_live.clear();
    m_laneOf.clear();
    m_deleteNumber.clear();
    m_deleteAction = -1;
    m_deletes = 0;
}

int LifelineIndex::lane(const QString &key, const QString &label, int event)
{
    auto it = m_live.constFind(key);
    if (it != m_live.constEnd())
        return *it;
    Lane l;
    l.label = label;
    l.ticks.reserve(4);
    m_lanes.push_back(std::move(l));
    const int index = int(m_lanes.size()) - 1;
    m_live.insert(key, index);
    Q_UNUSED(event);
    return index;
}

void LifelineIndex::addTick(int lane, int event)
{
    m_lanes[size_t(lane)].ticks.push_back(event);
    m_laneOf.insert(event, lane);
}

static QString pkText(const QCborValue &pk)
{
    return placeholderText(pk);     // as the timeline's Instance column writes it
}

void LifelineIndex::catchUp()
{
    const TraceRecorder &r = *m_recorder;
    const int count = r.count();
    if (count < m_indexed)
        clear();                            // the recording was cleared
    for (int e = m_indexed; e < count; ++e) {
        const TraceRecord &rec = r.record(e);
        if (rec.kind != TraceEventKind::Send || rec.senderKind() != Sender::Kind::Model)
            continue;
        const QString signal = r.string(rec.name);
        const QString model = r.string(rec.sender);
        const QCborValue instance = sendInstance(r, e);
        const int caller = rec.parent;
        const QString pending = model + QLatin1Char('?') + QString::number(caller);
        if (signal == QLatin1String("m2m_changed")) {
            if (!instance.isMap())
                continue;
            const QCborMap inst = instance.toMap();
            const QString instModel = inst.value(QStringLiteral("model")).toString();
            const QCborValue pk = inst.value(QStringLiteral("pk"));
            const QString label = instModel + QLatin1Char(' ') + pkText(pk);
            const int from = lane(instModel + QLatin1Char(':') + label, label, e);
            addTick(from, e);
            const QCborMap args = r.args(e);
            const QString other = args.value(QStringLiteral("model")).toString();
            const QCborValue pkSet = args.value(QStringLiteral("pk_set"));
            if (pkSet.isArray()) {
                for (const QCborValue &otherPk : pkSet.toArray()) {
                    const QString otherLabel = other + QLatin1Char(' ') + pkText(otherPk);
                    const int to = lane(other + QLatin1Char(':') + otherLabel, otherLabel, e);
                    m_links.push_back({e, from, to});
                    // The other side's lane shows the link too (laneOf keeps the instance's).
                    m_lanes[size_t(to)].ticks.push_back(e);
                }
            }
            continue;
        }
        int laneIndex = -1;
        if (!instance.isMap()) {
            // pre_init: about the instance post_init will hand out.
            if (signal != QLatin1String("pre_init"))
                continue;
            laneIndex = lane(pending, model + QStringLiteral(" (unsaved)"), e);
        } else {
            const QCborValue pk = instance.toMap().value(QStringLiteral("pk"));
            if (pk.isNull()) {
                laneIndex = lane(pending, model + QStringLiteral(" (unsaved)"), e);
            } else {
                const QString label = model + QLatin1Char(' ') + pkText(pk);
                const QString key = model + QLatin1Char(':') + label;
                auto provisional = m_live.constFind(pending);
                const bool identifies = signal == QLatin1String("post_save") || signal == QLatin1String("post_init");
                if (identifies && provisional != m_live.constEnd() && !m_live.contains(key)) {
                    // The save that gave the pending instance its pk, or the
                    // post_init of a row loaded from the database.
                    laneIndex = *provisional;
                    m_live.erase(provisional);
                    m_live.insert(key, laneIndex);
                    m_lanes[size_t(laneIndex)].label = label;
                } else {
                    laneIndex = lane(key, label, e);
                    if (identifies && provisional != m_live.constEnd() && *provisional != laneIndex) {
                        // A row loaded again (the collector's query): its
                        // pre_init joins the lane the instance already has.
                        const int from = *provisional;
                        m_live.erase(provisional);
                        std::vector<int> &into = m_lanes[size_t(laneIndex)].ticks;
                        std::vector<int> moved = std::move(m_lanes[size_t(from)].ticks);
                        m_lanes[size_t(from)].ticks.clear();
                        for (int t : moved)
                            m_laneOf.insert(t, laneIndex);
                        std::vector<int> merged;
                        merged.reserve(into.size() + moved.size());
                        std::merge(into.begin(), into.end(), moved.begin(), moved.end(), std::back_inserter(merged));
                        into = std::move(merged);
                    }
                }
                if (signal == QLatin1String("post_delete")) {
                    m_lanes[size_t(laneIndex)].deleted = true;
                    m_live.remove(key);             // the same pk later is a new instance
                    const int action = actionOf(r, e);
                    if (action != m_deleteAction) {
                        m_deleteAction = action;
                        m_deletes = 0;
                    }
                    m_deleteNumber.insert(e, ++m_deletes);
                }
            }
        }
        addTick(laneIndex, e);
    }
    m_indexed = count;
}

} // namespace ss
