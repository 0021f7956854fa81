#include "statuscounts.h"

#include "session/session.h"
#include "trace/tracebridge.h"
#include "trace/tracerecorder.h"

namespace ss {

StatusCounts::StatusCounts(Session *session, QObject *parent)
    : QObject(parent), m_session(session)
{
    connect(session, &Session::loaded, this, &StatusCounts::countRows);
    connect(session, &Session::databaseChanged, this, &StatusCounts::countRows);
    TraceBridge *bridge = &session->bridge();
    connect(bridge, &TraceBridge::eventsAppended, this, &StatusCounts::refresh);
    connect(bridge, &TraceBridge::recordingCleared, this, &StatusCounts::refresh);
    connect(bridge, &TraceBridge::loopDetected, this, &StatusCounts::refresh);
    if (session->isLoaded())
        countRows();
}

void StatusCounts::countRows()
{
    m_rows = 0;
    if (m_session->isLoaded()) {
        for (const auto &model : m_session->registry().models())
            m_rows += m_session->rowCount(model.get());
        ++m_counts;
    }
    refresh();
}

void StatusCounts::refresh()
{
    if (!m_session->isLoaded())
        return;
    m_databaseText = tr("%1 · app %2 · %n row(s)", nullptr, int(m_rows))
                         .arg(m_session->databaseDescription(), m_session->registry().app());
    const TraceRecorder &r = m_session->recorder();
    m_eventsText = tr("%1 event(s) · %2 loop(s)%3").arg(r.count()).arg(r.loops().size())
                       .arg(r.isPaused() ? tr(" · PAUSED") : QString());
    Q_EMIT changed();
}

} // namespace ss
