#include "dispatch/loopdetector.h"

#include <QStringList>

namespace ss {

QString loopMarkName(LoopMark mark)
{
    switch (mark) {
    case LoopMark::None: return QStringLiteral("none");
    case LoopMark::InCycle: return QStringLiteral("cycle");
    case LoopMark::Reentry: return QStringLiteral("reentry");
    case LoopMark::Stopped: return QStringLiteral("stopped");
    }
    return {};
}

// A step starts and ends with nothing open; anything left over belongs to an
// aborted step and must not make the next step's sends look like re-entries.
void LoopDetector::stepBegin(int, const QString &)
{
    m_stack.clear();
}

void LoopDetector::stepEnd(int, const DjangoError *)
{
    m_stack.clear();
}

QString LoopDetector::sendText(const QString &signal, const Sender &sender, const QString &instanceKey)
{
    QString subject = instanceKey.isEmpty() ? sender.name : instanceKey;
    // An unsaved instance is known by its address ("User@0x55d0..."): say so instead.
    const qsizetype at = subject.indexOf(QLatin1String("@0x"));
    if (at > 0)
        subject = subject.left(at) + QStringLiteral(", unsaved");
    return subject.isEmpty() ? signal : signal + QLatin1Char('(') + subject + QLatin1Char(')');
}

QString LoopDetector::frameText(const Frame &frame)
{
    if (frame.isSend)
        return sendText(frame.signal, frame.sender, frame.instanceKey);
    return frame.label.isEmpty() ? QStringLiteral("receiver #") + QString::number(frame.receiverIndex) : frame.label;
}

bool LoopDetector::sameSend(const Frame &frame, const QString &signal, const Sender &sender, const QString &instanceKey)
{
    return frame.isSend && frame.instanceKey == instanceKey && frame.signal == signal && frame.sender == sender;
}

int LoopDetector::innermostOccurrence(const SendEvent &event) const
{
    if (event.instanceKey.isEmpty())
        return -1;
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        if (sameSend(m_stack.at(i), event.signalName, event.sender, event.instanceKey))
            return i;
    }
    return -1;
}

int LoopDetector::loopForPath(const QString &path)
{
    const auto it = m_loopByPath.constFind(path);
    if (it != m_loopByPath.constEnd())
        return it.value();
    DetectedLoop loop;
    loop.path = path;
    m_loops.append(loop);
    const int index = int(m_loops.size()) - 1;
    m_loopByPath.insert(path, index);
    return index;
}

void LoopDetector::mark(int eventIndex, LoopMark mark, int loop)
{
    if (eventIndex >= 0 && m_mark)
        m_mark(eventIndex, mark, loop);
}

void LoopDetector::popTo(int size)
{
    if (size < m_stack.size())
        m_stack.resize(size);
}

void LoopDetector::beginSend(const SendEvent &event, int eventIndex)
{
    int reentryOf = -1;
    const int first = innermostOccurrence(event);
    if (first >= 0) {
        // The path runs from the innermost open occurrence, so a loop that goes
        // round thirty times is one loop with thirty re-entries, not thirty loops.
        QStringList parts;
        for (int i = first; i < m_stack.size(); ++i)
            parts.append(frameText(m_stack.at(i)));
        parts.append(sendText(event.signalName, event.sender, event.instanceKey));
        const int loop = loopForPath(parts.join(QStringLiteral(" → ")));
        DetectedLoop &l = m_loops[loop];
        if (l.reentries == 0) {
            l.firstEvent = m_stack.at(first).event;
            l.reentryEvent = eventIndex;
        }
        ++l.reentries;
        ++l.revision;
        for (int i = first; i < m_stack.size(); ++i)
            mark(m_stack.at(i).event, LoopMark::InCycle, loop);
        mark(eventIndex, LoopMark::Reentry, loop);
        reentryOf = loop;
    }

    Frame frame;
    frame.isSend = true;
    frame.event = eventIndex;
    frame.sendId = event.id;
    frame.signal = event.signalName;
    frame.sender = event.sender;
    frame.instanceKey = event.instanceKey;
    frame.loop = reentryOf;
    m_stack.append(frame);
}

void LoopDetector::endSend(const SendEvent &event)
{
    // Defensive: whatever is still open above the send ended with it.
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        if (m_stack.at(i).isSend && m_stack.at(i).sendId == event.id) {
            popTo(i);
            return;
        }
    }
}

void LoopDetector::beginReceiver(const SendEvent &send, const ReceiverEvent &receiver, int eventIndex)
{
    Frame frame;
    frame.event = eventIndex;
    frame.sendId = send.id;
    frame.receiverIndex = receiver.index;
    frame.label = receiver.label;
    m_stack.append(frame);
}

void LoopDetector::endReceiver(const SendEvent &send, const ReceiverEvent &receiver)
{
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        const Frame &f = m_stack.at(i);
        if (!f.isSend && f.sendId == send.id && f.receiverIndex == receiver.index) {
            popTo(i);
            return;
        }
        if (f.isSend && f.sendId == send.id)
            return;                     // the receiver was never opened: leave the send alone
    }
}

void LoopDetector::stopRecursion(const SendEvent &event, int eventIndex)
{
    // Which loop ran away: the refused send's own re-entry if it is one, else
    // the innermost loop still open (a save loop is usually refused at its
    // pre_save, which is no re-entry itself), else the whole open stack (a
    // chain of ever new instances).
    int loop = -1;
    int from = 0;                       // the chain painted red starts here
    const int innermost = innermostOccurrence(event);
    if (innermost >= 0) {
        QStringList parts;
        for (int i = innermost; i < m_stack.size(); ++i)
            parts.append(frameText(m_stack.at(i)));
        parts.append(sendText(event.signalName, event.sender, event.instanceKey));
        loop = loopForPath(parts.join(QStringLiteral(" → ")));
        while (!sameSend(m_stack.at(from), event.signalName, event.sender, event.instanceKey))
            ++from;
    } else {
        for (int i = int(m_stack.size()) - 1; i >= 0 && loop < 0; --i) {
            if (m_stack.at(i).loop >= 0) {
                const Frame &reentry = m_stack.at(i);
                loop = reentry.loop;
                while (!sameSend(m_stack.at(from), reentry.signal, reentry.sender, reentry.instanceKey))
                    ++from;
            }
        }
        if (loop < 0) {
            QStringList parts;
            for (const Frame &f : std::as_const(m_stack))
                parts.append(frameText(f));
            parts.append(sendText(event.signalName, event.sender, event.instanceKey));
            loop = loopForPath(parts.join(QStringLiteral(" → ")));
        }
    }

    DetectedLoop &l = m_loops[loop];
    if (l.firstEvent < 0 && !m_stack.isEmpty())
        l.firstEvent = m_stack.at(from).event;
    l.stopped = true;
    if (l.stopEvent < 0)
        l.stopEvent = eventIndex;
    ++l.revision;
    for (int i = from; i < m_stack.size(); ++i)
        mark(m_stack.at(i).event, LoopMark::Stopped, loop);
    mark(eventIndex, LoopMark::Stopped, loop);
}

void LoopDetector::forgetEvents()
{
    m_loops.clear();
    m_loopByPath.clear();
    for (Frame &f : m_stack) {
        f.event = -1;
        f.loop = -1;
    }
}

} // namespace ss
