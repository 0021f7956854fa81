#pragma once
// `signalscope record [options] -- COMMAND [ARGS...]`: runs a command with the
// Django agent injected (PYTHONPATH: the agent's sitecustomize shim and the
// agent; SIGNALSCOPE_SOCKET: the collector's socket), collects what every
// Python process of it streams, and writes the trace when the command ends.
// The project is not edited. Exit status: the command's (1 if it crashed or
// the trace could not be written, 127 if it could not be started, 2 for bad
// options).

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

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

int recordCommand(const QStringList &arguments);

} // namespace ss
