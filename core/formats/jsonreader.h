#pragma once
// A strict JSON reader for the contract's files (RFC 8259, UTF-8).
//
// Why not QJsonDocument: Qt 6.4's QJsonValue stores an integral double as an
// integer, so "99.0" and "99" become the same value, while the trace must print
// 99.0 for a float the scenario wrote as 99.0 (Python keeps them apart). This
// reader builds QCborValue, which keeps Integer and Double distinct: "1" is an
// Integer, "1.0", "1e2" and integers beyond 64 bits are Doubles.
//
// It also refuses what a loader must refuse before looking at content:
// invalid UTF-8 (binary garbage), nesting deeper than a fixed limit (checked
// before descending, so 100k '[' cannot exhaust the stack), NaN/Infinity
// literals, trailing data. A leading UTF-8 byte order mark is skipped (RFC 8259
// allows parsers to ignore it). Duplicate member names keep the last value, as
// Python's json module does.
//
// Positions are not recorded while reading (that would cost every successful
// load); a caller that needs the line and column of a value reads the text
// again with locateJsonValue().

#include "formats/jsonpath.h"

#include <QByteArray>
#include <QCborValue>
#include <QString>
#include <memory>
#include <optional>

namespace ss {

// Arrays and objects nested deeper than this are refused. The contract's files
// need about 8 levels; Python's own limit is near 1000.
constexpr int kMaxJsonNesting = 64;

struct JsonTextPosition
{
    int line = 0;       // 1-based; 0 when unknown
    int column = 0;     // 1-based, in characters (code points)
};

struct JsonSyntaxError
{
    qsizetype offset = 0;           // byte offset of the problem
    JsonTextPosition position;      // the same as line:column
    QString message;
};

std::optional<QCborValue> readJson(const QByteArray &text, JsonSyntaxError *error);

// The first pass of a streamed read: whether readJson would accept `text`
// (the same error, at the same place, when not), without building any value.
// `mayHoldUnrepresentable` is set when a value may be one findUnrepresentable()
// reports (an integer beyond 64 bits, a \u escape of a UTF-16 surrogate): a
// caller that needs that check's exact verdict reads such a text whole.
bool checkJson(const QByteArray &text, JsonSyntaxError *error, bool *mayHoldUnrepresentable);

// Reads a text checkJson accepted a piece at a time: a caller walks an object
// member by member and an array element by element, and builds only the
// values it asks for (readValue) while passing over the others (skipValue), so
// a document's big array is never held whole. The text must outlive the
// reader; on a text checkJson refused the result is unspecified.
class JsonStreamReader
{
public:
    explicit JsonStreamReader(const QByteArray &text);     // at the document's value
    ~JsonStreamReader();
    JsonStreamReader(const JsonStreamReader &) = delete;
    JsonStreamReader &operator=(const JsonStreamReader &) = delete;

    // Byte offset of the next thing to read; seek() returns to one.
    qsizetype position() const;
    void seek(qsizetype position);

    // The type of the value at the position (a number reads as Double).
    QCborValue::Type peekType();
    // At an object or array: steps inside it.
    void enterContainer();
    // Inside an object: moves to the next member's value and gives its name;
    // false (past the closing '}') when there is none.
    bool nextMember(QString *name);
    // Inside an array: moves to the next element; false past the closing ']'.
    bool nextElement();
    // The value at the position, built; skipValue() passes over it.
    QCborValue readValue();
    void skipValue();
    // At an array: passes over it and gives how many elements it has (only
    // brackets, quotes and commas looked at: the text is known to be valid).
    qsizetype skipArrayCountingElements();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// An integer literal outside the signed 64-bit range is read as this tag
// around its decimal text (no value of the engine can hold it), and a lone
// surrogate escape ("\ud800") stays in its string as that UTF-16 unit: the
// loaders refuse both with the value's path (refuseUnrepresentable, contract
// section 3), where the reader alone could only give a line and column.
constexpr QCborTag kIntegerBeyond64Bits = QCborTag(0x5353'0040);

// The path of the first value in `value` that no UTF-8 text or 64-bit
// integer can hold, and why; nullopt when there is none.
struct Unrepresentable { JsonPath path; QString message; };
std::optional<Unrepresentable> findUnrepresentable(const QCborValue &value, const JsonPath &path = JsonPath());

// Where the value at `path` starts in `text` (a text readJson accepts), or
// nullopt when there is no such value.
std::optional<JsonTextPosition> locateJsonValue(const QByteArray &text, const JsonPath &path);

JsonTextPosition positionOfOffset(const QByteArray &text, qsizetype offset);

} // namespace ss
