#include "samplecatalog.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

static void initResources()
{
    Q_INIT_RESOURCE(signalscope);
}

namespace ss {

QString SampleInfo::menuText() const
{
    const QString prefix = name + QLatin1Char(':');
    const QString rest = title.startsWith(prefix) ? title.mid(prefix.size()).trimmed() : title;
    return QStringLiteral("%1 — %2").arg(name, rest.isEmpty() ? lesson : rest);
}

QString samplePath(const QString &name)
{
    return QStringLiteral(":/samples/%1.scenario.json").arg(name);
}

QVector<SampleInfo> bundledSamples()
{
    initResources();
    static const QStringList order = {QStringLiteral("shop"), QStringLiteral("blog"), QStringLiteral("reactions"),
                                      QStringLiteral("pizza"), QStringLiteral("cascade"), QStringLiteral("loops"),
                                      QStringLiteral("silent"), QStringLiteral("requests"), QStringLiteral("settings"),
                                      QStringLiteral("versions")};
    QVector<SampleInfo> result;
    for (const QString &name : order) {
        SampleInfo info;
        info.name = name;
        info.path = samplePath(name);
        QFile file(info.path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
        info.title = o.value(QStringLiteral("name")).toString();
        info.lesson = o.value(QStringLiteral("description")).toString();
        result.append(info);
    }
    return result;
}

} // namespace ss
