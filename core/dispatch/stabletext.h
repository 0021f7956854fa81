#pragma once
// Whether a string's characters are known by their address alone.
//
// The trace's name caches (NameIds, the packer's key lists) recognise the
// strings a send passes by the address of their characters, and must be sure
// that the same address and size still hold the same text. That holds for
// text the cache keeps a counted reference to (nobody can write a shared
// block, nor free it for another string to take its address), and for text
// in a read-only segment of the program's own image: the QStringLiteral
// keywords and names of the engine's call sites, which nothing can write and
// the program never unloads. Any other text with no owner (raw data its owner
// may change in place) must be compared by content as well.

#include <QString>

namespace ss {

// True when [begin, begin + bytes) lies in a non-writable segment of the
// main program's image (not of a shared library: those can be unloaded and
// their addresses reused).
bool isProgramReadOnlyData(const void *begin, size_t bytes);

// True when `text`'s characters cannot change while `text` (or a copy that
// shares its block) is kept: an owned, counted block, or program read-only data.
inline bool isStableText(const QString &text)
{
    return text.data_ptr().isMutable()
        || isProgramReadOnlyData(text.constData(), size_t(text.size()) * sizeof(QChar));
}

} // namespace ss
