// Django's own receivers of the request and test signals (contract 8.5): who
// listens, in which order, and how the test client changes the lists. None of
// this shows in the canonical trace, so it is checked here, on the receiver
// lists the window's schema panel shows.

#include "formats/loaders.h"
#include "session/scenariorunner.h"
#include "trace/tracerecorder.h"
#include "web/webruntime.h"

#include <QtTest>

using namespace ss;

namespace {

ScenarioDecl load(const QByteArray &steps, const QByteArray &receivers = "[]")
{
    LoadError error;
    const auto scenario = parseScenario(QByteArray(R"({"format": "signalscope-scenario/1",
        "schema": {"format": "signalscope-schema/1", "app": "shop",
          "models": [{"name": "Order", "fields": [{"name": "number", "type": "int"}]}], "receivers": )") + receivers + R"(},
        "steps": )" + steps + "}", QStringLiteral("inline.scenario.json"), &error);
    if (!scenario)
        qFatal("%s", qPrintable(error.toString()));
    return *scenario;
}

QStringList labels(Signal *signal)
{
    QStringList out;
    for (const ConnectedReceiver &r : signal->receivers())
        out << r.label.section(QLatin1Char(' '), 0, 0);
    return out;
}

} // namespace

class TestWebRuntime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void djangoReceiversComeFirstInDjangosOrder();
    void clientMovesCloseOldConnectionsToTheEnd();
    void clientReceiversOnlyDuringTheRequest();
    void raisingStartReceiverLeavesItDisconnected();
    void settingsRestoredAndDefaults();
    void responseLineCarriesTheStatus();
};

void TestWebRuntime::djangoReceiversComeFirstInDjangosOrder()
{
    ScenarioRunner runner(load("[]", R"([{"name": "mine", "signal": "request_finished"}])"));
    Engine &engine = runner.engine();
    QCOMPARE(labels(engine.signal(QStringLiteral("request_started"))),
             (QStringList{QStringLiteral("reset_queries"), QStringLiteral("close_old_connections")}));
    QCOMPARE(labels(engine.signal(QStringLiteral("request_finished"))),
             (QStringList{QStringLiteral("close_old_connections"), QStringLiteral("close_caches"),
                          QStringLiteral("reset_urlconf"), QStringLiteral("mine")}));
    const QStringList settings = labels(engine.signal(QStringLiteral("setting_changed")));
    QCOMPARE(settings.size(), 16);
    QCOMPARE(settings.first(), QStringLiteral("reset_cache"));
    QCOMPARE(settings.last(), QStringLiteral("user_model_swapped"));
    QVERIFY(labels(engine.signal(QStringLiteral("got_request_exception"))).isEmpty());
    QVERIFY(labels(engine.signal(QStringLiteral("template_rendered"))).isEmpty());
    for (const ConnectedReceiver &r : engine.signal(QStringLiteral("request_finished"))->receivers())
        QCOMPARE(WebRuntime::isDjangoReceiver(r.receiverId), r.label != QLatin1String("mine"));
    QCOMPARE(engine.signal(QStringLiteral("request_started"))->receivers().first().label,
             QStringLiteral("reset_queries (django.db)"));
}

void TestWebRuntime::clientMovesCloseOldConnectionsToTheEnd()
{
    ScenarioRunner runner(load(R"([{"op": "request", "method": "GET", "path": "/", "handler": "wsgi"},
                                   {"op": "request", "method": "GET", "path": "/", "handler": "client"}])",
                               R"([{"name": "mine", "signal": "request_started"}, {"name": "fin", "signal": "request_finished"}])"));
    Engine &engine = runner.engine();
    runner.runNext();   // wsgi leaves the lists alone
    QCOMPARE(labels(engine.signal(QStringLiteral("request_started"))),
             (QStringList{QStringLiteral("reset_queries"), QStringLiteral("close_old_connections"), QStringLiteral("mine")}));
    runner.runNext();
    QCOMPARE(labels(engine.signal(QStringLiteral("request_started"))),
             (QStringList{QStringLiteral("reset_queries"), QStringLiteral("mine"), QStringLiteral("close_old_connections")}));
    QCOMPARE(labels(engine.signal(QStringLiteral("request_finished"))),
             (QStringList{QStringLiteral("close_caches"), QStringLiteral("reset_urlconf"), QStringLiteral("fin"),
                          QStringLiteral("close_old_connections")}));
}

void TestWebRuntime::clientReceiversOnlyDuringTheRequest()
{
    // During the request, a got_request_exception receiver sees Django's
    // store_exc_info after itself; afterwards it is gone again.
    ScenarioRunner runner(load(R"([{"op": "request", "method": "GET", "path": "/", "handler": "client", "raise": "ValueError: x"}])",
                               R"([{"name": "report", "signal": "got_request_exception", "do": [{"notify": "seen"}]}])"));
    Engine &engine = runner.engine();
    QStringList during;
    QStringList renderedDuring;
    engine.signal(QStringLiteral("got_request_exception"))
        ->connect(999001, [&](const Sender &, const SignalArgs &) {
            during = labels(engine.signal(QStringLiteral("got_request_exception")));
            renderedDuring = labels(engine.signal(QStringLiteral("template_rendered")));
        });
    const auto failure = runner.runNext();
    QVERIFY(failure);
    QCOMPARE(failure->type(), QStringLiteral("ValueError"));     // re-raised by the client
    QCOMPARE(during, (QStringList{QStringLiteral("report"), QString(), QStringLiteral("ClientMixin.store_exc_info")}));
    QCOMPARE(during.last(), QStringLiteral("ClientMixin.store_exc_info"));
    QCOMPARE(renderedDuring, QStringList{QStringLiteral("store_rendered_templates")});
    QCOMPARE(labels(engine.signal(QStringLiteral("got_request_exception"))), (QStringList{QStringLiteral("report"), QString()}));
    QVERIFY(labels(engine.signal(QStringLiteral("template_rendered"))).isEmpty());
}

void TestWebRuntime::raisingStartReceiverLeavesItDisconnected()
{
    ScenarioRunner runner(load(R"([{"op": "request", "method": "GET", "path": "/", "handler": "client"}])",
                               R"([{"name": "boom", "signal": "request_started", "do": [{"raise": "no"}]}])"));
    const auto failure = runner.runNext();
    QVERIFY(failure);
    QCOMPARE(failure->type(), QStringLiteral("ReceiverError"));
    QCOMPARE(labels(runner.engine().signal(QStringLiteral("request_started"))),
             (QStringList{QStringLiteral("reset_queries"), QStringLiteral("boom")}));
    QCOMPARE(labels(runner.engine().signal(QStringLiteral("got_request_exception"))), QStringList());
}

void TestWebRuntime::settingsRestoredAndDefaults()
{
    ScenarioRunner runner(load(R"([{"op": "override_settings", "settings": {"A": 1, "DEBUG_PROPAGATE_EXCEPTIONS": true}, "steps": [
                                     {"op": "override_settings", "settings": {"A": 2}, "steps": [{"op": "get", "model": "Order", "where": {"number": 5}}]}]}])"));
    runner.runAll();
    QCOMPARE(runner.web().setting(QStringLiteral("A")), QCborValue(nullptr));
    QCOMPARE(runner.web().setting(QStringLiteral("DEBUG_PROPAGATE_EXCEPTIONS")), QCborValue(false));
}

void TestWebRuntime::responseLineCarriesTheStatus()
{
    ScenarioRunner runner(load(R"([{"op": "request", "method": "DELETE", "path": "/o/", "handler": "wsgi", "raise": "PermissionDenied"}])"));
    TraceRecorder recorder;
    runner.engine().dispatch().addListener(&recorder);
    runner.runAll();
    runner.engine().dispatch().removeListener(&recorder);
    bool found = false;
    for (int i = 0; i < recorder.count(); ++i) {
        const TraceEvent e = recorder.event(i);
        if (e.kind == TraceEventKind::Effect && e.effect == responseEffect()) {
            QCOMPARE(e.text, QStringLiteral("403"));
            found = true;
        }
    }
    QVERIFY(found);
}

QTEST_GUILESS_MAIN(TestWebRuntime)
#include "tst_webruntime.moc"
