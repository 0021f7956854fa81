#!/usr/bin/python3
"""django_oracle.py, run by `signalscope record` with the agent recording.

The oracle creates the schema's custom signals as bare Signal() objects kept
in a dict, so no module attribute names them; this wrapper gives them their
schema names through the agent's name_signal() (the only help the agent gets)
and then runs the oracle unchanged.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django_oracle  # noqa: E402

try:
    import signalscope_agent  # noqa: E402  (on sys.path when the agent is injected)
except ImportError:
    signalscope_agent = None

_original_init = django_oracle.Run.__init__


def _init(self, scenario, schema):
    _original_init(self, scenario, schema)
    if signalscope_agent is not None:
        for name in schema.get("signals", []):
            signalscope_agent.name_signal(self.signals[name], "scenario_signals." + name)


django_oracle.Run.__init__ = _init

if __name__ == "__main__":
    sys.exit(django_oracle.main())
