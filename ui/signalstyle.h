#pragma once
// One colour per signal kind, used everywhere (timeline, inspector, schema
// panel, legend), chosen to read on light and dark palettes alike.

#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

namespace ss {

QColor signalColor(const QString &signal);
// The colour adjusted for text on `palette`'s base colour (lighter on dark).
QColor signalTextColor(const QString &signal, const QPalette &palette);
QIcon signalIcon(const QString &signal);
// Loop highlight backgrounds: re-entry amber, stopped red, in-cycle faint amber.
QColor loopBackground(int loopMark);
bool isDarkPalette(const QPalette &palette);

} // namespace ss
