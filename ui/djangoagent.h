#pragma once
// Starting a process with SignalScope's Django agent in it: where the agent
// lives and the environment that loads it (PYTHONPATH: the sitecustomize shim
// in resources/agent/inject and the agent; SIGNALSCOPE_SOCKET: where it
// streams). Used by `signalscope record` and by the window's recording.

#include <QProcessEnvironment>
#include <QString>

namespace ss {

// Where the agent lives: $SIGNALSCOPE_AGENT_DIR, <bin>/../share/signalscope/agent
// (installed), or the source tree's resources/agent. Empty when none has it.
QString agentDirectory();

struct AgentOptions
{
    QString socketPath;         // SIGNALSCOPE_SOCKET
    bool force = false;         // record even with DEBUG off
    QString signalFilter;       // comma-separated filters
    QString excludeFilter;
    bool aggregateInit = false; // count pre_init/post_init sends without receivers
};

// `base` with the agent injected: PYTHONPATH gets the shim and the agent
// prepended (what it held stays, after them).
QProcessEnvironment agentEnvironment(const QProcessEnvironment &base, const QString &agentDir,
                                     const AgentOptions &options);

} // namespace ss
