"""A minimal dispatcher of our own with the three receiver shapes Django
has had, chosen by FAKE_DJANGO_SHAPE:

  2: receivers [(lookup_key, ref)],                       _live_receivers -> [receivers]
  3: receivers [(lookup_key, ref, is_async)],             _live_receivers -> (sync, async)
  4: receivers [(lookup_key, ref, sender_ref, is_async)], _live_receivers -> (sync, async)

Shapes 3 and 4 have asend/asend_robust; sync receivers under asend run in a
worker thread and async receivers under send in a fresh event loop in
another thread, each with a copy of the caller's contextvars (what asgiref's
sync_to_async/async_to_sync do). Sync receivers are called before async
ones. Every _live_receivers call is counted, so a test can tell whether a
send with no receivers took the early return."""
import asyncio
import contextvars
import inspect
import os
import threading
import weakref

SHAPE = int(os.environ.get("FAKE_DJANGO_SHAPE", "3"))
NO_RECEIVERS = object()
live_calls = [0]


def _make_id(target):
    if hasattr(target, "__func__"):
        return (id(target.__self__), id(target.__func__))
    return id(target)


NONE_ID = _make_id(None)


def _in_thread(function):
    """Run function() in another thread with a copy of this context."""
    context = contextvars.copy_context()
    box = {}

    def run():
        try:
            box["result"] = context.run(function)
        except BaseException as exc:    # handed back to the caller
            box["error"] = exc
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


class Signal:
    def __init__(self, use_caching=False):
        self.receivers = []
        self.lock = threading.Lock()
        self.sender_receivers_cache = {}

    def connect(self, receiver, sender=None, weak=True, dispatch_uid=None):
        key = (dispatch_uid or _make_id(receiver), _make_id(sender))
        is_async = inspect.iscoroutinefunction(receiver)
        if weak:
            ref = weakref.WeakMethod if hasattr(receiver, "__self__") else weakref.ref
            receiver = ref(receiver)
        sender_ref = weakref.ref(sender) if sender is not None else None
        entry = {2: (key, receiver), 3: (key, receiver, is_async),
                 4: (key, receiver, sender_ref, is_async)}[SHAPE]
        with self.lock:
            if not any(r_key == key for r_key, *_ in self.receivers):
                self.receivers.append(entry)
            self.sender_receivers_cache.clear()

    def disconnect(self, receiver=None, sender=None, dispatch_uid=None):
        key = (dispatch_uid or _make_id(receiver), _make_id(sender))
        with self.lock:
            for index, (r_key, *_) in enumerate(self.receivers):
                if r_key == key:
                    del self.receivers[index]
                    self.sender_receivers_cache.clear()
                    return True
        return False

    def _live_receivers(self, sender):
        live_calls[0] += 1
        sync, asynchronous = [], []
        for entry in self.receivers:
            (_, r_sender), ref = entry[0], entry[1]
            is_async = entry[-1] if SHAPE > 2 else False
            if r_sender not in (NONE_ID, _make_id(sender)):
                continue
            if SHAPE == 4 and entry[2] is not None and entry[2]() is None:
                continue
            receiver = ref() if isinstance(ref, weakref.ReferenceType) else ref
            if receiver is not None:
                (asynchronous if is_async else sync).append(receiver)
        if SHAPE == 2:
            return sync
        return sync, asynchronous

    def _split(self, sender):
        live = self._live_receivers(sender)
        return (live, []) if SHAPE == 2 else live

    def _early_return(self, sender):
        return not self.receivers or self.sender_receivers_cache.get(sender) is NO_RECEIVERS

    def send(self, sender, **named):
        if self._early_return(sender):
            return []
        sync, asynchronous = self._split(sender)
        responses = [(r, r(signal=self, sender=sender, **named)) for r in sync]
        if asynchronous:
            async def gather():
                return await asyncio.gather(*(r(signal=self, sender=sender, **named)
                                              for r in asynchronous))
            responses.extend(zip(asynchronous, _in_thread(lambda: asyncio.run(gather()))))
        return responses

    def send_robust(self, sender, **named):
        if self._early_return(sender):
            return []
        sync, asynchronous = self._split(sender)
        responses = []
        for receiver in sync:
            try:
                responses.append((receiver, receiver(signal=self, sender=sender, **named)))
            except Exception as err:
                self.failed_qualnames.append(receiver.__qualname__)
                responses.append((receiver, err))
        if asynchronous:
            async def gather():
                return await asyncio.gather(*(self._caught(r, sender, named) for r in asynchronous))
            responses.extend(zip(asynchronous, _in_thread(lambda: asyncio.run(gather()))))
        return responses

    failed_qualnames = []   # send_robust logs receiver.__qualname__ as Django does

    async def _caught(self, receiver, sender, named):
        try:
            return await receiver(signal=self, sender=sender, **named)
        except Exception as err:
            self.failed_qualnames.append(receiver.__qualname__)
            return err

    async def _sync_in_worker(self, sync, sender, named, robust):
        def run():
            responses = []
            for receiver in sync:
                try:
                    responses.append((receiver, receiver(signal=self, sender=sender, **named)))
                except Exception as err:
                    if not robust:
                        raise
                    self.failed_qualnames.append(receiver.__qualname__)
                    responses.append((receiver, err))
            return responses
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(None, context.run, run)

    async def _asend(self, sender, named, robust):
        if self._early_return(sender):
            return []
        sync, asynchronous = self._split(sender)
        responses = await self._sync_in_worker(sync, sender, named, robust) if sync else []
        calls = (self._caught(r, sender, named) if robust else r(signal=self, sender=sender, **named)
                 for r in asynchronous)
        responses.extend(zip(asynchronous, await asyncio.gather(*calls)))
        return responses

    if SHAPE > 2:
        async def asend(self, sender, **named):
            return await self._asend(sender, named, False)

        async def asend_robust(self, sender, **named):
            return await self._asend(sender, named, True)
