#include "wirecollector.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QLocalServer>
#include <QLocalSocket>
#include <QRandomGenerator>
#include <QTimer>

namespace ss {

WireCollector::WireCollector(QObject *parent)
    : QObject(parent), m_server(new QLocalServer(this))
{
    // Only this user may connect: the stream carries the project's data.
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    connect(m_server, &QLocalServer::newConnection, this, &WireCollector::accept);
}

WireCollector::~WireCollector() = default;

bool WireCollector::listen(QString *error)
{
    const QString name = QStringLiteral("signalscope-%1-%2")
                             .arg(QCoreApplication::applicationPid())
                             .arg(QRandomGenerator::global()->generate64(), 0, 36);
    if (!m_server->listen(name)) {
        if (error)
            *error = m_server->errorString();
        return false;
    }
    return true;
}

QString WireCollector::socketPath() const
{
    return m_server->fullServerName();
}

int WireCollector::openStreams() const
{
    int open = 0;
    for (const Stream &s : m_streams)
        open += s.open ? 1 : 0;
    return open;
}

void WireCollector::accept()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        const int index = int(m_streams.size());
        m_streams.append(Stream{});
        m_sockets.append(socket);
        socket->setParent(this);
        const auto read = [this, socket, index] {
            const QByteArray bytes = socket->readAll();
            if (bytes.isEmpty())
                return;
            m_streams[index].bytes.append(bytes);
            emit streamData(index, bytes);
        };
        connect(socket, &QLocalSocket::readyRead, this, read);
        connect(socket, &QLocalSocket::disconnected, this, [this, socket, index, read] {
            read();
            if (!m_streams[index].open)
                return;
            m_streams[index].open = false;
            socket->deleteLater();
            emit streamClosed(index);
        });
        emit streamOpened(index);
        read();
        if (socket->state() != QLocalSocket::ConnectedState && m_streams[index].open) {
            m_streams[index].open = false;
            emit streamClosed(index);
        }
    }
}

bool WireCollector::waitForClose(int msecs)
{
    const QDeadlineTimer deadline(msecs);
    while (openStreams() > 0 && !deadline.hasExpired()) {
        QEventLoop loop;
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        connect(this, &WireCollector::streamClosed, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return openStreams() == 0;
}

} // namespace ss
