#pragma once
// Python's own rules for the values the engine handles, in one place: how
// Python prints a value (repr), when it is true, when two values are equal
// (and so the same member of a set or key of a dict), and how sorted() orders
// them. Django's behaviour rests on these rules: a pk_set is a Python set, the
// deletion collector keys instances by pk (Model.__eq__/__hash__), a foreign
// key's cache is dropped when `!=` says the id changed.
//
// Values are QCborValue scalars (integers and floats kept apart, as Python
// does) or arrays/maps of them (lists/dicts). How a Django field converts a
// value is the model layer's business (model/fieldvalues.h).

#include <QCborValue>
#include <QString>

namespace ss {

// repr(x): 'abc', 1, 2.5, 1e+16, nan, -inf, True, None, [1, 'a'], {'k': 1}.
QString pythonRepr(const QCborValue &value);

// A list or dict as Python prints it ([1, 'a'], {'k': 1}) with its items
// printed by `item`; any other value by repr.
QString pythonContainerRepr(const QCborValue &value, QString (*item)(const QCborValue &));

// str(x): text as it is, anything else as repr(x).
QString pythonStr(const QCborValue &value);

// repr() of a Python float: shortest round-trip digits, "2.0", "1e+16",
// "-0.0", "nan", "inf", "-inf".
QString pythonFloatRepr(double value);

// The same digits as json.dumps writes them: non-finite floats are "NaN",
// "Infinity", "-Infinity" (JSON has no spelling for them; Python's json does).
QString jsonFloatText(double value);

// type(x).__name__: "int", "float", "bool", "str", "NoneType", "list", "dict".
QString pythonTypeName(const QCborValue &value);

// bool(x): 0, 0.0, -0.0, "", [], {}, None and False are false; NaN is true.
bool pythonTruthy(const QCborValue &value);

// x == y: numbers by value across bool/int/float (1 == 1.0 == True,
// -0.0 == 0, NaN equals nothing), text exactly, lists and dicts item by item;
// values of other kinds differ ("1" != 1, None == None only).
bool pythonEquals(const QCborValue &a, const QCborValue &b);

// Lists item by item and dicts key by key, items compared with `equals`
// (the structure Python's == and the contract's JSON equality share); other
// values by their exact encoding.
bool containersEqual(const QCborValue &a, const QCborValue &b, bool (*equals)(const QCborValue &, const QCborValue &));

// A text that two values share exactly when Python considers them the same
// key of a dict or member of a set (hash and ==): 1, 1.0 and True give the
// same key, "1" another. NaN is its own key (Python finds a NaN in a set only
// through identity; the engine holds each value once).
QString pythonKey(const QCborValue &value);

// Text ordered as Python compares str: by code point. (QString's operator<
// compares UTF-16 units, which puts U+10000 and above before U+E000..U+FFFF.)
int compareCodePoints(const QString &a, const QString &b);

// The order sorted() gives a set of pks, and the oracle's order for a set
// of mixed kinds: values of different kinds by type name (NoneType < bool <
// float/int < str), numbers by value across int/float, text by code point,
// False < True.
bool pythonLess(const QCborValue &a, const QCborValue &b);

} // namespace ss
