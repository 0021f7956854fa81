#pragma once
// The sequence diagram of one action, widget-free: who called whom, in order.
// Lifelines for the caller (the user's code), each sender model, each signal
// and each receiver; a model sends a signal, the signal calls its receivers in
// dispatch order, a receiver's own saves go to their model, which sends again.
// Activations show the nesting; a loop the recorder found is a highlighted
// loop fragment around the send that was re-entered; errors are crossed
// returns and notes. Exported as Mermaid `sequenceDiagram` text
// (mermaidText()); SequenceScene draws it (widget, SVG, PNG).

#include <QString>
#include <QVector>

namespace ss {

class TraceRecorder;

struct SequenceParticipant
{
    enum Kind { Caller, Model, Signal, Receiver };
    Kind kind = Caller;
    QString id;             // Mermaid identifier: caller, m_User, s_post_save, r_create_billing_profile
    QString label;
};

struct SequenceItem
{
    enum Kind { Message, Return, Activate, Deactivate, LoopBegin, LoopEnd, Note };
    Kind kind = Message;
    int from = -1;          // participant indexes (Activate/Deactivate/Note: `from` only)
    int to = -1;
    QString text;
    int event = -1;         // the recorder event it shows, -1 for structure
    bool error = false;     // Return: raised; Note: an error; LoopBegin: stopped by the recursion bound
};

struct SequenceDiagram
{
    int action = -1;        // the top-level event drawn, -1 when none
    QString title;          // the action's code
    QVector<SequenceParticipant> participants;
    QVector<SequenceItem> items;
    int omitted = 0;        // events left out beyond the message budget

    int messageCount() const;
    QString mermaidText() const;
};

// The diagram of the action containing `event`. An action with more than
// `maxMessages` messages is cut there (the rest counted in `omitted`, and said
// in a note) so a diagram stays readable and cheap.
SequenceDiagram buildSequenceDiagram(const TraceRecorder &recorder, int event, int maxMessages = 400);

} // namespace ss
