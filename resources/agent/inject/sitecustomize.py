"""SignalScope's sitecustomize: starts the agent in a process that
`signalscope record` (or the window) started, then runs the sitecustomize it
shadows (Debian ships one), so the process is otherwise set up as usual."""

import importlib.machinery
import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))


def _start_agent():
    agent_dir = os.path.dirname(_here)
    if agent_dir not in sys.path:
        sys.path.append(agent_dir)
    try:
        import signalscope_agent
        signalscope_agent.install_from_env()
    except Exception as exc:            # the process must run even if the agent cannot
        sys.stderr.write("signalscope-agent: not recording: %s: %s\n" % (type(exc).__name__, exc))


def _chain():
    path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_start_agent()
_chain()
