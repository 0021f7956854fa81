#include "dispatch/stabletext.h"

#if __has_include(<link.h>)
#include <link.h>
#define SS_HAVE_DL_ITERATE_PHDR 1
#endif

#include <mutex>
#include <vector>

namespace ss {

namespace {

struct Range
{
    quintptr begin;
    quintptr end;
};

// The main program's segments that are loaded without write permission, read
// once from the dynamic loader (the program is the first object it reports).
// Without dl_iterate_phdr: none, and such text is compared by content.
const std::vector<Range> &programReadOnlyRanges()
{
    static std::vector<Range> ranges;
    static std::once_flag once;
    std::call_once(once, [] {
#ifdef SS_HAVE_DL_ITERATE_PHDR
        dl_iterate_phdr([](dl_phdr_info *info, size_t, void *) -> int {
            for (int i = 0; i < info->dlpi_phnum; ++i) {
                const ElfW(Phdr) &segment = info->dlpi_phdr[i];
                if (segment.p_type == PT_LOAD && !(segment.p_flags & PF_W)) {
                    const quintptr begin = quintptr(info->dlpi_addr + segment.p_vaddr);
                    ranges.push_back({begin, begin + quintptr(segment.p_memsz)});
                }
            }
            return 1;       // the program only
        }, nullptr);
#endif
    });
    return ranges;
}

} // namespace

bool isProgramReadOnlyData(const void *begin, size_t bytes)
{
    const quintptr b = quintptr(begin);
    if (!b || b + bytes < b)
        return false;
    for (const Range &r : programReadOnlyRanges())
        if (b >= r.begin && b + bytes <= r.end)
            return true;
    return false;
}

} // namespace ss
