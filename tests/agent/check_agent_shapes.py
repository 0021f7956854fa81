#!/usr/bin/python3
"""The agent on the three receiver shapes Django has had (2-tuples and a
list from _live_receivers as in 3.2; 3-tuples (5.0) and 4-tuples with a
sender_ref (5.1+) with a (sync, async) pair and asend/asend_robust), on a
stand-in dispatcher of our own (fakedjango/): Django's return values and
exceptions unchanged, a send with no receivers left to Django's early
return, every receiver call recorded with its index, result or exception,
and the sends made inside a receiver -- in a worker thread under asend, in
another event loop under send -- nested under its call; request headers
and cookies redacted in a WSGI environ and an ASGI scope alike.

Usage: check_agent_shapes.py --agent DIR (the folder of signalscope_agent.py)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
AGENT = None


def record(shape):
    with tempfile.TemporaryDirectory(prefix="signalscope-shapes-") as tmp:
        wire = os.path.join(tmp, "wire.jsonl")
        env = dict(os.environ, FAKE_DJANGO_SHAPE=str(shape),
                   PYTHONPATH=os.pathsep.join([os.path.join(HERE, "fakedjango"), AGENT]))
        for key in ("SIGNALSCOPE_SOCKET", "SIGNALSCOPE_FILE"):
            env.pop(key, None)
        run = subprocess.run([PYTHON, os.path.join(HERE, "agent_shapes_workload.py"), wire],
                             env=env, capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            raise AssertionError("shape %d: the workload failed:\n%s" % (shape, run.stderr))
        with open(wire, encoding="utf-8") as fh:
            lines = [json.loads(line) for line in fh if line.strip()]
        return json.loads(run.stdout.splitlines()[-1]), lines


class Shape:
    SHAPE = None

    @classmethod
    def setUpClass(cls):
        cls.seen, cls.lines = record(cls.SHAPE)
        cls.sends = [l for l in cls.lines if l["e"] == "send"]
        cls.calls = {l["id"]: l for l in cls.lines if l["e"] == "call"}
        cls.ends = {l["id"]: l for l in cls.lines if l["e"] in ("return", "raise")}
        cls.receivers = {l["rid"]: l for l in cls.lines if l["e"] == "receiver"}

    def named(self, signal):
        return [s for s in self.sends if s["signal"] == signal]

    def calls_of(self, send):
        return sorted((c for c in self.calls.values() if c["send"] == send["id"]), key=lambda c: c["i"])

    def receiver_name(self, call):
        return self.receivers[call["rid"]]["name"].rsplit(".", 1)[-1]

    def test_the_dispatcher_has_the_shape(self):
        self.assertEqual(self.seen["shape"], [self.SHAPE])
        self.assertEqual(self.lines[0]["e"], "hello")

    def test_return_values_are_djangos(self):
        expected = [["sync_receiver", "sync-result"]]
        if self.SHAPE > 2:
            expected.append(["async_receiver", "async-result"])
        self.assertEqual(self.seen["send"], expected)
        self.assertTrue(self.seen["send_identity"])
        if self.SHAPE > 2:
            self.assertEqual(self.seen["asend"], expected)
            self.assertEqual(self.seen["asend_robust"], expected)

    def test_every_call_recorded_with_its_index_and_result(self):
        pings = self.named("t.ping")
        flags = [(s.get("async", False), s.get("robust", False)) for s in pings]
        self.assertEqual(flags, [(False, False)] * 2 + ([(True, False), (True, True)] if self.SHAPE > 2 else []))
        for send in pings:
            calls = self.calls_of(send)
            names = ["sync_receiver"] + (["async_receiver"] if self.SHAPE > 2 else [])
            self.assertEqual([self.receiver_name(c) for c in calls], names)
            self.assertEqual([c["i"] for c in calls], list(range(len(names))))
            self.assertEqual([self.ends[c["id"]]["result"] for c in calls],
                             [n.replace("_receiver", "-result") for n in names])

    def test_sends_inside_receivers_nest_under_their_call(self):
        # under send: async receivers in another thread's event loop; under
        # asend: the sync receivers in a worker thread (sync_to_async).
        if self.SHAPE > 2:
            self.assertTrue(self.seen["asend_sync_in_worker"])
        for send in self.named("t.ping"):
            call_ids = [c["id"] for c in self.calls_of(send)]
            nested = [s for s in self.named("t.inner") if s["parent"] in call_ids]
            self.assertEqual(sorted(s["parent"] for s in nested), sorted(call_ids))
            self.assertTrue(all(s["depth"] == 1 for s in nested))

    def test_no_receivers_takes_djangos_early_return(self):
        self.assertEqual(self.seen["quiet"], [])
        self.assertEqual(self.seen["quiet_robust"], [])
        self.assertEqual(self.seen["quiet_live_calls"], 0)
        quiet = self.named("t.quiet")
        self.assertEqual(len(quiet), 3 if self.SHAPE > 2 else 2)
        self.assertTrue(all(s.get("nr") for s in quiet))

    def test_exceptions_are_djangos(self):
        self.assertEqual(self.seen["raise"], "same")
        self.assertEqual(self.seen["robust"], [True, True])
        expected = {"raiser"}
        if self.SHAPE > 2:
            self.assertEqual(self.seen["araise"], "same")
            self.assertEqual(self.seen["arobust"], [True, True, True, "KeyError"])
            expected.add("async_raiser")
        # send_robust logs the receiver's __qualname__: the agent's wrapper keeps it.
        self.assertEqual(set(self.seen["failed_qualnames"]), expected)
        raised = {self.ends[c["id"]]["exc"] for c in self.calls.values()
                  if self.ends[c["id"]]["e"] == "raise"}
        self.assertEqual(raised, {"ValueError"} | ({"KeyError"} if self.SHAPE > 2 else set()))

    def test_connect_and_disconnect_recorded(self):
        self.assertEqual(self.seen["disconnect"], [True, False])
        connects = [l for l in self.lines if l["e"] == "connect"]
        inner = [l for l in connects if l["signal"] == "t.inner"]
        self.assertEqual([(l["uid"], l["added"], l["weak"]) for l in inner], [("inner-uid", True, True)])
        self.assertEqual(len([l for l in connects if l["signal"] == "t.ping"]), 2 if self.SHAPE > 2 else 1)
        disconnects = [l for l in self.lines if l["e"] == "disconnect" and l["signal"] == "t.bad"]
        self.assertEqual([l["removed"] for l in disconnects], [True, False])
        self.assertEqual(self.receivers[disconnects[0]["rid"]]["name"].rsplit(".", 1)[-1], "raiser")


    def test_request_headers_and_cookies_redacted(self):
        started = self.named("django.core.signals.request_started")
        self.assertEqual(len(started), 2)
        scope, environ = started[0]["args"]["scope"], started[1]["args"]["environ"]
        self.assertEqual(scope["path"], "/shop/")
        self.assertEqual([h[1] for h in scope["headers"]], ["********", "********"])
        self.assertIn("cookie", json.dumps(scope["headers"][0][0]))
        self.assertEqual(environ, {"PATH_INFO": "/shop/", "HTTP_COOKIE": "********"})
        self.assertNotIn("SECRET", json.dumps(self.lines))


class TwoTuples(Shape, unittest.TestCase):
    SHAPE = 2


class ThreeTuples(Shape, unittest.TestCase):
    SHAPE = 3


class FourTuples(Shape, unittest.TestCase):
    SHAPE = 4


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--agent", required=True)
    args, rest = parser.parse_known_args()
    AGENT = os.path.abspath(args.agent)
    unittest.main(argv=[sys.argv[0]] + rest)
