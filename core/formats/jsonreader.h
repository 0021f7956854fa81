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
