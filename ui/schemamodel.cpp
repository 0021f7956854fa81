#include "schemamodel.h"

#include "formats/schema.h"
#include "model/fielddetails.h"
#include "inspector.h"
#include "python/djangocode.h"
#include "model/fieldvalues.h"
#include "session/session.h"
#include "signalstyle.h"
#include "web/webruntime.h"

#include <QGuiApplication>

namespace ss {

static QList<QStandardItem *> schemaRow(const QString &name, const QString &details)
{
    auto *first = new QStandardItem(name);
    auto *second = new QStandardItem(details);
    first->setEditable(false);
    second->setEditable(false);
    second->setToolTip(details);
    return {first, second};
}


SchemaModel::SchemaModel(Session *session, QObject *parent)
    : QStandardItemModel(parent), m_session(session)
{
    setHorizontalHeaderLabels({tr("Item"), tr("Details")});
    connect(this, &QStandardItemModel::itemChanged, this, &SchemaModel::onItemChanged);
}

void SchemaModel::onItemChanged(QStandardItem *item)
{
    const QString name = item->data(ReceiverNameRole).toString();
    if (m_rebuilding || item->column() != 0 || name.isEmpty())
        return;
    const bool muted = item->checkState() != Qt::Checked;
    if (muted != m_session->isMuted(name)) {
        m_session->setMuted(name, muted);
        Q_EMIT muteChanged(name, muted);
    }
}

void SchemaModel::setDjangoReceiversHidden(bool hidden)
{
    if (m_djangoReceiversHidden == hidden)
        return;
    m_djangoReceiversHidden = hidden;
    rebuild();
}

QModelIndex SchemaModel::receiverIndex(const QString &name) const
{
    const QModelIndexList found = match(index(0, 0), ReceiverNameRole, name, 1, Qt::MatchExactly | Qt::MatchRecursive);
    return found.value(0);
}

void SchemaModel::rebuild()
{
    m_rebuilding = true;
    removeRows(0, rowCount());
    if (!m_session->isLoaded()) {
        m_rebuilding = false;
        return;
    }
    QList<QStandardItem *> models = schemaRow(tr("Models"), tr("app '%1'").arg(m_session->registry().app()));
    for (const auto &model : m_session->registry().models()) {
        QList<QStandardItem *> item = schemaRow(model->name, model->autoCreated ? model->table + tr(" (auto-created through model)") : model->table);
        for (const Field *f : model->concreteFields)
            item.first()->appendRow(schemaRow(f->isForeignKey() ? f->attname : f->name, fieldDetails(*f)));
        for (const Field *f : model->manyToMany)
            item.first()->appendRow(schemaRow(f->name, fieldDetails(*f)));
        models.first()->appendRow(item);
    }
    appendRow(models);

    QList<QStandardItem *> signalsRow = schemaRow(tr("Signals → receivers"), tr("in dispatch order; uncheck to mute"));
    Engine &engine = m_session->engine();
    for (const QString &name : engine.signalNames()) {
        Signal *signal = engine.signal(name);
        if (!signal)
            continue;
        QVector<ConnectedReceiver> receivers = signal->receivers();
        if (m_djangoReceiversHidden)
            receivers.removeIf([](const ConnectedReceiver &r) { return WebRuntime::isDjangoReceiver(r.receiverId); });
        QList<QStandardItem *> item = schemaRow(name, receivers.isEmpty() ? tr("no receiver") : tr("%n receiver(s)", nullptr, receivers.size()));
        item.first()->setIcon(signalIcon(name));
        item.first()->setForeground(signalTextColor(name, QGuiApplication::palette()));
        for (const ConnectedReceiver &r : receivers) {
            if (WebRuntime::isDjangoReceiver(r.receiverId)) {
                // Not the schema's: nothing to mute, nothing declared.
                QList<QStandardItem *> child = schemaRow(r.label, tr("Django's own receiver, sender=None"));
                child.first()->setForeground(QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text));
                child.first()->setToolTip(tr("Connected by Django itself; it does nothing a trace shows"));
                item.first()->appendRow(child);
                continue;
            }
            QString details = QStringLiteral("sender=%1").arg(r.sender.isNone() ? QStringLiteral("None") : r.sender.name);
            if (!r.dispatchUid.isEmpty())
                details += QStringLiteral(", dispatch_uid='%1'").arg(r.dispatchUid);
            QString code;       // the receiver as the Python a Django developer writes
            if (auto declared = m_session->receivers().latest(r.label)) {
                code = receiverCode(declared->decl);
                details += QStringLiteral(": ") + code.simplified();
            }
            QList<QStandardItem *> child = schemaRow(r.label, details);
            if (!code.isEmpty())
                child.last()->setToolTip(code);
            child.first()->setData(r.label, ReceiverNameRole);
            child.first()->setCheckable(true);
            child.first()->setCheckState(m_session->isMuted(r.label) ? Qt::Unchecked : Qt::Checked);
            child.first()->setToolTip(tr("Uncheck to mute: the receiver keeps its place in the dispatch order but is skipped"));
            item.first()->appendRow(child);
        }
        signalsRow.first()->appendRow(item);
    }
    appendRow(signalsRow);
    m_rebuilding = false;
}

} // namespace ss
