#include "dispatch/loopdetector.h"

#include "model/instance.h"

#include <QStringList>

#include <cmath>

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
void LoopDetector::stepBegin(int, const StepLabel &)
{
    m_stack.clear();
    // Names are needed only while a frame holds them; string pks and imported
    // instance keys would otherwise pile up over a long recording.
    if (m_names == &m_ownNames && m_ownNames.size() > 4096) {
        m_ownNames.clear();
        m_recentModel.clear();
    }
}

void LoopDetector::stepEnd(int, const DjangoError *)
{
    m_stack.clear();
}

LoopDetector::InstanceKey LoopDetector::instanceKey(const SendEvent &event)
{
    InstanceKey key;
    if (const Instance *instance = event.liveInstance) {
        key.model = m_recentModel.id(instance->model()->name, [this](const QString &name) { return m_names->id(name); });
        const QCborValue &pk = instance->value(instance->model()->pk);      // no copy of the pk
        if (pk.isNull() || pk.isUndefined()) {
            key.kind = InstanceKey::Unsaved;
            key.value = qint64(quintptr(instance));
        } else if (pk.isInteger()) {
            key.kind = InstanceKey::Pk;
            key.value = pk.toInteger();
        } else if (pk.isDouble() && pk.toDouble() == std::trunc(pk.toDouble()) && std::abs(pk.toDouble()) < 9.2e18) {
            key.kind = InstanceKey::Pk;         // Model.__eq__: pk 1.0 is pk 1
            key.value = qint64(pk.toDouble());
        } else {
            key.kind = InstanceKey::Text;
            key.value = m_names->id(instance->identityKey());
        }
    } else if (!event.instanceKey.isEmpty()) {
        key.kind = InstanceKey::Text;
        key.value = m_names->id(event.instanceKey);
    }
    return key;
}

LoopDetector::Frame LoopDetector::sendFrame(const SendEvent &event, int eventIndex)
{
    return sendFrame(event, eventIndex, m_names->id(event.signalName), m_names->id(event.sender.name));
}

LoopDetector::Frame LoopDetector::sendFrame(const SendEvent &event, int eventIndex, quint32 signal, quint32 sender)
{
    Frame frame;
    frame.isSend = true;
    frame.senderKind = event.sender.kind;
    frame.event = eventIndex;
    frame.sendId = event.id;
    frame.signal = signal;
    frame.name = sender;
    frame.instance = instanceKey(event);
    return frame;
}

void LoopDetector::remapNames(const std::function<quint32(quint32)> &map)
{
    m_recentModel.clear();              // the table is being rebuilt
    for (Frame &f : m_stack) {
        if (f.isSend)
            f.signal = map(f.signal);
        f.name = map(f.name);
        if (f.instance.kind == InstanceKey::Pk || f.instance.kind == InstanceKey::Unsaved)
            f.instance.model = map(f.instance.model);
        else if (f.instance.kind == InstanceKey::Text)
            f.instance.value = map(quint32(f.instance.value));
        if (f.running)
            f.receiverLabel = map(f.receiverLabel);
    }
}

QString LoopDetector::instanceText(const InstanceKey &key) const
{
    switch (key.kind) {
    case InstanceKey::None: return {};
    case InstanceKey::Pk: return m_names->text(key.model) + QLatin1Char(':') + QString::number(key.value);
    // An unsaved instance is known by its address: say so instead.
    case InstanceKey::Unsaved: return m_names->text(key.model) + QStringLiteral(", unsaved");
    case InstanceKey::Text: {
        const QString &text = m_names->text(quint32(key.value));
        const qsizetype at = text.indexOf(QLatin1String("@0x"));
        return at > 0 ? text.left(at) + QStringLiteral(", unsaved") : text;
    }
    }
    return {};
}

QString LoopDetector::frameText(const Frame &frame) const
{
    if (frame.isSend) {
        const QString subject = frame.instance.kind == InstanceKey::None ? m_names->text(frame.name) : instanceText(frame.instance);
        const QString &signal = m_names->text(frame.signal);
        return subject.isEmpty() ? signal : signal + QLatin1Char('(') + subject + QLatin1Char(')');
    }
    return receiverText(frame.name, frame.receiverIndex);
}

QString LoopDetector::receiverText(quint32 label, int index) const
{
    const QString &text = m_names->text(label);
    return text.isEmpty() ? QStringLiteral("receiver #") + QString::number(index) : text;
}

int LoopDetector::innermostOccurrence(const Frame &send) const
{
    if (send.instance.kind == InstanceKey::None)
        return -1;
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        if (sameSend(m_stack[i], send))
            return i;
    }
    return -1;
}

// "post_save(Counter:1) → resave_counter → post_save(Counter:1)": the open
// frames from `first` up, then the new send.
QString LoopDetector::pathFrom(int first, const Frame &send) const
{
    QStringList parts;
    for (int i = first; i < int(m_stack.size()); ++i) {
        const Frame &frame = m_stack[i];
        parts.append(frameText(frame));
        if (frame.running)
            parts.append(receiverText(frame.receiverLabel, frame.receiverIndex));
    }
    parts.append(frameText(send));
    return parts.join(QStringLiteral(" → "));
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

void LoopDetector::markFrom(int first, LoopMark how, int loop)
{
    for (int i = first; i < int(m_stack.size()); ++i) {
        mark(m_stack[i].event, how, loop);
        if (m_stack[i].running)
            mark(m_stack[i].receiverEvent, how, loop);
    }
}

void LoopDetector::popTo(int size)
{
    if (size < int(m_stack.size()))
        m_stack.resize(size_t(size));
}

void LoopDetector::beginSend(const SendEvent &event, int eventIndex)
{
    beginSend(event, eventIndex, m_names->id(event.signalName), m_names->id(event.sender.name));
}

void LoopDetector::beginSend(const SendEvent &event, int eventIndex, quint32 signal, quint32 sender)
{
    const Frame frame = sendFrame(event, eventIndex, signal, sender);
    const int first = innermostOccurrence(frame);
    if (first >= 0) {
        // The path runs from the innermost open occurrence, so a loop that goes
        // round thirty times is one loop with thirty re-entries, not thirty loops.
        const int loop = loopForPath(pathFrom(first, frame));
        DetectedLoop &l = m_loops[loop];
        if (l.reentries == 0) {
            l.firstEvent = m_stack[first].event;
            l.reentryEvent = eventIndex;
        }
        ++l.reentries;
        ++l.revision;
        markFrom(first, LoopMark::InCycle, loop);
        mark(eventIndex, LoopMark::Reentry, loop);
        m_stack.push_back(frame);
        m_stack.back().loop = loop;
        return;
    }
    m_stack.push_back(frame);
}

void LoopDetector::endSend(const SendEvent &event)
{
    // Nearly always the innermost frame.
    if (!m_stack.empty() && m_stack.back().isSend && m_stack.back().sendId == event.id) {
        m_stack.pop_back();
        return;
    }
    // Defensive: whatever is still open above the send ended with it.
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        if (m_stack[i].isSend && m_stack[i].sendId == event.id) {
            popTo(i);
            return;
        }
    }
}

void LoopDetector::beginReceiver(const SendEvent &send, const ReceiverEvent &receiver, int eventIndex)
{
    beginReceiver(send, receiver, eventIndex, m_names->id(receiver.label));
}

void LoopDetector::pushReceiver(const SendEvent &send, const ReceiverEvent &receiver, int eventIndex, quint32 label)
{
    Frame &frame = m_stack.emplace_back();
    frame.event = eventIndex;
    frame.sendId = send.id;
    frame.receiverIndex = receiver.index;
    frame.name = label;
}

// endReceiver() when the receiver's frame is not the innermost one.
void LoopDetector::endReceiverBelow(const SendEvent &send, const ReceiverEvent &receiver)
{
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        const Frame &f = m_stack[i];
        if (!f.isSend && f.sendId == send.id && f.receiverIndex == receiver.index) {
            popTo(i);
            return;
        }
        if (f.isSend && f.sendId == send.id) {
            if (f.running && f.receiverIndex == receiver.index) {
                popTo(i + 1);
                m_stack[size_t(i)].running = false;
            }
            return;                     // or never opened: leave the send alone
        }
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
    const Frame refused = sendFrame(event, eventIndex);
    const int innermost = innermostOccurrence(refused);
    if (innermost >= 0) {
        loop = loopForPath(pathFrom(innermost, refused));
        while (!sameSend(m_stack[from], refused))
            ++from;
    } else {
        for (int i = int(m_stack.size()) - 1; i >= 0 && loop < 0; --i) {
            if (m_stack[i].loop >= 0) {
                const Frame &reentry = m_stack[i];
                loop = reentry.loop;
                while (!sameSend(m_stack[from], reentry))
                    ++from;
            }
        }
        if (loop < 0)
            loop = loopForPath(pathFrom(0, refused));
    }

    DetectedLoop &l = m_loops[loop];
    if (l.firstEvent < 0 && !m_stack.empty())
        l.firstEvent = m_stack[from].event;
    l.stopped = true;
    if (l.stopEvent < 0)
        l.stopEvent = eventIndex;
    ++l.revision;
    markFrom(from, LoopMark::Stopped, loop);
    mark(eventIndex, LoopMark::Stopped, loop);
}

void LoopDetector::forgetEvents()
{
    m_loops.clear();
    m_loopByPath.clear();
    for (Frame &f : m_stack) {
        f.event = -1;
        f.receiverEvent = -1;
        f.loop = -1;
    }
}

} // namespace ss
