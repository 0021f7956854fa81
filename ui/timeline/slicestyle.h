#pragma once
// How a slice looks in the painted views: the tree's palette by signal kind
// (signalstyle.h), receivers a lighter shade of their signal, actions neutral,
// errors red; and which text colour reads on it.

#include <QColor>

namespace ss {

class TraceRecorder;

QColor sliceColor(const TraceRecorder &recorder, int event);
QColor sliceTextColor(const QColor &fill);
QColor errorMarkColor();

} // namespace ss
