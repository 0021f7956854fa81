#include "trace/cboridentity.h"

namespace ss {

namespace {

bool samePrefix(const QCborValue &a, const QCborValue &b)
{
    return std::memcmp(&a, &b, cboridentity::IdentityBytes) == 0;
}

} // namespace

// A copy must share the prefix, and two separately built strings (index 0
// each, same type, two containers) must not: otherwise the prefix is not
// (index, container) and nothing can be concluded from it.
bool cboridentity::layoutHolds()
{
    if (sizeof(QCborValue) < IdentityBytes + sizeof(QCborValue::Type))
        return false;
    const QCborValue a(QStringLiteral("a"));
    const QCborValue copy(a);
    const QCborValue other(QStringLiteral("a"));
    return samePrefix(a, copy) && !samePrefix(a, other);
}

} // namespace ss
