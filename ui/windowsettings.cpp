#include "windowsettings.h"

#include <QDir>
#include <QSettings>

namespace ss::WindowSettings {

QString lastFile()
{
    return QSettings().value(QStringLiteral("lastFile")).toString();
}

void setLastFile(const QString &path)
{
    QSettings().setValue(QStringLiteral("lastFile"), path);
}

QStringList recentFiles()
{
    return QSettings().value(QStringLiteral("recentFiles")).toStringList();
}

QStringList addRecentFile(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MaxRecentFiles)
        recent.removeLast();
    QSettings().setValue(QStringLiteral("recentFiles"), recent);
    return recent;
}

QString exportDir()
{
    return QSettings().value(QStringLiteral("exportDir"), QDir::homePath()).toString();
}

void setExportDir(const QString &dir)
{
    QSettings().setValue(QStringLiteral("exportDir"), dir);
}

Preferences Preferences::load()
{
    QSettings settings;
    Preferences p;
    p.hiddenSignals = settings.value(QStringLiteral("hiddenSignals")).toStringList();
    p.updateFieldsOnly = settings.value(QStringLiteral("updateFieldsOnly"), false).toBool();
    p.showDjangoReceivers = settings.value(QStringLiteral("showDjangoReceivers"), true).toBool();
    p.followNewest = settings.value(QStringLiteral("followNewest"), true).toBool();
    return p;
}

void Preferences::save() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("hiddenSignals"), hiddenSignals);
    settings.setValue(QStringLiteral("updateFieldsOnly"), updateFieldsOnly);
    settings.setValue(QStringLiteral("showDjangoReceivers"), showDjangoReceivers);
    settings.setValue(QStringLiteral("followNewest"), followNewest);
}

} // namespace ss::WindowSettings
