#!/usr/bin/env python3
"""One conformance check: run a scenario in real Django (the oracle) and in
SignalScope, and compare the two traces line by line as JSON values.

    check_scenario.py --signalscope BIN --scenario S.scenario.json [--expected E.trace.jsonl]
                      [--db postgresql://user@host:port/name] [--django 3.2|5.0]

When an expected trace is stored beside the scenario, the oracle's output is
also compared with it, so that a change of Django (or of the oracle) shows up
as such instead of as a SignalScope bug. With --db both sides run on that
PostgreSQL server, each in a database created for the run.

--django picks the Django version SignalScope reproduces (contract 9.1). When
the installed Django is another version (Debian 12 has only 3.2), there is no
live oracle for it: SignalScope is compared with the stored trace of real
Django of that version (--expected, then required). Exit 0 when everything
matches.
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


def installed_django():
    """The installed Django's "major.minor", or None when there is none."""
    result = run([DJANGO_PYTHON, "-c", "import django; print('%d.%d' % django.VERSION[:2])"])
    return result.stdout.strip() if result.returncode == 0 else None


def check_stored(args, name):
    """No live oracle for this version: SignalScope against the stored trace."""
    if not args.expected or not os.path.exists(args.expected):
        print(f"{name}: no Django {args.django} here and no stored trace {args.expected}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        ours_trace = os.path.join(tmp, "signalscope.jsonl")
        db = ["--db", args.db] if args.db else []
        ours = run([args.signalscope, "run", args.scenario, "--trace", ours_trace, "--django", args.django] + db)
        if ours.returncode != 0:
            print(f"{name}: signalscope failed (exit {ours.returncode}):\n{ours.stderr}")
            return 1
        ok = compare(f"stored Django {args.django}", args.expected, "SignalScope", ours_trace)
        backend = "PostgreSQL" if args.db else "SQLite"
        print(f"{name}: SignalScope vs stored Django {args.django} trace on {backend}: {'identical' if ok else 'DIFFERENT'}")
        return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--signalscope", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--expected")
    parser.add_argument("--db", help="a postgresql:// URL: run both sides on that server")
    parser.add_argument("--django", choices=["3.2", "5.0"], default="3.2",
                        help="the Django version to reproduce (default 3.2)")
    args = parser.parse_args()
    name = os.path.basename(args.scenario).replace(".scenario.json", "")
    if installed_django() != args.django:
        return check_stored(args, name)

    with tempfile.TemporaryDirectory() as tmp:
        django_trace = os.path.join(tmp, "django.jsonl")
        ours_trace = os.path.join(tmp, "signalscope.jsonl")
        db = ["--db", args.db] if args.db else []
        version = ["--django", args.django]
        oracle = run([DJANGO_PYTHON, os.path.join(HERE, "django_oracle.py"), args.scenario, "-o", django_trace] + db + version)
        if oracle.returncode != 0:
            print(f"{name}: the Django oracle failed (exit {oracle.returncode}):\n{oracle.stderr}")
            return 1
        ours = run([args.signalscope, "run", args.scenario, "--trace", ours_trace] + db + version)
        if ours.returncode != 0:
            print(f"{name}: signalscope failed (exit {ours.returncode}):\n{ours.stderr}")
            return 1
        ok = compare("Django", django_trace, "SignalScope", ours_trace)
        if args.expected and os.path.exists(args.expected):
            ok = compare("stored expected", args.expected, "Django", django_trace) and ok
        with open(django_trace) as f:
            lines = sum(1 for _ in f)
        backend = "PostgreSQL" if args.db else "SQLite"
        print(f"{name}: SignalScope vs Django {args.django} on {backend}: {'identical' if ok else 'DIFFERENT'} ({lines} lines)")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
