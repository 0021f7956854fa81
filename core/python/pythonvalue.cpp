#include "python/pythonvalue.h"

#include <QCborArray>
#include <QCborMap>
#include <QStringList>
#include <charconv>
#include <cmath>
#include <limits>

namespace ss {

QString pythonFloatRepr(double value)
{
    if (std::isnan(value))
        return QStringLiteral("nan");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    if (value == 0)
        return std::signbit(value) ? QStringLiteral("-0.0") : QStringLiteral("0.0");

    // Shortest round-trip digits, then Python's layout: fixed notation for
    // exponents -4..15, scientific (two-digit exponent at least) otherwise.
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string sci(buffer, result.ptr);
    const auto ePos = sci.find('e');
    std::string mantissa = sci.substr(0, ePos);
    const int exponent = std::stoi(sci.substr(ePos + 1));
    const bool negative = mantissa[0] == '-';
    if (negative)
        mantissa.erase(0, 1);
    std::string digits;
    for (char c : mantissa)
        if (c != '.')
            digits.push_back(c);

    std::string out;
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out = "0." + std::string(size_t(-exponent - 1), '0') + digits;
        } else if (size_t(exponent + 1) >= digits.size()) {
            out = digits + std::string(size_t(exponent + 1) - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, size_t(exponent + 1)) + "." + digits.substr(size_t(exponent + 1));
        }
    } else {
        out = digits.substr(0, 1);
        if (digits.size() > 1)
            out += "." + digits.substr(1);
        char exp[16];
        std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        out += exp;
    }
    if (negative)
        out.insert(out.begin(), '-');
    return QString::fromStdString(out);
}

QString jsonFloatText(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    return pythonFloatRepr(value);
}

static QString stringRepr(const QString &s)
{
    // Python prefers single quotes, and switches to double quotes when the
    // text has a single quote and no double quote.
    const QChar quote = s.contains(QLatin1Char('\'')) && !s.contains(QLatin1Char('"')) ? QLatin1Char('"') : QLatin1Char('\'');
    QString out = quote;
    for (QChar c : s) {
        if (c == QLatin1Char('\\')) out += QStringLiteral("\\\\");
        else if (c == quote) out += QLatin1Char('\\') + c;
        else if (c == QLatin1Char('\n')) out += QStringLiteral("\\n");
        else if (c == QLatin1Char('\r')) out += QStringLiteral("\\r");
        else if (c == QLatin1Char('\t')) out += QStringLiteral("\\t");
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f) out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else out += c;
    }
    return out + quote;
}

QString pythonRepr(const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::Integer: return QString::number(value.toInteger());
    case QCborValue::Double: return pythonFloatRepr(value.toDouble());
    case QCborValue::True: return QStringLiteral("True");
    case QCborValue::False: return QStringLiteral("False");
    case QCborValue::String: return stringRepr(value.toString());
    case QCborValue::Array:
    case QCborValue::Map: return pythonContainerRepr(value, pythonRepr);
    default: return QStringLiteral("None");
    }
}

QString pythonContainerRepr(const QCborValue &value, QString (*item)(const QCborValue &))
{
    if (value.isArray()) {
        QStringList items;
        for (const QCborValue &v : value.toArray())
            items << item(v);
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    if (value.isMap()) {
        QStringList items;
        const QCborMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            items << pythonRepr(it.key()) + QStringLiteral(": ") + item(it.value());
        return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    return pythonRepr(value);
}

QString pythonStr(const QCborValue &value)
{
    return value.isString() ? value.toString() : pythonRepr(value);
}

QString pythonTypeName(const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::Integer: return QStringLiteral("int");
    case QCborValue::Double: return QStringLiteral("float");
    case QCborValue::True:
    case QCborValue::False: return QStringLiteral("bool");
    case QCborValue::String: return QStringLiteral("str");
    case QCborValue::Array: return QStringLiteral("list");
    case QCborValue::Map: return QStringLiteral("dict");
    case QCborValue::Null:
    case QCborValue::Undefined: return QStringLiteral("NoneType");
    default: return QStringLiteral("object");
    }
}

bool pythonTruthy(const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::True: return true;
    case QCborValue::Integer: return value.toInteger() != 0;
    case QCborValue::Double: return value.toDouble() != 0.0;    // NaN != 0: true
    case QCborValue::String: return !value.toString().isEmpty();
    case QCborValue::Array: return !value.toArray().isEmpty();
    case QCborValue::Map: return !value.toMap().isEmpty();
    default: return false;
    }
}

static bool isNumber(const QCborValue &v) { return v.isInteger() || v.isDouble() || v.isBool(); }

// Python compares int with float exactly (2**53 + 1 != float(2**53)), not
// through a conversion to double.
static int compareIntDouble(qint64 i, double d)
{
    if (std::isnan(d))
        return 2;    // unordered
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    const double t = std::trunc(d);
    const qint64 ti = qint64(t);
    if (i != ti)
        return i < ti ? -1 : 1;
    if (d == t)
        return 0;
    return d > t ? -1 : 1;
}

// -1, 0, 1, or 2 when unordered (NaN).
static int compareNumbers(const QCborValue &a, const QCborValue &b)
{
    auto integer = [](const QCborValue &v) { return v.isBool() ? qint64(v.toBool()) : v.toInteger(); };
    const bool ai = !a.isDouble(), bi = !b.isDouble();
    if (ai && bi) {
        const qint64 x = integer(a), y = integer(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (ai)
        return compareIntDouble(integer(a), b.toDouble());
    if (bi) {
        const int c = compareIntDouble(integer(b), a.toDouble());
        return c == 2 ? 2 : -c;
    }
    const double x = a.toDouble(), y = b.toDouble();
    if (std::isnan(x) || std::isnan(y))
        return 2;
    return x < y ? -1 : x > y ? 1 : 0;
}

bool pythonEquals(const QCborValue &a, const QCborValue &b)
{
    if (isNumber(a) && isNumber(b))
        return compareNumbers(a, b) == 0;
    const bool aNone = a.isNull() || a.isUndefined(), bNone = b.isNull() || b.isUndefined();
    if (aNone || bNone)
        return aNone && bNone;
    if (a.type() != b.type())
        return false;
    if (a.isString())
        return a.toString() == b.toString();
    return containersEqual(a, b, pythonEquals);
}

bool containersEqual(const QCborValue &a, const QCborValue &b, bool (*equals)(const QCborValue &, const QCborValue &))
{
    if (a.isArray() && b.isArray()) {
        const QCborArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i)
            if (!equals(x.at(i), y.at(i)))
                return false;
        return true;
    }
    if (a.isMap() && b.isMap()) {
        const QCborMap x = a.toMap(), y = b.toMap();
        if (x.size() != y.size())
            return false;
        for (auto it = x.begin(); it != x.end(); ++it)
            if (!y.contains(it.key()) || !equals(it.value(), y.value(it.key())))
                return false;
        return true;
    }
    return a == b;
}

QString pythonKey(const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::True: return QStringLiteral("n:1");
    case QCborValue::False: return QStringLiteral("n:0");
    case QCborValue::Integer: return QStringLiteral("n:") + QString::number(value.toInteger());
    case QCborValue::Double: {
        const double d = value.toDouble();
        // A float equal to an int shares its key (hash(1.0) == hash(1)).
        if (std::isfinite(d) && d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            return QStringLiteral("n:") + QString::number(qint64(d));
        return QStringLiteral("n:") + pythonFloatRepr(d);
    }
    case QCborValue::String: return QStringLiteral("s:") + value.toString();
    case QCborValue::Array: {
        QStringList items;
        for (const QCborValue &v : value.toArray())
            items << pythonKey(v);
        return QStringLiteral("l:[") + items.join(QLatin1Char(',')) + QLatin1Char(']');
    }
    case QCborValue::Map: {
        QStringList items;
        const QCborMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            items << pythonKey(it.key()) + QLatin1Char('=') + pythonKey(it.value());
        items.sort();
        return QStringLiteral("d:{") + items.join(QLatin1Char(',')) + QLatin1Char('}');
    }
    default: return QStringLiteral("None");
    }
}

int compareCodePoints(const QString &a, const QString &b)
{
    // UTF-16 order and code point order differ only where a surrogate (a
    // character beyond U+FFFF) meets a unit of U+E000..U+FFFF: lift the
    // surrogates above that range before comparing.
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        ushort x = a.at(i).unicode(), y = b.at(i).unicode();
        if (x == y)
            continue;
        if (x >= 0xD800 && x <= 0xDFFF) x += 0x2000; else if (x >= 0xE000) x -= 0x800;
        if (y >= 0xD800 && y <= 0xDFFF) y += 0x2000; else if (y >= 0xE000) y -= 0x800;
        return x < y ? -1 : 1;
    }
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// The kind a value is sorted by first: int and float are one kind (Python
// compares them by value), every other kind by its type name.
static QString sortKind(const QCborValue &v)
{
    if (v.isInteger() || v.isDouble())
        return QStringLiteral("float");
    return pythonTypeName(v);
}

bool pythonLess(const QCborValue &a, const QCborValue &b)
{
    const QString ka = sortKind(a), kb = sortKind(b);
    if (ka != kb)
        return ka < kb;
    if (a.isBool() || a.isInteger() || a.isDouble())
        return compareNumbers(a, b) == -1;
    if (a.isString())
        return compareCodePoints(a.toString(), b.toString()) < 0;
    if (a.isArray()) {
        const QCborArray x = a.toArray(), y = b.toArray();
        for (qsizetype i = 0; i < std::min(x.size(), y.size()); ++i) {
            if (pythonEquals(x.at(i), y.at(i)))
                continue;
            return pythonLess(x.at(i), y.at(i));
        }
        return x.size() < y.size();
    }
    return false;
}

} // namespace ss
