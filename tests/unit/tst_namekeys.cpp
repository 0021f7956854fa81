// NameKeys: one process-wide key per distinct name, for the names signals and
// connections keep for their life; and the recorder's use of them (a key maps
// to the right string id, also after the recording was cleared).

#include "dispatch/dispatcher.h"
#include "dispatch/namekeys.h"
#include "trace/tracerecorder.h"

#include <QtTest>

using namespace ss;

class TestNameKeys : public QObject
{
    Q_OBJECT

private slots:
    void oneKeyPerText()
    {
        const quint32 a = NameKeys::keyOf(QStringLiteral("post_save"));
        QVERIFY(a >= 1);
        QCOMPARE(NameKeys::keyOf(QString::fromLatin1("post_") + QString::fromLatin1("save")), a);
        QVERIFY(NameKeys::keyOf(QStringLiteral("pre_save")) != a);
    }

    // The key keeps the text it was given, not a buffer that changes later.
    void rawDataIsCopied()
    {
        QChar buffer[5] = {u'k', u'e', u'y', u'_', u'1'};
        const quint32 first = NameKeys::keyOf(QString::fromRawData(buffer, 5));
        buffer[4] = u'2';
        const quint32 second = NameKeys::keyOf(QString::fromRawData(buffer, 5));
        QVERIFY(second != first);
        QCOMPARE(NameKeys::keyOf(QStringLiteral("key_1")), first);
    }

    void signalsAndConnectionsCarryKeys()
    {
        DispatchContext context;
        TraceRecorder recorder;
        context.addListener(&recorder);
        Signal signal(QStringLiteral("my_signal"), &context);
        signal.connect(1, [](const Sender &, const SignalArgs &) {}, {}, {}, QStringLiteral("first_receiver"));
        signal.connect(2, [](const Sender &, const SignalArgs &) {}, {}, {}, QStringLiteral("second_receiver"));
        signal.send(Sender::none(), {});
        QCOMPARE(recorder.count(), 3);
        QCOMPARE(recorder.event(0).signal, QStringLiteral("my_signal"));
        QCOMPARE(recorder.event(1).label, QStringLiteral("first_receiver"));
        QCOMPARE(recorder.event(2).label, QStringLiteral("second_receiver"));
        // After a clear the string table starts over: keys must map anew.
        recorder.clear();
        Signal other(QStringLiteral("zz_other"), &context);
        other.connect(3, [](const Sender &, const SignalArgs &) {}, {}, {}, QStringLiteral("zz_receiver"));
        other.send(Sender::none(), {});         // takes the ids the old names had
        signal.send(Sender::none(), {});
        QCOMPARE(recorder.count(), 5);
        QCOMPARE(recorder.event(0).signal, QStringLiteral("zz_other"));
        QCOMPARE(recorder.event(1).label, QStringLiteral("zz_receiver"));
        QCOMPARE(recorder.event(2).signal, QStringLiteral("my_signal"));
        QCOMPARE(recorder.event(3).label, QStringLiteral("first_receiver"));
        QCOMPARE(recorder.event(4).label, QStringLiteral("second_receiver"));
        context.removeListener(&recorder);
    }
};

QTEST_APPLESS_MAIN(TestNameKeys)
#include "tst_namekeys.moc"
