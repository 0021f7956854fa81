#pragma once
// The receiver map of a recorded Django process, as the schema panel shows a
// schema's: every signal the process connected receivers to, and under it its
// receivers in dispatch order (Django appends on connect) with where they are
// defined (file:line), the sender they listen to, their dispatch_uid and
// whether Django holds them weakly. A receiver disconnected later stays
// listed, struck out. Signals the project's own code listens to come first.
// Built from what the agent reported (WireImport).

#include <QStandardItemModel>
#include <QVector>

namespace ss {

struct WireConnection;

class ReceiverMapModel : public QStandardItemModel
{
    Q_OBJECT
public:
    enum Column { Name, DefinedAt, Sender, DispatchUid, Reference, ColumnCount };
    static constexpr int FileRole = Qt::UserRole + 1;       // QString: the receiver's file, as reported
    static constexpr int LineRole = Qt::UserRole + 2;       // int
    static constexpr int ConnectedRole = Qt::UserRole + 3;  // bool
    static constexpr int ProjectRole = Qt::UserRole + 4;    // bool, on a signal: a receiver outside Django listens

    explicit ReceiverMapModel(QObject *parent = nullptr);

    // Rebuilds when the map changed (a live stream calls it after each chunk);
    // true when it did. File paths under `cwd` are shown relative to it.
    bool setConnections(const QVector<WireConnection> &connections, const QString &cwd);
    // Whether `signal` (dotted) is Django's own (the view folds those).
    static bool isDjangoSignal(const QString &signal);

private:
    qsizetype m_built = -1;         // connections shown
    qsizetype m_disconnected = -1;  // of which disconnected
};

} // namespace ss
