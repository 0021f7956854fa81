#include "dispatch/traceclock.h"

#include <ctime>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace ss {

bool TraceClock::s_tsc = false;
quint64 TraceClock::s_nsPerTickQ32 = quint64(1) << 32;

quint64 TraceClock::monotonicNs()
{
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return quint64(t.tv_sec) * 1000000000u + quint64(t.tv_nsec) + 1;   // never 0
}

namespace {

#if defined(__x86_64__)
// CPUID 0x80000007 EDX bit 8: the TSC runs at a constant rate in every
// power state and is synchronised across cores (the kernel's "invariant TSC").
bool invariantTsc()
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
        return false;
    __get_cpuid(0x80000007, &a, &b, &c, &d);
    return d & (1u << 8);
}

// A (monotonic ns, tsc) pair read as close together as the machine allows: the
// tightest of a few brackets, the TSC read between two monotonic reads.
void pair(quint64 &ns, quint64 &tsc)
{
    quint64 best = ~quint64(0);
    for (int i = 0; i < 16; ++i) {
        const quint64 before = TraceClock::monotonicNs();
        const quint64 t = __rdtsc();
        const quint64 after = TraceClock::monotonicNs();
        if (after - before < best) {
            best = after - before;
            ns = before + (after - before) / 2;
            tsc = t;
        }
    }
}
#endif

} // namespace

void TraceClock::calibrate()
{
#if defined(__x86_64__)
    static const bool done = [] {
        if (!invariantTsc())
            return true;
        quint64 ns0 = 0, tsc0 = 0, ns1 = 0, tsc1 = 0;
        pair(ns0, tsc0);
        do
            pair(ns1, tsc1);
        while (ns1 - ns0 < 2000000);
        if (tsc1 <= tsc0)
            return true;
        s_nsPerTickQ32 = quint64((unsigned __int128)(ns1 - ns0) * (quint64(1) << 32) / (tsc1 - tsc0));
        s_tsc = true;
        return true;
    }();
    Q_UNUSED(done);
#endif
}

} // namespace ss
