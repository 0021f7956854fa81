#pragma once
// The loop banner above the timeline: every loop found so far, one line each
// (not only the newest), then the usual fixes; red when the recursion bound
// stopped one, amber when they all ended by themselves.

#include "dispatch/loopdetector.h"

#include <QString>
#include <QVector>

namespace ss {

struct LoopBanner
{
    QString html;           // empty when there is no loop
    bool anyStopped = false;

    static LoopBanner of(const QVector<DetectedLoop> &loops, int recursionBound);
    QString styleSheet() const;
};

} // namespace ss
