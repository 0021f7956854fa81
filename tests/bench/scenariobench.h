#pragma once
// The whole-scenario figures of signalscope-bench (scenariobench.cpp), on the
// signup scenario of benchinputs.h, recorded, in memory:
//   - scale: time per signup at a small and a large size (2,000 and 100,000
//     by default): linear means the ratio stays near 1 (target <= 1.2);
//   - SQL floor: the scenario vs the very statements it issues, each prepared
//     once, bound and run through QtSql on the same backend (target <= 3).
// Both are CPU times of the running thread (scenariobench.cpp says why).
// The comparison with Django is a script (compare_django.py): it needs the
// real Django, and a whole process on each side.

#include "timelinebench.h"

#include <functional>
#include <vector>

namespace bench {

struct ScaleSizes
{
    int small = 2'000;
    int large = 100'000;
};

// `reps`: timed runs at the small size (the large one runs once).
std::vector<TimelineFigure> benchScale(const ScaleSizes &sizes, int reps, const std::function<void(const QString &)> &progress);
std::vector<TimelineFigure> benchSqlFloor(int signups, int reps, const std::function<void(const QString &)> &progress);

} // namespace bench
