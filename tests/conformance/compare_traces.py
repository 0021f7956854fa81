#!/usr/bin/env python3
"""Compare two canonical SignalScope traces line by line, as JSON values.

Usage: compare_traces.py EXPECTED ACTUAL [--context N]

Each non-empty line of both files is parsed as JSON and the two sequences are
compared element by element with JSON value equality (section 4 of
formats.md): key order and spacing never matter, `1` equals `1.0`, but `true`
never equals `1`.  On a difference a unified-style report shows the first
differing line with a little context, the keys whose values differ, and the
line counts.

Exit status: 0 equal, 1 different, 2 a file is unreadable or not JSON Lines.
Only the standard library is used, so any python3 can run it.
"""

import argparse
import json
import sys


def json_equal(a, b):
    """JSON value equality (bool is not a number)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    return a == b


def read_trace(path):
    """Return [(line number, raw text, value)] or raise ValueError."""
    out = []
    try:
        with open(path, "rb") as fh:
            data = fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError("%s: %s" % (path, exc))
    for number, text in enumerate(data.splitlines(), 1):
        if not text.strip():
            continue
        try:
            out.append((number, text, json.loads(text)))
        except ValueError as exc:
            raise ValueError("%s:%d: not JSON: %s" % (path, number, exc))
    return out


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def differing_keys(a, b):
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return []
    keys = sorted(set(a) | set(b))
    return [k for k in keys if k not in a or k not in b or not json_equal(a[k], b[k])]


def report(expected_path, actual_path, expected, actual, index, context):
    """Print a unified-diff-like hunk around the first difference at `index`."""
    print("--- %s" % expected_path)
    print("+++ %s" % actual_path)
    start = max(0, index - context)
    print("@@ first difference at trace line %d (expected %d lines, actual %d) @@"
          % (index + 1, len(expected), len(actual)))
    for i in range(start, index):
        print("  " + canonical(expected[i][2]))
    # Show the differing line and up to `context` more rows after it (equal
    # or not), so a truncated or very different trace stays readable.
    i = index
    end = index + context + 1
    while i < end and (i < len(expected) or i < len(actual)):
        e = expected[i][2] if i < len(expected) else None
        a = actual[i][2] if i < len(actual) else None
        if i < len(expected) and i < len(actual) and json_equal(e, a):
            print("  " + canonical(e))
        else:
            if i < len(expected):
                print("- " + canonical(e))
            if i < len(actual):
                print("+ " + canonical(a))
            if i == index:
                keys = differing_keys(e, a)
                if keys:
                    print("# differing keys: %s" % ", ".join(keys))
        i += 1


def main(argv=None):
    parser = argparse.ArgumentParser(description="Compare two SignalScope traces.")
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--context", type=int, default=3, help="context lines (default 3)")
    args = parser.parse_args(argv)
    try:
        expected = read_trace(args.expected)
        actual = read_trace(args.actual)
    except ValueError as exc:
        print("compare_traces: %s" % exc, file=sys.stderr)
        return 2
    for index in range(max(len(expected), len(actual))):
        if (index >= len(expected) or index >= len(actual)
                or not json_equal(expected[index][2], actual[index][2])):
            report(args.expected, args.actual, expected, actual, index, args.context)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
