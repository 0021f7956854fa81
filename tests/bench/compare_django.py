#!/usr/bin/python3
"""SignalScope vs Django 3.2 on the bench's signup scenario, whole process.

Usage:
    tests/bench/compare_django.py [--signups 2000[,20000,...]] [--build DIR]
                                  [--python /usr/bin/python3] [--keep DIR] [--strict]
                                  [--before DIR] [--runs N]

For each size, signalscope-bench writes the N-signup scenario
(--write-signup-scenario), then `signalscope run` and the conformance oracle
(tests/conformance/django_oracle.py, real Django 3.2) each replay it in a
process of their own, on SQLite in memory, writing the canonical trace. Per
size the script prints the CPU time (user + system), wall time and peak memory
(max RSS) of each process, SignalScope's speed-up over Django (target >= 20x,
judged on CPU time because the machine may be shared; the wall-time ratio is
printed beside it) and its share of Django's peak memory (target <= 0.25,
judged at 100,000 signups as the issue sets it; smaller sizes print the share
only, since there both processes' fixed start-up memory dominates).
SignalScope runs --runs times (default 3; the median CPU and wall time, the
largest peak), Django once. It
checks that the two traces are byte-identical: timings of differing traces
compare different work, so the script then exits 1.

`--before DIR` also runs another build's signalscope (say, one from before a
change) on the same scenario against the same Django run, and prints its
figures beside: a before/after comparison that costs one Django run per size.

Django needs about 1.8 ms of CPU per signup (SignalScope some 0.06 ms):
2,000 signups (the default) take seconds, 20,000 about half a minute of CPU,
100,000 several minutes and over a gigabyte.

Exit status: 0 the traces were identical (and, with --strict, every target
met); 1 otherwise; 2 bad arguments or a process that failed.
"""

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ORACLE = os.path.join(ROOT, "tests", "conformance", "django_oracle.py")

SPEEDUP_TARGET = 20.0
MEMORY_TARGET = 0.25
# The issue sets the memory target for a 100,000-signup run: below that, both
# processes' fixed cost (libraries, interpreter, Qt) weighs more than the
# work, so smaller sizes print the share without judging it.
MEMORY_TARGET_FROM = 100000


def run_measured(argv):
    """Runs argv to its end; returns (wall seconds, CPU seconds, peak RSS in bytes)."""
    start = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.stderr.write(stderr.decode("utf-8", "replace"))
        raise RuntimeError("%s exited with status %d" % (argv[0], process.returncode))
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss * 1024     # ru_maxrss is in KiB on Linux


def median_of(runs, argv):
    """Runs argv `runs` times: the median wall and CPU time, the largest peak RSS."""
    results = [run_measured(argv) for _ in range(runs)]
    median = lambda values: sorted(values)[len(values) // 2]
    return median([r[0] for r in results]), median([r[1] for r in results]), max(r[2] for r in results)


def verdict(ok):
    return "met" if ok else "NOT met"


def memory_verdict(size, share):
    if size < MEMORY_TARGET_FROM:
        return "(the target applies at %d signups)" % MEMORY_TARGET_FROM
    return verdict(share <= MEMORY_TARGET)


def compare(size, args, workdir):
    scenario = os.path.join(workdir, "signups-%d.scenario.json" % size)
    ours = os.path.join(workdir, "signups-%d.signalscope.trace.jsonl" % size)
    theirs = os.path.join(workdir, "signups-%d.django.trace.jsonl" % size)
    subprocess.run([args.bench, "--write-signup-scenario", "%d:%s" % (size, scenario)], check=True)

    print("# %d signups: SignalScope (%d runs)..." % (size, args.runs), file=sys.stderr, flush=True)
    ss_wall, ss_cpu, ss_rss = median_of(args.runs, [args.signalscope, "run", scenario, "--trace", ours])
    print("# %d signups: Django 3.2..." % size, file=sys.stderr, flush=True)
    dj_wall, dj_cpu, dj_rss = run_measured([args.python, ORACLE, scenario, "-o", theirs])

    before = None
    if args.before_signalscope:
        print("# %d signups: SignalScope (--before build)..." % size, file=sys.stderr, flush=True)
        before_trace = os.path.join(workdir, "signups-%d.before.trace.jsonl" % size)
        b_wall, b_cpu, b_rss = median_of(args.runs, [args.before_signalscope, "run", scenario, "--trace", before_trace])
        before = (b_wall, b_cpu, b_rss, filecmp.cmp(before_trace, theirs, shallow=False))

    same = filecmp.cmp(ours, theirs, shallow=False)
    with open(ours, "rb") as f:
        lines = sum(1 for _ in f)
    speedup = dj_cpu / ss_cpu
    memory = ss_rss / dj_rss
    print("django/%d signups: SignalScope %.2f s CPU (%.2f s wall) vs Django 3.2 %.2f s CPU (%.2f s wall) = "
          "%.1fx faster (wall %.1fx; target >= %gx) %s; traces %s (%d lines)"
          % (size, ss_cpu, ss_wall, dj_cpu, dj_wall, speedup, dj_wall / ss_wall, SPEEDUP_TARGET,
             verdict(speedup >= SPEEDUP_TARGET), "identical" if same else "DIFFERENT", lines))
    print("django/%d signups, peak memory: SignalScope %.0f MB vs Django 3.2 %.0f MB = %.2fx (target <= %g) %s"
          % (size, ss_rss / 1e6, dj_rss / 1e6, memory, MEMORY_TARGET, memory_verdict(size, memory)), flush=True)
    if before:
        b_wall, b_cpu, b_rss, b_same = before
        print("django/%d signups, --before build: %.2f s CPU (%.2f s wall) = %.1fx faster than Django (target >= %gx) %s, "
              "peak memory %.0f MB = %.2fx (target <= %g) %s; trace %s"
              % (size, b_cpu, b_wall, dj_cpu / b_cpu, SPEEDUP_TARGET, verdict(dj_cpu / b_cpu >= SPEEDUP_TARGET),
                 b_rss / 1e6, b_rss / dj_rss, MEMORY_TARGET, memory_verdict(size, b_rss / dj_rss),
                 "identical" if b_same else "DIFFERENT"), flush=True)
        same = same and b_same
    return same, speedup >= SPEEDUP_TARGET and (size < MEMORY_TARGET_FROM or memory <= MEMORY_TARGET)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signups", default="2000",
                        help="comma-separated signup counts (default 2000; the issue's sizes: 2000,20000,100000)")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="the CMake build directory")
    parser.add_argument("--python", default="/usr/bin/python3", help="a Python with Django 3.2 (Debian's)")
    parser.add_argument("--keep", help="keep the scenarios and traces in this directory")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of signalscope per size, of which the median CPU time counts (default 3; Django runs once)")
    parser.add_argument("--before", help="another build directory whose signalscope runs too, for a before/after figure")
    args = parser.parse_args()
    try:
        sizes = [int(s) for s in args.signups.split(",")]
        if any(s < 1 for s in sizes):
            raise ValueError
    except ValueError:
        parser.error("--signups takes signup counts separated by commas, e.g. 2000,20000")
    args.bench = os.path.join(args.build, "tests", "bench", "signalscope-bench")
    args.signalscope = os.path.join(args.build, "app", "signalscope")
    args.before_signalscope = os.path.join(args.before, "app", "signalscope") if args.before else None
    for path in (args.bench, args.signalscope) + ((args.before_signalscope,) if args.before else ()):
        if not os.access(path, os.X_OK):
            parser.error("%s is not built (cmake --build %s --target signalscope signalscope-bench)" % (path, args.build))

    all_same = all_met = True
    try:
        with tempfile.TemporaryDirectory(prefix="signalscope-vs-django-") as tmp:
            workdir = args.keep or tmp
            os.makedirs(workdir, exist_ok=True)
            for size in sizes:
                same, met = compare(size, args, workdir)
                all_same, all_met = all_same and same, all_met and met
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print("compare_django.py: %s" % error, file=sys.stderr)
        return 2
    if not all_same:
        print("compare_django.py: the traces differ; the timings compare different work", file=sys.stderr)
        return 1
    return 1 if args.strict and not all_met else 0


if __name__ == "__main__":
    sys.exit(main())
