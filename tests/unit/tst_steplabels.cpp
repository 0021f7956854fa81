// Deferred step labels (dispatch/steplabel.h): a scenario step's Django code
// is built only when something reads it, once, and reads the same as before.

#include "dispatch/dispatcher.h"
#include "formats/loaders.h"
#include "python/djangocode.h"
#include "session/scenariorunner.h"
#include "trace/traceexport.h"
#include "trace/tracerecorder.h"

#include <QBuffer>
#include <QtTest>

using namespace ss;

namespace {

// Labels that count how often they are built.
class CountingLabels : public StepLabels
{
public:
    QString stepLabel(int step) const override
    {
        ++built;
        return QStringLiteral("step_%1()").arg(step);
    }
    mutable int built = 0;
};

// A listener that keeps what it was handed.
class LabelSpy : public TraceListener
{
public:
    void stepBegin(int, const StepLabel &label) override { labels.append(label); }
    QVector<StepLabel> labels;
};

QByteArray canonical(const TraceRecorder &recorder)
{
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    writeCanonicalJsonl(recorder, out);
    return out.data();
}

QByteArray chrome(const TraceRecorder &recorder)
{
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    writeChromeTrace(recorder, out);
    return out.data();
}

const QByteArray kScenario = R"({"format": "signalscope-scenario/1", "schema": {"app": "shop",
    "models": [{"name": "Topping", "fields": [{"name": "name", "type": "char"}, {"name": "price", "type": "float"}]}]},
    "steps": [
        {"op": "create", "model": "Topping", "values": {"name": "ham", "price": 2.0}, "as": "t"},
        {"op": "set", "ref": "t", "values": {"name": "spam"}},
        {"op": "save", "ref": "t", "update_fields": ["name"]},
        {"op": "get", "model": "Topping", "where": {"name": "nobody"}},
        {"op": "delete", "ref": "t"}]})";

} // namespace

class TestStepLabels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void textLabelIsItsText();
    void recorderBuildsADeferredLabelOnceWhenRead();
    void canonicalExportBuildsNoLabel();
    void exportsThatShowCodeBuildIt();
    void clearForgetsTheSources();
    void runnerHandsDeferredLabels();
    void runnerLabelsReadAsTheStepCode();
    void labelsOutliveTheRunner();
};

void TestStepLabels::textLabelIsItsText()
{
    const StepLabel label(QStringLiteral("c.save()"));
    QVERIFY(!label.isDeferred());
    QCOMPARE(label.text(), QStringLiteral("c.save()"));

    auto labels = std::make_shared<CountingLabels>();
    const StepLabel deferred(labels, 3);
    QVERIFY(deferred.isDeferred());
    QCOMPARE(labels->built, 0);
    QCOMPARE(deferred.text(), QStringLiteral("step_3()"));
    QCOMPARE(labels->built, 1);
}

void TestStepLabels::recorderBuildsADeferredLabelOnceWhenRead()
{
    auto labels = std::make_shared<CountingLabels>();
    TraceRecorder recorder;
    recorder.stepBegin(0, StepLabel(labels, 0));
    recorder.effect(0, QStringLiteral("notify"), QStringLiteral("hello"));
    recorder.stepEnd(0, nullptr);
    recorder.stepBegin(1, QStringLiteral("typed.save()"));     // a window's action: text now
    recorder.stepEnd(1, nullptr);
    recorder.stepBegin(2, StepLabel(labels, 2));
    recorder.stepEnd(2, nullptr);
    QCOMPARE(recorder.count(), 4);
    QCOMPARE(labels->built, 0);

    QCOMPARE(recorder.text(3), QStringLiteral("step_2()"));
    QCOMPARE(labels->built, 1);
    QCOMPARE(recorder.text(3), QStringLiteral("step_2()"));
    QCOMPARE(recorder.event(3).text, QStringLiteral("step_2()"));
    std::string json;
    recorder.appendTextJson(json, 3);
    QCOMPARE(json, std::string("\"step_2()\""));
    QCOMPARE(labels->built, 1);                 // kept after the first read

    QCOMPARE(recorder.text(2), QStringLiteral("typed.save()"));
    QCOMPARE(recorder.text(1), QStringLiteral("hello"));
    QCOMPARE(labels->built, 1);
    json.clear();
    recorder.appendTextJson(json, 0);
    QCOMPARE(json, std::string("\"step_0()\""));
    QCOMPARE(labels->built, 2);
}

void TestStepLabels::canonicalExportBuildsNoLabel()
{
    auto labels = std::make_shared<CountingLabels>();
    TraceRecorder recorder;
    for (int step = 0; step < 3; ++step) {
        recorder.stepBegin(step, StepLabel(labels, step));
        recorder.effect(0, QStringLiteral("notify"), QStringLiteral("n%1").arg(step));
        recorder.stepEnd(step, nullptr);
    }
    const QByteArray lines = canonical(recorder);
    QCOMPARE(lines.count('\n'), 3);
    QVERIFY(!lines.contains("step_"));
    QCOMPARE(labels->built, 0);
}

void TestStepLabels::exportsThatShowCodeBuildIt()
{
    auto labels = std::make_shared<CountingLabels>();
    TraceRecorder recorder;
    recorder.stepBegin(0, StepLabel(labels, 0));
    recorder.stepEnd(0, nullptr);
    const QByteArray trace = chrome(recorder);
    QVERIFY2(trace.contains("\"step 0: step_0()\""), trace.constData());
    QVERIFY2(trace.contains("\"code\":\"step_0()\""), trace.constData());
    QCOMPARE(labels->built, 1);
    QCOMPARE(chrome(recorder), trace);
    QCOMPARE(labels->built, 1);
}

void TestStepLabels::clearForgetsTheSources()
{
    auto labels = std::make_shared<CountingLabels>();
    TraceRecorder recorder;
    recorder.stepBegin(0, StepLabel(labels, 0));
    recorder.stepEnd(0, nullptr);
    recorder.clear();
    QCOMPARE(labels.use_count(), 1);            // the recording let go of them
    recorder.stepBegin(5, QStringLiteral("x.save()"));
    recorder.stepEnd(5, nullptr);
    QCOMPARE(recorder.text(0), QStringLiteral("x.save()"));
    QCOMPARE(labels->built, 0);
}

void TestStepLabels::runnerHandsDeferredLabels()
{
    LoadError error;
    auto scenario = parseScenario(kScenario, QStringLiteral("labels.scenario.json"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    ScenarioRunner runner(std::move(*scenario));
    LabelSpy spy;
    runner.engine().dispatch().addListener(&spy);
    runner.runAll();
    runner.engine().dispatch().removeListener(&spy);
    QCOMPARE(spy.labels.size(), 5);
    for (int i = 0; i < spy.labels.size(); ++i) {
        QVERIFY(spy.labels.at(i).isDeferred());
        QCOMPARE(spy.labels.at(i).step(), i);
        QCOMPARE(spy.labels.at(i).text(), runner.stepCode(i));
    }
}

void TestStepLabels::runnerLabelsReadAsTheStepCode()
{
    LoadError error;
    auto scenario = parseScenario(kScenario, QStringLiteral("labels.scenario.json"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    const QVector<StepDecl> steps = scenario->steps;
    ScenarioRunner runner(std::move(*scenario));
    TraceRecorder recorder;
    runner.engine().dispatch().addListener(&recorder);
    runner.runAll();
    runner.engine().dispatch().removeListener(&recorder);
    int step = 0;
    for (int i = 0; i < recorder.count(); ++i) {
        if (recorder.kindOf(i) != TraceEventKind::Step)
            continue;
        QCOMPARE(recorder.text(i), stepCode(steps.at(step)));
        ++step;
    }
    QCOMPARE(step, 5);
    QCOMPARE(runner.stepCode(0), QStringLiteral("t = Topping.objects.create(name='ham', price=2.0)"));
    QCOMPARE(runner.stepCode(2), QStringLiteral("t.save(update_fields=['name'])"));
}

void TestStepLabels::labelsOutliveTheRunner()
{
    LoadError error;
    auto scenario = parseScenario(kScenario, QStringLiteral("labels.scenario.json"), &error);
    QVERIFY2(scenario, qPrintable(error.toString()));
    TraceRecorder recorder;
    {
        ScenarioRunner runner(std::move(*scenario));
        runner.engine().dispatch().addListener(&recorder);
        runner.runAll();
        runner.engine().dispatch().removeListener(&recorder);
    }
    QStringList texts;
    for (int i = 0; i < recorder.count(); ++i) {
        if (recorder.kindOf(i) == TraceEventKind::Step)
            texts << recorder.text(i);
    }
    QCOMPARE(texts.size(), 5);
    QCOMPARE(texts.first(), QStringLiteral("t = Topping.objects.create(name='ham', price=2.0)"));
    QCOMPARE(texts.last(), QStringLiteral("t.delete()"));
}

QTEST_GUILESS_MAIN(TestStepLabels)
#include "tst_steplabels.moc"
