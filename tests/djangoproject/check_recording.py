#!/usr/bin/python3
"""Records this real Django project through `signalscope record` and checks
the traces: migrate, a management command, the Django test suite (requests
through the test client), the wire stream itself and the exit status.

Usage: check_recording.py --signalscope BIN
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"          # Debian's python3-django
SIGNALSCOPE = None


def source_line(path, text):
    """The line Python gives a function: its first decorator's, else its def's."""
    with open(os.path.join(HERE, path), encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    for index, line in enumerate(lines):
        if text in line:
            while index > 0 and lines[index - 1].startswith("@"):
                index -= 1
            return index + 1
    raise AssertionError("%s not in %s" % (text, path))


class Recording(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="signalscope-djangoproject-")
        cls.env = dict(os.environ, SHOP_DB=os.path.join(cls.tmp.name, "shop.sqlite3"))
        cls.env.pop("SIGNALSCOPE_SOCKET", None)
        cls.env.pop("SIGNALSCOPE_FILE", None)
        cls.migrate = cls.record("migrate", "jsonl", "migrate", "-v0")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def record(cls, name, fmt, *command, expect=0):
        out = os.path.join(cls.tmp.name, "%s.%s" % (name, fmt))
        run = subprocess.run([SIGNALSCOPE, "record", "--format", fmt, "--trace", out, "--",
                              PYTHON, "manage.py"] + list(command),
                             cwd=HERE, env=cls.env, capture_output=True, text=True)
        if run.returncode != expect:
            raise AssertionError("signalscope record %s exited %d (wanted %d):\n%s\n%s"
                                 % (" ".join(command), run.returncode, expect, run.stdout, run.stderr))
        cls.last_stderr = run.stderr
        if fmt == "csv":
            with open(out, newline="", encoding="utf-8") as fh:
                return list(csv.DictReader(fh))
        if fmt == "wire":
            with open(out, encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()]
        with open(out, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    # -- migrate -----------------------------------------------------------------

    def test_migrate_sends_migrate_signals_per_app(self):
        pre = [(l["sender"], l["app_label"], l["depth"]) for l in self.migrate if l.get("signal") == "pre_migrate"]
        post = [(l["sender"], l["app_label"], l["depth"]) for l in self.migrate if l.get("signal") == "post_migrate"]
        apps = [("contenttypes", "contenttypes", 0), ("auth", "auth", 0), ("shop", "shop", 0)]
        self.assertEqual(pre, apps)
        self.assertEqual(post, apps)

    def test_post_migrate_receivers_nest_their_saves(self):
        # create_contenttypes builds ContentType rows (bulk_create: pre_init and
        # post_init only) while post_migrate runs: depth 1.
        index = next(i for i, l in enumerate(self.migrate) if l.get("signal") == "post_migrate")
        nested = [l for l in self.migrate[index + 1:] if l.get("signal") == "pre_init"
                  and l["sender"] == "ContentType"]
        self.assertTrue(nested)
        self.assertTrue(all(l["depth"] == 1 for l in nested))
        self.assertEqual([l["seq"] for l in self.migrate], list(range(1, len(self.migrate) + 1)))

    # -- a management command --------------------------------------------------------

    def test_command_signals_senders_and_nesting(self):
        lines = self.record("placeorder", "jsonl", "placeorder", "ann")
        shown = [(l["signal"], l["sender"], l["depth"]) for l in lines
                 if l["signal"] not in ("pre_init", "post_init")]
        self.assertEqual(shown, [
            ("pre_save", "Customer", 0), ("post_save", "Customer", 0),
            ("pre_save", "Order", 0), ("post_save", "Order", 0),
            ("pre_save", "Customer", 1), ("post_save", "Customer", 1),   # count_order saves the customer
            ("order_placed", "Order", 1),                                 # ... and sends the custom signal
            ("pre_save", "AuditEntry", 2), ("post_save", "AuditEntry", 2),  # audit_order
            ("pre_save", "Tag", 0), ("post_save", "Tag", 0),
            ("m2m_changed", "Order_tags", 0), ("m2m_changed", "Order_tags", 0),
            ("pre_delete", "Order", 0),
            ("pre_save", "AuditEntry", 1), ("post_save", "AuditEntry", 1),  # forget_order (AppConfig.ready)
            ("post_delete", "Order", 0),
        ])
        update = [l for l in lines if l["signal"] == "post_save" and l["depth"] == 1 and l["sender"] == "Customer"]
        self.assertEqual(update[0]["update_fields"], ["orders_placed"])
        created = next(l for l in lines if l["signal"] == "post_save" and l["sender"] == "Customer")
        self.assertEqual(update[0]["instance"], created["instance"])
        m2m = [l for l in lines if l["signal"] == "m2m_changed"]
        tag = next(l for l in lines if l["signal"] == "post_save" and l["sender"] == "Tag")["instance"]["pk"]
        self.assertEqual([(l["action"], l["model"], l["pk_set"]) for l in m2m],
                         [("pre_add", "Tag", [tag]), ("post_add", "Tag", [tag])])

    def test_command_receivers_by_name_and_place(self):
        rows = self.record("placeorder-csv", "csv", "placeorder", "bea")
        labels = [r["label"] for r in rows if r["kind"] == "receiver"]
        want = {
            "count_order": source_line("shop/signals.py", "def count_order"),
            "audit_order": source_line("shop/signals.py", "def audit_order"),
            "tags_changed": source_line("shop/signals.py", "def tags_changed"),
            "forget_order": source_line("shop/signals.py", "def forget_order"),
            "customer_saved": source_line("shop/signals.py", "def customer_saved"),
        }
        for name, line in want.items():
            self.assertIn("shop.signals.%s (shop/signals.py:%d)" % (name, line), labels)
        # In order: count_order runs inside post_save(Order) and audit_order inside it.
        count = next(r for r in rows if r["label"].startswith("shop.signals.count_order"))
        audit = next(r for r in rows if r["label"].startswith("shop.signals.audit_order"))
        self.assertEqual((int(count["depth"]), int(audit["depth"])), (1, 2))

    # -- the Django test suite: requests through the test client --------------------

    def test_test_run_records_requests_as_steps(self):
        lines = self.record("test", "jsonl", "test", "shop")
        started = [l for l in lines if l["signal"] == "request_started"]
        self.assertEqual(sorted((l["environ"]["REQUEST_METHOD"], l["environ"]["PATH_INFO"]) for l in started),
                         [("GET", "/orders/999/"), ("POST", "/orders/")])
        self.assertTrue(all(l["sender"] == "ClientHandler" and l["depth"] == 0 for l in started))
        post = next(l for l in started if l["environ"]["REQUEST_METHOD"] == "POST")
        step = [l for l in lines if l["step"] == post["step"]]
        self.assertEqual(step[0]["signal"], "request_started")
        self.assertEqual(step[-1]["signal"], "request_finished")
        self.assertIn(("post_save", "Order", 0), [(l["signal"], l["sender"], l["depth"]) for l in step])
        self.assertIn(("order_placed", "Order", 1), [(l["signal"], l["sender"], l["depth"]) for l in step])
        # The agent changes nothing: no receiver listens to Note, no delete signal for it.
        self.assertFalse([l for l in lines if l["signal"] in ("pre_delete", "post_delete") and l["sender"] == "Note"])
        self.assertTrue([l for l in lines if l["signal"] == "post_save" and l["sender"] == "Note"])

    def test_wire_stream_begins_with_hello(self):
        events = self.record("placeorder-wire", "wire", "placeorder", "cy")
        hello = events[0]
        self.assertEqual((hello["e"], hello["format"], hello["version"]), ("hello", "signalscope-wire", 1))
        self.assertEqual(hello["argv"], ["manage.py", "placeorder", "cy"])
        self.assertTrue(hello["django"].startswith("3.2"))
        self.assertEqual(events[-1]["e"], "bye")
        connects = [e for e in events if e["e"] == "connect" and e["signal"] == "django.db.models.signals.pre_delete"
                    and e.get("uid") == "shop.forget_order"]
        self.assertEqual(len(connects), 1)

    def test_exit_status_is_the_commands(self):
        self.record("fails", "jsonl", "placeorder", expect=2)   # argparse: the customer is missing
        self.assertIn("signalscope record: 1 process(es)", self.last_stderr)

    def test_a_second_process_is_recorded_too(self):
        # The command starts another Django process: both connect, both are kept.
        code = ("import subprocess, sys; from shop.models import Tag; Tag.objects.create(label='parent'); "
                "sys.exit(subprocess.call([sys.executable, 'manage.py', 'placeorder', 'child']))")
        lines = self.record("two", "jsonl", "shell", "-c", code)
        self.assertIn("a second Python process connected", self.last_stderr)
        self.assertIn("2 process(es)", self.last_stderr)
        senders = [l["sender"] for l in lines if l["signal"] == "post_save" and l["depth"] == 0]
        self.assertIn("Tag", senders)
        self.assertIn("Order", senders)
        self.assertGreater(max(l["step"] for l in lines), 0)   # the child's command is its own step

    def test_a_process_dying_mid_send_keeps_what_arrived(self):
        # A receiver kills the process inside post_save: no `bye`, the send never
        # ends. (It waits first: the agent writes every 0.1 s, and a process
        # killed outright loses what it had not written yet.)
        code = ("import os, time; from django.db.models.signals import post_save; from shop.models import Tag\n"
                "def die(**kw): time.sleep(0.5); os._exit(3)\n"
                "post_save.connect(die, sender=Tag, weak=False)\n"
                "Tag.objects.create(label='last')")
        out = os.path.join(self.tmp.name, "dies.csv")
        run = subprocess.run([SIGNALSCOPE, "record", "--format", "csv", "--trace", out, "--",
                              PYTHON, "manage.py", "shell", "-c", code],
                             cwd=HERE, env=self.env, capture_output=True, text=True)
        self.assertEqual(run.returncode, 3, run.stderr)
        self.assertIn("without \"bye\"", run.stderr)
        self.assertIn("1 send(s) were running", run.stderr)
        with open(out, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        post = [r for r in rows if r["kind"] == "send" and r["signal"] == "post_save" and r["sender"] == "Tag"]
        self.assertEqual(len(post), 1)
        self.assertEqual(post[0]["status"], "unfinished")
        self.assertTrue([r for r in rows if r["label"].startswith("__main__.die") or "die" in r["label"]])

    def test_agent_is_transparent(self):
        # Return values, exceptions and send_robust's log are Django's own, and
        # an internal error of the agent only leaves sends unrecorded.
        code = "\n".join([
            "import logging, sys",
            "from django.dispatch import Signal",
            "import signalscope_agent",
            "assert signalscope_agent._agent.active",
            "ping = Signal()",
            "signalscope_agent.name_signal(ping, 'pingsignals.ping')   # shell -c code has no module of its own",
            "def ok(sender, **kw): return 'fine'",
            "def bad(sender, **kw): raise ValueError('boom')",
            "ping.connect(ok, weak=False); ping.connect(bad, weak=False)",
            "error = ValueError('x')",
            "try:",
            "    ping.send(sender=None)",
            "except ValueError as exc:",
            "    error = exc",
            "assert error.args == ('boom',), error",
            "records = []",
            "handler = logging.Handler(); handler.emit = records.append",
            "logging.getLogger('django.dispatch').addHandler(handler)",
            "result = ping.send_robust(sender=None)",
            "assert [r for r, _ in result] == [ok, bad], result",
            "assert result[0][1] == 'fine' and isinstance(result[1][1], ValueError)",
            "assert records and 'bad' in records[0].getMessage(), [r.getMessage() for r in records]",
            "ping.disconnect(bad)",
            "assert ping.send(sender=None) == [(ok, 'fine')]",
            "signalscope_agent._agent._begin_send = lambda *a: 1 / 0",
            "assert ping.send(sender=None) == [(ok, 'fine')]",
            "print('transparent')",
        ])
        out = os.path.join(self.tmp.name, "transparent.jsonl")
        run = subprocess.run([SIGNALSCOPE, "record", "--trace", out, "--", PYTHON, "manage.py", "shell", "-c", code],
                             cwd=HERE, env=self.env, capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("transparent", run.stdout)
        self.assertIn("signalscope-agent: internal error (ZeroDivisionError", run.stderr)
        with open(out, encoding="utf-8") as fh:
            lines = [json.loads(line) for line in fh]
        pings = [l for l in lines if l.get("signal") == "ping"]
        self.assertEqual(len(pings), 3)                 # the fourth send was not recorded
        errors = [(l["depth"], l["error"], l["message"]) for l in lines if "error" in l]
        self.assertEqual(errors, [(1, "ValueError", "boom")])  # send_robust's, not the plain send's

    def test_command_line_errors(self):
        def run(*args):
            done = subprocess.run([SIGNALSCOPE, "record"] + list(args), cwd=self.tmp.name,
                                  capture_output=True, text=True)
            return done.returncode, done.stderr
        code, err = run("--format", "xml", "--", "true")
        self.assertEqual(code, 2)
        self.assertIn("unknown trace format 'xml'", err)
        code, err = run()
        self.assertEqual(code, 2)
        self.assertIn("no command given", err)
        code, err = run("--trace", "x.jsonl", "--", "/nonexistent/command")
        self.assertEqual(code, 127)
        self.assertIn("cannot start /nonexistent/command", err)
        code, err = run("--trace", "x.jsonl", "--", "sh", "-c", "exit 7")
        self.assertEqual(code, 7)
        self.assertIn("no process connected", err)

    def test_debug_off_is_refused(self):
        env = dict(self.env, DJANGO_SETTINGS_MODULE="shopsite.settings_nodebug")
        out = os.path.join(self.tmp.name, "nodebug.jsonl")
        run = subprocess.run([SIGNALSCOPE, "record", "--trace", out, "--", PYTHON, "manage.py", "check"],
                             cwd=HERE, env=env, capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("DEBUG is off", run.stderr)
        with open(out, encoding="utf-8") as fh:
            self.assertEqual(fh.read(), "")


def main():
    global SIGNALSCOPE
    parser = argparse.ArgumentParser()
    parser.add_argument("--signalscope", required=True)
    args, rest = parser.parse_known_args()
    SIGNALSCOPE = os.path.abspath(args.signalscope)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
