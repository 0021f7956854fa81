// The refusals of contract section 8 (listed in section 3's Validation
// paragraph): each bad scenario is refused whole, with a message naming the
// file, the JSON path of the offending value and its line:column; and the
// command line exits 2 with that message.

#include "formats/loaders.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;

namespace {

// A scenario around `steps`, with a small inline schema whose receivers are
// `receivers` and the given templates.
QByteArray scenario(const QByteArray &steps, const QByteArray &receivers = "[]", const QByteArray &templates = "{}")
{
    return QByteArray(R"({"format": "signalscope-scenario/1",
 "schema": {"format": "signalscope-schema/1", "app": "shop", "signals": ["pinged"],
  "models": [{"name": "Order", "fields": [{"name": "number", "type": "int"},
                                         {"name": "customer", "type": "foreign_key", "to": "Customer", "on_delete": "CASCADE", "null": true}]},
             {"name": "Customer", "fields": [{"name": "name", "type": "char"}]}],
  "receivers": )") + receivers + R"(},
 "templates": )" + templates + R"(,
 "steps": )" + steps + "}";
}

} // namespace

class TestRequestLoaders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refuses_data();
    void refuses();
    void acceptsTheSubset();
    void nestedStepsAndNames();
    void commandLineExitsTwo();

private:
    QTemporaryDir m_dir;
};

void TestRequestLoaders::refuses_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("pathBytes");
    QTest::addColumn<QByteArray>("fragmentBytes");
    const auto row = [](const char *tag, const QByteArray &json, const char *path, const char *fragment) {
        QTest::newRow(tag) << json << QByteArray(path) << QByteArray(fragment);
    };

    const auto req = [](const QByteArray &fields) -> QByteArray {
        return QByteArray(R"([{"op": "request", "method": "GET", "path": "/x/", "handler": "wsgi", )") + fields + "}]";
    };
    // request
    row("method", scenario(R"([{"op": "request", "method": "HEAD", "path": "/", "handler": "wsgi"}])"), "steps[0].method", "unknown method 'HEAD'");
    row("path no slash", scenario(R"([{"op": "request", "method": "GET", "path": "x/", "handler": "wsgi"}])"), "steps[0].path", "is not a path");
    row("path query", scenario(R"([{"op": "request", "method": "GET", "path": "/x?a=1", "handler": "wsgi"}])"), "steps[0].path", "is not a path");
    row("handler", scenario(R"([{"op": "request", "method": "GET", "path": "/", "handler": "asgi"}])"), "steps[0].handler", "unknown handler 'asgi'");
    row("view not array", scenario(req(R"("view": {})")), "steps[0].view", "expected an array");
    row("atomic not bool", scenario(req(R"("atomic": 1)")), "steps[0].atomic", "expected true or false");
    row("raise class", scenario(req(R"("raise": "KeyError: x")")), "steps[0].raise", "is not \"<Class>\"");
    row("raise no space", scenario(req(R"("raise": "ValueError:x")")), "steps[0].raise", "is not \"<Class>\"");
    row("request in view", scenario(req(R"("view": [{"op": "request", "method": "GET", "path": "/", "handler": "client"}])")), "steps[0].view[0].op", "cannot run inside a request's view");
    row("flush in view", scenario(req(R"("view": [{"op": "override_settings", "settings": {}, "steps": [{"op": "flush"}]}])")), "steps[0].view[0].steps[0].op", "cannot run inside a request's view");
    row("migrate in view", scenario(req(R"("view": [{"op": "migrate"}])")), "steps[0].view[0].op", "cannot run inside a request's view");
    row("bad nested step", scenario(req(R"("view": [{"op": "create", "model": "Nope"}])")), "steps[0].view[0].model", "unknown model 'Nope'");
    row("unbound ref in view", scenario(req(R"("view": [{"op": "save", "ref": "later"}])")), "steps[0].view[0].ref", "unknown name 'later'");
    // override_settings
    row("settings not object", scenario(R"([{"op": "override_settings", "settings": [], "steps": []}])"), "steps[0].settings", "expected an object");
    row("settings missing", scenario(R"([{"op": "override_settings", "steps": []}])"), "steps[0]", "missing \"settings\"");
    row("setting lowercase", scenario(R"([{"op": "override_settings", "settings": {"Shop": 1}, "steps": []}])"), "steps[0].settings.Shop", "not a setting name");
    row("setting django's", scenario(R"([{"op": "override_settings", "settings": {"USE_TZ": true}, "steps": []}])"), "steps[0].settings.USE_TZ", "one of Django's own settings");
    row("setting root urlconf", scenario(R"([{"op": "override_settings", "settings": {"ROOT_URLCONF": "x"}, "steps": []}])"), "steps[0].settings.ROOT_URLCONF", "one of Django's own settings");
    row("steps not array", scenario(R"([{"op": "override_settings", "settings": {"A": 1}, "steps": 3}])"), "steps[0].steps", "expected an array");
    // templates
    row("templates not object", scenario("[]", "[]", "[]"), "templates", "expected an object");
    row("template not string", scenario("[]", "[]", R"({"a.html": 1})"), "templates[\"a.html\"]", "expected a string");
    row("template name", scenario("[]", "[]", R"({"404.html": "x"})"), "templates[\"404.html\"]", "not a template name");
    row("filter", scenario("[]", "[]", R"({"a.html": "{{ post.title|upper }}"})"), "templates[\"a.html\"]", "no filters");
    row("for tag", scenario("[]", "[]", R"({"a.html": "{% for x in y %}{% endfor %}"})"), "templates[\"a.html\"]", "not in the template subset");
    row("comment", scenario("[]", "[]", R"({"a.html": "{# hi #}"})"), "templates[\"a.html\"]", "comments");
    row("unclosed tag", scenario("[]", "[]", R"({"a.html": "{{ post\n }}"})"), "templates[\"a.html\"]", "unclosed tag");
    row("endblock name", scenario("[]", "[]", R"({"a.html": "{% block a %}{% endblock a %}"})"), "templates[\"a.html\"]", "not in the template subset");
    row("block unclosed", scenario("[]", "[]", R"({"a.html": "{% block a %}"})"), "templates[\"a.html\"]", "never closed");
    row("endblock stray", scenario("[]", "[]", R"({"a.html": "{% endblock %}"})"), "templates[\"a.html\"]", "without an open block");
    row("block twice", scenario("[]", "[]", R"({"a.html": "{% block a %}{% block a %}{% endblock %}{% endblock %}"})"), "templates[\"a.html\"]", "more than once");
    row("extends late", scenario("[]", "[]", R"({"a.html": "{{ x }}{% extends \"b.html\" %}", "b.html": ""})"), "templates[\"a.html\"]", "must be the first tag");
    row("extends twice", scenario("[]", "[]", R"({"a.html": "{% extends \"b.html\" %}{% extends \"b.html\" %}", "b.html": ""})"), "templates[\"a.html\"]", "must be the first tag");
    row("include unknown", scenario("[]", "[]", R"({"a.html": "{% include \"nope.html\" %}"})"), "templates[\"a.html\"]", "'nope.html', which is not in");
    row("cycle", scenario("[]", "[]", R"({"a.html": "{% include \"b.html\" %}", "b.html": "{% extends \"a.html\" %}"})"), "templates[\"a.html\"]", "cycle");
    row("variable block", scenario("[]", "[]", R"({"a.html": "{{ block.super }}"})"), "templates[\"a.html\"]", "not a context variable");
    // render
    row("render unknown", scenario(R"([{"op": "render", "template": "z.html"}])", "[]", R"({"a.html": ""})"), "steps[0].template", "no template 'z.html'");
    row("context not object", scenario(R"([{"op": "render", "template": "a.html", "context": 1}])", "[]", R"({"a.html": ""})"), "steps[0].context", "expected an object");
    row("context name", scenario(R"([{"op": "render", "template": "a.html", "context": {"_x": 1}}])", "[]", R"({"a.html": ""})"), "steps[0].context._x", "not a context variable name");
    row("context None", scenario(R"([{"op": "render", "template": "a.html", "context": {"None": 1}}])", "[]", R"({"a.html": ""})"), "steps[0].context.None", "not a context variable name");
    row("context array", scenario(R"([{"op": "render", "template": "a.html", "context": {"x": [1]}}])", "[]", R"({"a.html": ""})"), "steps[0].context.x", "JSON scalar");
    row("context unbound", scenario(R"([{"op": "render", "template": "a.html", "context": {"x": "$o"}}])", "[]", R"({"a.html": ""})"), "steps[0].context.x", "unknown name 'o'");
    // receivers of the five signals
    row("custom named like built-in", QByteArray(R"({"format": "signalscope-scenario/1", "schema": {"format": "signalscope-schema/1", "app": "a",
             "signals": ["setting_changed"], "models": []}, "steps": []})"), "schema.signals[0]", "built-in");
    row("sender model", scenario("[]", R"([{"name": "r", "signal": "request_started", "sender": "Order"}])"), "schema.receivers[0].sender", "unknown sender 'Order' for request_started");
    row("sender settings", scenario("[]", R"([{"name": "r", "signal": "setting_changed", "sender": "Settings"}])"), "schema.receivers[0].sender", "unknown sender 'Settings'");
    row("sender exception", scenario("[]", R"([{"name": "r", "signal": "got_request_exception", "sender": "WSGIHandler"}])"), "schema.receivers[0].sender", "takes no sender");
    row("sender template", scenario("[]", R"([{"name": "r", "signal": "template_rendered", "sender": "a.html"}])"), "schema.receivers[0].sender", "takes no sender");
    row("set action", scenario("[]", R"([{"name": "r", "signal": "request_finished", "do": [{"set": {"a": 1}}]}])"), "schema.receivers[0].do[0].set", "has no instance");
    row("$instance", scenario("[]", R"([{"name": "r", "signal": "setting_changed", "do": [{"create": "Order", "values": {"number": "$instance.pk"}}]}])"), "schema.receivers[0].do[0].values.number", "cannot be used in a receiver of setting_changed");
    row("$sender", scenario("[]", R"([{"name": "r", "signal": "request_started", "do": [{"create": "Customer", "values": {"name": "$sender"}}]}])"), "schema.receivers[0].do[0].values.name", "cannot be used");
    row("save $instance", scenario("[]", R"([{"name": "r", "signal": "template_rendered", "do": [{"save": "$instance"}]}])"), "schema.receivers[0].do[0].save", "cannot be used");
    row("when instance", scenario("[]", R"([{"name": "r", "signal": "got_request_exception", "when": {"instance.pk": 1}}])"), "schema.receivers[0].when[\"instance.pk\"]", "cannot be tested");
    row("when changed", scenario("[]", R"([{"name": "r", "signal": "request_finished", "when": {"changed": "number"}}])"), "schema.receivers[0].when.changed", "cannot be tested");
    row("$environ anywhere", scenario("[]", R"([{"name": "r", "signal": "post_save", "do": [{"create": "Customer", "values": {"name": "$environ"}}]}])"), "schema.receivers[0].do[0].values.name", "no portable raw value");
    row("$context", scenario("[]", R"([{"name": "r", "signal": "template_rendered", "do": [{"create": "Customer", "values": {"name": "$context"}}]}])"), "schema.receivers[0].do[0].values.name", "no portable raw value");
    row("connect step", scenario(R"([{"op": "connect", "receiver": {"name": "r", "signal": "request_started", "sender": "UserSettingsHolder"}}])"), "steps[0].receiver.sender", "unknown sender 'UserSettingsHolder'");
}

void TestRequestLoaders::refuses()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, pathBytes);
    QFETCH(QByteArray, fragmentBytes);
    const QString path = QString::fromUtf8(pathBytes);
    const QString fragment = QString::fromUtf8(fragmentBytes);
    QVERIFY(m_dir.isValid());
    static int counter = 0;
    const QString file = m_dir.filePath(QStringLiteral("refused_%1.scenario.json").arg(++counter));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(json);
    out.close();
    LoadError error;
    const auto loaded = loadScenarioFile(file, &error);
    QVERIFY2(!loaded, "loaded a scenario the contract refuses");
    const QString text = error.toString();
    QCOMPARE(error.file, file);
    QCOMPARE(error.path, path);
    QVERIFY2(error.message.contains(fragment), qPrintable(text));
    QVERIFY2(error.line > 0, qPrintable(text));
    QVERIFY2(text.startsWith(file + QLatin1Char(':')), qPrintable(text));
}

void TestRequestLoaders::acceptsTheSubset()
{
    LoadError error;
    const auto loaded = parseScenario(scenario(R"([
        {"op": "create", "model": "Customer", "values": {"name": "ann"}, "as": "ann"},
        {"op": "render", "template": "page.html", "context": {"z": "$ann", "a": "$ann.name", "n": null}},
        {"op": "override_settings", "settings": {"ZED": 1, "DEBUG_PROPAGATE_EXCEPTIONS": true, "A_1": [1, {"x": null}]}, "steps": []}])",
        R"([{"name": "r", "signal": "request_finished", "sender": "ClientHandler", "do": [{"notify": "{sender}"}, {"send": "pinged"}]},
            {"name": "s", "signal": "setting_changed", "when": {"setting": "A_1", "enter": true}, "do": [{"create": "Customer", "values": {"name": "$setting"}}]}])",
        R"({"base.html": "<p>{% block a %}x{% block b %}{% endblock %}{% endblock %}</p>{% include  \"inc.html\"  %}",
            "page.html": "text {% extends \"base.html\" %}{%block b%}{{ z.name }}{{z.customer.pk}}{% endblock %}",
            "inc.html": "{{ a }} {{ missing.x.y }}"})"), QStringLiteral("ok.scenario.json"), &error);
    QVERIFY2(loaded, qPrintable(error.toString()));
    const StepDecl &render = loaded->steps.at(1);
    QCOMPARE(render.op, StepDecl::Op::Render);
    QCOMPARE(render.extra().context.keys().size(), 3);
    QCOMPARE(render.extra().context.keys().first().toString(), QStringLiteral("a"));   // ASCII order
    const StepDecl &override = loaded->steps.at(2);
    QStringList names;
    for (const QCborValue &key : override.extra().settings.keys())
        names << key.toString();
    QCOMPARE(names, (QStringList{QStringLiteral("A_1"), QStringLiteral("DEBUG_PROPAGATE_EXCEPTIONS"), QStringLiteral("ZED")}));
    QCOMPARE(loaded->templates.size(), 3);
}

void TestRequestLoaders::nestedStepsAndNames()
{
    LoadError error;
    const auto loaded = parseScenario(scenario(R"([
        {"op": "request", "method": "POST", "path": "/a/b_c.d-e/", "handler": "client", "atomic": true, "raise": "ValueError: ",
         "view": [{"op": "create", "model": "Customer", "values": {"name": "x"}, "as": "c"},
                  {"op": "override_settings", "settings": {"X": 1}, "steps": [{"op": "save", "ref": "c"}]}]},
        {"op": "request", "method": "GET", "path": "/", "handler": "wsgi", "raise": "Http404"},
        {"op": "delete", "ref": "c"}])"), QStringLiteral("nested.scenario.json"), &error);
    QVERIFY2(loaded, qPrintable(error.toString()));
    const StepDecl &request = loaded->steps.at(0);
    QCOMPARE(request.extra().nested.size(), size_t(2));
    QCOMPARE(request.extra().nested[1].extra().nested.size(), size_t(1));
    QCOMPARE(request.extra().nested[1].extra().nested[0].index, 0);          // nested lines carry the top-level index
    QCOMPARE(request.extra().raiseClass, QStringLiteral("ValueError"));
    QVERIFY(request.extra().raiseHasMessage);
    QCOMPARE(request.extra().raiseMessage, QString());
    QVERIFY(request.extra().atomic);
    QVERIFY(!loaded->steps.at(1).extra().raiseHasMessage);
    QCOMPARE(loaded->steps.at(1).extra().raiseClass, QStringLiteral("Http404"));
}

void TestRequestLoaders::commandLineExitsTwo()
{
    const QString file = m_dir.filePath(QStringLiteral("cli_bad.scenario.json"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(scenario(R"([{"op": "override_settings", "settings": {"SECRET_KEY": "x"}, "steps": []}])"));
    out.close();
    QProcess process;
    process.start(QStringLiteral(SIGNALSCOPE_BINARY), {QStringLiteral("run"), file});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 2);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains(file), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("steps[0].settings.SECRET_KEY")), qPrintable(err));
    QVERIFY(process.readAllStandardOutput().isEmpty());
}

QTEST_GUILESS_MAIN(TestRequestLoaders)
#include "tst_requestloaders.moc"
