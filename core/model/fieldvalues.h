#pragma once
// How Django turns a Python value into what a column stores (Field.get_prep_value),
// with Django's own error messages.

#include "model/modelregistry.h"
#include "python/pythonvalue.h"

#include <QCborValue>
#include <QString>

namespace ss {

// The value the database receives for `field`: int("5") for integers, str(5)
// for strings, ... Throws DjangoError (ValueError / TypeError / ValidationError)
// with Django's message when Python's conversion would fail.
QCborValue prepareForDb(const Field *field, const QCborValue &value);

} // namespace ss
