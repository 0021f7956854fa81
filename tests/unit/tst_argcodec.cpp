// The packed argument format: what ArgPacker writes from a send's live
// SignalArgs must read back as exactly what SignalArgs::freeze() gives (as a
// QCborMap and as canonical JSON), and frozen maps must round-trip too.

#include "dispatch/dispatcher.h"
#include "enginetestutil.h"
#include "model/instance.h"
#include "model/modelregistry.h"
#include "trace/argcodec.h"

#include <QtTest>

using namespace ss;
using namespace sst;

namespace {

const QByteArray kSchema = R"({
  "format": "signalscope-schema/1",
  "app": "codec",
  "models": [
    {"name": "User", "fields": [{"name": "username", "type": "char"}]},
    {"name": "Tag", "fields": [{"name": "label", "type": "char", "primary_key": true}]}
  ]
})";

// What the recorder does with a packed list, done by hand.
struct Packed
{
    std::string bytes;
    StringTable strings;
    ArgPacker packer{strings};

    QCborMap map() const
    {
        PackedArgs args;
        unpackArgs(reinterpret_cast<const uchar *>(bytes.data()), packer.layouts(), args);
        QCborMap out;
        for (const PackedArg &arg : args)
            out.insert(strings.text(arg.key), decodeArg(arg.value, strings));
        return out;
    }
    // The canonical JSON of each value, in order.
    QStringList json() const
    {
        PackedArgs args;
        unpackArgs(reinterpret_cast<const uchar *>(bytes.data()), packer.layouts(), args);
        QStringList out;
        for (const PackedArg &arg : args) {
            std::string text;
            appendArgJson(text, arg.value, strings);
            out << QString::fromStdString(text);
        }
        return out;
    }
};

QStringList jsonOf(const QCborMap &map)
{
    QStringList out;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        out << QString::fromUtf8(canonicalJson(it.value()));
    return out;
}

} // namespace

class TestArgCodec : public QObject
{
    Q_OBJECT

    SchemaDecl m_schema = schemaFrom(kSchema);
    ModelRegistry m_registry{m_schema};

    InstancePtr user(const QCborValue &pk)
    {
        auto instance = std::make_shared<Instance>(m_registry.model(QStringLiteral("User")));
        instance->setPk(pk);
        return instance;
    }

    void checkLive(const SignalArgs &args)
    {
        Packed p;
        p.packer.pack(p.bytes, args);
        const QCborMap frozen = args.freeze();
        QCOMPARE(p.map(), frozen);
        QCOMPARE(QCborValue(p.map()).toCbor(), QCborValue(frozen).toCbor());   // same order, same types
        QCOMPARE(p.json(), jsonOf(frozen));
        // The same arguments packed a second time (identity caches warm) give the same bytes.
        std::string again;
        p.packer.pack(again, args);
        QCOMPARE(again, p.bytes);
    }

private slots:
    void postSaveOfAnInstance()
    {
        checkLive(SignalArgs()
                      .add(QStringLiteral("instance"), user(QCborValue(7)))
                      .add(QStringLiteral("created"), QCborValue(true))
                      .add(QStringLiteral("update_fields"), QCborValue(nullptr))
                      .add(QStringLiteral("raw"), QCborValue(false))
                      .add(QStringLiteral("using"), QCborValue(QStringLiteral("default"))));
    }

    void unsavedAndStringAndFloatPks()
    {
        checkLive(SignalArgs().add(QStringLiteral("instance"), user(QCborValue(nullptr))));
        auto tag = std::make_shared<Instance>(m_registry.model(QStringLiteral("Tag")));
        tag->setPk(QCborValue(QStringLiteral("é \"quoted\"")));
        checkLive(SignalArgs().add(QStringLiteral("instance"), tag));
        checkLive(SignalArgs().add(QStringLiteral("instance"), user(QCborValue(2.5))));
    }

    // A known keyword list packs its common values on a fast path and hands
    // any other value (a string pk, a float, a map, a new string) to the
    // general one, mid-list: the bytes read back the same either way.
    void aKnownListWithValuesOfEveryKind()
    {
        Packed p;
        p.strings.intern(QStringLiteral("default"));
        auto tag = std::make_shared<Instance>(m_registry.model(QStringLiteral("Tag")));
        tag->setPk(QCborValue(QStringLiteral("t1")));
        const QList<Value> instances = {user(QCborValue(7)), Value(tag), user(QCborValue(2.5)), user(QCborValue(nullptr)),
                                        user(QCborValue(std::numeric_limits<qint64>::min()))};
        const QList<QCborValue> others = {QCborValue(true), QCborValue(QStringLiteral("default")), QCborValue(QStringLiteral("ann")),
                                          QCborValue(1.5), QCborValue(QCborMap{{QStringLiteral("k"), 1}}), QCborValue(-3)};
        for (const Value &instance : instances) {
            for (const QCborValue &other : others) {
                const SignalArgs args = SignalArgs()
                                            .add(QStringLiteral("instance"), instance)
                                            .add(QStringLiteral("created"), QCborValue(false))
                                            .add(QStringLiteral("other"), other)
                                            .add(QStringLiteral("raw"), QCborValue(true));
                p.bytes.clear();
                p.packer.pack(p.bytes, args);
                QCOMPARE(p.map(), args.freeze());
                QCOMPARE(p.json(), jsonOf(args.freeze()));
            }
        }
    }

    void scalarsArraysAndMaps()
    {
        QCborMap kwargs;
        kwargs.insert(QStringLiteral("username"), QStringLiteral("ann"));
        kwargs.insert(QStringLiteral("email"), QStringLiteral("a@example.com"));    // unsorted on purpose
        kwargs.insert(QStringLiteral("age"), -42);
        QCborMap odd;
        odd.insert(QCborValue(1), QStringLiteral("integer key"));                 // not a string key
        checkLive(SignalArgs()
                      .add(QStringLiteral("args"), QCborValue(QCborArray{1, 2.0, 1e100, -0.5, QStringLiteral("x")}))
                      .add(QStringLiteral("kwargs"), QCborValue(kwargs))
                      .add(QStringLiteral("pk_set"), QCborValue(QCborArray{3, 1, 2}))
                      .add(QStringLiteral("odd"), QCborValue(odd))
                      .add(QStringLiteral("big"), QCborValue(std::numeric_limits<qint64>::min())));
    }

    void aRepeatedKeywordIsMergedAsTheFrozenMapMergesIt()
    {
        checkLive(SignalArgs()
                      .add(QStringLiteral("a"), QCborValue(1))
                      .add(QStringLiteral("b"), QCborValue(2))
                      .add(QStringLiteral("a"), QCborValue(3)));
    }

    void stringsInTheTableArePackedAsIdsOthersAsText()
    {
        Packed p;
        p.strings.intern(QStringLiteral("default"));
        const SignalArgs args = SignalArgs()
                                    .add(QStringLiteral("using"), QCborValue(QStringLiteral("default")))
                                    .add(QStringLiteral("name"), QCborValue(QStringLiteral("a one-off value")));
        const quint32 before = p.strings.size();
        p.packer.pack(p.bytes, args);
        QCOMPARE(p.strings.size(), before + 2);         // the two keys; no value was added
        QCOMPARE(p.strings.find(QStringLiteral("a one-off value")), StringTable::None);
        QVERIFY(p.bytes.size() < 22);                   // a layout id, no keys
        QCOMPARE(p.map(), args.freeze());
    }

    void frozenMapsRoundTrip()
    {
        QCborMap instance;
        instance.insert(QStringLiteral("model"), QStringLiteral("User"));
        instance.insert(QStringLiteral("pk"), 1);
        QCborMap args;
        args.insert(QStringLiteral("instance"), instance);
        args.insert(QStringLiteral("using"), QStringLiteral("default"));
        args.insert(QStringLiteral("values"), QCborArray{true, false, QCborValue(), QCborValue(nullptr)});
        Packed p;
        p.packer.pack(p.bytes, args, p.strings.intern(QStringLiteral("post_save")));
        QCOMPARE(p.map(), args);
        QCOMPARE(p.json(), jsonOf(args));
        // Keys sorted in nested maps as value.cpp sorts them.
        QCborMap nested;
        nested.insert(QStringLiteral("z"), 1);
        nested.insert(QStringLiteral("a"), 2);
        Packed q;
        q.packer.pack(q.bytes, QCborMap{{QStringLiteral("m"), nested}}, 0);
        QCOMPARE(q.json(), QStringList{QStringLiteral(R"({"a":2,"z":1})")});
    }

    // The keys of a call site are known by the address of their characters;
    // a raw-data key whose buffer changed in place is not taken for the old
    // one, and a key list seen before packs exactly as the first time.
    // The engine passes one `using` value as copies, recognised by identity
    // (cboridentity.h); any other string under the key is still read.
    void aStringArgumentKnownByIdentityStillFollowsItsValue()
    {
        Packed p;
        p.strings.intern(QStringLiteral("default"));
        p.strings.intern(QStringLiteral("other"));
        const QCborValue usingValue(QStringLiteral("default"));
        const auto args = [](const QCborValue &v) { return SignalArgs().add(QStringLiteral("using"), v); };
        const auto packed = [&](const QCborValue &v) {
            p.bytes.clear();
            p.packer.pack(p.bytes, args(v));
            return p.map().value(QStringLiteral("using"));
        };
        QCOMPARE(packed(usingValue), QCborValue(QStringLiteral("default")));
        QCOMPARE(packed(usingValue), QCborValue(QStringLiteral("default")));      // a copy: by identity
        QCOMPARE(packed(QCborValue(QStringLiteral("other"))), QCborValue(QStringLiteral("other")));
        QCOMPARE(packed(QCborValue(QStringLiteral("db2"))), QCborValue(QStringLiteral("db2")));   // not interned
        QCOMPARE(packed(usingValue), QCborValue(QStringLiteral("default")));
        // A string element of a map, kept by the packer; the map written since.
        QCborMap settings{{QStringLiteral("using"), QStringLiteral("default")}};
        QCOMPARE(packed(settings.value(QStringLiteral("using"))), QCborValue(QStringLiteral("default")));
        settings.insert(QStringLiteral("using"), QStringLiteral("other"));
        QCOMPARE(packed(settings.value(QStringLiteral("using"))), QCborValue(QStringLiteral("other")));
        // After clear() ids start over.
        p.strings.clear();
        p.packer.clear();
        QCOMPARE(packed(usingValue), QCborValue(QStringLiteral("default")));
    }

    void knownKeyListsAreCheckedByContent()
    {
        Packed p;
        QChar buffer[3] = {u'a', u'b', u'c'};
        const auto args = [&] {
            return SignalArgs()
                .add(QString::fromRawData(buffer, 3), QCborValue(1))
                .add(QStringLiteral("using"), QCborValue(QStringLiteral("default")));
        };
        p.packer.pack(p.bytes, args());
        QCOMPARE(p.map(), args().freeze());
        p.bytes.clear();
        p.packer.pack(p.bytes, args());                 // the same strings again
        QCOMPARE(p.map(), args().freeze());
        buffer[0] = u'x';                               // same address, other text
        p.bytes.clear();
        p.packer.pack(p.bytes, args());
        QCOMPARE(p.map(), args().freeze());
        QVERIFY(p.map().contains(QStringLiteral("xbc")));
        QVERIFY(!p.map().contains(QStringLiteral("abc")));
        // Same size, same address, other text in the middle of a longer key.
        QChar longer[11] = {u'u', u'p', u'd', u'a', u't', u'e', u'_', u'f', u'i', u'e', u'l'};
        const auto more = [&] { return SignalArgs().add(QString::fromRawData(longer, 11), QCborValue(2)); };
        p.bytes.clear();
        p.packer.pack(p.bytes, more());
        QCOMPARE(p.map(), more().freeze());
        longer[9] = u'E';
        p.bytes.clear();
        p.packer.pack(p.bytes, more());
        QCOMPARE(p.map(), more().freeze());
        QVERIFY(p.map().contains(QStringLiteral("update_fiEl")));
        // Owned keys: another object with the same text packs the same.
        const QString owned = QStringLiteral("inst") + QStringLiteral("ance");
        p.bytes.clear();
        p.packer.pack(p.bytes, SignalArgs().add(owned, QCborValue(3)));
        QCOMPARE(p.map(), SignalArgs().add(QStringLiteral("instance"), QCborValue(3)).freeze());
        // After clear() the ids start over: a known list must not survive it.
        p.strings.clear();
        p.packer.clear();
        p.bytes.clear();
        p.packer.pack(p.bytes, more());
        QCOMPARE(p.map(), more().freeze());
    }

    void skippingLandsOnTheNextArgument()
    {
        Packed p;
        const SignalArgs args = SignalArgs()
                                    .add(QStringLiteral("instance"), user(QCborValue(300)))
                                    .add(QStringLiteral("list"), QCborValue(QCborArray{QCborMap{{QStringLiteral("k"), 1.5}}}))
                                    .add(QStringLiteral("last"), QCborValue(QStringLiteral("end")));
        p.packer.pack(p.bytes, args);
        PackedArgs unpacked;
        unpackArgs(reinterpret_cast<const uchar *>(p.bytes.data()), p.packer.layouts(), unpacked);
        QCOMPARE(unpacked.size(), 3);
        QCOMPARE(p.strings.text(unpacked[2].key), QStringLiteral("last"));
        QCOMPARE(decodeArg(unpacked[2].value, p.strings), QCborValue(QStringLiteral("end")));
        const uchar *q = unpacked[0].value;
        skipArg(q);
        QCOMPARE(q, unpacked[1].value);                // a layout: no key between the values
    }
};

QTEST_APPLESS_MAIN(TestArgCodec)
#include "tst_argcodec.moc"
