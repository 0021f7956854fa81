#include "djangoagent.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStringList>

namespace ss {

QString agentDirectory()
{
    QStringList candidates;
    const QString fromEnv = qEnvironmentVariable("SIGNALSCOPE_AGENT_DIR");
    if (!fromEnv.isEmpty())
        candidates << fromEnv;
    candidates << QCoreApplication::applicationDirPath() + QStringLiteral("/../share/signalscope/agent");
#ifdef SIGNALSCOPE_AGENT_SOURCE_DIR
    candidates << QStringLiteral(SIGNALSCOPE_AGENT_SOURCE_DIR);
#endif
    for (const QString &dir : candidates) {
        if (QFileInfo::exists(dir + QStringLiteral("/signalscope_agent.py"))
            && QFileInfo::exists(dir + QStringLiteral("/inject/sitecustomize.py")))
            return QDir(dir).canonicalPath();
    }
    return {};
}

QProcessEnvironment agentEnvironment(const QProcessEnvironment &base, const QString &agentDir,
                                     const AgentOptions &options)
{
    QProcessEnvironment env = base;
    QStringList path{agentDir + QStringLiteral("/inject"), agentDir};
    const QString existing = base.value(QStringLiteral("PYTHONPATH"));
    if (!existing.isEmpty())
        path << existing;
    env.insert(QStringLiteral("PYTHONPATH"), path.join(QLatin1Char(':')));
    env.insert(QStringLiteral("SIGNALSCOPE_SOCKET"), options.socketPath);
    env.remove(QStringLiteral("SIGNALSCOPE_FILE"));
    if (options.force)
        env.insert(QStringLiteral("SIGNALSCOPE_FORCE"), QStringLiteral("1"));
    if (!options.signalFilter.isEmpty())
        env.insert(QStringLiteral("SIGNALSCOPE_SIGNALS"), options.signalFilter);
    if (!options.excludeFilter.isEmpty())
        env.insert(QStringLiteral("SIGNALSCOPE_EXCLUDE"), options.excludeFilter);
    if (options.aggregateInit)
        env.insert(QStringLiteral("SIGNALSCOPE_AGGREGATE"), QStringLiteral("init"));
    return env;
}

} // namespace ss
