#include "trace/tracerecorder.h"

#include "dispatch/traceclock.h"

#include <algorithm>

namespace ss {

// ---------------------------------------------------------------- recorder

TraceRecorder::TraceRecorder()
{
    TraceClock::calibrate();
    m_loops.setMarkCallback([this](int event, LoopMark mark, int loop) { applyLoopMark(event, mark, loop); });
    m_loops.shareNames(&m_strings.names());
    clear();
}

TraceRecorder::~TraceRecorder() = default;

void TraceRecorder::clear()
{
    forgetQuick();
    m_store.clear();
    // The loop detector's open frames name their signals, senders and labels
    // by ids of the string table: their texts are carried over to the new one.
    QHash<quint32, QString> held;
    m_loops.remapNames([&](quint32 id) {
        held.insert(id, m_strings.text(id));
        return id;
    });
    m_strings.clear();
    m_recentSender.clear();
    m_idOfKey.assign(m_idOfKey.size(), StringTable::None);
    m_packer.clear();
    m_errors.clear();
    m_errorIds.clear();
    m_errors.push_back({0, 0});                 // error 0: none
    m_stepRuns.clear();
    m_stepRunHint = 0;
    m_labelSources.clear();
    m_errorOf.clear();
    m_loopOf.clear();
    m_longDurations.clear();
    m_firstReceiver.clear();
    // Values that recur in nearly every send: interned once, then packed as ids.
    for (const char *common : {"default", "pre_add", "post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"})
        m_strings.intern(QString::fromLatin1(common));
    // The keys canonical lines add, so exporters can order them among the
    // argument keys by rank; and an instance's two.
    for (const char *key : {"seq", "step", "depth", "signal", "sender", "effect", "text", "error", "message", "model", "pk"})
        m_strings.internKey(QString::fromLatin1(key));

    if (!held.isEmpty())
        m_loops.remapNames([&](quint32 id) { return m_strings.intern(held.value(id)); });

    for (Frame &frame : m_stack) {
        frame.event = -1;
        frame.receiverEvent = -1;
        frame.lastReceiver = -1;
        frame.lastRecord = nullptr;
    }
    m_lastStepEvent = -1;
    m_changedFirst = NoChange;
    m_changedLast = -1;
    m_loops.forgetEvents();
    m_startTicks = TraceClock::ticks();
}

quint32 TraceRecorder::internError(const DjangoError *error)
{
    if (!error)
        return 0;
    const quint64 key = (quint64(m_strings.intern(error->type())) << 32) | m_strings.intern(error->message());
    const auto it = m_errorIds.constFind(key);
    if (it != m_errorIds.constEnd())
        return it.value();
    const quint32 id = quint32(m_errors.size());
    m_errors.push_back({quint32(key >> 32), quint32(key)});
    m_errorIds.insert(key, id);
    return id;
}

quint32 TraceRecorder::internNewKey(quint32 key, const QString &text)
{
    const quint32 id = m_strings.intern(text);
    if (key == 0)
        return id;                          // no key: looked up every time
    if (key >= m_idOfKey.size())
        m_idOfKey.resize(size_t(key) + 1, StringTable::None);
    m_idOfKey[key] = id;
    return id;
}

quint32 TraceRecorder::storeText(const QString &text)
{
    m_scratch.clear();
    argcodec::putString(m_scratch, text);
    return m_store.store(m_scratch);
}

qint64 TraceRecorder::now(quint64 stamp) const
{
    return stampNs(stamp);
}

// ------------------------------------------------------------ hooks

int TraceRecorder::innermostRecorded() const
{
    for (auto it = m_stack.crbegin(); it != m_stack.crend(); ++it) {
        if (it->running && it->receiverEvent >= 0)
            return it->receiverEvent;
        if (it->event >= 0)
            return it->event;
    }
    return -1;
}

int TraceRecorder::append(TraceEventKind kind, int depth, quint64 stamp)
{
    const int index = m_store.append();
    if (m_stepRuns.empty() || m_stepRuns.back().step != m_step)
        m_stepRuns.push_back({index, m_step});
    StoredRecord &r = recordRef(index);
    r.startNs = quint64(now(stamp));
    r.durationNs = 0;
    r.payload = StoredRecord::NoRef;
    r.parent = innermostRecorded();
    r.name = 0;
    r.sender = 0;
    r.depth = qint16(depth);
    r.kind = kind;
    r.flags = 0;
    return index;
}


QPair<int, int> TraceRecorder::takeChangedRange()
{
    const QPair<int, int> range(m_changedLast < 0 ? -1 : m_changedFirst, m_changedLast);
    m_changedFirst = NoChange;
    m_changedLast = -1;
    return range;
}

// `finished`: the matching end hook came. Frames popped without one (an end
// that skipped them) keep their Open flag: the view shows them unfinished.
void TraceRecorder::closeEvent(int event, const DjangoError *error, bool finished, quint64 stamp)
{
    if (event < 0)
        return;
    StoredRecord &r = recordRef(event);
    const quint64 end = quint64(now(stamp));
    const quint64 duration = end > r.startNs ? end - r.startNs : 0;
    if (duration >= StoredRecord::LongDuration) {
        r.durationNs = StoredRecord::LongDuration;
        m_longDurations.insert(event, duration);
    } else {
        r.durationNs = quint32(duration);
    }
    if (finished)
        r.flags &= quint8(~TraceRecord::Open);
    if (error)
        setError(event, internError(error));
    markChanged(event);
}

void TraceRecorder::unwindTo(size_t from, quint64 stamp)
{
    for (size_t i = m_stack.size(); i-- > from;) {
        const Frame &frame = m_stack[i];
        if (frame.running)
            closeEvent(frame.receiverEvent, nullptr, false, stamp);
        closeEvent(frame.event, nullptr, false, stamp);
    }
    if (from < m_stack.size())
        m_stack.resize(from);
}

void TraceRecorder::stepBegin(int step, const StepLabel &label)
{
    forgetQuick();
    // A step starts with nothing open; leftovers of an aborted step stay unfinished.
    unwindTo(0, 0);
    m_step = step;
    int index = -1;
    if (!m_paused) {
        index = append(TraceEventKind::Step, 0, 0);
        StoredRecord &r = recordRef(index);
        if (label.isDeferred() && label.step() == step) {
            // Built when first read (text()): nothing here costs a string.
            if (m_labelSources.empty() || m_labelSources.back().labels != label.labels())
                m_labelSources.push_back({index, label.labels()});
        } else {
            r.payload = storeText(label.text());
        }
        r.flags = TraceRecord::Open;
        m_lastStepEvent = index;
    }
    m_stack.push_back(Frame{TraceEventKind::Step, false, index, 0, -1, -1, -1, nullptr});
    m_loops.stepBegin(step, label);
}

void TraceRecorder::stepEnd(int step, const DjangoError *failure)
{
    forgetQuick();
    for (int i = int(m_stack.size()) - 1; i >= 0; --i) {
        if (m_stack[i].kind == TraceEventKind::Step) {
            unwindTo(size_t(i) + 1, 0);
            closeEvent(m_stack[i].event, failure, true, 0);
            m_stack.resize(size_t(i));
            break;
        }
    }
    m_loops.stepEnd(step, failure);
}

// A send, or the send the recursion bound refused: its signal, sender and
// packed arguments; `flags` besides the robust bit and the sender kind.
int TraceRecorder::appendSend(TraceEventKind kind, const SendEvent &event, quint8 flags, quint32 name, quint32 sender)
{
    const int index = append(kind, event.depth, event.stamp);
    m_scratch.clear();
    quint32 payload = StoredRecord::NoRef;
    if (event.liveArgs) {
        // Nearly always written straight into the arena; else into m_scratch.
        uchar *room = m_store.reserve(ArgPacker::FastBytes);
        const size_t n = room ? m_packer.pack(reinterpret_cast<char *>(room), m_scratch, *event.liveArgs) : 0;
        if (n)
            payload = m_store.commit(n);
        else if (!room)
            m_packer.pack(m_scratch, *event.liveArgs);
    } else {
        m_packer.pack(m_scratch, event.args, name);
    }
    if (payload == StoredRecord::NoRef)
        payload = m_store.store(m_scratch);
    StoredRecord &r = recordRef(index);
    r.name = name;
    r.sender = sender;
    r.payload = payload;
    r.flags = quint8(flags | (event.robust ? TraceRecord::Robust : 0)
                     | (quint8(event.sender.kind) << TraceRecord::SenderShift));
    return index;
}

void TraceRecorder::sendBegin(const SendEvent &event)
{
    forgetQuick();
    // Interned even while paused: the loop detector keys on the same ids.
    const quint32 name = internKeyed(event.signalKey, event.signalName);
    const quint32 sender = m_recentSender.id(event.sender.name, [this](const QString &name) { return m_strings.intern(name); });
    int index = -1;
    if (!m_paused) {
        index = appendSend(TraceEventKind::Send, event,
                           quint8(TraceRecord::Open | (event.canonical ? TraceRecord::Canonical : 0)), name, sender);
    }
    m_stack.push_back(Frame{TraceEventKind::Send, false, index, event.id, -1, -1, -1, nullptr});
    m_loops.beginSend(event, index, name, sender);
    // Its first receiver call may begin the quick way (see QuickState).
    m_quick = {event.id, -1, index >= 0 && m_quickBegin};
}

void TraceRecorder::sendEnd(const SendEvent &event, const DjangoError *escaped)
{
    forgetQuick();
    // Nearly always the innermost frame, running no receiver, recorded,
    // returning normally in under 4.29 s.
    if (!m_stack.empty() && !escaped) {
        const Frame &top = m_stack.back();
        if (top.kind == TraceEventKind::Send && top.sendId == event.id && !top.running && top.event >= 0
            && closeQuickly(top.event, event.stamp)) {
            m_stack.pop_back();
            m_loops.endSend(event);
            return;
        }
    }
    sendEndElsewhere(event, escaped);
}

// The dispatcher always closes what it opened; if it ever did not, the frames
// above the send (and its running receiver) end with it, unfinished.
void TraceRecorder::sendEndElsewhere(const SendEvent &event, const DjangoError *escaped)
{
    for (size_t i = m_stack.size(); i-- > 0;) {
        if (m_stack[i].kind == TraceEventKind::Send && m_stack[i].sendId == event.id) {
            unwindTo(i + 1, event.stamp);
            const Frame &frame = m_stack[i];
            if (frame.running)
                closeEvent(frame.receiverEvent, nullptr, false, event.stamp);
            closeEvent(frame.event, escaped, true, event.stamp);
            m_stack.resize(i);
            break;
        }
    }
    m_loops.endSend(event);
}

void TraceRecorder::receiverBegin(const SendEvent &send, const ReceiverEvent &receiver)
{
    // Nearly always: recording, the label seen before, the send's frame the
    // innermost one and running no receiver (the previous one has ended), so
    // its record is the new one's parent, and the record's chunk has room.
    // A recorded send frame was appended in this step's run (stepBegin empties
    // the stack, clear() unrecords it): the run goes on. Written in one go, as
    // append() would, with no call (so no registers to save): anything else
    // goes the general way, which gives the same record.
    const quint32 key = receiver.labelKey;
    const bool quick = m_quick.valid && m_quick.sendId == send.id && m_quick.receiverIndex < 0;
    m_quick.valid = false;
    if (!m_stack.empty() && key < m_idOfKey.size()) {
        Frame &top = m_stack.back();
        const quint32 label = m_idOfKey[key];
        const int index = m_store.count();
        // The first receiver call is nearly always the event after its send.
        if ((quick
             || (top.sendId == send.id && top.kind == TraceEventKind::Send && !top.running
                 && (top.lastRecord || (top.event >= 0 && index == top.event + 1)) && m_quickBegin
                 && m_loops.canHoldReceiver(send.id)))
            && label != StringTable::None && receiver.stamp) {
            if (StoredRecord *r = m_store.appendInChunk()) {
                r->startNs = ticksNs(receiver.stamp);
                r->durationNs = 0;
                r->payload = StoredRecord::NoRef;
                r->parent = top.event;
                r->name = label;
                r->sender = quint32(receiver.index);
                r->depth = qint16(send.depth + 1);
                r->kind = TraceEventKind::Receiver;
                r->flags = TraceRecord::Open;
                if (top.lastRecord)
                    top.lastRecord->payload = quint32(index);       // a receiver's link
                top.lastRecord = r;
                top.lastReceiver = index;
                top.running = true;
                top.receiverIndex = receiver.index;
                top.receiverEvent = index;
                m_loops.holdReceiver(receiver.index, index, label);
                m_quick = {send.id, receiver.index, true};
                return;
            }
        }
    }
    receiverBeginElsewhere(send, receiver);
}

void TraceRecorder::receiverBeginElsewhere(const SendEvent &send, const ReceiverEvent &receiver)
{
    forgetQuick();
    const quint32 label = internKeyed(receiver.labelKey, receiver.label);
    Frame *sendFrame = nullptr;
    for (size_t i = m_stack.size(); i-- > 0;) {
        if (m_stack[i].kind == TraceEventKind::Send && m_stack[i].sendId == send.id) {
            sendFrame = &m_stack[i];
            break;
        }
    }
    int index = -1;
    if (!m_paused) {
        index = append(TraceEventKind::Receiver, send.depth + 1, receiver.stamp);
        StoredRecord &r = recordRef(index);
        r.name = label;
        r.sender = quint32(receiver.index);
        r.flags = TraceRecord::Open;
        if (sendFrame && sendFrame->event >= 0) {
            if (sendFrame->lastReceiver >= 0)
                recordRef(sendFrame->lastReceiver).payload = quint32(index);   // a receiver's link
            else if (index != sendFrame->event + 1)
                m_firstReceiver.insert(sendFrame->event, index);
            sendFrame->lastReceiver = index;
            sendFrame->lastRecord = &recordRef(index);
        }
    }
    if (sendFrame && sendFrame == &m_stack.back() && !sendFrame->running) {
        sendFrame->running = true;
        sendFrame->receiverIndex = receiver.index;
        sendFrame->receiverEvent = index;
    } else {
        m_stack.push_back(Frame{TraceEventKind::Receiver, false, index, send.id, receiver.index, -1, -1, nullptr});
    }
    m_loops.beginReceiver(send, receiver, index, label);
}

void TraceRecorder::receiverEnd(const SendEvent &send, const ReceiverEvent &receiver, const DjangoError *error)
{
    // Nearly always the receiver call its send's frame holds, innermost, its
    // latest recorded, returning normally in under 4.29 s: closed in place
    // with no call, anything else the general way. Right after its own
    // quick begin (QuickState) none of that needs checking.
    const bool quick = m_quick.valid && m_quick.sendId == send.id && m_quick.receiverIndex == receiver.index;
    m_quick.valid = false;
    const auto holdsIt = [&] {
        const Frame &top = m_stack.back();
        return top.running && top.sendId == send.id && top.receiverIndex == receiver.index
            && top.receiverEvent == top.lastReceiver && top.receiverEvent >= 0 && m_loops.holdsReceiver(send.id, receiver.index);
    };
    if (!error && receiver.stamp && (quick || (!m_stack.empty() && m_externalNs < 0 && holdsIt()))) {
        Frame &top = m_stack.back();
        StoredRecord &r = *top.lastRecord;
        const quint64 end = ticksNs(receiver.stamp);
        const quint64 duration = end > r.startNs ? end - r.startNs : 0;
        if (duration < StoredRecord::LongDuration) {
            r.durationNs = quint32(duration);
            r.flags &= quint8(~TraceRecord::Open);
            markChangedRecorded(top.receiverEvent);
            top.running = false;
            m_loops.releaseReceiver();
            m_quick = {send.id, -1, m_quickBegin};      // its next call may begin the quick way
            return;
        }
    }
    receiverEndElsewhere(send, receiver, error);
}

void TraceRecorder::receiverEndElsewhere(const SendEvent &send, const ReceiverEvent &receiver, const DjangoError *error)
{
    forgetQuick();
    for (size_t i = m_stack.size(); i-- > 0;) {
        const Frame &frame = m_stack[i];
        if (frame.kind == TraceEventKind::Receiver && frame.sendId == send.id && frame.receiverIndex == receiver.index) {
            unwindTo(i + 1, receiver.stamp);
            closeEvent(m_stack[i].event, error, true, receiver.stamp);
            m_stack.resize(i);
            break;
        }
        if (frame.kind == TraceEventKind::Send && frame.sendId == send.id) {
            if (frame.running && frame.receiverIndex == receiver.index) {
                unwindTo(i + 1, receiver.stamp);
                closeEvent(m_stack[i].receiverEvent, error, true, receiver.stamp);
                m_stack[i].running = false;
            }
            break;                      // or never opened: leave its send alone
        }
    }
    m_loops.endReceiver(send, receiver);
}

void TraceRecorder::effect(int depth, const QString &kind, const QString &text)
{
    forgetQuick();
    if (m_paused)
        return;
    const int index = append(TraceEventKind::Effect, depth, 0);
    const quint32 name = m_strings.intern(kind);
    const quint32 payload = storeText(text);
    StoredRecord &r = recordRef(index);
    r.name = name;
    r.payload = payload;
    r.flags = TraceRecord::Canonical;
}

void TraceRecorder::errorLine(int depth, const DjangoError &error)
{
    forgetQuick();
    if (m_paused)
        return;
    // send_robust writes the line after the failed receiver returned, so the
    // innermost open event is the send: the line belongs to its last receiver.
    // A step's line may come after the step closed: it belongs to that step.
    int parent = -1;
    for (auto it = m_stack.crbegin(); it != m_stack.crend(); ++it) {
        if (it->running && it->receiverEvent >= 0) {
            parent = it->receiverEvent;             // a receiver call still running
            break;
        }
        if (it->event < 0)
            continue;
        parent = it->event;
        if (it->kind == TraceEventKind::Send && it->lastReceiver >= 0 && depth == m_store.at(it->event).depth + 1)
            parent = it->lastReceiver;
        break;
    }
    if (parent < 0 && depth == 0)
        parent = m_lastStepEvent;
    const int index = append(TraceEventKind::Error, depth, 0);
    const quint32 errorId = internError(&error);
    StoredRecord &r = recordRef(index);
    r.parent = parent;
    r.flags = TraceRecord::Canonical;
    setError(index, errorId);
}

void TraceRecorder::recursionStopped(const SendEvent &event)
{
    forgetQuick();
    int index = -1;
    if (!m_paused) {
        index = appendSend(TraceEventKind::RecursionStop, event, 0, m_strings.intern(event.signalName),
                           m_strings.intern(event.sender.name));
    }
    m_loops.stopRecursion(event, index);
}

void TraceRecorder::applyLoopMark(int index, LoopMark mark, int loop)
{
    if (index < 0 || index >= count())
        return;
    StoredRecord &r = recordRef(index);
    const quint8 current = (r.flags >> TraceRecord::LoopShift) & 3;
    if (quint8(mark) <= current && m_loopOf.contains(index))
        return;
    if (quint8(mark) > current)
        r.flags = quint8((r.flags & ~(3 << TraceRecord::LoopShift)) | (quint8(mark) << TraceRecord::LoopShift));
    m_loopOf.insert(index, loop);
    markChanged(index);
}

// ------------------------------------------------------------ reading

quint32 TraceRecorder::stepText(int index) const
{
    const StoredRecord &r = m_store.at(index);
    if (r.payload != StoredRecord::NoRef || r.kind != TraceEventKind::Step)
        return r.payload;
    // The source of the latest run of deferred labels that began at or before it.
    const auto source = std::upper_bound(m_labelSources.cbegin(), m_labelSources.cend(), index,
                                         [](int event, const LabelSource &s) { return event < s.first; });
    if (source == m_labelSources.cbegin())
        return r.payload;
    const QString label = std::prev(source)->labels->stepLabel(stepOf(index));
    auto *self = const_cast<TraceRecorder *>(this);    // never a const object: views hold it const
    const quint32 payload = self->storeText(label);
    self->recordRef(index).payload = payload;
    return payload;
}

QString TraceRecorder::text(int index) const
{
    const StoredRecord &r = m_store.at(index);
    if (r.kind != TraceEventKind::Effect && r.kind != TraceEventKind::Step)
        return {};
    const quint32 payload = stepText(index);
    if (payload == StoredRecord::NoRef)
        return {};
    const uchar *p = m_store.bytesAt(payload);
    const qsizetype n = qsizetype(argcodec::getVarint(p));
    return QString::fromUtf8(reinterpret_cast<const char *>(p), n);
}

void TraceRecorder::appendTextJson(std::string &out, int index) const
{
    const StoredRecord &r = m_store.at(index);
    const quint32 payload = r.kind == TraceEventKind::Effect || r.kind == TraceEventKind::Step ? stepText(index) : StoredRecord::NoRef;
    if (payload == StoredRecord::NoRef) {
        out.append("\"\"");
        return;
    }
    const uchar *p = m_store.bytesAt(payload);
    const qsizetype n = qsizetype(argcodec::getVarint(p));
    argcodec::appendUtf8Json(out, p, n);
}

QString TraceRecorder::errorType(int index) const
{
    return m_strings.text(m_errors[errorOf(index)].type);
}

QString TraceRecorder::errorMessage(int index) const
{
    return m_strings.text(m_errors[errorOf(index)].message);
}

TraceEvent TraceRecorder::event(int index) const
{
    const TraceRecord &r = record(index);
    TraceEvent e;
    e.index = index;
    e.kind = r.kind;
    e.parent = r.parent;
    e.depth = r.depth;
    e.step = r.step;
    e.startNs = qint64(r.startNs);
    e.durationNs = qint64(r.durationNs);
    e.canonical = r.isCanonical();
    e.open = r.isOpen();
    e.robust = r.isRobust();
    e.loopMark = r.loopMark();
    e.loop = r.loop;
    switch (r.kind) {
    case TraceEventKind::Step:
        e.text = text(index);
        break;
    case TraceEventKind::Send:
    case TraceEventKind::RecursionStop:
        e.signal = m_strings.text(r.name);
        e.sender = Sender{r.senderKind(), m_strings.text(r.sender)};
        break;
    case TraceEventKind::Receiver:
        e.label = m_strings.text(r.name);
        e.receiverIndex = int(r.sender);
        if (r.parent >= 0 && m_store.at(r.parent).kind == TraceEventKind::Send)
            e.signal = m_strings.text(m_store.at(r.parent).name);
        break;
    case TraceEventKind::Effect:
        e.effect = m_strings.text(r.name);
        e.text = text(index);
        break;
    case TraceEventKind::Error:
        break;
    }
    if (r.error) {
        e.errorType = m_strings.text(m_errors[r.error].type);
        e.errorMessage = m_strings.text(m_errors[r.error].message);
    }
    return e;
}

TraceRecord TraceRecorder::record(int index) const
{
    const StoredRecord &s = m_store.at(index);
    TraceRecord r;
    r.startNs = s.startNs;
    r.durationNs = s.durationNs == StoredRecord::LongDuration ? m_longDurations.value(index) : s.durationNs;
    r.payload = s.payload == StoredRecord::NoRef || s.kind == TraceEventKind::Receiver ? TraceRecord::NoPayload : s.payload;
    r.parent = s.parent;
    r.step = stepOf(index);
    r.name = s.name;
    r.sender = s.sender;
    r.error = errorOf(index);
    r.link = linkOf(index);
    r.loop = loopOf(index);
    r.depth = s.depth;
    r.kind = s.kind;
    r.flags = quint8(s.flags & ~StoredRecord::HasError);
    return r;
}

int TraceRecorder::stepOf(int index) const
{
    // Sequential readers (exporters, views) ask about neighbouring events: the
    // run of the last answer is tried first.
    const size_t runs = m_stepRuns.size();
    size_t hint = m_stepRunHint < runs ? m_stepRunHint : 0;
    if (runs == 0)
        return 0;
    if (m_stepRuns[hint].first <= index && (hint + 1 == runs || m_stepRuns[hint + 1].first > index))
        return m_stepRuns[hint].step;
    if (hint + 2 <= runs && m_stepRuns[hint + 1].first <= index && (hint + 2 == runs || m_stepRuns[hint + 2].first > index)) {
        m_stepRunHint = hint + 1;
        return m_stepRuns[hint + 1].step;
    }
    const auto it = std::upper_bound(m_stepRuns.cbegin(), m_stepRuns.cend(), index,
                                     [](int i, const StepRun &run) { return i < run.first; });
    if (it == m_stepRuns.cbegin())
        return 0;
    m_stepRunHint = size_t(it - m_stepRuns.cbegin()) - 1;
    return m_stepRuns[m_stepRunHint].step;
}

quint32 TraceRecorder::errorOf(int index) const
{
    return (m_store.at(index).flags & StoredRecord::HasError) ? m_errorOf.value(index) : 0;
}

void TraceRecorder::setError(int index, quint32 error)
{
    m_errorOf.insert(index, error);
    recordRef(index).flags |= StoredRecord::HasError;
}

int TraceRecorder::loopOf(int index) const
{
    return (m_store.at(index).flags >> TraceRecord::LoopShift) & 3 ? m_loopOf.value(index, -1) : -1;
}

int TraceRecorder::linkOf(int index) const
{
    const StoredRecord &s = m_store.at(index);
    if (s.kind == TraceEventKind::Receiver)
        return s.payload == StoredRecord::NoRef ? -1 : int(s.payload);
    if (s.kind != TraceEventKind::Send)
        return -1;
    if (index + 1 < count()) {
        const StoredRecord &next = m_store.at(index + 1);
        if (next.kind == TraceEventKind::Receiver && next.parent == index)
            return index + 1;
    }
    return m_firstReceiver.value(index, -1);
}

int TraceRecorder::subtreeEnd(int index) const
{
    // A later event outside the subtree has its parent before `index`
    // (every parent of an event inside lies in [index, that event)).
    int end = index + 1;
    while (end < count() && m_store.at(end).parent >= index)
        ++end;
    return end;
}

QVector<int> TraceRecorder::childrenOf(int index) const
{
    QVector<int> children;
    const int end = subtreeEnd(index);
    for (int i = index + 1; i < end; ++i)
        if (m_store.at(i).parent == index)
            children.append(i);
    return children;
}

QVector<ReceiverOutcome> TraceRecorder::receiversOf(int sendIndex) const
{
    QVector<ReceiverOutcome> out;
    if (m_store.at(sendIndex).kind != TraceEventKind::Send)
        return out;
    for (int i = linkOf(sendIndex); i >= 0; i = linkOf(i)) {
        const TraceRecord r = record(i);
        ReceiverOutcome o;
        o.event = i;
        o.label = m_strings.text(r.name);
        o.index = int(r.sender);
        if (r.error) {
            o.errorType = m_strings.text(m_errors[r.error].type);
            o.errorMessage = m_strings.text(m_errors[r.error].message);
        }
        out.append(o);
    }
    return out;
}

void TraceRecorder::packedArgs(int index, PackedArgs &out) const
{
    out.clear();
    const StoredRecord &r = m_store.at(index);
    if (r.payload == StoredRecord::NoRef || (r.kind != TraceEventKind::Send && r.kind != TraceEventKind::RecursionStop))
        return;
    unpackArgs(m_store.bytesAt(r.payload), m_packer.layouts(), out);
}

QCborMap TraceRecorder::args(int index) const
{
    PackedArgs packed;
    packedArgs(index, packed);
    QCborMap map;
    for (const PackedArg &arg : packed)
        map.insert(m_strings.text(arg.key), valueAt(arg.value));
    return map;
}

qint64 TraceRecorder::memoryBytes() const
{
    qint64 bytes = qint64(sizeof *this) + m_store.memoryBytes() + m_strings.memoryBytes() + m_packer.memoryBytes();
    bytes += qint64(m_errors.capacity() * sizeof(ErrorEntry)) + qint64(m_errorIds.size()) * (2 * sizeof(void *) + 16);
    bytes += qint64(m_stack.capacity() * sizeof(Frame) + m_scratch.capacity());
    // The side tables: a hash node is about a key, a value and two pointers.
    constexpr qint64 node = 2 * sizeof(void *) + 16;
    bytes += qint64(m_stepRuns.capacity() * sizeof(StepRun));
    bytes += (qint64(m_errorOf.size()) + m_loopOf.size() + m_longDurations.size() + m_firstReceiver.size()) * node;
    return bytes;
}

} // namespace ss
