#pragma once
// The sequence diagram of the selected action, with its exports: Mermaid text
// (copied or saved as .mmd), SVG and PNG for slides. Follows the selection
// (any event selects its action) and, while that action is still growing in a
// live run, its new events. A click on a message selects its event.

#include "sequencediagram.h"

#include <QWidget>
#include <memory>

class QLabel;
class QScrollArea;

namespace ss {

class EventSelection;
class SequenceScene;
class TraceRecorder;

class SequenceView : public QWidget
{
    Q_OBJECT
public:
    SequenceView(const TraceRecorder *recorder, EventSelection *selection, QWidget *parent = nullptr);
    ~SequenceView() override;

    const SequenceDiagram &diagram() const { return m_diagram; }
    const SequenceScene *scene() const { return m_scene.get(); }
    QWidget *canvas() const { return m_canvas; }
    // Writes the diagram; the format follows the suffix (.mmd/.md, .svg, .png).
    bool exportTo(const QString &path, QString *error = nullptr) const;

public Q_SLOTS:
    void refresh();                         // rebuild for the current selection
    void eventsAppended(int first, int last);
    void clear();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void rebuild(int action);
    void saveDialog();

    const TraceRecorder *m_recorder;
    EventSelection *m_selection;
    SequenceDiagram m_diagram;
    std::unique_ptr<SequenceScene> m_scene;
    QLabel *m_title;
    QScrollArea *m_scroll;
    QWidget *m_canvas;
    int m_builtEnd = -1;                    // the action's subtree end when it was built
    bool m_stale = false;
};

} // namespace ss
