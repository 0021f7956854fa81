#pragma once
// The clock every traced event is stamped with: the cheapest monotonic clock
// the machine has, read at most once per send and once per receiver call (the
// dispatcher reads it; every listener of the send shares the reading).
//
// On x86-64 with an invariant TSC (the kernel's own clocksource on nearly every
// machine since 2008) a reading is one RDTSC, ~9 ns against ~20 ns for
// clock_gettime through the vDSO. Ticks become nanoseconds through a fixed-point
// factor calibrated once per process against CLOCK_MONOTONIC (a 2 ms spin on
// first use, each end bracketed by two monotonic reads so a preemption cannot
// skew it: the error is a few tens of ppm). Elsewhere a tick is a CLOCK_MONOTONIC
// nanosecond and the factor is 1.

#include <QtGlobal>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace ss {

class TraceClock
{
public:
    // A reading, in ticks; 0 is never returned (0 means "not read").
    static quint64 ticks()
    {
#if defined(__x86_64__) || defined(_M_X64)
        if (s_tsc)
            return tsc();
#endif
        return monotonicNs();
    }
    // The length of a tick interval in nanoseconds.
    static quint64 toNs(quint64 tickInterval)
    {
        return quint64((unsigned __int128)tickInterval * s_nsPerTickQ32 >> 32);
    }
    // Calibrates (once per process; later calls return at once). Whoever
    // converts ticks calls it first: TraceRecorder's constructor does.
    static void calibrate();
    static bool usesTsc() { return s_tsc; }
    static double nsPerTick() { return double(s_nsPerTickQ32) / 4294967296.0; }
    static quint64 monotonicNs();

private:
    static quint64 tsc()
    {
#if defined(__x86_64__)
        return __rdtsc() | 1;       // never 0; the lowest bit is far below a nanosecond
#else
        return monotonicNs();
#endif
    }
    static bool s_tsc;
    static quint64 s_nsPerTickQ32;      // ns per tick in 32.32 fixed point
};

} // namespace ss
