#pragma once
// The schema panel's model: the models with their fields (type, relation,
// on_delete, related_name, unique, null, default), then every signal with its
// receivers in dispatch order. A receiver row is checkable: setData with
// Qt::CheckStateRole (the view's check box, or any caller) mutes or unmutes
// it in the session — it keeps its place in the dispatch order but is skipped.
// Rebuilt when a schema loads (rebuild()).

#include <QStandardItemModel>

namespace ss {

class Session;

class SchemaModel : public QStandardItemModel
{
    Q_OBJECT
public:
    // Receiver rows carry their declaration name in this role.
    static constexpr int ReceiverNameRole = Qt::UserRole;

    explicit SchemaModel(Session *session, QObject *parent = nullptr);

    void rebuild();
    // Django's own receivers (contract 8.5) are listed greyed and cannot be
    // muted; hidden, they are left out.
    void setDjangoReceiversHidden(bool hidden);
    bool djangoReceiversHidden() const { return m_djangoReceiversHidden; }
    // The row of a receiver (column 0), invalid when there is none.
    QModelIndex receiverIndex(const QString &name) const;

Q_SIGNALS:
    void muteChanged(const QString &receiver, bool muted);

private:
    void onItemChanged(QStandardItem *item);

    Session *m_session;
    bool m_rebuilding = false;
    bool m_djangoReceiversHidden = false;
};

} // namespace ss
