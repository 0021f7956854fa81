#pragma once
// Whether two QCborValues are the very same element of the very same
// container: a copy of one another, so equal without comparing content.
//
// Comparing a string QCborValue by content costs a call into the library's
// general compare (~140 instructions), and Qt 6.4 offers no view of its
// characters. The packer sees the same "default" under `using` on nearly
// every send, passed as copies of one engine value that share its container.
// A QCborValue is (element index, container, type); the container is counted
// and copied before anyone writes it while another value shares it, so if the
// caller keeps one copy alive, a value whose index, container and type equal
// that copy's holds the same content. Qt keeps those members private, but
// they are part of its ABI (the header's inline code reads them); the layout
// assumed here is checked once at run time, and when the check fails the
// answer is always false (the caller compares by content).

#include <QCborValue>

#include <cstring>

namespace ss {

namespace cboridentity {
// Qt 6: `qint64 n; QCborContainerPrivate *container; Type t;`.
constexpr size_t IdentityBytes = sizeof(qint64) + sizeof(void *);
bool layoutHolds();     // checked once: see cboridentity.cpp
} // namespace cboridentity

// True only when `a` and `b` share the same element of the same container
// (one is a copy of the other); false says nothing (they may still be equal).
// Inline: it runs on every send that passes a string argument.
inline bool isSameCborElement(const QCborValue &a, const QCborValue &b)
{
    static const bool usable = cboridentity::layoutHolds();
    quint64 x[2], y[2];
    static_assert(sizeof x == cboridentity::IdentityBytes);
    std::memcpy(x, &a, sizeof x);
    std::memcpy(y, &b, sizeof y);
    return usable && x[0] == y[0] && x[1] == y[1] && a.type() == b.type();
}

} // namespace ss
