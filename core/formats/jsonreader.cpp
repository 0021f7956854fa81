#include "formats/jsonreader.h"

#include <QCborArray>
#include <QCborMap>
#include <charconv>
#include <cmath>
#include <limits>

namespace ss {

namespace {

constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

qsizetype bomLength(const QByteArray &text)
{
    return text.startsWith(kUtf8Bom) ? 3 : 0;
}

// Offset of the first byte that does not start a well-formed UTF-8 sequence
// (overlong forms, UTF-16 surrogates and code points above U+10FFFF included,
// as Python's decoder refuses them), or -1 when the text is valid.
qsizetype firstInvalidUtf8(const QByteArray &text)
{
    const auto *bytes = reinterpret_cast<const uchar *>(text.constData());
    const qsizetype size = text.size();
    qsizetype i = 0;
    while (i < size) {
        const uchar lead = bytes[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        int length = 0;
        uint codePoint = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            codePoint = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            codePoint = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            codePoint = lead & 0x07;
        } else {
            return i;
        }
        if (i + length > size)
            return i;
        for (int k = 1; k < length; ++k) {
            if ((bytes[i + k] & 0xC0) != 0x80)
                return i;
            codePoint = (codePoint << 6) | (bytes[i + k] & 0x3F);
        }
        if (length == 3 && (codePoint < 0x800 || (codePoint >= 0xD800 && codePoint <= 0xDFFF)))
            return i;
        if (length == 4 && (codePoint < 0x10000 || codePoint > 0x10FFFF))
            return i;
        i += length;
    }
    return -1;
}

// Recursive descent over the bytes. The recursion depth is bounded by
// kMaxJsonNesting, checked before each descent.
//
// Every read takes `out`: with nullptr the value is checked and passed over
// but nothing is built (checkJson's pass over a whole file, locating a value,
// skipping what a streamed read does not want), with the very same syntax
// rules and messages as when it is built.
class Reader
{
public:
    Reader(const QByteArray &text, const JsonPath *target)
        : m_text(text), m_data(text.constData()), m_size(text.size()), m_target(target)
    {
    }

    bool readDocument(QCborValue *out)
    {
        m_pos = bomLength(m_text);
        skipWhitespace();
        if (m_pos >= m_size)
            return fail(m_pos, QStringLiteral("empty file: no JSON value"));
        if (!readValue(out))
            return false;
        skipWhitespace();
        if (m_pos < m_size)
            return fail(m_pos, QStringLiteral("unexpected %1 after the JSON value").arg(describeAt(m_pos)));
        return true;
    }

    // Whether a value read so far may be one findUnrepresentable() reports:
    // an integer beyond 64 bits, or a \u escape of a UTF-16 surrogate (a
    // lone one, or half of a pair: only the built string can tell).
    bool mayHoldUnrepresentable() const { return m_suspect; }

    // For JsonStreamReader: the text is known to be valid (checkJson).
    qsizetype position() const { return m_pos; }
    void setPosition(qsizetype pos) { m_pos = pos; }
    char peek()
    {
        skipWhitespace();
        return m_pos < m_size ? m_data[m_pos] : '\0';
    }
    void consume() { ++m_pos; }
    bool readNext(QCborValue *out) { return readValue(out); }
    bool readName(QString *out) { return readString(out); }

    qsizetype errorOffset() const { return m_errorOffset; }
    const QString &errorMessage() const { return m_errorMessage; }
    qsizetype foundOffset() const { return m_foundOffset; }

private:
    bool fail(qsizetype offset, const QString &message)
    {
        m_errorOffset = offset;
        m_errorMessage = message;
        return false;
    }

    // "'x'", "end of file", "character U+00E9", for messages.
    QString describeAt(qsizetype offset) const
    {
        if (offset >= m_size)
            return QStringLiteral("end of file");
        const uchar c = uchar(m_data[offset]);
        if (c >= 0x20 && c < 0x7F)
            return QStringLiteral("character '%1'").arg(QLatin1Char(char(c)));
        if (c < 0x80)
            return QStringLiteral("control character 0x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
        // Valid UTF-8 here (checked up front): show the code point.
        const QString decoded = QString::fromUtf8(m_data + offset, std::min<qsizetype>(4, m_size - offset));
        const uint codePoint = decoded.isEmpty() ? c : decoded.toUcs4().value(0);
        return QStringLiteral("character U+") + QString::number(codePoint, 16).toUpper().rightJustified(4, QLatin1Char('0'));
    }

    void skipWhitespace()
    {
        while (m_pos < m_size) {
            const char c = m_data[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    bool readValue(QCborValue *out)
    {
        skipWhitespace();
        if (m_target && m_current == m_target->components())
            m_foundOffset = m_pos;      // the last duplicate wins, as in the value
        if (m_pos >= m_size)
            return fail(m_pos, QStringLiteral("unexpected end of file, expected a value"));
        switch (m_data[m_pos]) {
        case '{':
            return readObject(out);
        case '[':
            return readArray(out);
        case '"': {
            if (!out)
                return readString(nullptr);
            QString text;
            QLatin1StringView ascii;
            if (!readString(&text, &ascii))
                return false;
            *out = ascii.data() ? QCborValue(ascii) : QCborValue(text);
            return true;
        }
        case 't':
            return readLiteral("true", QCborValue(true), out);
        case 'f':
            return readLiteral("false", QCborValue(false), out);
        case 'n':
            return readLiteral("null", QCborValue(nullptr), out);
        default:
            if (m_data[m_pos] == '-' || (m_data[m_pos] >= '0' && m_data[m_pos] <= '9'))
                return readNumber(out);
            return fail(m_pos, QStringLiteral("unexpected %1, expected a value").arg(describeAt(m_pos)));
        }
    }

    bool enterContainer()
    {
        if (m_depth >= kMaxJsonNesting)
            return fail(m_pos, QStringLiteral("nested too deeply (more than %1 levels of arrays and objects)").arg(kMaxJsonNesting));
        ++m_depth;
        ++m_pos;    // the '{' or '['
        return true;
    }

    bool readObject(QCborValue *out)
    {
        if (!enterContainer())
            return false;
        QCborMap map;
        const bool keys = out || m_target;
        skipWhitespace();
        if (m_pos < m_size && m_data[m_pos] == '}') {
            ++m_pos;
        } else {
            for (;;) {
                skipWhitespace();
                if (m_pos >= m_size || m_data[m_pos] != '"')
                    return fail(m_pos, QStringLiteral("unexpected %1, expected a member name in double quotes").arg(describeAt(m_pos)));
                QString key;
                QLatin1StringView asciiKey;     // when building only: no QString for a plain name
                if (!readString(keys ? &key : nullptr, out && !m_target ? &asciiKey : nullptr))
                    return false;
                skipWhitespace();
                if (m_pos >= m_size || m_data[m_pos] != ':')
                    return fail(m_pos, QStringLiteral("unexpected %1, expected ':' after a member name").arg(describeAt(m_pos)));
                ++m_pos;
                if (m_target)
                    m_current.append({key, -1});
                QCborValue value;
                if (!readValue(out ? &value : nullptr))
                    return false;
                if (m_target)
                    m_current.removeLast();
                if (out && asciiKey.data())
                    map.insert(asciiKey, value);    // replaces an earlier duplicate
                else if (out)
                    map.insert(key, value);
                skipWhitespace();
                if (m_pos < m_size && m_data[m_pos] == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_size && m_data[m_pos] == '}') {
                    ++m_pos;
                    break;
                }
                return fail(m_pos, QStringLiteral("unexpected %1, expected ',' or '}'").arg(describeAt(m_pos)));
            }
        }
        --m_depth;
        if (out)
            *out = map;
        return true;
    }

    bool readArray(QCborValue *out)
    {
        if (!enterContainer())
            return false;
        QCborArray array;
        skipWhitespace();
        if (m_pos < m_size && m_data[m_pos] == ']') {
            ++m_pos;
        } else {
            for (int index = 0;; ++index) {
                if (m_target)
                    m_current.append({QString(), index});
                QCborValue value;
                if (!readValue(out ? &value : nullptr))
                    return false;
                if (m_target)
                    m_current.removeLast();
                if (out)
                    array.append(value);
                skipWhitespace();
                if (m_pos < m_size && m_data[m_pos] == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_size && m_data[m_pos] == ']') {
                    ++m_pos;
                    break;
                }
                return fail(m_pos, QStringLiteral("unexpected %1, expected ',' or ']'").arg(describeAt(m_pos)));
            }
        }
        --m_depth;
        if (out)
            *out = array;
        return true;
    }

    static int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    // `ascii`, when given, is set instead of `out` for a string of plain
    // ASCII written without escapes: a view of the text, no QString built
    // (Qt keeps such a string as those very bytes).
    bool readString(QString *out, QLatin1StringView *ascii = nullptr)
    {
        const qsizetype opening = m_pos;
        ++m_pos;
        if (ascii) {
            qsizetype end = m_pos;
            while (end < m_size && uchar(m_data[end]) >= 0x20 && uchar(m_data[end]) < 0x80 && m_data[end] != '"' && m_data[end] != '\\')
                ++end;
            if (end < m_size && m_data[end] == '"') {
                *ascii = QLatin1StringView(m_data + m_pos, end - m_pos);
                m_pos = end + 1;
                return true;
            }
        }
        QString result;
        qsizetype runStart = m_pos;
        auto flushRun = [&] {
            if (out && m_pos > runStart)
                result += QString::fromUtf8(m_data + runStart, m_pos - runStart);
        };
        for (;;) {
            if (m_pos >= m_size)
                return fail(opening, QStringLiteral("unterminated string"));
            const uchar c = uchar(m_data[m_pos]);
            if (c == '"') {
                flushRun();
                ++m_pos;
                break;
            }
            if (c < 0x20)
                return fail(m_pos, QStringLiteral("control character 0x%1 in a string (it must be escaped)").arg(uint(c), 2, 16, QLatin1Char('0')));
            if (c != '\\') {
                ++m_pos;
                continue;
            }
            flushRun();
            const qsizetype escape = m_pos;
            ++m_pos;
            if (m_pos >= m_size)
                return fail(opening, QStringLiteral("unterminated string"));
            switch (m_data[m_pos]) {
            case '"': result += QLatin1Char('"'); break;
            case '\\': result += QLatin1Char('\\'); break;
            case '/': result += QLatin1Char('/'); break;
            case 'b': result += QLatin1Char('\b'); break;
            case 'f': result += QLatin1Char('\f'); break;
            case 'n': result += QLatin1Char('\n'); break;
            case 'r': result += QLatin1Char('\r'); break;
            case 't': result += QLatin1Char('\t'); break;
            case 'u': {
                ushort unit = 0;
                for (int k = 1; k <= 4; ++k) {
                    const int digit = m_pos + k < m_size ? hexValue(m_data[m_pos + k]) : -1;
                    if (digit < 0)
                        return fail(escape, QStringLiteral("invalid \\u escape (four hex digits expected)"));
                    unit = ushort(unit * 16 + digit);
                }
                // UTF-16 code units go in as they are: a pair forms one
                // character, a lone surrogate stays (Python keeps it too;
                // findUnrepresentable() reports it).
                result += QChar(unit);
                m_suspect = m_suspect || QChar::isSurrogate(unit);
                m_pos += 4;
                break;
            }
            default:
                return fail(escape, QStringLiteral("invalid escape in a string (\\ followed by %1)").arg(describeAt(m_pos)));
            }
            ++m_pos;
            runStart = m_pos;
        }
        if (out)
            *out = result;
        return true;
    }

    static bool isDigit(char c) { return c >= '0' && c <= '9'; }

    bool readNumber(QCborValue *out)
    {
        const qsizetype start = m_pos;
        if (m_data[m_pos] == '-')
            ++m_pos;
        if (m_pos < m_size && m_data[m_pos] == '0') {
            ++m_pos;
        } else if (m_pos < m_size && isDigit(m_data[m_pos])) {
            while (m_pos < m_size && isDigit(m_data[m_pos]))
                ++m_pos;
        } else {
            return fail(start, QStringLiteral("invalid number"));
        }
        bool integral = true;
        if (m_pos < m_size && m_data[m_pos] == '.') {
            integral = false;
            ++m_pos;
            if (m_pos >= m_size || !isDigit(m_data[m_pos]))
                return fail(start, QStringLiteral("invalid number (digits expected after '.')"));
            while (m_pos < m_size && isDigit(m_data[m_pos]))
                ++m_pos;
        }
        if (m_pos < m_size && (m_data[m_pos] == 'e' || m_data[m_pos] == 'E')) {
            integral = false;
            ++m_pos;
            if (m_pos < m_size && (m_data[m_pos] == '+' || m_data[m_pos] == '-'))
                ++m_pos;
            if (m_pos >= m_size || !isDigit(m_data[m_pos]))
                return fail(start, QStringLiteral("invalid number (digits expected in the exponent)"));
            while (m_pos < m_size && isDigit(m_data[m_pos]))
                ++m_pos;
        }
        // A digit straight after a leading zero ("012") is not JSON.
        if (m_pos < m_size && isDigit(m_data[m_pos]))
            return fail(start, QStringLiteral("invalid number (leading zeros are not allowed)"));

        const char *first = m_data + start;
        const char *last = m_data + m_pos;
        if (integral) {
            qint64 value = 0;
            const auto result = std::from_chars(first, last, value);
            if (result.ec == std::errc() && result.ptr == last) {
                if (out)
                    *out = QCborValue(value);
                return true;
            }
            // Beyond 64 bits: kept as text for the loaders to refuse.
            if (result.ec == std::errc::result_out_of_range) {
                m_suspect = true;
                if (out)
                    *out = QCborValue(kIntegerBeyond64Bits, QCborValue(QString::fromLatin1(first, last - first)));
                return true;
            }
        }
        double value = 0;
        const auto result = std::from_chars(first, last, value);
        if (result.ec == std::errc::result_out_of_range) {
            // Python reads 1e400 as inf and 1e-400 as 0.0; do the same.
            value = overflows(first, last) ? std::numeric_limits<double>::infinity() : 0.0;
            if (*first == '-')
                value = -value;
        } else if (result.ec != std::errc() || result.ptr != last) {
            return fail(start, QStringLiteral("invalid number"));
        }
        if (out)
            *out = QCborValue(value);
        return true;
    }

    // For a number too large or too small for a double: whether it is too
    // large. Its decimal magnitude is the position of the first significant
    // digit relative to the point, plus the exponent.
    static bool overflows(const char *first, const char *last)
    {
        const char *p = first;
        if (*p == '-')
            ++p;
        qint64 magnitude = 0;
        bool significant = false;
        for (; p < last && isDigit(*p); ++p) {
            significant = significant || *p != '0';
            magnitude += significant;
        }
        if (p < last && *p == '.') {
            for (++p; p < last && isDigit(*p) && !significant; ++p) {
                significant = *p != '0';
                magnitude -= !significant;
            }
            while (p < last && isDigit(*p))
                ++p;
        }
        qint64 exponent = 0;
        if (p < last && (*p == 'e' || *p == 'E')) {
            ++p;
            const bool negative = *p == '-';
            if (*p == '+' || *p == '-')
                ++p;
            for (; p < last; ++p)
                exponent = std::min<qint64>(exponent * 10 + (*p - '0'), 1000000000);   // saturate
            if (negative)
                exponent = -exponent;
        }
        return magnitude + exponent > 0;
    }

    bool readLiteral(const char *word, const QCborValue &value, QCborValue *out)
    {
        const qsizetype length = qsizetype(qstrlen(word));
        if (m_size - m_pos < length || qstrncmp(m_data + m_pos, word, size_t(length)) != 0)
            return fail(m_pos, QStringLiteral("unexpected %1, expected a value").arg(describeAt(m_pos)));
        m_pos += length;
        if (out)
            *out = value;
        return true;
    }

    const QByteArray &m_text;
    const char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    int m_depth = 0;
    const JsonPath *m_target;
    QVector<JsonPath::Component> m_current;     // maintained only while locating
    qsizetype m_foundOffset = -1;
    qsizetype m_errorOffset = 0;
    QString m_errorMessage;
    bool m_suspect = false;
};

} // namespace

JsonTextPosition positionOfOffset(const QByteArray &text, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    const char *data = text.constData();
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (data[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    if (line == 1)
        lineStart = std::min(bomLength(text), offset);     // editors do not show the mark
    int column = 1;
    for (qsizetype i = lineStart; i < offset; ++i) {
        if ((uchar(data[i]) & 0xC0) != 0x80)    // count characters, not continuation bytes
            ++column;
    }
    return {line, column};
}

std::optional<QCborValue> readJson(const QByteArray &text, JsonSyntaxError *error)
{
    auto report = [&](qsizetype offset, const QString &message) {
        if (error) {
            error->offset = offset;
            error->position = positionOfOffset(text, offset);
            error->message = message;
        }
        return std::nullopt;
    };
    const qsizetype invalid = firstInvalidUtf8(text);
    if (invalid >= 0) {
        return report(invalid, QStringLiteral("not UTF-8 text (invalid byte 0x%1)")
                                   .arg(uint(uchar(text.at(invalid))), 2, 16, QLatin1Char('0')));
    }
    Reader reader(text, nullptr);
    QCborValue value;
    if (!reader.readDocument(&value))
        return report(reader.errorOffset(), reader.errorMessage());
    return value;
}

bool checkJson(const QByteArray &text, JsonSyntaxError *error, bool *mayHoldUnrepresentable)
{
    JsonSyntaxError ignored;
    JsonSyntaxError &report = error ? *error : ignored;
    const qsizetype invalid = firstInvalidUtf8(text);
    if (invalid >= 0) {
        report = {invalid, positionOfOffset(text, invalid),
                  QStringLiteral("not UTF-8 text (invalid byte 0x%1)").arg(uint(uchar(text.at(invalid))), 2, 16, QLatin1Char('0'))};
        return false;
    }
    Reader reader(text, nullptr);
    if (!reader.readDocument(nullptr)) {
        report = {reader.errorOffset(), positionOfOffset(text, reader.errorOffset()), reader.errorMessage()};
        return false;
    }
    if (mayHoldUnrepresentable)
        *mayHoldUnrepresentable = reader.mayHoldUnrepresentable();
    return true;
}

struct JsonStreamReader::Private
{
    explicit Private(const QByteArray &text) : text(text), reader(text, nullptr) {}
    const QByteArray &text;
    Reader reader;
};

JsonStreamReader::JsonStreamReader(const QByteArray &text) : d(std::make_unique<Private>(text))
{
    d->reader.setPosition(bomLength(text));
}

JsonStreamReader::~JsonStreamReader() = default;

qsizetype JsonStreamReader::position() const
{
    return d->reader.position();
}

void JsonStreamReader::seek(qsizetype position)
{
    d->reader.setPosition(position);
}

QCborValue::Type JsonStreamReader::peekType()
{
    switch (d->reader.peek()) {
    case '{': return QCborValue::Map;
    case '[': return QCborValue::Array;
    case '"': return QCborValue::String;
    case 't': return QCborValue::True;
    case 'f': return QCborValue::False;
    case 'n': return QCborValue::Null;
    case '\0': return QCborValue::Undefined;
    default: return QCborValue::Double;     // a number: Integer or Double, known once read
    }
}

void JsonStreamReader::enterContainer()
{
    d->reader.peek();
    d->reader.consume();
}

// Past the ',' between two members or elements, or past the closing bracket.
static bool nextInContainer(Reader &reader, char close)
{
    char c = reader.peek();
    if (c == ',') {
        reader.consume();
        c = reader.peek();
    }
    if (c == close) {
        reader.consume();
        return false;
    }
    return true;
}

bool JsonStreamReader::nextMember(QString *name)
{
    if (!nextInContainer(d->reader, '}'))
        return false;
    d->reader.readName(name);
    d->reader.peek();          // the ':'
    d->reader.consume();
    d->reader.peek();
    return true;
}

bool JsonStreamReader::nextElement()
{
    if (!nextInContainer(d->reader, ']'))
        return false;
    d->reader.peek();
    return true;
}

QCborValue JsonStreamReader::readValue()
{
    QCborValue value;
    d->reader.readNext(&value);
    return value;
}

void JsonStreamReader::skipValue()
{
    d->reader.readNext(nullptr);
}

qsizetype JsonStreamReader::skipArrayCountingElements()
{
    const char *data = d->text.constData();
    const qsizetype size = d->text.size();
    d->reader.peek();
    qsizetype pos = d->reader.position() + 1;       // past the '['
    int depth = 0;
    qsizetype commas = 0;
    bool empty = true;
    for (; pos < size; ++pos) {
        const char c = data[pos];
        if (c == '"') {
            for (++pos; pos < size && data[pos] != '"'; ++pos) {
                if (data[pos] == '\\')
                    ++pos;                  // the escaped character, whatever it is
            }
            empty = false;
        } else if (c == '[' || c == '{') {
            ++depth;
            empty = false;
        } else if (c == ']' || c == '}') {
            if (depth == 0)
                break;
            --depth;
        } else if (c == ',') {
            commas += depth == 0;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            empty = false;
        }
    }
    d->reader.setPosition(pos + 1);                 // past the ']'
    return empty ? 0 : commas + 1;
}

std::optional<JsonTextPosition> locateJsonValue(const QByteArray &text, const JsonPath &path)
{
    if (firstInvalidUtf8(text) >= 0)
        return std::nullopt;
    Reader reader(text, &path);
    reader.readDocument(nullptr);       // only positions are wanted: nothing built
    if (reader.foundOffset() < 0)
        return std::nullopt;
    return positionOfOffset(text, reader.foundOffset());
}

static bool hasLoneSurrogate(const QString &text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        else if (c.isSurrogate())
            return true;
    }
    return false;
}

static QString loneSurrogateMessage(const QString &text)
{
    for (QChar c : text)
        if (c.isSurrogate())
            return QStringLiteral("a lone surrogate escape (\\u%1) is not text: UTF-8 cannot hold it")
                .arg(c.unicode(), 4, 16, QLatin1Char('0'));
    return QString();
}

// The walk behind findUnrepresentable(): on a find, `trail` holds the steps
// from `value` down to the culprit, innermost first. Paths are built only for
// a find, never for every value of a clean document.
static std::optional<QString> unrepresentableIn(const QCborValue &value, QVector<JsonPath::Component> &trail)
{
    if (value.isTag() && value.tag() == kIntegerBeyond64Bits)
        return QStringLiteral("the integer %1 is outside the signed 64-bit range").arg(value.taggedValue().toString());
    if (value.isString()) {
        const QString text = value.toString();
        if (hasLoneSurrogate(text))
            return loneSurrogateMessage(text);
        return std::nullopt;
    }
    if (value.isArray()) {
        const QCborArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (auto found = unrepresentableIn(array.at(i), trail)) {
                trail.append({QString(), int(i)});
                return found;
            }
        }
    }
    if (value.isMap()) {
        const QCborMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString key = it.key().toString();
            if (hasLoneSurrogate(key)) {
                trail.append({key, -1});
                return QStringLiteral("this member's name: ") + loneSurrogateMessage(key);
            }
            if (auto found = unrepresentableIn(it.value(), trail)) {
                trail.append({key, -1});
                return found;
            }
        }
    }
    return std::nullopt;
}

std::optional<Unrepresentable> findUnrepresentable(const QCborValue &value, const JsonPath &path)
{
    QVector<JsonPath::Component> trail;
    const std::optional<QString> message = unrepresentableIn(value, trail);
    if (!message)
        return std::nullopt;
    JsonPath found = path;
    for (auto it = trail.crbegin(); it != trail.crend(); ++it)
        found = it->index >= 0 ? found.index(it->index) : found.key(it->key);
    return Unrepresentable{found, *message};
}

} // namespace ss
