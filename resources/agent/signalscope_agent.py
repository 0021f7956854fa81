"""SignalScope agent: records the real signals of a running Django process.

One file, nothing beyond Django and the standard library. It hooks Django's
dispatcher where Django itself dispatches -- ``Signal.send``,
``Signal.send_robust`` (and ``asend``/``asend_robust`` where they exist), the
live receivers a send calls (wrapped the way Sentry wraps
``_live_receivers``), ``connect`` and ``disconnect`` -- and streams what
happens as the SignalScope wire format (JSON Lines, version 1, described in
README.md) to the SignalScope that asked for it, or to a file.

It must not change what Django does:
  - it never connects a receiver (a connected receiver would turn off the
    deletion collector's fast path and change which signals fire);
  - a send with no receivers takes Django's own early return, and is
    recorded as one ``send`` line with ``"nr": true``;
  - a receiver's exception propagates (or is swallowed by ``send_robust``)
    exactly as without the agent -- the same exception object;
  - the return value of ``send`` lists Django's receivers, not the agent's
    wrappers; ``send_robust``'s log line names the receiver's ``__qualname__``.

It records only on request: ``SIGNALSCOPE_SOCKET`` (a local socket the
SignalScope application listens on, user-only access) or ``SIGNALSCOPE_FILE``
(``{pid}`` is replaced by the process id), read by ``install_from_env()`` (the
``sitecustomize`` shim next to this file calls it), or an explicit
``install(socket=..., file=...)``. It refuses to record a project whose
``DEBUG`` is off unless ``SIGNALSCOPE_FORCE=1`` (or ``force=True``), never
listens on a port, and redacts request headers, cookies and secret settings.

Other environment variables: ``SIGNALSCOPE_SIGNALS`` / ``SIGNALSCOPE_EXCLUDE``
(comma-separated names, short ``post_save`` or dotted, ``fnmatch`` patterns
allowed), ``SIGNALSCOPE_AGGREGATE=init`` (``pre_init``/``post_init`` sends
without receivers are counted per sender instead of written one by one).

Works on Django 3.2 to 5.x by feature detection: receivers stored as 2-, 3-
or 4-tuples (the lookup key is always first), ``_live_receivers`` returning a
list or a (sync, async) pair, ``asend``/``asend_robust`` hooked when present.
"""

import atexit
import collections
import contextvars
import fnmatch
import itertools
import importlib.abc
import importlib.util
import json
import os
import re
import socket
import sys
import threading
import time
import types

WIRE_FORMAT = "signalscope-wire"
WIRE_VERSION = 1

MAX_STRING = 2000           # longer strings (and reprs) are cut, marked with "..."
MAX_ITEMS = 200             # longer lists/dicts are cut
MAX_NESTING = 8             # deeper values become their repr
REDACTED = "********"
# Django's own list of setting names whose values it hides (debug pages).
SECRET_SETTING = re.compile("API|TOKEN|KEY|SECRET|PASS|SIGNATURE", re.I)
# WSGI environ keys that carry request headers or cookies.
HEADER_KEY = re.compile(r"^(HTTP_|CSRF_COOKIE|REMOTE_USER$)")

FLUSH_INTERVAL = 0.1        # seconds between flushes of the stream buffer
FLUSH_LINES = 4096          # flush at once when this many lines wait

# (id of the receiver call running now or None, its depth) per thread / task.
_CURRENT = contextvars.ContextVar("signalscope_current", default=(None, 0))
# The send whose _live_receivers call is to be wrapped: [signal, send id, depth, wrapped pairs].
_SENDING = contextvars.ContextVar("signalscope_sending", default=None)

_agent = None


_PLAIN = frozenset((type(None), bool, int))
# The optional flags of a send line, by (robust, async, no receivers).
_FLAGS = {(r, a, n): "".join(text for flag, text in ((r, ',"robust":true'), (a, ',"async":true'),
                                                    (n, ',"nr":true')) if flag)
          for r in (False, True) for a in (False, True) for n in (False, True)}


_perf_ns = time.perf_counter_ns
_int_text = int.__repr__
_quote = json.encoder.c_encode_basestring or json.encoder.py_encode_basestring
# The lines of the hot path are f-strings, not the JSON encoder nor `%`:
# one BUILD_STRING, a few times cheaper than parsing a format each time.


def _json_default(value):
    return {"$repr": _safe_repr(value)}


def _make_dumps():
    """Compact JSON of an already-encoded value. The C encoder, made once:
    json.dumps would build one per call, a large part of the agent's cost."""
    from json import encoder
    if encoder.c_make_encoder is not None:
        iterencode = encoder.c_make_encoder(None, _json_default, encoder.c_encode_basestring,
                                            None, ":", ",", False, False, True)
        return lambda value: "".join(iterencode(value, 0))
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False,
                            default=_json_default).encode


_dumps = _make_dumps()


def _make_fast_encoder(default):
    """The C encoder on raw values (returns the chunks): `default` encodes what
    JSON has no form for; NaN and infinities raise (allow_nan off), so the
    slow path takes them."""
    from json import encoder
    if encoder.c_make_encoder is None:
        def refuse(value, level):
            raise TypeError("no C JSON encoder")
        return refuse
    return encoder.c_make_encoder(None, default, encoder.c_encode_basestring,
                                  None, ":", ",", False, False, False)


# ---------------------------------------------------------------------------
# Encoding values (wire format, "Values")
# ---------------------------------------------------------------------------

def _cut(text):
    return text if len(text) <= MAX_STRING else text[:MAX_STRING] + "..."


def _safe_repr(value):
    try:
        return _cut(repr(value))
    except Exception as exc:            # a broken __repr__ must not break the send
        return "<%s.%s (repr failed: %s)>" % (type(value).__module__, type(value).__qualname__,
                                              type(exc).__name__)


class Encoder:
    """Signal arguments as JSON: JSON values as themselves, Django objects tagged.

    Never runs a query: a model instance is its label and pk (read from the
    instance), an unevaluated queryset is described, not evaluated, a form is
    not validated. Everything else is its repr.
    """

    def __init__(self):
        # Never imports: a connect made while django.db.models is still being
        # imported must not import it (nor reorder the lines by running the
        # connects of the modules it imports). Until it is loaded no instance
        # can exist; the agent builds the encoder again at the next use.
        self.complete = False
        self.labels = {}                # model class -> "app.Model"
        self.classes = {}               # class -> its encoding (shared: never modified)
        self.modules_seen = len(sys.modules)
        self.Model = self.AppConfig = self.QuerySet = self.Manager = ()
        self.Template = self.BaseContext = self.BaseForm = ()
        models = sys.modules.get("django.db.models")
        apps = sys.modules.get("django.apps")
        if models is None or apps is None or not hasattr(models, "QuerySet") \
                or not hasattr(models, "Manager") or not hasattr(apps, "AppConfig"):
            return
        self.Model = models.Model
        self.AppConfig = apps.AppConfig
        self.QuerySet = models.QuerySet
        self.Manager = models.Manager
        self.complete = True
        template = sys.modules.get("django.template.base")
        context = sys.modules.get("django.template.context")
        forms = sys.modules.get("django.forms")
        self.Template = getattr(template, "Template", ())
        self.BaseContext = getattr(context, "BaseContext", ())
        self.BaseForm = getattr(forms, "BaseForm", ())
        # Template engine and forms may be imported later: look again then.
        self.complete = bool(self.Template and self.BaseContext and self.BaseForm)

    def __call__(self, value, nesting=0):
        kind = type(value)
        if kind in _PLAIN:              # None, bool, int: as they are
            return value
        if kind is str:
            return value if len(value) <= MAX_STRING else value[:MAX_STRING] + "..."
        if kind is float:
            return value if value == value and value not in (float("inf"), float("-inf")) \
                else {"$repr": repr(value)}
        if nesting > MAX_NESTING:
            return {"$repr": _safe_repr(value)}
        if isinstance(value, self.Model):
            label = self.labels.get(kind)
            if label is None:
                label = self.labels[kind] = value._meta.label
            return {"$instance": label, "pk": self(value.pk, nesting + 1)}
        if kind is tuple or kind is list:
            if not value:
                return []
            return [self(v, nesting + 1) for v in value[:MAX_ITEMS]]
        if kind is dict:
            return self.mapping(value, nesting)
        if isinstance(value, type):
            # Classes (senders, mostly) are encoded once.
            encoded = self.classes.get(value)
            if encoded is None:
                if issubclass(value, self.Model):
                    encoded = {"$model": value._meta.label}
                else:
                    encoded = {"$class": "%s.%s" % (value.__module__, value.__qualname__)}
                self.classes[value] = encoded
            return encoded
        if isinstance(value, self.AppConfig):
            return {"$app": value.label}
        if isinstance(value, (set, frozenset)):
            items = [self(v, nesting + 1) for v in list(value)[:MAX_ITEMS]]
            try:
                # sorted() as Python has it: ints and floats together by value,
                # other kinds apart by type name (deterministic for mixed sets).
                items.sort(key=lambda v: ("float", v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                           else (type(v).__name__, v))
            except TypeError:
                pass
            return {"$set": items}
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return self(float(value), nesting)
        if isinstance(value, str):
            return _cut(str(value))
        if isinstance(value, self.QuerySet):
            if value._result_cache is None:     # repr would run the query
                return {"$repr": "<QuerySet %s (not evaluated)>" % value.model._meta.label}
            return {"$repr": _safe_repr(value)}
        if isinstance(value, self.Manager):
            return {"$repr": "<Manager %s>" % getattr(value.model, "_meta", None).label
                    if getattr(value, "model", None) is not None else "<Manager>"}
        if self.Template and isinstance(value, self.Template):
            return {"$template": value.name}
        if self.BaseContext and isinstance(value, self.BaseContext):
            return {"$context": self.context(value, nesting)}
        if self.BaseForm and isinstance(value, self.BaseForm):
            return {"$repr": "<%s form>" % type(value).__qualname__}   # repr would validate it
        if isinstance(value, BaseException):
            return {"$exception": type(value).__qualname__, "message": self.message(value)}
        if isinstance(value, (list, tuple)):
            return [self(v, nesting + 1) for v in list(value)[:MAX_ITEMS]]
        if isinstance(value, dict):
            return self.mapping(value, nesting)
        return {"$repr": _safe_repr(value)}

    def mapping(self, value, nesting):
        out = {}
        tagged = False
        try:
            items = value.items() if len(value) <= MAX_ITEMS else list(value.items())[:MAX_ITEMS]
            for key, item in items:
                if type(key) is not str:
                    key = _safe_repr(key)
                elif key[:1] == "$":
                    tagged = True
                out[key] = self(item, nesting + 1)
        except RuntimeError:            # changed by another thread while read
            return {"$repr": _safe_repr(value)}
        return {"$dict": out} if tagged else out   # never mistaken for a tagged value

    def context(self, context, nesting):
        """A template context's variables (what ``flatten()`` gives), minus
        Django's built-ins True/False/None and the ``block`` it sets in blocks."""
        flat = {}
        for layer in getattr(context, "dicts", ()):
            if isinstance(layer, dict):
                flat.update(layer)
            elif isinstance(layer, self.BaseContext):
                flat.update(layer.flatten())
        for key in ("True", "False", "None", "block"):
            flat.pop(key, None)
        return self.mapping(flat, nesting)

    def message(self, exc):
        first = exc.args[0] if exc.args else ""
        return _cut(first if isinstance(first, str) else _safe_repr(first))

    def environ(self, environ):
        """A WSGI environ with header and cookie values redacted."""
        out = {}
        for key, item in environ.items():
            if type(key) is str and HEADER_KEY.match(key):
                out[key] = REDACTED
            else:
                out[key if type(key) is str else _safe_repr(key)] = self(item, MAX_NESTING - 1)
        return out

    def scope(self, scope):
        """An ASGI scope with its header values redacted (the names stay)."""
        out = {}
        for key, item in scope.items():
            key = key if type(key) is str else _safe_repr(key)
            if key == "headers" and isinstance(item, (list, tuple)):
                out[key] = [[self(header[0], MAX_NESTING - 1), REDACTED]
                            if isinstance(header, (list, tuple)) and header else REDACTED
                            for header in item]
            else:
                out[key] = self(item, MAX_NESTING - 1)
        return out


# ---------------------------------------------------------------------------
# Transport
# ---------------------------------------------------------------------------

class Stream:
    """Lines buffered and written in batches by a daemon thread (and at exit).

    The buffer is one deque for the life of the stream: the hot path appends
    through `append` (deque.append, atomic, no Python frame), the writer pops
    from the other end, so no line is lost between the two threads.

    A failed write (SignalScope went away) stops the recording with one
    message on stderr; the process itself carries on untouched.
    """

    def __init__(self, socket_path=None, file_path=None):
        self.socket_path = socket_path
        self.file_path = file_path
        self.lines = collections.deque()
        self.append = self.lines.append
        self.lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.wake = threading.Event()
        self.out = None
        self.broken = False
        self.thread = None
        self.open()

    def open(self):
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.socket_path)
            self.out = sock
        else:
            path = self.file_path.replace("{pid}", str(os.getpid()))
            self.out = open(path, "ab", buffering=0)

    def reopen_after_fork(self):
        """A forked child gets its own connection (or file) and drops the
        parent's unwritten lines, which the parent writes itself."""
        self.lines.clear()
        self.lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.wake = threading.Event()
        self.thread = None
        self.out = None
        if self.broken:
            return
        try:
            self.open()
        except OSError as exc:
            self.fail(exc)

    def put(self, line):
        self.append(line)
        if self.thread is None:
            self.start()
        elif len(self.lines) >= FLUSH_LINES:
            self.flush()

    def start(self):
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="signalscope-agent", daemon=True)
                self.thread.start()

    def run(self):
        while not self.broken:
            self.wake.wait(FLUSH_INTERVAL)
            self.flush()

    def flush(self):
        with self.write_lock:
            popleft = self.lines.popleft
            lines = [popleft() for _ in range(len(self.lines))]
            if not lines or self.broken or self.out is None:
                return
            data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
            try:
                if self.socket_path:
                    self.out.sendall(data)
                else:
                    self.out.write(data)
            except (OSError, ValueError) as exc:
                self.fail(exc)

    def fail(self, exc):
        self.broken = True
        sys.stderr.write("signalscope-agent: recording stopped (%s)\n" % exc)

    def close(self):
        self.flush()
        try:
            if self.out is not None:
                if self.socket_path:
                    self.out.shutdown(socket.SHUT_WR)
                self.out.close()
        except OSError:
            pass
        self.out = None


# ---------------------------------------------------------------------------
# The agent
# ---------------------------------------------------------------------------

class Agent:
    def __init__(self, stream, force=False, signals=None, exclude=None, aggregate=()):
        self.stream = stream
        self.force = force
        self.include = [p for p in (signals or []) if p]
        self.exclude = [p for p in (exclude or []) if p]
        self.aggregate = set(aggregate)
        self.decided = False            # DEBUG checked
        self.active = True
        self.pending = []               # lines written before DEBUG could be checked
        self.clock0 = time.perf_counter_ns()
        self.dumps = _dumps
        self.fast_encode = _make_fast_encoder(self.fast_default)
        self.counter = itertools.count(1)   # next() on it is atomic under the GIL
        self.send_info = {}             # id(signal) -> (signal, name, recorded?, aggregated?, special?, name as JSON)
        self.sender_texts = {}          # None or a class -> its JSON
        self.key_texts = {}             # argument name -> its JSON and ":"
        self.instance_prefixes = {}     # model class -> ('{"$instance":"app.Model","pk":', pk attname)
        self._encoder = None
        self.signal_names = {}          # id(signal) -> (signal, dotted name or None)
        self.signal_origins = {}        # id(signal) -> (signal, module that created it)
        self.names_seen_modules = 0
        self.wanted = {}                # dotted name -> recorded?
        self.receiver_ids = {}          # receiver key -> rid
        self.counts = {}                # (signal name, sender) -> count (aggregate mode)
        self.dispatcher = None
        self.internal_errors = 0

    @property
    def encode(self):
        encoder = self._encoder
        if encoder is None or (not encoder.complete and encoder.modules_seen != len(sys.modules)):
            encoder = self._encoder = Encoder()
        return encoder

    # -- lines -------------------------------------------------------------

    def next_id(self):
        return next(self.counter)

    def now(self):
        return time.perf_counter_ns() - self.clock0

    def emit(self, obj):
        line = self.dumps(obj)
        if self.decided:
            self.stream.put(line)
        else:
            self.pending.append(line)

    def hello(self):
        import django
        return {
            "e": "hello", "format": WIRE_FORMAT, "version": WIRE_VERSION,
            "django": django.get_version(), "python": sys.version.split()[0],
            "pid": os.getpid(), "ppid": os.getppid(), "argv": list(sys.argv) or [sys.executable],
            "executable": sys.executable, "cwd": os.getcwd(),
            "filters": {"signals": self.include, "exclude": self.exclude,
                        "aggregate": sorted(self.aggregate)},
        }

    def decide(self):
        """Record only a DEBUG project (or when forced): checked once, at the
        first send after settings are configured."""
        from django.conf import settings
        if not settings.configured:
            return
        self.decided = True
        debug = bool(settings.DEBUG)
        if not debug and not self.force:
            self.active = False
            self.pending = []
            self.stream.put(self.dumps({
                "e": "refused", "reason": "DEBUG is off in this project's settings; set "
                "SIGNALSCOPE_FORCE=1 to record it anyway"}))
            sys.stderr.write("signalscope-agent: not recording: DEBUG is off "
                             "(SIGNALSCOPE_FORCE=1 records anyway)\n")
            self.stream.flush()
            return
        pending, self.pending = self.pending, []
        for line in pending:
            self.stream.put(line)
        self.stream.start()
        self.put_line = self.stream.append      # the hot path: no frame (the writer flushes every 0.1 s)

    # -- names -------------------------------------------------------------

    def signal_name(self, signal):
        entry = self.signal_names.get(id(signal))
        if entry is not None and entry[0] is signal and (entry[1] is not None
                                                        or len(sys.modules) == self.names_seen_modules):
            return entry[1]
        name = self.find_signal_name(signal)
        self.signal_names[id(signal)] = (signal, name)
        return name

    def find_signal_name(self, signal):
        """The dotted name of the module attribute holding the signal: in the
        module that created it, else (a signal created elsewhere, then
        re-exported) among all modules the one named like *signals, then the
        shortest."""
        self.names_seen_modules = len(sys.modules)
        Signal = self.dispatcher.Signal
        origin = self.signal_origins.get(id(signal))
        if origin is not None and origin[0] is signal:
            namespace = getattr(sys.modules.get(origin[1]), "__dict__", None) or {}
            for attr, value in list(namespace.items()):
                if value is signal:
                    return "%s.%s" % (origin[1], attr)
        best = None
        for module_name, module in list(sys.modules.items()):
            namespace = getattr(module, "__dict__", None)
            if not isinstance(namespace, dict) or module_name == __name__:
                continue
            try:
                items = list(namespace.items())
            except RuntimeError:
                continue
            for attr, value in items:
                if value is signal and isinstance(value, Signal):
                    rank = (0 if module_name.rsplit(".", 1)[-1].endswith("signals") else 1,
                            len(module_name), module_name, attr)
                    if best is None or rank < best[0]:
                        best = (rank, "%s.%s" % (module_name, attr))
        return best[1] if best else None

    def name_signal(self, signal, name):
        self.signal_names[id(signal)] = (signal, name)
        self.wanted.pop(name, None)

    def is_wanted(self, name):
        wanted = self.wanted.get(name)
        if wanted is None:
            short = name.rsplit(".", 1)[-1]

            def matches(patterns):
                return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(short, p)
                           for p in patterns)
            wanted = (not self.include or matches(self.include)) and not matches(self.exclude)
            self.wanted[name] = wanted
        return wanted

    def receiver_key(self, receiver):
        if type(receiver) is types.FunctionType:     # most receivers; hasattr would raise inside
            return id(receiver)
        if hasattr(receiver, "__func__") and hasattr(receiver, "__self__"):
            return (id(receiver.__self__), id(receiver.__func__))
        return id(receiver)

    def receiver_id(self, receiver):
        """The rid of a receiver, declared with a ``receiver`` line the first time."""
        key = self.receiver_key(receiver)
        entry = self.receiver_ids.get(key)
        if entry is not None and entry[1]() is not None:
            return entry[0]
        rid = self.next_id()
        func = getattr(receiver, "__func__", receiver)
        target = func
        while hasattr(target, "func") and not hasattr(target, "__code__"):   # functools.partial
            target = target.func
        code = getattr(target, "__code__", None)
        if code is None:
            call = getattr(type(target), "__call__", None)
            code = getattr(call, "__code__", None)
        module = getattr(func, "__module__", None) or type(func).__module__
        qualname = getattr(func, "__qualname__", None) or type(func).__qualname__
        self.emit({"e": "receiver", "rid": rid, "name": "%s.%s" % (module, qualname),
                   "file": code.co_filename if code else None,
                   "line": code.co_firstlineno if code else None})
        holder = getattr(receiver, "__self__", receiver)
        try:
            import weakref
            ref = weakref.ref(holder)
        except TypeError:
            ref = (lambda keep: (lambda: keep))(holder)
        self.receiver_ids[key] = (rid, ref)
        return rid

    # -- connect / disconnect ------------------------------------------------

    def _on_connect(self, signal, receiver, sender, weak, dispatch_uid, added):
        name = self.signal_name(signal)
        if name is None or not self.is_wanted(name):
            return
        rid, encoded_sender = self.receiver_id(receiver), self.encode(sender)
        self.emit({"e": "connect", "t": self.now(), "signal": name, "rid": rid,
                   "sender": encoded_sender, "weak": bool(weak),
                   "uid": self.encode(dispatch_uid), "added": added})

    def _on_disconnect(self, signal, receiver, sender, dispatch_uid, removed):
        name = self.signal_name(signal)
        if name is None or not self.is_wanted(name):
            return
        rid = self.receiver_id(receiver) if receiver is not None else None
        encoded_sender = self.encode(sender)
        self.emit({"e": "disconnect", "t": self.now(), "signal": name, "rid": rid,
                   "sender": encoded_sender, "uid": self.encode(dispatch_uid),
                   "removed": bool(removed)})

    # -- sends -------------------------------------------------------------

    def arguments(self, name, named, encode):
        if name == "django.core.signals.request_started":
            # WSGI sends the environ, ASGI (any Django version) the scope:
            # both carry the request's headers and cookies.
            redact = {k: v for k, v in named.items() if k in ("environ", "scope") and isinstance(v, dict)}
            out = {k: encode(v) for k, v in named.items() if k not in redact}
            for k, v in redact.items():
                out[k] = encode.environ(v) if k == "environ" else encode.scope(v)
            return out
        if name.endswith(".setting_changed") and isinstance(named.get("setting"), str) \
                and SECRET_SETTING.search(named["setting"]):
            out = {k: encode(v) for k, v in named.items()}
            out["value"] = REDACTED
            return out
        return encode.mapping(named, 0) if named else {}

    def signal_send_info(self, signal):
        name = self.signal_name(signal)
        named = name is not None
        if not named:
            name = "<unnamed %s.%s at 0x%x>" % (type(signal).__module__,
                                                type(signal).__qualname__, id(signal))
        # Signals whose arguments need more than encoding (redaction) take the slow path.
        special = name == "django.core.signals.request_started" or name.endswith(".setting_changed")
        info = (signal, name, self.is_wanted(name), name in self.aggregate, special, _dumps(name))
        if named:                       # an unnamed signal is looked up again later
            self.send_info[id(signal)] = info
        return info

    def _begin_send(self, signal, sender, named, flags):
        """The ``send`` line; returns the send id, or None when not recorded.
        The hot path of the agent: every send of the process comes here.
        `flags`: the line's optional flags, one of _FLAGS (robust, async, no
        receivers), chosen by the hook."""
        if not self.decided:
            self.decide()
            if not self.active:
                return None
        info = self.send_info.get(id(signal))
        if info is None or info[0] is not signal:
            info = self.signal_send_info(signal)
        if not info[2]:
            return None
        name = info[1]
        if info[3] and '"nr"' in flags:        # aggregated: counted when Django has no receivers
            key = (name, id(sender))
            entry = self.counts.get(key)
            if entry is None:
                self.counts[key] = [sender, 1]
            else:
                entry[1] += 1
            return None
        parent, depth = _CURRENT.get()
        send_id = next(self.counter)
        t = _perf_ns() - self.clock0
        line = None
        if not info[4]:
            # The hot path: the fixed part formatted, the signal's and a class
            # sender's JSON cached, the arguments through the C encoder.
            try:
                sender_text = self.sender_texts.get(sender)
                if sender_text is None:
                    sender_text = "".join(self.fast_encode(sender, 0))
                    if sender is None or isinstance(sender, type):
                        self.sender_texts[sender] = sender_text
                args = self.args_text(named) if named else "{}"
                line = (f'{{"e":"send","id":{send_id},"t":{t},"signal":{info[5]},"sender":{sender_text},'
                        f'"args":{args},"depth":{depth},"parent":{"null" if parent is None else parent}'
                        f'{flags}}}')
            except Exception:
                line = None
        if line is None:
            event = {"e": "send", "id": send_id, "t": t, "signal": name, "sender": sender,
                     "args": named, "depth": depth, "parent": parent}
            if '"robust"' in flags:
                event["robust"] = True
            if '"async"' in flags:
                event["async"] = True
            if '"nr"' in flags:
                event["nr"] = True
            line = self.line(event, True)
        self.put_line(line)
        return send_id

    def line(self, event, special=False):
        """One event as a JSON line. Fast path: the C JSON encoder walks the raw
        values and calls back only for what JSON has no form for (instances,
        classes, sets, ...); anything it refuses (NaN, odd keys, cycles) and the
        signals that need redaction go the slow way through Encoder."""
        if not special:
            try:
                return "".join(self.fast_encode(event, 0))
            except Exception:
                pass
        encode = self.encode
        if "sender" in event:
            event["sender"] = encode(event["sender"])
        if "args" in event:
            event["args"] = self.arguments(event["signal"], event["args"], encode)
        if "result" in event:
            event["result"] = encode(event["result"])
        return self.dumps(event)

    def args_text(self, named):
        """The arguments' JSON, exactly as the C encoder writes it, built
        here for the common values (strings, ints, None, booleans, instances
        of models seen before: one cached prefix per model) and through the
        encoder for the others, one value at a time. Most sends (pre_init,
        post_init, pre_save, post_save...) never enter the encoder."""
        keys, prefixes = self.key_texts, self.instance_prefixes
        parts = []
        for key, value in named.items():
            k = keys.get(key)
            if k is None:
                if type(key) is not str:
                    return "".join(self.fast_encode(named, 0))
                k = keys[key] = _quote(key) + ":"
            kind = type(value)
            if kind is str:
                parts.append(f"{k}{_quote(value)}")
            elif value is None:
                parts.append(f"{k}null")
            elif kind is bool:
                parts.append(f"{k}true" if value else f"{k}false")
            elif kind is int:
                parts.append(f"{k}{_int_text(value)}")
            elif kind is tuple or kind is list or kind is dict:
                # Containers (pre_init's args and kwargs): the C encoder does them faster, all at once.
                return "".join(self.fast_encode(named, 0))
            else:
                model = prefixes.get(kind)
                if model is None:
                    parts.append(k + "".join(self.fast_encode(value, 0)))
                    label = self._encoder.labels.get(kind) if self._encoder is not None else None
                    if label is not None:
                        prefixes[kind] = ('{"$instance":%s,"pk":' % _quote(label), kind._meta.pk.attname)
                    continue
                # The pk as Model.pk reads it (getattr of the pk field's attname), without the property.
                pk = getattr(value, model[1])
                if type(pk) is int:
                    parts.append(f"{k}{model[0]}{_int_text(pk)}}}")
                else:
                    parts.append(f'{k}{model[0]}{"".join(self.fast_encode(pk, 0))}}}')
        return "{" + ",".join(parts) + "}"

    def fast_default(self, value):
        encode = self._encoder
        if encode is None or not encode.complete:
            encode = self.encode
        label = encode.labels.get(type(value))          # an instance of a model seen before
        if label is not None:
            return {"$instance": label, "pk": value.pk}
        if isinstance(value, type):
            encoded = encode.classes.get(value)         # a sender seen before
            if encoded is not None:
                return encoded
        return encode(value)

    # The hooks Django's code path calls: a bug of the agent must never become
    # an exception in the recorded process, only a send left unrecorded.
    def begin_send(self, *args):
        try:
            return self._begin_send(*args)
        except Exception as exc:
            self.internal_error(exc)
            return None

    def end_send(self, *args):
        try:
            self._end_send(*args)
        except Exception as exc:
            self.internal_error(exc)

    def on_connect(self, *args):
        try:
            self._on_connect(*args)
        except Exception as exc:
            self.internal_error(exc)

    def on_disconnect(self, *args):
        try:
            self._on_disconnect(*args)
        except Exception as exc:
            self.internal_error(exc)

    def internal_error(self, exc):
        self.internal_errors += 1
        if self.internal_errors == 1:
            sys.stderr.write("signalscope-agent: internal error (%s: %s); the sends concerned are not "
                             "recorded\n" % (type(exc).__name__, exc))

    def put_line(self, line):
        """Replaced by the stream's put once DEBUG is checked (decide()):
        until then lines wait in `pending`."""
        if self.decided:
            self.stream.put(line)
        else:
            self.pending.append(line)

    def _end_send(self, send_id, start, exc=None):
        if exc is None:
            t = _perf_ns() - self.clock0
            self.put_line(f'{{"e":"end","id":{send_id},"t":{t},"dur":{t - start}}}')
            return
        line = {"e": "end", "id": send_id, "t": self.now()}
        line["dur"] = line["t"] - start
        if exc is not None:
            line["exc"] = type(exc).__qualname__
            line["message"] = self.encode.message(exc)
        self.emit(line)

    def wrap(self, receiver, frame, index, is_async):
        """The receiver, as Django calls it for the send being recorded: a
        ``call`` line, the receiver (nested sends see this call as their
        parent), a ``return`` or ``raise`` line. One closure per call: the
        lines are formatted inline, the rare cases (a result, an exception)
        go through finish_call."""
        send_id, depth = frame[1], frame[2] + 1
        rid = self.receiver_id(receiver)
        counter, clock0, agent = self.counter, self.clock0, self
        cur_set, cur_reset = _CURRENT.set, _CURRENT.reset

        if is_async:
            async def call(*args, **kwargs):
                try:
                    call_id = next(counter)
                    start = _perf_ns() - clock0
                    agent.put_line(f'{{"e":"call","id":{call_id},"send":{send_id},"rid":{rid},"i":{index},"t":{start}}}')
                except Exception as error:
                    agent.internal_error(error)
                    return await receiver(*args, **kwargs)
                token = cur_set((call_id, depth))
                try:
                    result = await receiver(*args, **kwargs)
                except BaseException as exc:
                    agent.finish_call(call_id, start, None, exc)
                    raise
                finally:
                    cur_reset(token)
                agent.finish_call(call_id, start, result)
                return result
        else:
            def call(*args, **kwargs):
                try:
                    call_id = next(counter)
                    start = _perf_ns() - clock0
                    agent.put_line(f'{{"e":"call","id":{call_id},"send":{send_id},"rid":{rid},"i":{index},"t":{start}}}')
                except Exception as error:
                    agent.internal_error(error)
                    return receiver(*args, **kwargs)
                token = cur_set((call_id, depth))
                try:
                    result = receiver(*args, **kwargs)
                except BaseException as exc:
                    agent.finish_call(call_id, start, None, exc)
                    raise
                finally:
                    cur_reset(token)
                if result is None:
                    try:
                        t = _perf_ns() - clock0
                        agent.put_line(f'{{"e":"return","id":{call_id},"t":{t},"dur":{t - start}}}')
                    except Exception as error:
                        agent.internal_error(error)
                else:
                    agent.finish_call(call_id, start, result)
                return result
        # send_robust logs receiver.__qualname__: it must stay the receiver's.
        call.__qualname__ = getattr(receiver, "__qualname__", None) or type(receiver).__qualname__
        frame[3].append((call, receiver))
        return call

    def finish_call(self, call_id, start, result=None, exc=None):
        """The ``return`` (with its result) or ``raise`` line of a receiver call."""
        try:
            t = self.now()
            if exc is None and result is None:
                self.put_line(f'{{"e":"return","id":{call_id},"t":{t},"dur":{t - start}}}')
                return
            line = {"e": "return", "id": call_id, "t": t, "dur": t - start}
            if exc is not None:
                line["e"] = "raise"
                line["exc"] = type(exc).__qualname__
                line["message"] = self.encode.message(exc)
            else:
                line["result"] = self.encode(result)
            self.emit(line)
        except Exception as error:
            self.internal_error(error)

    def wrap_live(self, frame, live):
        """Wrap the receivers ``_live_receivers`` returned, in their shape."""
        if isinstance(live, tuple) and len(live) == 2 and all(isinstance(p, list) for p in live):
            sync, asynchronous = live       # Django 5: (sync receivers, async receivers)
            wrapped_sync = [self.wrap(r, frame, i, False) for i, r in enumerate(sync)]
            wrapped_async = [self.wrap(r, frame, len(sync) + i, True)
                             for i, r in enumerate(asynchronous)]
            return (wrapped_sync, wrapped_async)
        return [self.wrap(r, frame, i, False) for i, r in enumerate(live)]

    def flush_counts(self):
        counts, self.counts = self.counts, {}
        for (name, _), (sender, count) in counts.items():
            self.emit({"e": "count", "t": self.now(), "signal": name,
                       "sender": self.encode(sender), "n": count})

    def close(self):
        if not self.decided:
            # Settings never configured: nothing Django-specific said no.
            self.decided = True
            pending, self.pending = self.pending, []
            for line in pending:
                self.stream.put(line)
        if self.active:
            self.flush_counts()
            self.stream.put(self.dumps({"e": "bye", "t": self.now()}))
        self.stream.close()

    def after_fork(self):
        self.counts = {}
        self.stream.reopen_after_fork()
        if self.active and self.decided:
            self.stream.put(self.dumps(self.hello()))
        elif not self.decided:
            self.pending = [self.dumps(self.hello())]


def _unwrap_result(frame, result):
    """Django's return value with the agent's wrappers replaced by the receivers."""
    pairs = frame[3]
    if not pairs or not isinstance(result, list):
        return result
    if len(result) == len(pairs):
        out = []
        for item, pair in zip(result, pairs):
            if type(item) is not tuple or len(item) != 2 or item[0] is not pair[0]:
                break
            out.append((pair[1], item[1]))
        else:
            return out
    originals = {id(call): receiver for call, receiver in frame[3]}
    out = []
    for item in result:
        if isinstance(item, tuple) and len(item) == 2 and id(item[0]) in originals:
            item = (originals[id(item[0])], item[1])
        out.append(item)
    return out


# ---------------------------------------------------------------------------
# Hooks on django.dispatch.Signal
# ---------------------------------------------------------------------------

def _patch_dispatcher(dispatcher):
    Signal = dispatcher.Signal
    if getattr(Signal, "_signalscope_patched", False):
        return
    NO_RECEIVERS = getattr(dispatcher, "NO_RECEIVERS", object())
    make_id = dispatcher._make_id
    original_live = Signal._live_receivers

    def has_fast_path(signal, sender):
        # Django's own test at the top of send(): no receivers at all, or none for this sender (cached).
        return not signal.receivers or signal.sender_receivers_cache.get(sender) is NO_RECEIVERS

    def live_receivers(self, sender):
        live = original_live(self, sender)
        frame = _SENDING.get()
        if frame is not None and frame[0] is self and not frame[4]:
            frame[4] = True
            try:
                return _agent.wrap_live(frame, live)
            except Exception as exc:
                _agent.internal_error(exc)
                return live
        return live

    def make_send(original, robust):
        flags, flags_nr = _FLAGS[robust, False, False], _FLAGS[robust, False, True]
        sending_set, sending_reset, current_get = _SENDING.set, _SENDING.reset, _CURRENT.get

        def send(self, sender, **named):
            agent = _agent
            if agent is None or not agent.active:
                return original(self, sender, **named)
            # Django's own test at the top of send(): no receivers at all, or
            # none for this sender (cached).
            if not self.receivers or self.sender_receivers_cache.get(sender) is NO_RECEIVERS:
                try:
                    agent._begin_send(self, sender, named, flags_nr)
                except Exception as error:
                    agent.internal_error(error)
                return original(self, sender, **named)
            try:
                send_id = agent._begin_send(self, sender, named, flags)
            except Exception as error:
                agent.internal_error(error)
                send_id = None
            if send_id is None:
                return original(self, sender, **named)
            start = _perf_ns() - agent.clock0
            frame = [self, send_id, current_get()[1], [], False]
            token = sending_set(frame)
            try:
                result = original(self, sender, **named)
            except BaseException as exc:
                agent.end_send(send_id, start, exc)
                raise
            finally:
                sending_reset(token)
            try:
                t = _perf_ns() - agent.clock0
                agent.put_line(f'{{"e":"end","id":{send_id},"t":{t},"dur":{t - start}}}')
                return _unwrap_result(frame, result)
            except Exception as error:
                agent.internal_error(error)
                return result
        send.__name__ = original.__name__
        send.__qualname__ = original.__qualname__
        send.__doc__ = original.__doc__
        send.__wrapped__ = original
        return send

    def make_asend(original, robust):
        async def asend(self, sender, **named):
            agent = _agent
            if agent is None or not agent.active:
                return await original(self, sender, **named)
            fast = has_fast_path(self, sender)
            send_id = agent.begin_send(self, sender, named, _FLAGS[robust, True, fast])
            if send_id is None or fast:
                return await original(self, sender, **named)
            start = agent.now()
            frame = [self, send_id, _CURRENT.get()[1], [], False]
            token = _SENDING.set(frame)
            try:
                result = await original(self, sender, **named)
            except BaseException as exc:
                agent.end_send(send_id, start, exc)
                raise
            finally:
                _SENDING.reset(token)
            agent.end_send(send_id, start)
            return _unwrap_result(frame, result)
        asend.__name__ = original.__name__
        asend.__qualname__ = original.__qualname__
        asend.__wrapped__ = original
        return asend

    original_init = Signal.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_name == "__init__":   # subclasses' __init__
            frame = frame.f_back
        if frame is not None and _agent is not None:
            _agent.signal_origins[id(self)] = (self, frame.f_globals.get("__name__"))

    original_connect = Signal.connect
    original_disconnect = Signal.disconnect

    def connect(self, receiver, sender=None, weak=True, dispatch_uid=None, **extra):
        agent = _agent
        if agent is None or not agent.active:
            return original_connect(self, receiver, sender, weak, dispatch_uid, **extra)
        key = (dispatch_uid, make_id(sender)) if dispatch_uid else (make_id(receiver), make_id(sender))
        present = any(entry[0] == key for entry in list(self.receivers))
        result = original_connect(self, receiver, sender, weak, dispatch_uid, **extra)
        agent.on_connect(self, receiver, sender, weak, dispatch_uid, not present)
        return result

    def disconnect(self, receiver=None, sender=None, dispatch_uid=None, **extra):
        result = original_disconnect(self, receiver, sender, dispatch_uid, **extra)
        agent = _agent
        if agent is not None and agent.active:
            agent.on_disconnect(self, receiver, sender, dispatch_uid, result)
        return result

    for attr, robust in (("send", False), ("send_robust", True)):
        setattr(Signal, attr, make_send(getattr(Signal, attr), robust))
    for attr, robust in (("asend", False), ("asend_robust", True)):
        if hasattr(Signal, attr):
            setattr(Signal, attr, make_asend(getattr(Signal, attr), robust))
    connect.__wrapped__ = original_connect
    disconnect.__wrapped__ = original_disconnect
    init.__wrapped__ = original_init
    Signal.__init__ = init
    Signal.connect = connect
    Signal.disconnect = disconnect
    Signal._live_receivers = live_receivers
    Signal._signalscope_patched = True


def _activate(dispatcher):
    _agent.dispatcher = dispatcher
    _patch_dispatcher(dispatcher)
    _agent.emit(_agent.hello())


class _DispatcherHook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Patches django.dispatch.dispatcher the moment it is imported, so a
    process that never imports Django is never touched."""

    TARGET = "django.dispatch.dispatcher"

    def find_spec(self, fullname, path, target=None):
        if fullname != self.TARGET:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        self.loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        _activate(module)


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------

def install(socket=None, file=None, force=False, signals=None, exclude=None, aggregate=()):
    """Start recording this process. ``socket``: path of SignalScope's local
    socket; ``file``: a wire file (``{pid}`` replaced). Returns False when
    already installed."""
    global _agent
    if _agent is not None:
        return False
    if not socket and not file:
        raise ValueError("signalscope_agent.install: give socket= or file=")
    _agent = Agent(Stream(socket_path=socket, file_path=file), force=force,
                   signals=signals, exclude=exclude, aggregate=aggregate)
    atexit.register(_agent.close)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=lambda: _agent.after_fork())
    dispatcher = sys.modules.get("django.dispatch.dispatcher")
    if dispatcher is not None:
        _activate(dispatcher)
    else:
        sys.meta_path.insert(0, _DispatcherHook())
    return True


def _split(value):
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def install_from_env(environ=os.environ):
    """Install when SIGNALSCOPE_SOCKET or SIGNALSCOPE_FILE is set."""
    sock, path = environ.get("SIGNALSCOPE_SOCKET"), environ.get("SIGNALSCOPE_FILE")
    if not sock and not path:
        return False
    aggregate = _split(environ.get("SIGNALSCOPE_AGGREGATE"))
    if "init" in aggregate:
        aggregate += ["django.db.models.signals.pre_init", "django.db.models.signals.post_init"]
    try:
        return install(socket=sock, file=path, force=environ.get("SIGNALSCOPE_FORCE") == "1",
                       signals=_split(environ.get("SIGNALSCOPE_SIGNALS")),
                       exclude=_split(environ.get("SIGNALSCOPE_EXCLUDE")), aggregate=aggregate)
    except OSError as exc:
        sys.stderr.write("signalscope-agent: cannot reach %s: %s; not recording\n"
                         % (sock or path, exc))
        return False


def name_signal(signal, name):
    """Give a signal that no module attribute holds its dotted name."""
    if _agent is not None:
        _agent.name_signal(signal, name)
