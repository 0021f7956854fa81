#include "trace/tracebridge.h"

#include "trace/tracerecorder.h"

#include <QMetaObject>
#include <atomic>
#include <limits>
#include <utility>

namespace ss {

TraceBridge::TraceBridge(TraceRecorder *recorder, QObject *parent)
    : QObject(parent), m_recorder(recorder)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(100);
    connect(&m_timer, &QTimer::timeout, this, [this] { deliver(m_maxBatch); });
    m_catchUp.setSingleShot(true);
    m_catchUp.setInterval(0);
    connect(&m_catchUp, &QTimer::timeout, this, [this] { deliver(m_maxBatch); });
}

TraceBridge::~TraceBridge() = default;

void TraceBridge::setLive(bool live)
{
    m_live = live;
    if (!live) {
        m_timer.stop();
        m_catchUp.stop();
    }
}

quintptr TraceBridge::connectSlot(Signal &signal, QObject *receiver, ReceiverFn slot, const Sender &sender,
                                  const QString &label, const QString &dispatchUid)
{
    // Ids with the top bit set: no receiver address (what other code uses as
    // an id) has it, so these never collide with them, nor with each other.
    static std::atomic<quintptr> counter{0};
    const quintptr id = (quintptr(1) << (sizeof(quintptr) * 8 - 1)) | ++counter;
    const QString name = label.isEmpty() && receiver ? QString::fromLatin1(receiver->metaObject()->className()) : label;
    if (!signal.connect(id, std::move(slot), sender, dispatchUid, name, receiver))
        return 0;
    return id;
}

void TraceBridge::schedule()
{
    if (m_live && !m_timer.isActive())
        m_timer.start();
}

void TraceBridge::stepBegin(int, const StepLabel &) { schedule(); }
void TraceBridge::sendBegin(const SendEvent &) { schedule(); }
void TraceBridge::sendEnd(const SendEvent &, const DjangoError *) { schedule(); }
void TraceBridge::receiverBegin(const SendEvent &, const ReceiverEvent &) { schedule(); }
void TraceBridge::receiverEnd(const SendEvent &, const ReceiverEvent &, const DjangoError *) { schedule(); }
void TraceBridge::effect(int, const QString &, const QString &) { schedule(); }
void TraceBridge::errorLine(int, const DjangoError &) { schedule(); }
void TraceBridge::recursionStopped(const SendEvent &) { schedule(); }

void TraceBridge::stepEnd(int step, const DjangoError *failure)
{
    m_finishedSteps.append({step, failure ? failure->type() + QStringLiteral(": ") + failure->message() : QString()});
    schedule();
}

void TraceBridge::flush()
{
    deliver(std::numeric_limits<int>::max());
}

void TraceBridge::deliver(int maxEvents)
{
    m_timer.stop();
    m_catchUp.stop();
    if (!m_recorder)
        return;

    const int count = m_recorder->count();
    if (count < m_announced) {
        m_announced = 0;
        m_loopRevisions.clear();
        m_recorder->takeChangedRange();
        Q_EMIT recordingCleared();
    }

    // Changes first, appends second: a view never sees a change for a row it
    // has not been told about.
    const QPair<int, int> changed = m_recorder->takeChangedRange();
    if (changed.first >= 0 && changed.first < m_announced)
        Q_EMIT eventsChanged(changed.first, std::min(changed.second, m_announced - 1));
    if (count > m_announced) {
        const int first = m_announced;
        m_announced = count - m_announced > maxEvents ? m_announced + maxEvents : count;
        Q_EMIT eventsAppended(first, m_announced - 1);
    }
    if (m_announced < count) {
        // Loops and finished steps wait until every event they name is announced.
        if (m_live)
            m_catchUp.start();
        return;
    }

    const QVector<DetectedLoop> &loops = m_recorder->loops();
    if (loops.size() < m_loopRevisions.size())
        m_loopRevisions.resize(loops.size());   // the recorder was cleared
    for (int i = 0; i < loops.size(); ++i) {
        if (i >= m_loopRevisions.size()) {
            m_loopRevisions.append(loops.at(i).revision);
            Q_EMIT loopDetected(i, loops.at(i).path);
        } else if (m_loopRevisions.at(i) != loops.at(i).revision) {
            m_loopRevisions[i] = loops.at(i).revision;
            Q_EMIT loopChanged(i);
        }
    }

    const QVector<QPair<int, QString>> steps = std::exchange(m_finishedSteps, {});
    for (const auto &step : steps)
        Q_EMIT stepFinished(step.first, step.second);
}

void TraceBridge::clearRecording()
{
    m_timer.stop();
    m_catchUp.stop();
    if (m_recorder) {
        m_recorder->clear();
        m_recorder->takeChangedRange();
    }
    m_announced = 0;
    m_loopRevisions.clear();
    m_finishedSteps.clear();
    Q_EMIT recordingCleared();
}

} // namespace ss
