#!/usr/bin/python3
"""The Django agent's overhead: the same Django run (agent_workload.py) with
the agent recording and streaming to `signalscope record` vs without it, on
the same Django. Runs alternate (off, on, off, on, ...) after a warm-up of
each, so a busy machine slows both alike; the figure is the median of the
per-pair ratios, for the wall clock and for the CPU time of the Django process
(its threads, the agent's writer included; steadier on a loaded machine),
start-up excluded. Target: on/off <= 1.3.

Usage: agent_overhead.py --signalscope BIN [--runs 5] [--iterations 100] [--aggregate-init]
Exit status: 0, or 1 with --strict when the target is missed.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"          # Debian's python3-django
TARGET = 1.3


def timed(command):
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit("agent_overhead: %s failed:\n%s" % (" ".join(command), run.stderr))
    wall, cpu = run.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--signalscope", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--aggregate-init", action="store_true",
                        help="the agent counts pre_init/post_init without receivers")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    workload = [PYTHON, os.path.join(HERE, "agent_workload.py"), str(args.iterations)]
    with tempfile.TemporaryDirectory(prefix="signalscope-overhead-") as tmp:
        trace = os.path.join(tmp, "run.wire.jsonl")
        record = [args.signalscope, "record", "--format", "wire", "--trace", trace]
        if args.aggregate_init:
            record.append("--aggregate-init")
        record.append("--")
        off, on = [], []
        timed(workload)                              # warm-up (page cache, .pyc)
        timed(record + workload)
        for _ in range(args.runs):
            off.append(timed(workload))
            on.append(timed(record + workload))
        lines = sum(1 for _ in open(trace, encoding="utf-8"))
    for label, side in (("off", off), ("on ", on)):
        print("agent %s: wall %s s, cpu %s s" % (label, " ".join("%.3f" % t[0] for t in side),
                                                 " ".join("%.3f" % t[1] for t in side)))
    print("%d wire lines per run" % lines)
    wall = statistics.median(b[0] / a[0] for a, b in zip(off, on))
    cpu = statistics.median(b[1] / a[1] for a, b in zip(off, on))
    what = ", pre_init/post_init aggregated" if args.aggregate_init else ""
    print("agent overhead (recording and streaming vs off, same Django run%s): wall %.2fx, cpu %.2fx "
          "(target <= %.1fx) %s" % (what, wall, cpu, TARGET, "ok" if max(wall, cpu) <= TARGET else "MISSED"))
    return 1 if args.strict and max(wall, cpu) > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
