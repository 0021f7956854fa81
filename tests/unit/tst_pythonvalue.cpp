// Python's value rules (core/python/pythonvalue.h), case by case. Each row
// carries the result Python 3 gives for the same expression (checked with
// python3 while writing them), written in the comment beside it.

#include "python/pythonvalue.h"
#include "formats/jsonreader.h"

#include <QCborArray>
#include <QtTest>
#include <algorithm>

using namespace ss;

Q_DECLARE_METATYPE(QCborValue)

// A value written as JSON text; the project's reader keeps 1 and 1.0 apart.
static QCborValue v(const char *json)
{
    JsonSyntaxError error;
    const auto value = readJson(QByteArray(json), &error);
    if (!value)
        qFatal("bad test JSON %s: %s", json, qPrintable(error.message));
    return *value;
}

class TestPythonValue : public QObject
{
    Q_OBJECT
private slots:
    void repr_data()
    {
        QTest::addColumn<QCborValue>("value");
        QTest::addColumn<QString>("python");
        QTest::newRow("int") << v("7") << "7";                                  // repr(7)
        QTest::newRow("negative int") << v("-12") << "-12";
        QTest::newRow("float integral") << v("99.0") << "99.0";                 // repr(99.0)
        QTest::newRow("float 1e16") << v("1e16") << "1e+16";                    // repr(1e16)
        QTest::newRow("float 1e15") << v("1e15") << "1000000000000000.0";       // repr(1e15)
        QTest::newRow("float sum") << QCborValue(0.1 + 0.2) << "0.30000000000000004";
        QTest::newRow("float -0.0") << QCborValue(-0.0) << "-0.0";
        QTest::newRow("float 1e-5") << v("1e-5") << "1e-05";
        QTest::newRow("float 0.0001") << v("0.0001") << "0.0001";
        QTest::newRow("float digits") << v("123456789.125") << "123456789.125";
        QTest::newRow("nan") << QCborValue(qQNaN()) << "nan";
        QTest::newRow("-inf") << QCborValue(-qInf()) << "-inf";
        QTest::newRow("True") << v("true") << "True";
        QTest::newRow("None") << v("null") << "None";
        QTest::newRow("str") << v("\"abc\"") << "'abc'";
        QTest::newRow("str with quote") << v("\"it's\"") << "\"it's\"";        // repr("it's")
        QTest::newRow("str both quotes") << v("\"a\\\"b'c\"") << "'a\"b\\'c'";
        QTest::newRow("str tab") << v("\"tab\\t\"") << "'tab\\t'";
        QTest::newRow("str DEL") << v("\"\\u007f\"") << "'\\x7f'";
        QTest::newRow("list") << v("[1, \"a\", null, true]") << "[1, 'a', None, True]";
        QTest::newRow("dict") << v("{\"k\": 1.5}") << "{'k': 1.5}";
    }
    void repr()
    {
        QFETCH(QCborValue, value);
        QFETCH(QString, python);
        QCOMPARE(pythonRepr(value), python);
    }

    void jsonFloat()
    {
        // json.dumps(float('nan')), json.dumps(float('-inf')), json.dumps(2.0)
        QCOMPARE(jsonFloatText(qQNaN()), QStringLiteral("NaN"));
        QCOMPARE(jsonFloatText(-qInf()), QStringLiteral("-Infinity"));
        QCOMPARE(jsonFloatText(2.0), QStringLiteral("2.0"));
    }

    void typeName_data()
    {
        QTest::addColumn<QCborValue>("value");
        QTest::addColumn<QString>("python");
        QTest::newRow("None") << v("null") << "NoneType";     // type(None).__name__
        QTest::newRow("bool") << v("false") << "bool";
        QTest::newRow("int") << v("1") << "int";
        QTest::newRow("float") << v("1.0") << "float";
        QTest::newRow("str") << v("\"\"") << "str";
        QTest::newRow("list") << v("[]") << "list";
        QTest::newRow("dict") << v("{}") << "dict";
    }
    void typeName()
    {
        QFETCH(QCborValue, value);
        QFETCH(QString, python);
        QCOMPARE(pythonTypeName(value), python);
    }

    void truthy_data()
    {
        QTest::addColumn<QCborValue>("value");
        QTest::addColumn<bool>("python");
        QTest::newRow("nan") << QCborValue(qQNaN()) << true;   // bool(float('nan'))
        QTest::newRow("-0.0") << QCborValue(-0.0) << false;
        QTest::newRow("0.5") << v("0.5") << true;
        QTest::newRow("0") << v("0") << false;
        QTest::newRow("empty str") << v("\"\"") << false;
        QTest::newRow("str 0") << v("\"0\"") << true;          // bool('0')
        QTest::newRow("empty list") << v("[]") << false;
        QTest::newRow("empty dict") << v("{}") << false;
        QTest::newRow("None") << v("null") << false;
        QTest::newRow("False") << v("false") << false;
    }
    void truthy()
    {
        QFETCH(QCborValue, value);
        QFETCH(bool, python);
        QCOMPARE(pythonTruthy(value), python);
    }

    void equals_data()
    {
        QTest::addColumn<QCborValue>("a");
        QTest::addColumn<QCborValue>("b");
        QTest::addColumn<bool>("python");
        QTest::newRow("1 == 1.0") << v("1") << v("1.0") << true;
        QTest::newRow("1.0 == True") << v("1.0") << v("true") << true;
        QTest::newRow("-0.0 == 0") << QCborValue(-0.0) << v("0") << true;
        QTest::newRow("nan == nan") << QCborValue(qQNaN()) << QCborValue(qQNaN()) << false;
        QTest::newRow("'1' == 1") << v("\"1\"") << v("1") << false;
        QTest::newRow("2**53+1 == float(2**53)") << QCborValue(qint64(9007199254740993)) << QCborValue(9007199254740992.0) << false;
        QTest::newRow("None == 0") << v("null") << v("0") << false;
        QTest::newRow("None == None") << v("null") << v("null") << true;
        QTest::newRow("[1, 2] == [1.0, 2]") << v("[1, 2]") << v("[1.0, 2]") << true;
        QTest::newRow("{'a': 1} == {'a': True}") << v("{\"a\": 1}") << v("{\"a\": true}") << true;
        QTest::newRow("'a' == 'a'") << v("\"a\"") << v("\"a\"") << true;
    }
    void equals()
    {
        QFETCH(QCborValue, a);
        QFETCH(QCborValue, b);
        QFETCH(bool, python);
        QCOMPARE(pythonEquals(a, b), python);
        QCOMPARE(pythonEquals(b, a), python);
        // Equal values are the same dict key; {1: 'a', 1.0: 'b', True: 'c'} == {1: 'c'}.
        if (python)
            QCOMPARE(pythonKey(a), pythonKey(b));
        else if (!(a.isDouble() && std::isnan(a.toDouble())))
            QVERIFY(pythonKey(a) != pythonKey(b));
    }

    void sorted_data()
    {
        QTest::addColumn<QCborValue>("values");
        QTest::addColumn<QCborValue>("python");
        // sorted(['\uffe5', '\U0001F48E', '\u20bf']) == ['₿', '￥', '💎']
        QTest::newRow("text by code point") << v("[\"\\uffe5\", \"\\ud83d\\udc8e\", \"\\u20bf\"]")
                                            << v("[\"\\u20bf\", \"\\uffe5\", \"\\ud83d\\udc8e\"]");
        QTest::newRow("int and float by value") << v("[2.0, 1, 1.5]") << v("[1, 1.5, 2.0]");   // sorted([2.0, 1, 1.5])
        QTest::newRow("negative") << v("[3, -1, 0]") << v("[-1, 0, 3]");
        QTest::newRow("prefix first") << v("[\"ab\", \"a\"]") << v("[\"a\", \"ab\"]");
        // Mixed kinds Python cannot compare: the oracle's rule, by type name.
        QTest::newRow("mixed kinds") << v("[\"2\", 1, null]") << v("[null, 1, \"2\"]");
    }
    void sorted()
    {
        QFETCH(QCborValue, values);
        QFETCH(QCborValue, python);
        QVector<QCborValue> items;
        for (const QCborValue &item : values.toArray())
            items.append(item);
        std::stable_sort(items.begin(), items.end(), pythonLess);
        QCborArray result;
        for (const QCborValue &item : items)
            result.append(item);
        QCOMPARE(pythonRepr(result), pythonRepr(python));
        QCOMPARE(result.size(), python.toArray().size());
        for (qsizetype i = 0; i < result.size(); ++i)
            QCOMPARE(result.at(i).type(), python.toArray().at(i).type());
    }

    void codePoints()
    {
        QVERIFY(compareCodePoints(QStringLiteral("\uffe5"), QString::fromUtf8("\xf0\x9f\x92\x8e")) < 0);   // '\uffe5' < '\U0001F48E'
        QVERIFY(QStringLiteral("\uffe5") > QString::fromUtf8("\xf0\x9f\x92\x8e"));   // what UTF-16 order says
        QCOMPARE(compareCodePoints(QStringLiteral("abc"), QStringLiteral("abc")), 0);
        QVERIFY(compareCodePoints(QStringLiteral("B"), QStringLiteral("a")) < 0);      // 'B' < 'a'
    }
};

QTEST_APPLESS_MAIN(TestPythonValue)
#include "tst_pythonvalue.moc"
