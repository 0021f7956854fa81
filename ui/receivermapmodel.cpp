#include "receivermapmodel.h"

#include "trace/wireimport.h"

#include <QDir>
#include <QFont>
#include <QHash>
#include <QSet>
#include <algorithm>

namespace ss {

ReceiverMapModel::ReceiverMapModel(QObject *parent)
    : QStandardItemModel(0, ColumnCount, parent)
{
    setHorizontalHeaderLabels({tr("Signal / receiver"), tr("Defined at"), tr("Sender"), tr("dispatch_uid"), tr("Reference")});
}

bool ReceiverMapModel::isDjangoSignal(const QString &signal)
{
    return signal.startsWith(QLatin1String("django."));
}

static QString shownPath(const QString &file, const QString &cwd)
{
    if (!cwd.isEmpty()) {
        const QString relative = QDir(cwd).relativeFilePath(file);
        if (!relative.startsWith(QLatin1String("..")))
            return relative;
    }
    return file;
}

static QString senderText(const QCborValue &sender)
{
    if (sender.isNull() || sender.isUndefined())
        return ReceiverMapModel::tr("any sender");
    if (sender.isString())
        return sender.toString();
    return sender.toDiagnosticNotation();
}

// Django's own receivers: named in the django package, or defined in its
// installed files (a functools.partial Django's test client connects is
// named "functools.partial").
static bool isDjangoCode(const WireReceiver &receiver)
{
    return receiver.name.startsWith(QLatin1String("django."))
           || receiver.file.contains(QLatin1String("-packages/django/"));
}

static QList<QStandardItem *> receiverRow(const WireConnection &c, const QString &cwd)
{
    const QString at = c.receiver.file.isEmpty() ? ReceiverMapModel::tr("(unknown)")
                                                 : QStringLiteral("%1:%2").arg(shownPath(c.receiver.file, cwd)).arg(c.receiver.line);
    QList<QStandardItem *> row{
        new QStandardItem(c.receiver.name.isEmpty() ? ReceiverMapModel::tr("receiver %1").arg(c.rid) : c.receiver.name),
        new QStandardItem(at),
        new QStandardItem(senderText(c.sender)),
        new QStandardItem(c.dispatchUid.isString() ? c.dispatchUid.toString() : QString()),
        new QStandardItem(c.weak ? ReceiverMapModel::tr("weak") : ReceiverMapModel::tr("strong")),
    };
    for (QStandardItem *item : row) {
        item->setEditable(false);
        if (!c.connected) {
            QFont font = item->font();
            font.setStrikeOut(true);
            item->setFont(font);
            item->setToolTip(ReceiverMapModel::tr("disconnected"));
        }
    }
    row[ReceiverMapModel::Name]->setData(c.receiver.file, ReceiverMapModel::FileRole);
    row[ReceiverMapModel::Name]->setData(c.receiver.line, ReceiverMapModel::LineRole);
    row[ReceiverMapModel::Name]->setData(c.connected, ReceiverMapModel::ConnectedRole);
    if (c.connected) {
        row[ReceiverMapModel::DefinedAt]->setToolTip(c.receiver.file);
        row[ReceiverMapModel::Reference]->setToolTip(c.weak ? ReceiverMapModel::tr("Django keeps a weak reference: the receiver goes away with its object")
                                                            : ReceiverMapModel::tr("Connected with weak=False: Django keeps it alive"));
    }
    return row;
}

bool ReceiverMapModel::setConnections(const QVector<WireConnection> &connections, const QString &cwd)
{
    qsizetype disconnected = 0;
    for (const WireConnection &c : connections)
        disconnected += c.connected ? 0 : 1;
    if (connections.size() == m_built && disconnected == m_disconnected)
        return false;
    m_built = connections.size();
    m_disconnected = disconnected;

    removeRows(0, rowCount());
    // Signals in the order of their first connect, those the project's own
    // code listens to first (where a user looks), Django's internal ones after.
    QStringList order;
    QHash<QString, QVector<const WireConnection *>> bySignal;
    QSet<QString> project;
    for (const WireConnection &c : connections) {
        if (!bySignal.contains(c.signal))
            order << c.signal;
        bySignal[c.signal].append(&c);
        if (!isDjangoCode(c.receiver))
            project.insert(c.signal);
    }
    std::stable_partition(order.begin(), order.end(), [&](const QString &signal) { return project.contains(signal); });
    for (const QString &name : std::as_const(order)) {
        auto *signal = new QStandardItem(name);
        signal->setEditable(false);
        signal->setData(project.contains(name), ProjectRole);
        signal->setToolTip(isDjangoSignal(name) ? tr("A signal Django defines") : tr("A signal the project defines"));
        QList<QStandardItem *> signalRow{signal};
        for (int column = 1; column < ColumnCount; ++column) {
            auto *cell = new QStandardItem;
            cell->setEditable(false);
            signalRow << cell;
        }
        const QVector<const WireConnection *> &receivers = bySignal[name];
        signalRow[DefinedAt]->setText(tr("%n receiver(s)", nullptr, int(receivers.size())));
        for (const WireConnection *c : receivers)
            signal->appendRow(receiverRow(*c, cwd));
        appendRow(signalRow);
    }
    return true;
}

} // namespace ss
