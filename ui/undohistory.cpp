#include "undohistory.h"

#include "undocommands.h"

#include <QUndoStack>

namespace ss {

UndoHistory::UndoHistory(QObject *parent)
    : QObject(parent), m_stack(new QUndoStack(this))
{
    connect(m_stack, &QUndoStack::indexChanged, this, &UndoHistory::onIndexChanged);
}

void UndoHistory::push(SessionCommand *command)
{
    m_stack->push(command);
    m_index = m_stack->index();
}

void UndoHistory::clear()
{
    m_stack->clear();
    m_index = m_stack->index();
}

void UndoHistory::onIndexChanged(int index)
{
    const int previous = std::exchange(m_index, index);
    if (m_steppingBack)
        return;
    // Only a single undo (index - 1) or redo (index + 1) runs a command here;
    // push() and clear() keep m_index themselves.
    const bool undo = index == previous - 1;
    const bool redo = index == previous + 1;
    if (!undo && !redo)
        return;
    auto *command = dynamic_cast<SessionCommand *>(const_cast<QUndoCommand *>(m_stack->command(undo ? index : previous)));
    if (!command || command->lastResult().ok())
        return;
    const ActionResult result = command->lastResult();
    const QString what = (undo ? tr("Undo %1") : tr("Redo %1")).arg(command->text());
    // Step back without running the command again: its operation was rolled back.
    m_steppingBack = true;
    command->skipNext();
    if (undo)
        m_stack->redo();
    else
        m_stack->undo();
    m_steppingBack = false;
    m_index = m_stack->index();
    Q_EMIT failed(what, result);
}

} // namespace ss
