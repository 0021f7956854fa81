#pragma once
// The Qt baseline of the send figures: a plain QObject signal with direct slot
// connections, carrying the same payload a Signal receiver gets (by reference).

#include "dispatch/dispatcher.h"

#include <QObject>

namespace bench {

class QtEmitter : public QObject
{
    Q_OBJECT
Q_SIGNALS:
    void fired(const ss::Sender &sender, const ss::SignalArgs &args);
};

class QtReceiver : public QObject
{
    Q_OBJECT
public:
    explicit QtReceiver(quint64 *counter) : m_counter(counter) {}
public Q_SLOTS:
    void onFired(const ss::Sender &, const ss::SignalArgs &) { ++*m_counter; }

private:
    quint64 *m_counter;
};

} // namespace bench
