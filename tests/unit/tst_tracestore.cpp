// TraceStore: records in chunks that never move, bytes in an arena that never
// moves, and what it all weighs.

#include "trace/tracestore.h"

#include <QtTest>

#include <cstring>

#include <string>

using namespace ss;

class TestTraceStore : public QObject
{
    Q_OBJECT

private slots:
    void recordsStayWhereTheyAre()
    {
        TraceStore store;
        QCOMPARE(store.count(), 0);
        const int first = store.append();
        store.at(first).parent = 1234;
        const StoredRecord *address = &store.at(first);
        for (int i = 1; i < 40000; ++i) {           // several chunks
            const int index = store.append();
            QCOMPARE(index, i);
            store.at(index).parent = i;
        }
        QCOMPARE(store.count(), 40000);
        QCOMPARE(&store.at(first), address);
        QCOMPARE(store.at(first).parent, 1234);
        QCOMPARE(store.at(39999).parent, 39999);
        QCOMPARE(store.at(16384).parent, 16384);
    }

    void bytesStayWhereTheyAre()
    {
        TraceStore store;
        const quint32 a = store.store(std::string("hello"));
        const uchar *address = store.bytesAt(a);
        std::vector<std::pair<quint32, std::string>> stored;
        for (int i = 0; i < 100000; ++i) {          // over a 1 MiB chunk
            std::string bytes = "payload " + std::to_string(i);
            stored.emplace_back(store.store(bytes), bytes);
        }
        QCOMPARE(store.bytesAt(a), address);
        QCOMPARE(std::string(reinterpret_cast<const char *>(address), 5), std::string("hello"));
        for (const auto &[ref, bytes] : stored)
            QCOMPARE(std::string(reinterpret_cast<const char *>(store.bytesAt(ref)), bytes.size()), bytes);
        // A payload bigger than a chunk gets one of its own.
        const std::string big(3 << 20, 'x');
        const quint32 b = store.store(big);
        QCOMPARE(std::string(reinterpret_cast<const char *>(store.bytesAt(b)), big.size()), big);
        const quint32 after = store.store(std::string("after"));
        QCOMPARE(std::string(reinterpret_cast<const char *>(store.bytesAt(after)), 5), std::string("after"));
    }

    // A writer that knows a bound writes in place: only what it commits is
    // stored, and a reservation that does not fit moves on to a new chunk
    // without touching what is stored.
    void reservedRoomIsStoredOnlyWhenCommitted()
    {
        TraceStore store;
        uchar *room = store.reserve(16);
        QVERIFY(room);
        std::memcpy(room, "abc", 3);
        const quint32 abc = store.commit(3);
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(store.bytesAt(abc)), 3), QByteArray("abc"));
        room = store.reserve(16);                   // given up: nothing stored
        std::memcpy(room, "zzz", 3);
        const quint32 next = store.store(std::string("def"));
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(store.bytesAt(next)), 3), QByteArray("def"));
        QCOMPARE(store.bytesAt(next), store.bytesAt(abc) + 3);
        // Fill the chunk nearly to its end, then ask for more room than is left.
        const std::string filler(size_t(1) << 20, 'x');
        const quint32 full = store.store(filler.substr(0, filler.size() - 10));
        room = store.reserve(100);
        std::memcpy(room, "tail", 4);
        const quint32 tail = store.commit(4);
        QVERIFY((tail >> 20) != (abc >> 20));      // another chunk
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(store.bytesAt(tail)), 4), QByteArray("tail"));
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(store.bytesAt(abc)), 3), QByteArray("abc"));
        QCOMPARE(*store.bytesAt(full), uchar('x'));
    }

    void memoryGrowsWithTheRecordingAndClearFreesIt()
    {
        TraceStore store;
        const qint64 empty = store.memoryBytes();
        for (int i = 0; i < 20000; ++i)
            store.append();
        QVERIFY(store.memoryBytes() >= empty + qint64(20000 * sizeof(StoredRecord)));
        store.clear();
        QCOMPARE(store.count(), 0);
        QVERIFY(store.memoryBytes() <= empty + 64);
    }

    void kindNames()
    {
        QCOMPARE(traceEventKindName(TraceEventKind::Send), QStringLiteral("send"));
        QCOMPARE(traceEventKindName(TraceEventKind::RecursionStop), QStringLiteral("stop"));
    }
};

QTEST_APPLESS_MAIN(TestTraceStore)
#include "tst_tracestore.moc"
