#pragma once
// A field's declaration in one line, for the schema panel and the record
// tables' header tooltips (one home, so the two never disagree):
// "foreign_key → User, on_delete=CASCADE, related_name='posts', null",
// "char, unique, default=''", "many_to_many ⇄ Topping through Pizza_toppings,
// related_name='pizzas'", "auto primary key".

#include "model/modelregistry.h"

#include <QString>

namespace ss {

QString fieldDetails(const Field &field);

} // namespace ss
