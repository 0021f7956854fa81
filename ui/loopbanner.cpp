#include "loopbanner.h"

#include "dispatch/loopdetector.h"

#include <QCoreApplication>
#include <QLabel>
#include <QStringList>

namespace ss {

static QString tr(const char *text)
{
    return QCoreApplication::translate("LoopBanner", text);
}

void showLoopBanner(QLabel *banner, const QVector<DetectedLoop> &loops, int maxDepth)
{
    if (loops.isEmpty()) {
        banner->hide();
        return;
    }
    QStringList lines;
    bool anyStopped = false;
    for (const DetectedLoop &l : loops) {
        anyStopped = anyStopped || l.stopped;
        lines << tr("<b>%1</b> %2%3")
                     .arg(l.stopped ? tr("✗ Recursion loop stopped at depth %1:").arg(maxDepth) : tr("⚠ Re-entry loop:"),
                          l.path.toHtmlEscaped(), l.reentries > 1 ? tr(" (%1 times)").arg(l.reentries) : QString());
    }
    banner->setTextFormat(Qt::RichText);
    banner->setWordWrap(true);
    banner->setText(lines.join(QStringLiteral("<br>"))
                    + tr("<br><small>Select a highlighted row for the usual fixes: an "
                         "<code>update_fields</code> guard, <code>QuerySet.update()</code>, a flag on the instance, "
                         "or disconnecting the receiver.</small>"));
    banner->setStyleSheet(anyStopped ? QStringLiteral("QLabel { background: rgba(220,40,40,80); padding: 6px; border-radius: 3px; }")
                                     : QStringLiteral("QLabel { background: rgba(255,170,0,90); padding: 6px; border-radius: 3px; }"));
    banner->show();
}

} // namespace ss
