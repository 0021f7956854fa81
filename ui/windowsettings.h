#pragma once
// What the window remembers between launches (QSettings), in one home: the
// file last open, the recent files (newest first, at most 8, no duplicates),
// the folder of the last export, and the timeline and records preferences.
// Window geometry and splitters are layout: the window saves those itself.

#include <QString>
#include <QStringList>

namespace ss {

namespace WindowSettings {

constexpr int MaxRecentFiles = 8;

QString lastFile();
void setLastFile(const QString &path);
QStringList recentFiles();
// Puts `path` first; returns the new list.
QStringList addRecentFile(const QString &path);
QString exportDir();                    // the home directory at first
void setExportDir(const QString &dir);

struct Preferences
{
    QStringList hiddenSignals;          // signal kinds hidden in the timeline
    bool updateFieldsOnly = false;      // cell edits save with update_fields=[field]
    bool showDjangoReceivers = true;
    bool followNewest = true;

    static Preferences load();
    void save() const;
};

} // namespace WindowSettings

} // namespace ss
