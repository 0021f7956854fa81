#pragma once
// The timeline's state in one home: whether the recorder is paused (actions
// still run, nothing is recorded) and whether the views follow the newest
// event. Views and actions read it and listen to its signals; only this
// object changes it. The filters (kinds, model, search) live in TimelineFilter.

#include <QObject>

namespace ss {

class Session;

class TimelineController : public QObject
{
    Q_OBJECT
public:
    explicit TimelineController(Session *session, QObject *parent = nullptr);

    bool isPaused() const;
    bool followsNewest() const { return m_follow; }

public Q_SLOTS:
    void setPaused(bool paused);
    void setFollowNewest(bool follow);

Q_SIGNALS:
    void pausedChanged(bool paused);
    void followNewestChanged(bool follow);

private:
    Session *m_session;
    bool m_follow = true;
};

} // namespace ss
