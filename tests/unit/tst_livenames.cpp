// The names of a live send (its sender, its instance's model) are remembered
// by the recorder, its packer and its loop detector from one send to the next
// (RecentName). A clear() rebuilds the string table with other ids: a name
// remembered from before must not survive it, or sends after it would name
// other strings and loops through it would go unseen.

#include "dispatch/dispatcher.h"
#include "enginetestutil.h"
#include "model/instance.h"
#include "model/modelregistry.h"
#include "trace/tracerecorder.h"

#include <QtTest>

using namespace ss;
using namespace sst;

namespace {

const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "names",
  "models": [
    {"name": "Aardvark", "fields": [{"name": "a", "type": "char"}]},
    {"name": "Bee", "fields": [{"name": "b", "type": "char"}]},
    {"name": "Cat", "fields": [{"name": "c", "type": "char"}]},
    {"name": "Dog", "fields": [{"name": "d", "type": "char"}]},
    {"name": "Counter", "fields": [{"name": "n", "type": "int"}]}
  ]
})";

} // namespace

class TestLiveNames : public QObject
{
    Q_OBJECT

    SchemaDecl m_schema = schemaFrom(kSchema);
    ModelRegistry m_registry{m_schema};

    InstancePtr instance(const char *model, int pk)
    {
        auto i = std::make_shared<Instance>(m_registry.model(QString::fromLatin1(model)));
        i->setPk(QCborValue(pk));
        return i;
    }

private slots:
    void namesAfterAClearAreTheNewTablesIds()
    {
        DispatchContext context;
        TraceRecorder recorder;
        context.addListener(&recorder);
        Signal postSave(QStringLiteral("post_save"), &context);
        const QStringList others{QStringLiteral("Aardvark"), QStringLiteral("Bee"), QStringLiteral("Cat"), QStringLiteral("Dog")};
        const auto send = [&](const QString &model, int pk) {
            postSave.send(Sender::model(m_registry.model(model)->name),
                          SignalArgs().add(QStringLiteral("instance"), instance(model.toLatin1().constData(), pk)));
        };
        // Before: the other models' names take the first ids, Counter a later
        // one, and Counter is the name last sent (remembered by identity).
        recorder.stepBegin(0, QStringLiteral("before"));
        for (const QString &model : others)
            send(model, 1);
        send(QStringLiteral("Counter"), 1);
        send(QStringLiteral("Counter"), 2);
        recorder.stepEnd(0, nullptr);
        recorder.clear();
        // After: Counter first, so it gets an early id, and the others take
        // the ids Counter had: a remembered id would read as another model.
        recorder.stepBegin(1, QStringLiteral("after"));
        send(QStringLiteral("Counter"), 3);
        for (const QString &model : others)
            send(model, 1);
        recorder.stepEnd(1, nullptr);

        QCOMPARE(recorder.count(), 1 + 1 + int(others.size()));
        const TraceEvent after = recorder.event(1);
        QCOMPARE(after.sender.name, QStringLiteral("Counter"));
        QCOMPARE(recorder.args(1).value(QStringLiteral("instance")).toMap().value(QStringLiteral("model")).toString(),
                 QStringLiteral("Counter"));
        for (int i = 0; i < others.size(); ++i) {
            QCOMPARE(recorder.event(2 + i).sender.name, others[i]);
            QCOMPARE(recorder.args(2 + i).value(QStringLiteral("instance")).toMap().value(QStringLiteral("model")).toString(), others[i]);
        }
        context.removeListener(&recorder);
    }

    // A save loop that a clear() cuts in two: the instance opened before it is
    // still recognised by the send that re-enters it after.
    void aLoopAcrossAClearIsStillFound()
    {
        DispatchContext context;
        TraceRecorder recorder;
        context.addListener(&recorder);
        Signal postSave(QStringLiteral("post_save"), &context);
        const Model *aardvark = m_registry.model(QStringLiteral("Aardvark"));
        const Model *counter = m_registry.model(QStringLiteral("Counter"));
        const InstancePtr c = instance("Counter", 1);
        int depth = 0;
        postSave.connect(1, [&](const Sender &sender, const SignalArgs &) {
            if (sender.name != counter->name || ++depth > 1)
                return;
            recorder.clear();               // the table is rebuilt: Counter gets another id
            postSave.send(Sender::model(counter->name), SignalArgs().add(QStringLiteral("instance"), c));
        }, Sender(), QString(), QStringLiteral("resave_counter"));
        recorder.stepBegin(0, QStringLiteral("warm-up"));
        postSave.send(Sender::model(aardvark->name), SignalArgs().add(QStringLiteral("instance"), instance("Aardvark", 1)));
        recorder.stepEnd(0, nullptr);
        recorder.stepBegin(1, QStringLiteral("c.save()"));
        postSave.send(Sender::model(counter->name), SignalArgs().add(QStringLiteral("instance"), c));
        recorder.stepEnd(1, nullptr);

        QCOMPARE(recorder.loops().size(), 1);
        QCOMPARE(recorder.loops().first().path, QStringLiteral("post_save(Counter:1) → resave_counter → post_save(Counter:1)"));
        context.removeListener(&recorder);
    }
};

QTEST_APPLESS_MAIN(TestLiveNames)
#include "tst_livenames.moc"
