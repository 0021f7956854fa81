#include "signalstyle.h"

#include "dispatch/loopdetector.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace ss {

QColor signalColor(const QString &signal)
{
    static const QHash<QString, QColor> colors = {
        {QStringLiteral("pre_init"), QColor(0x6f, 0x8f, 0xaf)},
        {QStringLiteral("post_init"), QColor(0x4f, 0x77, 0xa0)},
        {QStringLiteral("pre_save"), QColor(0x2e, 0xa0, 0x43)},
        {QStringLiteral("post_save"), QColor(0x1a, 0x7f, 0x37)},
        {QStringLiteral("pre_delete"), QColor(0xe0, 0x5d, 0x44)},
        {QStringLiteral("post_delete"), QColor(0xb6, 0x2d, 0x24)},
        {QStringLiteral("m2m_changed"), QColor(0x8e, 0x5c, 0xd9)},
        {QStringLiteral("pre_migrate"), QColor(0xa0, 0x7a, 0x3c)},
        {QStringLiteral("post_migrate"), QColor(0x85, 0x62, 0x2a)},
        {QStringLiteral("connection_created"), QColor(0x80, 0x80, 0x80)},
        {QStringLiteral("request_started"), QColor(0x1f, 0x8a, 0x8a)},
        {QStringLiteral("request_finished"), QColor(0x17, 0x6b, 0x6b)},
        {QStringLiteral("got_request_exception"), QColor(0xc2, 0x41, 0x0c)},
        {QStringLiteral("setting_changed"), QColor(0x6b, 0x72, 0x80)},
        {QStringLiteral("template_rendered"), QColor(0x3b, 0x5b, 0xdb)},
    };
    auto it = colors.constFind(signal);
    if (it != colors.constEnd())
        return *it;
    return signal.isEmpty() ? QColor(0x80, 0x80, 0x80) : QColor(0xd0, 0x4f, 0x9c);   // custom signals: pink
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor signalTextColor(const QString &signal, const QPalette &palette)
{
    const QColor c = signalColor(signal);
    return isDarkPalette(palette) ? c.lighter(150) : c.darker(115);
}

QIcon signalIcon(const QString &signal)
{
    static QHash<QString, QIcon> cache;
    auto it = cache.constFind(signal);
    if (it != cache.constEnd())
        return *it;
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(signalColor(signal));
    painter.drawEllipse(1, 1, 10, 10);
    painter.end();
    QIcon icon(pixmap);
    cache.insert(signal, icon);
    return icon;
}

QColor loopBackground(int loopMark)
{
    switch (LoopMark(loopMark)) {
    case LoopMark::Stopped: return QColor(220, 40, 40, 110);
    case LoopMark::Reentry: return QColor(255, 170, 0, 120);
    case LoopMark::InCycle: return QColor(255, 190, 40, 45);
    case LoopMark::None: break;
    }
    return QColor();
}

} // namespace ss
