#include "model/value.h"

#include "model/instance.h"
#include "python/pythonvalue.h"

#include <algorithm>

namespace ss {

QCborValue Value::freeze() const
{
    if (!m_instance)
        return m_scalar;
    QCborMap map;
    map.insert(QStringLiteral("model"), m_instance->model()->name);
    map.insert(QStringLiteral("pk"), m_instance->pk());
    return map;
}

static bool isNumber(const QCborValue &v) { return v.isInteger() || v.isDouble(); }

bool jsonEquals(const QCborValue &a, const QCborValue &b)
{
    if (isNumber(a) && isNumber(b)) {
        if (a.isInteger() && b.isInteger())
            return a.toInteger() == b.toInteger();
        return a.toDouble() == b.toDouble();
    }
    if (a.type() != b.type())
        return false;
    return containersEqual(a, b, jsonEquals);
}

static void appendJsonString(QByteArray &out, const QString &text, bool asciiOnly)
{
    // With asciiOnly, non-ASCII is escaped as \uXXXX the way Python's
    // json.dumps does by default, surrogate pairs included.
    if (!asciiOnly) {
        QString escaped;
        escaped.reserve(text.size() + 2);
        for (QChar ch : text) {
            const ushort c = ch.unicode();
            if (c == '"') escaped += QStringLiteral("\\\"");
            else if (c == '\\') escaped += QStringLiteral("\\\\");
            else if (c == '\n') escaped += QStringLiteral("\\n");
            else if (c == '\r') escaped += QStringLiteral("\\r");
            else if (c == '\t') escaped += QStringLiteral("\\t");
            else if (c == '\b') escaped += QStringLiteral("\\b");
            else if (c == '\f') escaped += QStringLiteral("\\f");
            else if (c < 0x20) escaped += QStringLiteral("\\u%1").arg(c, 4, 16, QLatin1Char('0'));
            else escaped += ch;
        }
        out.append('"');
        out.append(escaped.toUtf8());
        out.append('"');
        return;
    }
    out.append('"');
    for (QChar ch : text) {
        const ushort c = ch.unicode();
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default:
            if (c < 0x20 || c > 0x7e) {
                char esc[8];
                std::snprintf(esc, sizeof esc, "\\u%04x", c);
                out.append(esc);
            } else {
                out.append(char(c));
            }
        }
    }
    out.append('"');
}

void appendCanonicalJson(QByteArray &out, const QCborValue &value, bool asciiOnly)
{
    switch (value.type()) {
    case QCborValue::Integer:
        out.append(QByteArray::number(value.toInteger()));
        break;
    case QCborValue::Double:
        out.append(jsonFloatText(value.toDouble()).toLatin1());
        break;
    case QCborValue::True:
        out.append("true");
        break;
    case QCborValue::False:
        out.append("false");
        break;
    case QCborValue::String:
        appendJsonString(out, value.toString(), asciiOnly);
        break;
    case QCborValue::Array: {
        out.append('[');
        const QCborArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i)
                out.append(',');
            appendCanonicalJson(out, array.at(i), asciiOnly);
        }
        out.append(']');
        break;
    }
    case QCborValue::Map: {
        const QCborMap map = value.toMap();
        QVector<QPair<QString, QCborValue>> items;
        items.reserve(map.size());
        for (auto it = map.begin(); it != map.end(); ++it)
            items.append({it.key().toString(), it.value()});
        // json.dumps(sort_keys=True) sorts keys as Python compares text.
        std::sort(items.begin(), items.end(), [](const auto &a, const auto &b) { return compareCodePoints(a.first, b.first) < 0; });
        out.append('{');
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (i)
                out.append(',');
            appendJsonString(out, items[i].first, asciiOnly);
            out.append(':');
            appendCanonicalJson(out, items[i].second, asciiOnly);
        }
        out.append('}');
        break;
    }
    default:
        out.append("null");
        break;
    }
}

QByteArray canonicalJson(const QCborValue &value, bool asciiOnly)
{
    QByteArray out;
    appendCanonicalJson(out, value, asciiOnly);
    return out;
}

std::optional<QString> splitReference(const QCborValue &value, QCborValue *literal)
{
    const QString text = value.isString() ? value.toString() : QString();
    if (!text.startsWith(QLatin1Char('$'))) {
        *literal = value;
        return std::nullopt;
    }
    if (text.startsWith(QLatin1String("$$"))) {
        *literal = QCborValue(text.mid(1));
        return std::nullopt;
    }
    return text.mid(1);
}

QString placeholderText(const QCborValue &value)
{
    if (value.isString())
        return value.toString();
    return QString::fromUtf8(canonicalJson(value, false));
}

} // namespace ss
