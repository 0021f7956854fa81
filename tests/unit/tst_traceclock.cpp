// TraceClock: monotonic readings, and ticks converted to nanoseconds that
// agree with CLOCK_MONOTONIC (a correctness check with a wide margin, not a
// speed test).

#include "dispatch/traceclock.h"

#include <QThread>
#include <QtTest>

using namespace ss;

class TestTraceClock : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { TraceClock::calibrate(); }

    void readingsNeverGoBackAndAreNeverZero()
    {
        quint64 last = TraceClock::ticks();
        for (int i = 0; i < 100000; ++i) {
            const quint64 t = TraceClock::ticks();
            QVERIFY(t != 0);
            QVERIFY(t >= last);
            last = t;
        }
    }

    void ticksConvertToMonotonicNanoseconds()
    {
        const quint64 ns0 = TraceClock::monotonicNs();
        const quint64 t0 = TraceClock::ticks();
        QThread::msleep(60);
        const quint64 t1 = TraceClock::ticks();
        const quint64 ns1 = TraceClock::monotonicNs();
        const double measured = double(TraceClock::toNs(t1 - t0));
        const double real = double(ns1 - ns0);
        // The monotonic reads bracket the ticks: they differ by the time
        // between two adjacent reads, far below 1 % of 60 ms.
        QVERIFY2(std::abs(measured - real) < 0.01 * real,
                 qPrintable(QStringLiteral("%1 ns by ticks, %2 ns monotonic").arg(measured).arg(real)));
    }

    void calibratingAgainChangesNothing()
    {
        const double before = TraceClock::nsPerTick();
        TraceClock::calibrate();
        QCOMPARE(TraceClock::nsPerTick(), before);
        QVERIFY(before > 0);
    }
};

QTEST_APPLESS_MAIN(TestTraceClock)
#include "tst_traceclock.moc"
