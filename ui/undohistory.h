#pragma once
// The undo stack of a session, where an undo or a redo that fails changes
// nothing: the Django operation was rolled back by its transaction, and the
// stack steps back to where it was (the command is told to skip that step),
// so Undo/Redo still offer what they offered. The failure is reported with
// failed(), naming the exception.
//
// QUndoStack::undo()/redo() may be called directly (the Edit menu's actions
// do): the check runs on every index change.

#include "session/session.h"

#include <QObject>

class QUndoStack;

namespace ss {

class UndoHistory : public QObject
{
    Q_OBJECT
public:
    explicit UndoHistory(QObject *parent = nullptr);

    QUndoStack *stack() const { return m_stack; }
    // Pushes a command whose action already ran (its first redo is skipped).
    void push(class SessionCommand *command);
    void clear();

Q_SIGNALS:
    // `what` is "Undo delete User 3" / "Redo ..."; the result names the exception.
    void failed(const QString &what, const ss::ActionResult &result);

private:
    void onIndexChanged(int index);

    QUndoStack *m_stack;
    int m_index = 0;
    bool m_steppingBack = false;
};

} // namespace ss
