#include "timelinecontroller.h"

#include "session/session.h"

namespace ss {

TimelineController::TimelineController(Session *session, QObject *parent)
    : QObject(parent), m_session(session)
{
}

bool TimelineController::isPaused() const
{
    return m_session->recorder().isPaused();
}

void TimelineController::setPaused(bool paused)
{
    if (isPaused() == paused)
        return;
    m_session->recorder().setPaused(paused);
    Q_EMIT pausedChanged(paused);
}

void TimelineController::setFollowNewest(bool follow)
{
    if (m_follow == follow)
        return;
    m_follow = follow;
    Q_EMIT followNewestChanged(follow);
}

} // namespace ss
