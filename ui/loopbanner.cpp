#include "loopbanner.h"

#include <QCoreApplication>
#include <QStringList>

namespace ss {

static QString tr(const char *text)
{
    return QCoreApplication::translate("LoopBanner", text);
}

LoopBanner LoopBanner::of(const QVector<DetectedLoop> &loops, int recursionBound)
{
    LoopBanner banner;
    if (loops.isEmpty())
        return banner;
    QStringList lines;
    for (const DetectedLoop &l : loops) {
        banner.anyStopped = banner.anyStopped || l.stopped;
        lines << tr("<b>%1</b> %2%3")
                     .arg(l.stopped ? tr("✗ Recursion loop stopped at depth %1:").arg(recursionBound) : tr("⚠ Re-entry loop:"),
                          l.path.toHtmlEscaped(), l.reentries > 1 ? tr(" (%1 times)").arg(l.reentries) : QString());
    }
    banner.html = lines.join(QStringLiteral("<br>"))
                + tr("<br><small>Select a highlighted row for the usual fixes: an <code>update_fields</code> guard, "
                     "<code>QuerySet.update()</code>, a flag on the instance, or disconnecting the receiver.</small>");
    return banner;
}

QString LoopBanner::styleSheet() const
{
    return anyStopped ? QStringLiteral("QLabel { background: rgba(220,40,40,80); padding: 6px; border-radius: 3px; }")
                      : QStringLiteral("QLabel { background: rgba(255,170,0,90); padding: 6px; border-radius: 3px; }");
}

} // namespace ss
