#pragma once
// Lanes per instance, widget-free: one lane for each model instance the
// recording's signals are about (`User 1`, `BillingProfile 3`), from the first
// signal about it (its pre_init/post_init when it was made or loaded in the
// run) to its post_delete, with every signal about it as a tick. m2m_changed
// links the instance's lane to the lanes of the pks in pk_set. Each post_delete
// is numbered in its action: the collector's delete order.
//
// An instance not yet saved has no pk: its pre_init, post_init and pre_save go
// to a provisional lane of its model under the same caller (the action or the
// receiver that made it), which becomes `Model pk` at the post_save that gave
// it one (created=True) — Django's own identity is the Python object, which
// the recording does not keep, so two unsaved instances of one model made by
// the same caller share that lane until they are saved.

#include <QHash>
#include <QString>
#include <vector>

namespace ss {

class TraceRecorder;

struct Lane
{
    QString label;              // "User 3", "User (unsaved)"
    std::vector<int> ticks;     // send events about it, in order; empty: merged into another lane
    bool deleted = false;       // ends with a post_delete
    int firstEvent() const { return ticks.front(); }
    int lastEvent() const { return ticks.back(); }
};

struct LaneLink
{
    int event;                  // the m2m_changed send
    int from;                   // the instance's lane
    int to;                     // a lane of a pk in pk_set
};

class LifelineIndex
{
public:
    explicit LifelineIndex(const TraceRecorder *recorder);

    // Reads the events not read yet (cheap when there are none).
    void catchUp();
    void clear();
    int indexed() const { return m_indexed; }

    const std::vector<Lane> &lanes() const { return m_lanes; }
    const std::vector<LaneLink> &links() const { return m_links; }
    int laneOf(int event) const { return m_laneOf.value(event, -1); }
    // 1, 2, ... for a post_delete (its place in its action's deletes), else 0.
    int deleteNumber(int event) const { return m_deleteNumber.value(event, 0); }

private:
    int lane(const QString &key, const QString &label, int event);
    void addTick(int lane, int event);

    const TraceRecorder *m_recorder;
    int m_indexed = 0;
    std::vector<Lane> m_lanes;
    std::vector<LaneLink> m_links;
    QHash<QString, int> m_live;         // "User:3" or "User?<caller>" -> lane
    QHash<int, int> m_laneOf;
    QHash<int, int> m_deleteNumber;
    int m_deleteAction = -1;
    int m_deletes = 0;
};

} // namespace ss
