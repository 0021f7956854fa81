#pragma once
// `signalscope record [options] -- COMMAND [ARGS...]`: runs a command with the
// Django agent injected (PYTHONPATH: the agent's sitecustomize shim and the
// agent; SIGNALSCOPE_SOCKET: the collector's socket), collects what every
// Python process of it streams, and writes the trace when the command ends.
// The project is not edited. Exit status: the command's (1 if it crashed or
// the trace could not be written, 127 if it could not be started, 2 for bad
// options).

#include <QString>
#include <QStringList>

namespace ss {

int recordCommand(const QStringList &arguments);

} // namespace ss
