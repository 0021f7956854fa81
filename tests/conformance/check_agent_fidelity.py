#!/usr/bin/python3
"""The agent's fidelity: a scenario run in real Django (the oracle) with
`signalscope record` recording it must give, projected to the canonical
trace, the oracle's own signal lines (and its depth > 0 error lines, the
receivers send_robust caught), compared without seq and step (a recorded
process numbers steps per command, not per scenario step).

Usage: check_agent_fidelity.py --signalscope BIN SCENARIO.json [SCENARIO.json ...]
Exit status 0 when every scenario matches.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"          # Debian's python3-django


def comparable(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = json.loads(line)
            if "signal" not in obj and not ("error" in obj and obj.get("depth", 0) > 0):
                continue            # step errors and effects are the scenario's, not the process's
            obj.pop("seq", None)
            obj.pop("step", None)
            out.append(obj)
    return out


def check(signalscope, scenario, workdir):
    name = os.path.basename(scenario).replace(".scenario.json", "")
    oracle = os.path.join(workdir, name + ".oracle.jsonl")
    recorded = os.path.join(workdir, name + ".recorded.jsonl")
    env = dict(os.environ)
    run = subprocess.run([signalscope, "record", "--force", "--trace", recorded, "--",
                          PYTHON, os.path.join(HERE, "agent_oracle.py"), scenario, "-o", oracle],
                         env=env, capture_output=True, text=True)
    if run.returncode != 0:
        return "%s: the recorded oracle failed (%d): %s" % (name, run.returncode, run.stderr[-2000:])
    want, got = comparable(oracle), comparable(recorded)
    for index, (a, b) in enumerate(zip(want, got)):
        if a != b:
            return "%s: line %d differs\n  oracle:   %s\n  recorded: %s" % (
                name, index + 1, json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True))
    if len(want) != len(got):
        return "%s: the oracle has %d lines, the recording %d" % (name, len(want), len(got))
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--signalscope", required=True)
    parser.add_argument("scenarios", nargs="+")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="signalscope-fidelity-") as workdir:
        for scenario in args.scenarios:
            problem = check(args.signalscope, scenario, workdir)
            if problem:
                failures += 1
                print("FAIL " + problem)
            else:
                print("ok   " + os.path.basename(scenario))
    print("%d of %d scenarios match" % (len(args.scenarios) - failures, len(args.scenarios)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
