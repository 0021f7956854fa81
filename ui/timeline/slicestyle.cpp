#include "slicestyle.h"

#include "signalstyle.h"
#include "trace/tracerecorder.h"

namespace ss {

QColor sliceColor(const TraceRecorder &recorder, int event)
{
    const TraceRecord &r = recorder.record(event);
    switch (r.kind) {
    case TraceEventKind::Step:
        return QColor(0x5b, 0x66, 0x78);
    case TraceEventKind::Send:
        return signalColor(recorder.string(r.name));
    case TraceEventKind::RecursionStop:
        return QColor(0xc8, 0x1e, 0x1e);
    case TraceEventKind::Receiver:
        return r.parent >= 0 ? signalColor(recorder.string(recorder.record(r.parent).name)).lighter(135)
                             : QColor(0x90, 0x90, 0x90);
    case TraceEventKind::Effect:
        return QColor(0x1f, 0x8a, 0x8a);
    case TraceEventKind::Error:
        return errorMarkColor();
    }
    return QColor(0x80, 0x80, 0x80);
}

QColor sliceTextColor(const QColor &fill)
{
    // Perceived lightness (Rec. 601 weights) decides black or white text.
    const int y = (fill.red() * 299 + fill.green() * 587 + fill.blue() * 114) / 1000;
    return y > 150 ? QColor(20, 20, 20) : QColor(255, 255, 255);
}

QColor errorMarkColor()
{
    return QColor(0xd0, 0x10, 0x10);
}

} // namespace ss
