#pragma once
// Running a scenario from the window: all of it (in 20 ms slices, so the UI
// thread gets back to its event loop and a cancel is heard), one step, or a
// reset to its start. Works through the Session's own operations (runFor,
// runNext, reset) — it neither reaches into the runner nor emits the
// session's signals.

#include "session/session.h"

#include <QObject>

namespace ss {

class ScenarioController : public QObject
{
    Q_OBJECT
public:
    explicit ScenarioController(Session *session, QObject *parent = nullptr);

    static constexpr int SliceMs = 20;

    // Runs every remaining step; returns when done or cancelled. Emits
    // runStarted, progress after each slice, runFinished.
    void runAll();
    ActionResult step();
    void reset();
    void cancel() { m_cancel = true; }
    bool isRunning() const { return m_running; }
    int remaining() const { return m_session->stepCount() - m_session->nextStep(); }

Q_SIGNALS:
    void runStarted(int steps);
    void progress(int done, int steps);
    void runFinished(int done, bool cancelled);
    void stepped(const ss::ActionResult &result);

private:
    Session *m_session;
    bool m_cancel = false;
    bool m_running = false;
};

} // namespace ss
