#!/usr/bin/env python3
"""One conformance check: run a scenario in real Django (the oracle) and in
SignalScope, and compare the two traces line by line as JSON values.

    check_scenario.py --signalscope BIN --scenario S.scenario.json [--expected E.trace.jsonl]
                      [--db postgresql://user@host:port/name]

When an expected trace is stored beside the scenario, the oracle's output is
also compared with it, so that a change of Django (or of the oracle) shows up
as such instead of as a SignalScope bug. With --db both sides run on that
PostgreSQL server, each in a database created for the run. Exit 0 when
everything matches.
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare_traces  # noqa: E402

# Debian's python3-django is installed for the system interpreter.
DJANGO_PYTHON = "/usr/bin/python3"


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def compare(label_a, path_a, label_b, path_b):
    result = run([sys.executable, os.path.join(HERE, "compare_traces.py"), path_a, path_b])
    if result.returncode != 0:
        print(f"MISMATCH {label_a} vs {label_b}:")
        print(result.stdout + result.stderr)
        return False
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--signalscope", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--expected")
    parser.add_argument("--db", help="a postgresql:// URL: run both sides on that server")
    args = parser.parse_args()
    name = os.path.basename(args.scenario).replace(".scenario.json", "")

    with tempfile.TemporaryDirectory() as tmp:
        django_trace = os.path.join(tmp, "django.jsonl")
        ours_trace = os.path.join(tmp, "signalscope.jsonl")
        db = ["--db", args.db] if args.db else []
        oracle = run([DJANGO_PYTHON, os.path.join(HERE, "django_oracle.py"), args.scenario, "-o", django_trace] + db)
        if oracle.returncode != 0:
            print(f"{name}: the Django oracle failed (exit {oracle.returncode}):\n{oracle.stderr}")
            return 1
        ours = run([args.signalscope, "run", args.scenario, "--trace", ours_trace] + db)
        if ours.returncode != 0:
            print(f"{name}: signalscope failed (exit {ours.returncode}):\n{ours.stderr}")
            return 1
        ok = compare("Django", django_trace, "SignalScope", ours_trace)
        if args.expected and os.path.exists(args.expected):
            ok = compare("stored expected", args.expected, "Django", django_trace) and ok
        with open(django_trace) as f:
            lines = sum(1 for _ in f)
        backend = "PostgreSQL" if args.db else "SQLite"
        print(f"{name}: SignalScope vs Django 3.2 on {backend}: {'identical' if ok else 'DIFFERENT'} ({lines} lines)")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
