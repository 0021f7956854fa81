"""Run by check_agent_shapes.py in a child process, with the agent and
fakedjango/ on sys.path: records sends through the fake dispatcher of the
shape FAKE_DJANGO_SHAPE asks for, and prints (as JSON) what the process saw
-- what Django's calls returned and raised with the agent on."""
import asyncio
import json
import sys
import threading

import signalscope_agent

signalscope_agent.install(file=sys.argv[1], force=True)

from django.dispatch import Signal               # noqa: E402  (the fake, patched on import)
from django.dispatch import dispatcher           # noqa: E402

ping, inner, bad, quiet = Signal(), Signal(), Signal(), Signal()
for signal, name in ((ping, "t.ping"), (inner, "t.inner"), (bad, "t.bad"), (quiet, "t.quiet")):
    signalscope_agent.name_signal(signal, name)
HAS_ASYNC = hasattr(Signal, "asend")
seen = {}
threads = []


def sync_receiver(sender, **kwargs):
    threads.append(threading.current_thread() is threading.main_thread())
    inner.send(sender="from-sync")
    return "sync-result"


async def async_receiver(sender, **kwargs):
    inner.send(sender="from-async")
    return "async-result"


def inner_receiver(sender, **kwargs):
    return None


ERROR = ValueError("boom")


def raiser(sender, **kwargs):
    raise ERROR


async def async_raiser(sender, **kwargs):
    raise KeyError("async boom")


def pairs(result):
    return [[getattr(r, "__name__", repr(r)), v if isinstance(v, (str, type(None))) else type(v).__name__]
            for r, v in result]


ping.connect(sync_receiver)
if HAS_ASYNC:
    ping.connect(async_receiver)
inner.connect(inner_receiver, dispatch_uid="inner-uid")
seen["shape"] = sorted({len(entry) for entry in ping.receivers})
seen["send"] = pairs(ping.send(sender="S"))
seen["send_identity"] = [r for r, _ in ping.send(sender="S")] == [r for r in (sync_receiver, async_receiver)
                                                                    if r is sync_receiver or HAS_ASYNC]
if HAS_ASYNC:
    seen["asend"] = pairs(asyncio.run(ping.asend(sender="A")))
    seen["asend_robust"] = pairs(asyncio.run(ping.asend_robust(sender="AR")))
    seen["asend_sync_in_worker"] = threads[-1] is False

live_before = dispatcher.live_calls[0]
seen["quiet"] = quiet.send(sender="Q")
seen["quiet_robust"] = quiet.send_robust(sender="Q")
if HAS_ASYNC:
    seen["quiet_async"] = asyncio.run(quiet.asend(sender="Q"))
seen["quiet_live_calls"] = dispatcher.live_calls[0] - live_before

bad.connect(raiser)
try:
    bad.send(sender=None)
    seen["raise"] = "nothing"
except ValueError as exc:
    seen["raise"] = "same" if exc is ERROR else "other"
robust = bad.send_robust(sender=None)
seen["robust"] = [robust[0][0] is raiser, robust[0][1] is ERROR]
if HAS_ASYNC:
    bad.connect(async_raiser)
    try:
        asyncio.run(bad.asend(sender=None))
        seen["araise"] = "nothing"
    except ValueError as exc:
        seen["araise"] = "same" if exc is ERROR else "other"
    robust = asyncio.run(bad.asend_robust(sender=None))
    seen["arobust"] = [robust[0][0] is raiser, robust[0][1] is ERROR,
                       robust[1][0] is async_raiser, type(robust[1][1]).__name__]
# request_started: WSGI sends the environ, ASGI the scope; both carry headers and cookies.
from django.core.signals import request_started  # noqa: E402
request_started.connect(inner_receiver)
SCOPE = {"type": "http", "path": "/shop/", "headers": [(b"cookie", b"sessionid=SECRET-1"),
                                                       (b"authorization", b"Bearer SECRET-2")]}
if HAS_ASYNC:
    asyncio.run(request_started.asend(sender="ASGIHandler", scope=SCOPE))
else:
    request_started.send(sender="ASGIHandler", scope=SCOPE)
request_started.send(sender="WSGIHandler", environ={"PATH_INFO": "/shop/", "HTTP_COOKIE": "sessionid=SECRET-3"})
seen["failed_qualnames"] = sorted(set(Signal.failed_qualnames))
seen["disconnect"] = [bad.disconnect(raiser), bad.disconnect(raiser)]
print(json.dumps(seen))
