#include "scenariocontroller.h"

#include <QCoreApplication>

namespace ss {

ScenarioController::ScenarioController(Session *session, QObject *parent)
    : QObject(parent), m_session(session)
{
}

void ScenarioController::runAll()
{
    const int steps = remaining();
    if (steps <= 0 || m_running)
        return;
    m_running = true;
    m_cancel = false;
    Q_EMIT runStarted(steps);
    int done = 0;
    while (!m_session->atEnd() && !m_cancel) {
        done += m_session->runFor(SliceMs);
        Q_EMIT progress(done, steps);
        // Stay responsive: a slice plus one capped timeline batch
        // (TraceBridge::setMaxBatch) keeps every stall under 50 ms.
        if (!m_session->atEnd())
            QCoreApplication::processEvents();
    }
    m_running = false;
    m_session->endRun();
    m_session->bridge().deliverBatch();
    Q_EMIT runFinished(done, m_cancel);
}

ActionResult ScenarioController::step()
{
    if (m_session->atEnd())
        return {};
    const ActionResult result = m_session->runNext();
    m_session->bridge().flush();
    Q_EMIT stepped(result);
    return result;
}

void ScenarioController::reset()
{
    m_cancel = true;
    m_session->reset();
    m_session->bridge().flush();
}

} // namespace ss
