#pragma once
// Settings a scenario may override (contract 8.2): uppercase names Django 3.2
// does not define, plus DEBUG_PROPAGATE_EXCEPTIONS (8.1).

#include <QCborValue>
#include <QString>

namespace ss {

// Django 3.2's own settings (django/conf/global_settings.py, ROOT_URLCONF,
// SETTINGS_MODULE), which a scenario may not override.
bool isDjangoOwnSetting(const QString &name);
// [A-Z][A-Z0-9_]*
bool isSettingName(const QString &name);

// The value Django gives a setting nobody overrides: false for
// DEBUG_PROPAGATE_EXCEPTIONS, null (getattr(settings, name, None)) otherwise.
QCborValue settingDefault(const QString &name);

inline const QString &debugPropagateExceptions()
{
    static const QString name = QStringLiteral("DEBUG_PROPAGATE_EXCEPTIONS");
    return name;
}

} // namespace ss
