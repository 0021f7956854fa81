#pragma once
// The SignalScope end of a recording: a local socket (QLocalServer, only the
// same user may connect) that Django processes started with the agent connect
// to, one connection per process, each streaming the wire format. Bytes are
// kept per connection, in the order the processes connected; nothing is
// parsed here (WireImport does that), so a broken stream cannot break the
// collector.

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QVector>

class QLocalServer;
class QLocalSocket;

namespace ss {

class WireCollector : public QObject
{
    Q_OBJECT
public:
    explicit WireCollector(QObject *parent = nullptr);
    ~WireCollector() override;

    // Listens on a fresh socket; false with `error` set when it cannot.
    bool listen(QString *error);
    // The path a process gives the agent (SIGNALSCOPE_SOCKET).
    QString socketPath() const;

    struct Stream
    {
        QByteArray bytes;
        bool open = true;
    };
    const QVector<Stream> &streams() const { return m_streams; }
    int openStreams() const;
    // Runs the event loop until every connection closed or `msecs` passed;
    // true when all closed.
    bool waitForClose(int msecs);

signals:
    void streamOpened(int index);
    void streamData(int index, const QByteArray &bytes);
    void streamClosed(int index);

private:
    void accept();

    QLocalServer *m_server;
    QVector<Stream> m_streams;
    QVector<QLocalSocket *> m_sockets;
};

} // namespace ss
