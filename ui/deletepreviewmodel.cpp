#include "deletepreviewmodel.h"

#include "signalstyle.h"

namespace ss {

DeletePreviewModel::DeletePreviewModel(QObject *parent)
    : QStandardItemModel(parent)
{
    setHorizontalHeaderLabels({tr("What x.delete() will do")});
}

QString DeletePreviewModel::refusedTitle() { return tr("Django will refuse"); }
QString DeletePreviewModel::rowsTitle() { return tr("Rows that will go, in the collector's order"); }
QString DeletePreviewModel::loadsTitle() { return tr("Related rows Django reads first (each sends pre_init, post_init)"); }
QString DeletePreviewModel::signalsTitle() { return tr("Signals, in order, and the receivers each will call"); }
QString DeletePreviewModel::updatesTitle() { return tr("Relations set by SET_NULL / SET_DEFAULT (a plain UPDATE: no signals)"); }

static QStandardItem *cell(const QString &text)
{
    auto *i = new QStandardItem(text);
    i->setEditable(false);
    i->setToolTip(text);
    return i;
}

static QStandardItem *section(const QString &title, int count)
{
    QStandardItem *s = cell(count >= 0 ? QStringLiteral("%1 (%2)").arg(title).arg(count) : title);
    QFont bold = s->font();
    bold.setBold(true);
    s->setFont(bold);
    return s;
}

static QStandardItem *sendItem(const PlannedSend &send)
{
    QStandardItem *s = cell(send.receivers.isEmpty() ? DeletePreviewModel::tr("%1 — no receiver").arg(send.text()) : send.text());
    s->setIcon(signalIcon(send.signal));
    for (const QString &receiver : send.receivers)
        s->appendRow(cell(QStringLiteral("→ %1").arg(receiver)));
    return s;
}

void DeletePreviewModel::setPreview(const DeletePreview &preview)
{
    m_preview = preview;
    removeRows(0, rowCount());
    if (!preview.errorType.isEmpty()) {
        QStandardItem *refused = section(refusedTitle(), -1);
        refused->appendRow(cell(QStringLiteral("%1: %2").arg(preview.errorType, preview.errorMessage)));
        appendRow(refused);
    }
    if (!preview.loads.isEmpty()) {
        QStandardItem *loads = section(loadsTitle(), preview.loads.size() / 2);
        for (const PlannedSend &send : preview.loads)
            loads->appendRow(sendItem(send));
        appendRow(loads);
    }
    if (!preview.errorType.isEmpty())
        return;                 // nothing goes, nothing is sent after the refusal
    QStandardItem *rows = section(rowsTitle(), preview.rows.size());
    for (const QString &row : preview.rows)
        rows->appendRow(cell(row));
    appendRow(rows);
    QStandardItem *sends = section(signalsTitle(), preview.sends.size());
    for (const PlannedSend &send : preview.sends)
        sends->appendRow(sendItem(send));
    appendRow(sends);
    if (!preview.updates.isEmpty()) {
        QStandardItem *updates = section(updatesTitle(), preview.updates.size());
        for (const QString &update : preview.updates)
            updates->appendRow(cell(update));
        appendRow(updates);
    }
}

} // namespace ss
