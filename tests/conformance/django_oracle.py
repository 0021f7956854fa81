#!/usr/bin/python3
"""SignalScope conformance oracle: replay a scenario with real Django.

Usage:
    /usr/bin/python3 tests/conformance/django_oracle.py SCENARIO.json [-o OUT.jsonl]
                                      [--db postgresql://user@host:port/name]

The scenario (and its schema) follow shared/spec/formats.md, sections 1-4
(and 7 for PostgreSQL).
This script configures Django 3.2 in-process on an in-memory SQLite database
(or, with --db, with Django's postgresql backend and psycopg2 in a database
`test_<name>_<pid>` that Django's own test-database code creates on that
server for the run and drops afterwards),
builds the schema's models as real Django models inside a synthetic app,
connects the schema's receivers as real Python functions and runs every step
with the real ORM call the contract names.  It records each send of the nine
built-in signals and of the schema's custom signals at the moment
`Signal.send`/`send_robust` is called, and writes the canonical trace (one
JSON object per line, keys sorted, no spaces).

The point of an oracle is that *Django* decides which signals are sent, in
which order and with which arguments.  Nothing below emulates the collector,
the m2m managers, loaddata or migrate: the script only translates the
scenario into Django calls and Django's signal arguments into trace lines.
The few rules that are the contract's own (depth numbering, the depth-32
recursion bound, how `when`/`do` are interpreted, ScenarioError) are
implemented here, each marked as such.

Exit status: 0 after writing the trace, 2 when the scenario or schema file is
refused (unreadable, not JSON, structurally invalid); no trace then.
"""

import argparse
import io
import json
import logging
import os
import re
import sys
import tempfile
import types

DJANGO_DIST = "/usr/lib/python3/dist-packages"

# Section 5.9: a send that would be recorded at this depth raises instead.
MAX_DEPTH = 32

# The package name of the synthetic app; its *label* is the schema's `app`.
APP_PACKAGE = "signalscope_oracle_app"

BUILTIN_SIGNALS = (
    "pre_init", "post_init", "pre_save", "post_save", "pre_delete",
    "post_delete", "m2m_changed", "pre_migrate", "post_migrate",
)

# Section 8: django.core.signals and django.test.signals.  Django sends them
# whether anyone listens or not, so no no-op receiver is connected to them.
REQUEST_SIGNALS = (
    "request_started", "request_finished", "got_request_exception",
    "setting_changed", "template_rendered",
)
# The senders a receiver of them may name (section 8.5).
REQUEST_SENDERS = {
    "request_started": ("WSGIHandler", "ClientHandler"),
    "request_finished": ("WSGIHandler", "ClientHandler"),
    "got_request_exception": (),
    "setting_changed": ("UserSettingsHolder",),
    "template_rendered": (),
}
# A view's `raise` classes (section 8.1).
VIEW_EXCEPTIONS = ("Http404", "PermissionDenied", "BadRequest", "ValueError", "RuntimeError")

STEP_OPS = (
    "new", "create", "set", "save", "get", "all", "refresh", "update",
    "bulk_create", "delete", "delete_where", "m2m", "loaddata", "connect",
    "disconnect", "send", "migrate",
    "request", "override_settings", "setup_test_environment", "render", "flush",
)
M2M_ACTIONS = ("add", "remove", "set", "clear")
ACTIONS = ("create", "save", "set", "delete", "notify", "send", "raise")
FIELD_TYPES = ("char", "text", "int", "float", "bool", "foreign_key",
               "one_to_one", "many_to_many")
ON_DELETE = ("CASCADE", "PROTECT", "RESTRICT", "SET_NULL", "SET_DEFAULT",
             "DO_NOTHING")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ---------------------------------------------------------------------------
# Exceptions defined by the contract (section 4.3)
# ---------------------------------------------------------------------------

class ScenarioError(Exception):
    """The scenario asked for something impossible at run time."""


class ReceiverError(Exception):
    """Raised by a receiver's `raise` action."""


class Refused(Exception):
    """The input file is refused as a whole (exit status 2)."""


# ---------------------------------------------------------------------------
# Loading and (light) validation of the input files
# ---------------------------------------------------------------------------

def load_json_file(path):
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        return json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Refused("%s: %s" % (path, exc))


def load_inputs(scenario_path):
    """Return (scenario, schema, schema_path) or raise Refused."""
    scenario = load_json_file(scenario_path)
    if not isinstance(scenario, dict) or scenario.get("format") != "signalscope-scenario/1":
        raise Refused("%s: not a signalscope-scenario/1 file" % scenario_path)
    schema_ref = scenario.get("schema")
    if isinstance(schema_ref, str):
        schema_path = os.path.join(os.path.dirname(os.path.abspath(scenario_path)), schema_ref)
        schema = load_json_file(schema_path)
    elif isinstance(schema_ref, dict):
        schema_path, schema = scenario_path, schema_ref
    else:
        raise Refused("%s: `schema` must be a path or an object" % scenario_path)
    validate_schema(schema, schema_path)
    validate_scenario(scenario, schema, scenario_path)
    return scenario, schema, schema_path


def _need(cond, where, msg):
    if not cond:
        raise Refused("%s: %s" % (where, msg))


def validate_schema(schema, where):
    """The checks of section 3 that matter for running Django safely.

    The C++ engine owns the full validation; the oracle refuses what it could
    not even translate into Django models, so a broken file never produces a
    misleading trace.
    """
    _need(isinstance(schema, dict) and schema.get("format") == "signalscope-schema/1",
          where, "not a signalscope-schema/1 file")
    _need(isinstance(schema.get("app"), str) and IDENT.match(schema["app"]), where,
          "`app` must be an identifier")
    for key in ("models", "signals", "receivers"):
        _need(isinstance(schema.get(key, []), list), where, "`%s` must be an array" % key)
    names = [m.get("name") for m in schema.get("models", []) if isinstance(m, dict)]
    _need(len(names) == len(schema.get("models", [])), where, "models must be objects")
    _need(len(set(names)) == len(names), where, "duplicate model names")
    for model in schema.get("models", []):
        _need(isinstance(model["name"], str) and IDENT.match(model["name"]), where,
              "bad model name %r" % (model["name"],))
        _need(isinstance(model.get("fields", []), list), where, "`fields` must be an array")
        for field in model.get("fields", []):
            _need(isinstance(field, dict) and isinstance(field.get("name"), str)
                  and IDENT.match(field["name"]), where, "bad field in %s" % model["name"])
            _need(field.get("type") in FIELD_TYPES, where,
                  "unknown field type %r" % (field.get("type"),))
            if field["type"] in ("foreign_key", "one_to_one", "many_to_many"):
                _need(field.get("to") == "self" or field.get("to") in names, where,
                      "unknown relation target %r" % (field.get("to"),))
            if field["type"] in ("foreign_key", "one_to_one"):
                _need(field.get("on_delete") in ON_DELETE, where,
                      "bad on_delete %r" % (field.get("on_delete"),))
            if field.get("through") is not None:
                _need(field["through"] in names, where,
                      "unknown through model %r" % (field["through"],))
    signals = schema.get("signals", [])
    _need(all(isinstance(s, str) and IDENT.match(s) for s in signals), where, "bad signal name")
    _need(len(set(signals)) == len(signals), where, "duplicate signals")
    for decl in schema.get("receivers", []):
        validate_receiver(decl, schema, where)


def through_names(schema):
    """Names of the auto-created through models (`<Model>_<field>`)."""
    out = []
    for model in schema.get("models", []):
        for field in model.get("fields", []):
            if field.get("type") == "many_to_many" and not field.get("through"):
                out.append("%s_%s" % (model["name"], field["name"]))
    return out


def validate_receiver(decl, schema, where):
    model_names = [m["name"] for m in schema.get("models", [])]
    _need(isinstance(decl, dict) and isinstance(decl.get("name"), str), where,
          "receiver without a name")
    _need(decl.get("signal") in BUILTIN_SIGNALS + REQUEST_SIGNALS + tuple(schema.get("signals", [])),
          where, "receiver %s: unknown signal %r" % (decl["name"], decl.get("signal")))
    sender = decl.get("sender")
    if decl["signal"] in REQUEST_SIGNALS:
        _need(sender is None or sender in REQUEST_SENDERS[decl["signal"]], where,
              "receiver %s: unknown sender %r" % (decl["name"], sender))
    else:
        _need(sender is None or sender in model_names + through_names(schema), where,
              "receiver %s: unknown sender %r" % (decl["name"], sender))
    _need(isinstance(decl.get("do", []), list), where, "`do` must be an array")
    for action in decl.get("do", []):
        _need(isinstance(action, dict) and len([k for k in ACTIONS if k in action]) == 1,
              where, "receiver %s: bad action %r" % (decl["name"], action))
        if "create" in action:
            _need(action["create"] in model_names, where,
                  "receiver %s: create of unknown model" % decl["name"])
        if "send" in action:
            _need(action["send"] in schema.get("signals", []), where,
                  "receiver %s: send of a signal that is not custom" % decl["name"])


def _dollar_names(value):
    """The `$name` references inside a step value (for validation)."""
    if isinstance(value, str) and value.startswith("$") and not value.startswith("$$"):
        yield value[1:].split(".", 1)[0]
    elif isinstance(value, list):
        for item in value:
            yield from _dollar_names(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _dollar_names(item)


def validate_scenario(scenario, schema, where):
    _need(isinstance(scenario.get("steps"), list), where, "`steps` must be an array")
    templates = scenario.get("templates", {})
    _need(isinstance(templates, dict) and all(isinstance(t, str) for t in templates.values()),
          where, "`templates` must be an object of strings")
    declared = set()            # names some earlier step binds with `as`
    receiver_names = {r["name"] for r in schema.get("receivers", [])}
    validate_steps(scenario["steps"], schema, templates, declared, receiver_names, where, False)


def validate_steps(steps, schema, templates, declared, receiver_names, where, in_view):
    """Steps in document order, nested ones included (section 3)."""
    model_names = [m["name"] for m in schema.get("models", [])]
    for index, step in enumerate(steps):
        here = "%s: step %d" % (where, index)
        _need(isinstance(step, dict) and step.get("op") in STEP_OPS, here,
              "unknown op %r" % (step.get("op") if isinstance(step, dict) else step,))
        op = step["op"]
        if op in ("new", "create", "get", "all", "update", "bulk_create", "delete_where",
                  "loaddata"):
            _need(step.get("model") in model_names, here, "unknown model %r" % step.get("model"))
        if op == "m2m":
            _need(step.get("action") in M2M_ACTIONS, here, "unknown m2m action")
        if op == "send":
            _need(step.get("signal") in schema.get("signals", []), here, "unknown custom signal")
            _need(step.get("sender") is None or step["sender"] in model_names, here,
                  "unknown sender")
        if op == "connect":
            validate_receiver(step.get("receiver"), schema, here)
            receiver_names.add(step["receiver"]["name"])
        if op == "disconnect":
            _need(step.get("name") in receiver_names, here, "disconnect of an unknown receiver")
        refs = []
        if "ref" in step:
            refs.append(step["ref"])
        for key in ("values", "where", "rows", "targets", "instance"):
            refs.extend(_dollar_names(step.get(key)))
        for ref in refs:
            _need(ref in declared, here, "no earlier step names %r" % ref)
        bound = step.get("as")
        for name in (bound if isinstance(bound, list) else [bound] if bound else []):
            _need(isinstance(name, str) and IDENT.match(name), here, "bad `as` name")
            declared.add(name)
        _need(not (in_view and op in ("request", "migrate", "flush")), here,
              "%s inside a request's view" % op)
        if op == "request":
            _need(step.get("method") in ("GET", "POST", "PUT", "PATCH", "DELETE"), here, "bad method")
            _need(isinstance(step.get("path"), str)
                  and re.match(r"^/[A-Za-z0-9/_.-]*$", step["path"]), here, "bad path")
            _need(step.get("handler") in ("wsgi", "client"), here, "bad handler")
            _need(isinstance(step.get("atomic", False), bool), here, "bad atomic")
            if step.get("raise") is not None:
                _need(isinstance(step["raise"], str)
                      and step["raise"].split(": ", 1)[0] in VIEW_EXCEPTIONS
                      and (": " in step["raise"] or step["raise"] in VIEW_EXCEPTIONS), here, "bad raise")
            _need(isinstance(step.get("view", []), list), here, "`view` must be an array")
            validate_steps(step.get("view", []), schema, templates, declared, receiver_names,
                           here + " view", True)
        if op == "override_settings":
            _need(isinstance(step.get("settings"), dict), here, "`settings` must be an object")
            for name in step["settings"]:
                _need(re.match(r"^[A-Z][A-Z0-9_]*$", name) and not is_django_setting(name),
                      here, "setting %r refused" % name)
            _need(isinstance(step.get("steps"), list), here, "`steps` must be an array")
            validate_steps(step["steps"], schema, templates, declared, receiver_names,
                           here + " steps", in_view)
        if op == "render":
            _need(step.get("template") in templates, here, "unknown template")
            context = step.get("context", {})
            _need(isinstance(context, dict), here, "`context` must be an object")
            for name, value in context.items():
                _need(re.match(r"^[A-Za-z][A-Za-z0-9_]*$", name)
                      and name not in ("block", "True", "False", "None"), here, "bad context name")
                _need(not isinstance(value, (list, dict)), here, "bad context value")
                for ref in _dollar_names(value):
                    _need(ref in declared, here, "no earlier step names %r" % ref)


def is_django_setting(name):
    """Django 3.2's own settings, which a scenario may not override (8.2)."""
    from django.conf import global_settings

    if name == "DEBUG_PROPAGATE_EXCEPTIONS":
        return False
    return name in ("ROOT_URLCONF", "SETTINGS_MODULE") or (
        name.isupper() and hasattr(global_settings, name))


# ---------------------------------------------------------------------------
# Django set-up: settings, the synthetic app, models, tables
# ---------------------------------------------------------------------------

def database_settings(url):
    """Django's DATABASES["default"] for `url`: None (or "sqlite") is an
    in-memory SQLite database; postgresql://user[:password]@host[:port]/name
    is Django's PostgreSQL backend on that server."""
    if not url or url in ("sqlite", "sqlite://", ":memory:"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SystemExit("django_oracle: unsupported database URL %r" % url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


def create_test_database():
    """On a server, the run gets a database created empty for it, the way
    Django's test runner makes one (`CREATE DATABASE` through a connection to
    the `postgres` database), named test_<NAME>_<pid> so that parallel runs do
    not meet. Returns its name, or None for SQLite (a private :memory:)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return None
    settings_dict = connection.settings_dict
    name = "test_%s_%d" % (settings_dict["NAME"], os.getpid())
    settings_dict["TEST"]["NAME"] = name
    connection.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    connection.close()
    settings_dict["NAME"] = name
    return name


def destroy_test_database(name):
    from django.db import connection

    if name is None:
        return
    connection.close()
    connection.creation._destroy_test_db(name, verbosity=0)


URLCONF_MODULE = "signalscope_oracle_urls"


def install_urlconf(view):
    """Section 8.1: one catch-all URL pattern, every path reaches `view`."""
    from django.urls import re_path

    module = types.ModuleType(URLCONF_MODULE)
    module.urlpatterns = [re_path(r"^.*$", view)]
    sys.modules[URLCONF_MODULE] = module


def setup_django(app_label, database_url=None, templates=None):
    """Configure Django with one synthetic app whose label is `app_label`.

    Migrate signals use the AppConfig as sender and only fire for apps with a
    models module, so the app must be a real installed AppConfig (not just a
    label in Meta).  No contenttypes/auth: their post_migrate handlers and
    their own pre/post_migrate sends would add lines the contract does not
    have.
    """
    sys.path.insert(0, DJANGO_DIST)
    import django
    from django.apps import AppConfig
    from django.conf import settings

    package = types.ModuleType(APP_PACKAGE)
    package.__path__ = []          # a package, so the dotted AppConfig path resolves
    sys.modules[APP_PACKAGE] = package

    class OracleAppConfig(AppConfig):
        name = APP_PACKAGE
        label = app_label
        path = tempfile.gettempdir()   # AppConfig wants a filesystem path
        default_auto_field = "django.db.models.AutoField"

    package.OracleAppConfig = OracleAppConfig

    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=[APP_PACKAGE + ".OracleAppConfig"],
        DATABASES={"default": database_settings(database_url)},
        # No migrations package: `migrate --run-syncdb` treats the app as
        # unmigrated, as the contract's section 5.7 assumes.
        MIGRATION_MODULES={app_label: None},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=False,
        # Django's default logging would try to mail admins on send_robust
        # errors; we install our own handler on django.dispatch instead.
        LOGGING_CONFIG=None,
        # Section 8: no middleware, one catch-all URL, DEBUG false, Django's
        # default error views; the scenario's templates through locmem only.
        ROOT_URLCONF=URLCONF_MODULE,
        MIDDLEWARE=[],
        ALLOWED_HOSTS=["*"],
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", dict(templates or {}))]},
        }],
    )
    django.setup()
    # The 500s Django logs (and the 404s it warns about) are not trace lines.
    for name in ("django.request", "django.server"):
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False


def build_models(schema):
    """Create the schema's models as real Django model classes.

    Models are defined in declaration order; Django itself registers each
    auto-created through model right before the model declaring the
    many_to_many field (it is created while that class is being built),
    which is the registration order section 1 describes.
    """
    from django.apps import apps
    from django.db import models

    label = schema["app"]
    models_module = types.ModuleType(APP_PACKAGE + ".models")
    sys.modules[models_module.__name__] = models_module

    for spec in schema.get("models", []):
        attrs = {
            "__module__": models_module.__name__,
            "Meta": type("Meta", (), {"app_label": label}),
        }
        for field_spec in spec.get("fields", []):
            attrs[field_spec["name"]] = build_field(field_spec, models)
        model = type(spec["name"], (models.Model,), attrs)
        setattr(models_module, spec["name"], model)

    # migrate only signals apps whose models module is set (emit_*_signal).
    app_config = apps.get_app_config(label)
    app_config.models_module = models_module
    apps.clear_cache()
    return {m.__name__: m for m in app_config.get_models(include_auto_created=True)}


def build_field(spec, models):
    """Translate one schema field into a Django field instance (section 1)."""
    kind = spec["type"]
    kw = {}
    for option in ("null", "blank", "unique", "primary_key"):
        if spec.get(option):
            kw[option] = True
    if "default" in spec:
        kw["default"] = spec["default"]
    elif kind in ("char", "text"):
        # Section 1: a char/text field without default defaults to "" -- also
        # when it is nullable, where Django's own implicit default is None.
        kw["default"] = ""

    if kind in ("foreign_key", "one_to_one", "many_to_many"):
        to = "self" if spec["to"] == "self" else spec["to"]
        if spec.get("related_name"):
            kw["related_name"] = spec["related_name"]
        if kind == "many_to_many":
            kw.pop("default", None)
            kw.pop("unique", None)
            kw.pop("null", None)
            if spec.get("through"):
                kw["through"] = spec["through"]
            if "symmetrical" in spec:
                kw["symmetrical"] = bool(spec["symmetrical"])
            return models.ManyToManyField(to, **kw)
        kw["on_delete"] = getattr(models, spec["on_delete"])
        cls = models.OneToOneField if kind == "one_to_one" else models.ForeignKey
        return cls(to, **kw)

    if spec.get("db_index"):
        kw["db_index"] = True
    if kind == "char":
        return models.CharField(max_length=spec.get("max_length", 255), **kw)
    return {
        "text": models.TextField,
        "int": models.IntegerField,
        "float": models.FloatField,
        "bool": models.BooleanField,
    }[kind](**kw)


def create_tables(app_label):
    """Create every table with the schema editor: DDL only, no model signal."""
    from django.apps import apps
    from django.db import connection

    with connection.schema_editor() as editor:
        # create_model also creates the auto-created through tables.
        for model in apps.get_app_config(app_label).get_models():
            editor.create_model(model)


# ---------------------------------------------------------------------------
# Encoding Django values the way the trace does (section 4.2)
# ---------------------------------------------------------------------------

class ContractRecursionError(RecursionError):
    """The contract's recursion bound (5.9). Its message is fixed (4.3):
    handlers that reword what passes through them (loaddata's "Problem
    installing fixture '-': ...") leave it as it is."""

    @property
    def args(self):
        return ("maximum recursion depth exceeded",)

    @args.setter
    def args(self, value):
        pass


ContractRecursionError.__name__ = "RecursionError"
ContractRecursionError.__qualname__ = "RecursionError"


def encode(value):
    """Encode a signal argument value as trace JSON."""
    from django.apps import AppConfig
    from django.db import models

    if isinstance(value, models.Model):
        return {"model": value._meta.object_name, "pk": encode(value.pk)}
    if isinstance(value, type) and issubclass(value, models.Model):
        return value._meta.object_name
    if isinstance(value, AppConfig):
        return value.label
    from django.template.base import Template
    from django.core.handlers.wsgi import WSGIRequest

    if isinstance(value, type):
        return value.__name__               # WSGIHandler, ClientHandler, UserSettingsHolder
    if isinstance(value, Template):
        return value.name                   # None for a template built from a string
    if isinstance(value, WSGIRequest):
        return repr(value)
    if isinstance(value, (set, frozenset)):
        return sorted((encode(v) for v in value), key=_sort_key)
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _sort_key(value):
    # sorted() as Python has it: ints and floats by value ({2.0, 1} -> [1, 2.0]);
    # mixed kinds that Python cannot compare by type name, to stay deterministic.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ("float", value)
    return (type(value).__name__, value)


def signal_arguments(signal_name, sender, named):
    """The contract's arguments of a send: (encoded, raw) dicts.

    Section 4.2 names the arguments per signal.  Django passes more (e.g.
    `app_config`, `plan`, `apps` to the migrate signals, `signal` to every
    receiver); only the listed ones exist for traces, `when` and `do`.
    """
    if signal_name == "pre_init":
        raw = {"args": list(named.get("args", ())), "kwargs": dict(named.get("kwargs", {}))}
    elif signal_name == "post_init":
        raw = {"instance": named.get("instance")}
    elif signal_name in ("pre_save", "post_save"):
        raw = {"instance": named.get("instance"), "raw": named.get("raw"),
               "using": named.get("using"), "update_fields": named.get("update_fields")}
        if signal_name == "post_save":
            raw["created"] = named.get("created")
    elif signal_name in ("pre_delete", "post_delete"):
        raw = {"instance": named.get("instance"), "using": named.get("using")}
    elif signal_name == "m2m_changed":
        raw = {k: named.get(k) for k in
               ("instance", "action", "reverse", "model", "pk_set", "using")}
    elif signal_name in ("pre_migrate", "post_migrate"):
        app_config = named.get("app_config")
        raw = {"app_label": getattr(app_config, "label", None), "using": named.get("using")}
    elif signal_name == "request_started":
        environ = named.get("environ") or {}
        raw = {"environ": {k: environ.get(k) for k in ("PATH_INFO", "REQUEST_METHOD")}}
    elif signal_name == "request_finished":
        raw = {}
    elif signal_name == "got_request_exception":
        raw = {"request": named.get("request")}
    elif signal_name == "setting_changed":
        raw = {k: named.get(k) for k in ("setting", "value", "enter")}
    elif signal_name == "template_rendered":
        raw = {"template": named.get("template"), "context": context_variables(named.get("context"))}
    else:  # custom signal: whatever it was sent with (only `instance` in practice)
        raw = dict(named)
    encoded = {key: encode(value) for key, value in raw.items()}
    return encoded, raw


def context_variables(context):
    """A template Context as the trace shows it (8.3): its variables, without
    the `block` Django sets inside blocks and the built-ins True/False/None."""
    if context is None:
        return None
    flat = context.flatten()
    return {k: v for k, v in flat.items() if k not in ("block", "True", "False", "None")}


def json_equal(a, b):
    """JSON value equality: true never equals 1, 1 equals 1.0 (section 2)."""
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


def compact(value):
    """Placeholder text of a non-string value: compact JSON (section 2)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------
# The run: recording sends, receivers, steps
# ---------------------------------------------------------------------------

class Run:
    """State of one scenario run: trace lines, depth, bindings, receivers."""

    def __init__(self, scenario, schema):
        from django.db.models import signals as model_signals
        from django.dispatch import Signal

        self.scenario = scenario
        self.schema = schema
        self.app_label = schema["app"]
        self.lines = []
        self.step = 0
        # Number of schema receivers currently running: a send made now is
        # recorded at this depth (section 4).
        self.depth = 0
        self.bindings = {}
        self.declarations = {}          # receiver name -> latest (decl, func)
        self.models = {}
        from django.core import signals as core_signals
        from django.test import signals as test_signals

        self.signals = {name: getattr(model_signals, name) for name in BUILTIN_SIGNALS}
        for name in REQUEST_SIGNALS:
            self.signals[name] = getattr(core_signals, name, None) or getattr(test_signals, name)
        self.wsgi_handler = None        # one WSGIHandler per run (8.1)
        self.current_request = None     # the request step whose view is running
        for name in schema.get("signals", []):
            self.signals[name] = Signal()
        self.custom = set(schema.get("signals", []))
        self.signal_names = {sig: name for name, sig in self.signals.items()}

    # -- trace output ------------------------------------------------------

    def emit(self, line):
        line["seq"] = len(self.lines) + 1
        line["step"] = self.step
        self.lines.append(line)

    def emit_error(self, exc, depth):
        message = exc.args[0] if exc.args else str(exc)
        if not isinstance(message, str):
            message = str(message)
        self.emit({"depth": depth, "error": type(exc).__name__, "message": message})

    def record_send(self, signal, sender, named):
        """Called by the patched Signal.send/send_robust before Django runs it."""
        name = self.signal_names.get(signal)
        if name is None:
            return                      # class_prepared, connection_created, ...
        if self.depth >= MAX_DEPTH:
            # Contract rule (5.9): no line, no receiver; unwinds like any error.
            raise ContractRecursionError()
        encoded, _ = signal_arguments(name, sender, named)
        line = {"depth": self.depth, "signal": name, "sender": encode(sender)}
        line.update(encoded)
        self.emit(line)

    def install_recorder(self):
        """Patch Signal.send/send_robust so every send is seen as it is called.

        Patching the class catches Django's internal sends (Model.__init__,
        save_base, the collector, the m2m managers, migrate) exactly where
        they happen, with the argument values of that moment.
        """
        from django.dispatch import Signal

        run = self
        original_send = Signal.send
        original_send_robust = Signal.send_robust

        def send(signal, sender, **named):
            run.record_send(signal, sender, named)
            return original_send(signal, sender, **named)

        def send_robust(signal, sender, **named):
            run.record_send(signal, sender, named)
            return original_send_robust(signal, sender, **named)

        Signal.send = send
        Signal.send_robust = send_robust

        # send_robust swallows a receiver's exception and logs it on
        # django.dispatch right away, before the next receiver runs: that is
        # exactly where the contract wants the depth n+1 error line.  The
        # failed receiver has already returned, so the depth is back to n.
        class RobustErrorHandler(logging.Handler):
            def emit(self, record):
                if record.exc_info and record.exc_info[1] is not None:
                    run.emit_error(record.exc_info[1], run.depth + 1)

        logger = logging.getLogger("django.dispatch")
        logger.handlers = [RobustErrorHandler()]
        logger.setLevel(logging.ERROR)
        logger.propagate = False

    def connect_noop_receivers(self):
        """Section 4.1: Django must always see a listener on every model signal.

        Without one, the collector would fast-delete (no rows read) and
        Model.__init__-time behaviour would be the same but deletes would not.
        """
        def noop(sender, **kwargs):
            return None

        self._noop = noop                       # keep it alive
        for name in BUILTIN_SIGNALS:
            self.signals[name].connect(noop, sender=None, weak=False)

    # -- receivers -----------------------------------------------------------

    def sender_object(self, name, signal_name=None):
        if name is None:
            return None
        if signal_name in REQUEST_SIGNALS:
            from django.conf import UserSettingsHolder
            from django.core.handlers.wsgi import WSGIHandler
            from django.test.client import ClientHandler

            return {"WSGIHandler": WSGIHandler, "ClientHandler": ClientHandler,
                    "UserSettingsHolder": UserSettingsHolder}[name]
        return self.models[name]

    def connect(self, decl):
        func = self.make_receiver(decl)
        signal = self.signals[decl["signal"]]
        signal.connect(func, sender=self.sender_object(decl.get("sender"), decl["signal"]), weak=False,
                       dispatch_uid=decl.get("dispatch_uid"))
        self.declarations[decl["name"]] = (decl, func)

    def disconnect(self, name):
        # Exactly signal.disconnect(receiver, sender=..., dispatch_uid=...)
        # with the latest declaration of that name (section 3).
        decl, func = self.declarations[name]
        self.signals[decl["signal"]].disconnect(
            func, sender=self.sender_object(decl.get("sender"), decl["signal"]),
            dispatch_uid=decl.get("dispatch_uid"))

    def make_receiver(self, decl):
        """A real Python receiver implementing `when` and `do` (section 2)."""
        run = self

        def receiver(sender, signal, **named):
            run.depth += 1
            try:
                name = run.signal_names[signal]
                encoded, raw = signal_arguments(name, sender, named)
                event = Event(name, sender, encoded, raw)
                if run.when_holds(decl.get("when") or {}, event):
                    for action in decl.get("do", []):
                        run.do_action(action, event)
            finally:
                run.depth -= 1

        receiver.__qualname__ = receiver.__name__ = "receiver_" + decl["name"]
        return receiver

    def when_holds(self, when, event):
        changed = None
        for key, expected in when.items():
            if key == "changed":
                changed = expected          # evaluated last (section 2)
                continue
            if key == "sender":
                actual = encode(event.sender)
            elif key.startswith("instance."):
                found, actual = self.instance_field_value(event.instance, key[len("instance."):])
                if not found:
                    return False
            elif key in event.encoded:
                actual = event.encoded[key]
            else:
                return False                # the signal has no such argument
            if not json_equal(actual, expected):
                return False
        if changed is not None:
            return self.instance_changed(event.instance,
                                         changed if isinstance(changed, list) else [changed])
        return True

    def instance_changed(self, instance, names):
        """`changed`: load the stored row like Model.objects.get(pk=...).

        Steps in the order section 2 lists them: pk null -> false (no query);
        load (pre_init/post_init one level deeper); no row -> false; compare.
        Field names are resolved at the comparison, all of them before any
        value is compared, so an unknown name is a ScenarioError (after the
        load's lines) whether or not another field differs.
        """
        if instance is None or instance.pk is None:
            return False
        model = type(instance)
        try:
            stored = model.objects.get(pk=instance.pk)
        except model.DoesNotExist:
            return False
        fields = [self.concrete_field(instance, name) for name in names]
        return any(
            not json_equal(getattr(stored, field.attname), getattr(instance, field.attname))
            for field in fields)

    def concrete_field(self, instance, name):
        """The concrete field named by a field name, attname or `pk`."""
        meta = instance._meta
        if name == "pk":
            return meta.pk
        for field in meta.concrete_fields:
            if name in (field.name, field.attname):
                return field
        raise ScenarioError("%s has no field '%s'" % (meta.object_name, name))

    def instance_field_value(self, instance, name):
        """(found, raw value) for `instance.<x>` in `when` and in text."""
        if instance is None:
            return False, None
        try:
            field = self.concrete_field(instance, name)
        except ScenarioError:
            return False, None
        return True, getattr(instance, field.attname)

    def read_attribute(self, obj, name):
        """`$x.<name>`: a field value, or for a relation field name the object.

        The related object goes through Django's descriptor: its cache, or a
        real query (pre_init/post_init) -- section 5.4.
        """
        field = self.concrete_field(obj, name)
        if field.is_relation and name == field.name:
            descriptor = getattr(type(obj), field.name)
            try:
                return getattr(obj, field.name)
            except descriptor.RelatedObjectDoesNotExist:
                return None                 # id null (contract: null, not an error)
        return getattr(obj, field.attname)

    # -- values inside receivers --------------------------------------------

    def receiver_value(self, value, event):
        """Resolve a `do` value: JSON literal, `$instance[.x]`, `$sender`, `$arg`."""
        if isinstance(value, list):
            return [self.receiver_value(v, event) for v in value]
        if isinstance(value, dict):
            return {k: self.receiver_value(v, event) for k, v in value.items()}
        if not isinstance(value, str) or not value.startswith("$"):
            return value
        if value.startswith("$$"):
            return value[1:]
        ref = value[1:]
        if ref == "instance":
            return event.instance
        if ref.startswith("instance."):
            if event.instance is None:
                raise ScenarioError("no instance for '%s'" % value)
            return self.read_attribute(event.instance, ref[len("instance."):])
        if ref == "sender":
            return event.sender
        return event.raw.get(ref)

    def fill_text(self, text, event):
        """Fill `{instance.x}`, `{sender}` and `{argument}` placeholders."""
        def replace(match):
            key = match.group(1)
            if key.startswith("instance."):
                found, value = self.instance_field_value(event.instance, key[len("instance."):])
                return compact(encode(value)) if found else match.group(0)
            if key == "sender":
                return compact(encode(event.sender))
            if key in event.encoded:
                return compact(event.encoded[key])
            return match.group(0)
        return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}",
                      replace, text)

    def do_action(self, action, event):
        if "create" in action:
            model = self.models[action["create"]]
            model.objects.create(**self.receiver_value(action.get("values", {}), event))
        elif "save" in action:
            target = self.receiver_value(action["save"], event)
            if target is None:
                raise ScenarioError("nothing to save")
            target.save(**save_options(action))
        elif "set" in action:
            if event.instance is None:
                raise ScenarioError("nothing to set")
            for name, value in action["set"].items():
                setattr(event.instance, name, self.receiver_value(value, event))
        elif "delete" in action:
            target = self.receiver_value(action["delete"], event)
            if target is None:
                raise ScenarioError("nothing to delete")
            target.delete()
        elif "notify" in action:
            self.emit({"depth": self.depth, "effect": "notify",
                       "text": self.fill_text(action["notify"], event)})
        elif "send" in action:
            signal = self.signals[action["send"]]
            kwargs = {"instance": event.instance} if event.has_instance else {}
            if action.get("robust"):
                signal.send_robust(sender=event.sender, **kwargs)
            else:
                signal.send(sender=event.sender, **kwargs)
        elif "raise" in action:
            raise ReceiverError(self.fill_text(action["raise"], event))

    # -- values inside steps ------------------------------------------------

    def step_value(self, value):
        """Resolve a step value: literal, `$name`, `$name.<attr>`, `$$` escape."""
        if isinstance(value, list):
            return [self.step_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.step_value(v) for k, v in value.items()}
        if not isinstance(value, str) or not value.startswith("$"):
            return value
        if value.startswith("$$"):
            return value[1:]
        name, _, attr = value[1:].partition(".")
        obj = self.lookup(name)
        return self.read_attribute(obj, attr) if attr else obj

    def lookup(self, name):
        if name not in self.bindings:
            raise ScenarioError("unknown name '%s'" % name)
        return self.bindings[name]

    def bind(self, names, objects):
        if isinstance(names, str):
            self.bindings[names] = objects
        elif isinstance(names, list):
            for name, obj in zip(names, objects):
                self.bindings[name] = obj

    # -- steps -----------------------------------------------------------------

    def run(self):
        for decl in self.schema.get("receivers", []):
            self.connect(decl)
        for index, step in enumerate(self.scenario["steps"]):
            self.step = index
            self.depth = 0
            try:
                result = getattr(self, "op_" + step["op"])(step)
            except Exception as exc:        # recorded, and the scenario goes on
                self.depth = 0
                self.emit_error(exc, 0)
                continue
            if step.get("as") is not None:  # bound only when the step succeeded
                self.bind(step["as"], result)
        return self.lines

    def model(self, step):
        return self.models[step["model"]]

    def op_new(self, step):
        return self.model(step)(**self.step_value(step.get("values", {})))

    def op_create(self, step):
        return self.model(step).objects.create(**self.step_value(step.get("values", {})))

    def op_set(self, step):
        obj = self.lookup(step["ref"])
        for name, value in self.step_value(step.get("values", {})).items():
            setattr(obj, name, value)

    def op_save(self, step):
        self.lookup(step["ref"]).save(**save_options(step))

    def op_get(self, step):
        return self.model(step).objects.get(**self.step_value(step.get("where", {})))

    def op_all(self, step):
        where = self.step_value(step.get("where", {}))
        return list(self.model(step).objects.filter(**where).order_by("pk"))

    def op_refresh(self, step):
        self.lookup(step["ref"]).refresh_from_db()

    def op_update(self, step):
        where = self.step_value(step.get("where", {}))
        self.model(step).objects.filter(**where).update(**self.step_value(step["values"]))

    def op_bulk_create(self, step):
        model = self.model(step)
        return model.objects.bulk_create([model(**row) for row in self.step_value(step["rows"])])

    def op_delete(self, step):
        self.lookup(step["ref"]).delete()

    def op_delete_where(self, step):
        self.model(step).objects.filter(**self.step_value(step.get("where", {}))).delete()

    def op_m2m(self, step):
        manager = getattr(self.lookup(step["ref"]), step["field"])
        targets = self.step_value(step.get("targets", []))
        action = step["action"]
        if action == "add":
            manager.add(*targets)
        elif action == "remove":
            manager.remove(*targets)
        elif action == "set":
            manager.set(targets, clear=bool(step.get("clear", False)))
        else:
            manager.clear()

    def op_loaddata(self, step):
        """`manage.py loaddata --format=json -` with the rows on stdin (5.7)."""
        from django.core.management import call_command

        model = self.model(step)
        pk_name = model._meta.pk.name
        fixture = []
        for row in self.step_value(step["rows"]):
            row = dict(row)
            entry = {"model": model._meta.label_lower, "fields": {}}
            for key in ("pk", pk_name):
                if key in row:
                    entry["pk"] = row.pop(key)
            for key, value in row.items():
                entry["fields"][key] = fixture_value(value)
            fixture.append(entry)
        saved_stdin = sys.stdin
        sys.stdin = io.StringIO(json.dumps(fixture))
        try:
            call_command("loaddata", "-", format="json", verbosity=0,
                         stdout=io.StringIO(), stderr=io.StringIO())
        finally:
            sys.stdin = saved_stdin

    def op_connect(self, step):
        self.connect(step["receiver"])

    def op_disconnect(self, step):
        self.disconnect(step["name"])

    def op_send(self, step):
        signal = self.signals[step["signal"]]
        kwargs = {}
        if "instance" in step:
            kwargs["instance"] = self.step_value(step["instance"])
        sender = self.sender_object(step.get("sender"))
        if step.get("robust"):
            signal.send_robust(sender=sender, **kwargs)
        else:
            signal.send(sender=sender, **kwargs)

    def op_migrate(self, step):
        """`manage.py migrate --run-syncdb`: tables exist, only signals remain.

        System checks are skipped: they send nothing, and a check failure
        (e.g. clashing reverse accessors the contract allows) is not part of
        the contract.
        """
        from django.core.management import call_command

        call_command("migrate", run_syncdb=True, interactive=False, verbosity=0,
                     skip_checks=True, stdout=io.StringIO(), stderr=io.StringIO())


    # -- section 8: requests, settings, templates, flush ---------------------

    def run_block(self, steps):
        """Nested steps: the statements of one block (section 3)."""
        for step in steps:
            result = getattr(self, "op_" + step["op"])(step)
            if step.get("as") is not None:
                self.bind(step["as"], result)

    def view(self, request, *args, **kwargs):
        """The catch-all view: the request step's `view` steps, then `raise`."""
        from django.http import HttpResponse

        step = self.current_request
        self.run_block(step.get("view", []))
        if step.get("raise") is not None:
            raise view_exception(step["raise"])
        return HttpResponse()

    def op_request(self, step):
        from django.db import connections

        # ATOMIC_REQUESTS for this request only: make_view_atomic reads it
        # from the connection's settings at every request.
        settings_dict = connections["default"].settings_dict
        settings_dict["ATOMIC_REQUESTS"] = bool(step.get("atomic", False))
        self.current_request = step
        try:
            if step["handler"] == "wsgi":
                self.wsgi_request(step)
            else:
                self.client_request(step)
        finally:
            settings_dict["ATOMIC_REQUESTS"] = False
            self.current_request = None

    def response_line(self, status):
        self.emit({"depth": self.depth, "effect": "response", "status": status})

    def wsgi_request(self, step):
        """WSGIHandler called as a WSGI server calls it (PEP 3333)."""
        from django.core.handlers.wsgi import WSGIHandler

        if self.wsgi_handler is None:
            self.wsgi_handler = WSGIHandler()
        environ = {
            "REQUEST_METHOD": step["method"], "PATH_INFO": step["path"], "SCRIPT_NAME": "",
            "QUERY_STRING": "", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
        }

        def start_response(status, headers, exc_info=None):
            self.response_line(int(status.split(" ", 1)[0]))

        response = self.wsgi_handler(environ, start_response)
        for _ in response:                  # the server sends the body...
            pass
        response.close()                    # ...then closes: request_finished

    def client_request(self, step):
        """A new django.test.Client, then client.generic(method, path)."""
        from django.test import Client

        client = Client()
        handler = client.handler

        def returning(environ):
            # The response line: where ClientHandler returns the response,
            # before Client.request re-raises a stored exception.
            response = handler(environ)
            self.response_line(response.status_code)
            return response

        client.handler = returning
        client.generic(step["method"], step["path"])

    def op_override_settings(self, step):
        from django.test.utils import override_settings

        options = {name: step["settings"][name] for name in sorted(step["settings"])}
        with override_settings(**options):
            self.run_block(step["steps"])

    def op_setup_test_environment(self, step):
        from django.test.utils import setup_test_environment

        setup_test_environment()

    def op_render(self, step):
        from django.template.loader import render_to_string

        given = step.get("context", {})
        context = {name: self.step_value(given[name]) for name in sorted(given)}
        self.check_template_fields(step["template"], context)
        render_to_string(step["template"], context)

    def check_template_fields(self, name, context):
        """Contract rule (8.3, step 2): every attribute chain the render will
        evaluate on a model instance names concrete fields. Walks Django's own
        compiled templates in the order the render reaches the variables."""
        from django.db import models

        for lookups in template_variables(name):
            obj = context.get(lookups[0])
            if not isinstance(obj, models.Model):
                continue
            model = type(obj)
            for attr in lookups[1:]:
                meta = model._meta
                field = meta.pk if attr == "pk" else next(
                    (f for f in meta.concrete_fields if attr in (f.name, f.attname)), None)
                if field is None:
                    raise ScenarioError("%s has no field '%s'" % (meta.object_name, attr))
                if field.is_relation and attr == field.name:
                    model = field.related_model
                else:
                    break

    def op_flush(self, step):
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0,
                     stdout=io.StringIO(), stderr=io.StringIO())


def view_exception(spec):
    """`"<Class>"` or `"<Class>: <message>"` as the exception the view raises."""
    from django.core.exceptions import BadRequest, PermissionDenied
    from django.http import Http404

    classes = {"Http404": Http404, "PermissionDenied": PermissionDenied, "BadRequest": BadRequest,
               "ValueError": ValueError, "RuntimeError": RuntimeError}
    name, sep, message = spec.partition(": ")
    return classes[name](message) if sep else classes[name]()


def template_variables(name):
    """The variables render_to_string(name) evaluates, in order (8.3, step 3),
    as lookup tuples, read from Django's compiled templates."""
    from django.template import engines
    from django.template.base import TextNode, Variable, VariableNode
    from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode

    engine = engines["django"].engine

    def literal(filter_expression):
        var = filter_expression.var
        return var.literal if isinstance(var, Variable) else var

    def walk(template_name):
        chain = []
        template = engine.get_template(template_name)
        while template is not None:
            chain.append(template)
            extends = [n for n in template.nodelist if isinstance(n, ExtendsNode)]
            template = engine.get_template(literal(extends[0].parent_name)) if extends else None
        yield from walk_nodes(chain[-1].nodelist, chain)

    def find_block(template, block_name):
        for node in template.nodelist.get_nodes_by_type(BlockNode):
            if node.name == block_name:
                return node
        return None

    def walk_nodes(nodes, chain):
        for node in nodes:
            if isinstance(node, VariableNode):
                yield tuple(node.filter_expression.var.lookups)
            elif isinstance(node, IncludeNode):
                yield from walk(literal(node.template))
            elif isinstance(node, BlockNode):
                for template in chain:
                    block = find_block(template, node.name)
                    if block is not None:
                        yield from walk_nodes(block.nodelist, chain)
                        break
            elif not isinstance(node, TextNode):
                raise Refused("template node %r is outside the subset of section 8.3" % node)

    return list(walk(name))


class Event:
    """One signal being handled by a receiver."""

    def __init__(self, name, sender, encoded, raw):
        self.name = name
        self.sender = sender
        self.encoded = encoded
        self.raw = raw
        self.has_instance = "instance" in raw
        self.instance = raw.get("instance")


def save_options(spec):
    kw = {}
    if "update_fields" in spec:
        kw["update_fields"] = spec["update_fields"]
    if spec.get("force_insert"):
        kw["force_insert"] = True
    return kw


def fixture_value(value):
    """A fixture holds raw ids: an instance given via `$name` becomes its pk."""
    from django.db import models

    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list):
        return [fixture_value(v) for v in value]
    return value


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

def write_trace(lines, out_path):
    text = "".join(json.dumps(line, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False) + "\n" for line in lines)
    if out_path:
        with open(out_path, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("-o", "--output", help="trace file (default: stdout)")
    parser.add_argument("--db", help="postgresql://user@host:port/name: run on that PostgreSQL "
                                     "server, in a database created for the run (default: SQLite in memory)")
    parser.add_argument("--django", choices=["3.2", "5.0"],
                        help="the Django version the trace is for (contract 9.1; default: the "
                             "scenario's \"django\", else 3.2); it must be the installed one")
    args = parser.parse_args(argv)

    try:
        scenario, schema, _ = load_inputs(args.scenario)
    except Refused as exc:
        sys.stderr.write("django_oracle: refused %s\n" % exc)
        return 2

    # The oracle is real Django: it can only give the installed version.
    import django
    wanted = args.django or scenario.get("django", "3.2")
    installed = "%d.%d" % django.VERSION[:2]
    if wanted != installed:
        sys.stderr.write("django_oracle: the trace is for Django %s, but Django %s is installed\n" % (wanted, installed))
        return 2

    # The contract's recursion bound is depth 32; each level is a few dozen
    # Python frames (save -> send -> receiver -> save ...), more than the
    # default limit of 1000 allows.  Django must never hit Python's limit.
    sys.setrecursionlimit(20000)

    setup_django(schema["app"], args.db, scenario.get("templates"))
    test_database = create_test_database()
    try:
        run = Run(scenario, schema)
        install_urlconf(run.view)
        run.models = build_models(schema)
        create_tables(schema["app"])
        run.install_recorder()
        run.connect_noop_receivers()
        lines = run.run()
    finally:
        destroy_test_database(test_database)
    write_trace(lines, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
