#include "sequenceview.h"

#include "eventlabels.h"
#include "eventselection.h"
#include "sequencescene.h"
#include "signalstyle.h"
#include "trace/tracerecorder.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>

namespace ss {

namespace {

// The painted diagram inside the scroll area.
class SequenceCanvas : public QWidget
{
public:
    SequenceCanvas(SequenceView *view, EventSelection *selection)
        : QWidget(view), m_view(view), m_selection(selection)
    {
        setObjectName(QStringLiteral("sequenceCanvas"));
    }
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        if (m_view->scene())
            m_view->scene()->paint(p);
        const int current = m_selection->current();
        if (m_view->scene() && current >= 0) {
            const QRectF row = m_view->scene()->rowOf(current);
            if (!row.isEmpty()) {
                QColor c = palette().color(QPalette::Highlight);
                c.setAlpha(50);
                p.fillRect(row, c);
            }
        }
    }
    void mouseReleaseEvent(QMouseEvent *event) override
    {
        if (!m_view->scene())
            return;
        const int hit = m_view->scene()->eventAt(event->position());
        if (hit >= 0)
            m_selection->setCurrent(hit);
    }

private:
    SequenceView *m_view;
    EventSelection *m_selection;
};

} // namespace

SequenceView::SequenceView(const TraceRecorder *recorder, EventSelection *selection, QWidget *parent)
    : QWidget(parent), m_recorder(recorder), m_selection(selection)
{
    setObjectName(QStringLiteral("sequenceView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(2);
    auto *bar = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    auto *copy = new QPushButton(tr("Copy Mermaid"), this);
    copy->setObjectName(QStringLiteral("copyMermaid"));
    copy->setToolTip(tr("Copy the diagram as Mermaid sequenceDiagram text (GitHub, GitLab and many wikis render it)"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_diagram.mermaidText()); });
    auto *save = new QPushButton(tr("Export…"), this);
    save->setToolTip(tr("Save as Mermaid text (.mmd), SVG or PNG"));
    connect(save, &QPushButton::clicked, this, &SequenceView::saveDialog);
    bar->addWidget(m_title, 1);
    bar->addWidget(copy);
    bar->addWidget(save);
    layout->addLayout(bar);
    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(false);
    m_canvas = new SequenceCanvas(this, selection);
    m_scroll->setWidget(m_canvas);
    layout->addWidget(m_scroll, 1);
    connect(selection, &EventSelection::currentChanged, this, [this] {
        if (!isVisible()) {
            m_stale = true;
            return;
        }
        refresh();
    });
    rebuild(-1);
}

SequenceView::~SequenceView() = default;

void SequenceView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

void SequenceView::refresh()
{
    m_stale = false;
    const int current = m_selection->current();
    int action = current >= 0 && current < m_recorder->count() ? actionOf(*m_recorder, current) : -1;
    if (action < 0) {
        // Nothing selected: the newest action.
        for (int i = m_recorder->count() - 1; i >= 0 && action < 0; --i)
            if (m_recorder->kindOf(i) == TraceEventKind::Step)
                action = i;
    }
    if (action != m_diagram.action || (action >= 0 && m_recorder->subtreeEnd(action) != m_builtEnd))
        rebuild(action);
    m_canvas->update();
    if (current >= 0 && m_scene) {
        const QRectF item = m_scene->itemOf(current);
        if (!item.isEmpty()) {
            // The start of the arrow (its sender) in view, and the row.
            m_scroll->ensureVisible(int(item.center().x()), int(item.center().y()),
                                    std::min(int(item.width() / 2) + 20, m_scroll->viewport()->width() / 2 - 10), int(item.height()));
            m_scroll->ensureVisible(int(item.left()), int(item.center().y()), 20, int(item.height()));
        }
    }
}

void SequenceView::eventsAppended(int first, int)
{
    // The shown action grew (a live run), or nothing is selected and a new one came.
    const bool grew = m_diagram.action >= 0 && first > 0 && actionOf(*m_recorder, first) == m_diagram.action;
    if (!grew && m_selection->current() >= 0)
        return;
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    rebuild(grew ? m_diagram.action : -1);
    if (!grew)
        refresh();
}

void SequenceView::clear()
{
    rebuild(-1);
}

void SequenceView::rebuild(int action)
{
    m_diagram = action >= 0 ? buildSequenceDiagram(*m_recorder, action) : SequenceDiagram();
    m_builtEnd = action >= 0 ? m_recorder->subtreeEnd(action) : -1;
    m_scene = std::make_unique<SequenceScene>(m_diagram, font(), isDarkPalette(palette()));
    m_canvas->resize(m_scene->size().toSize());
    m_canvas->update();
    m_title->setText(m_diagram.action >= 0 ? tr("Sequence of: %1").arg(m_diagram.title) : tr("No action selected"));
}

bool SequenceView::exportTo(const QString &path, QString *error) const
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    QSaveFile file(path);
    if (suffix == QLatin1String("png")) {
        // Twice the size: crisp on slides.
        if (!m_scene->toImage(2).save(&file, "PNG") || !file.commit()) {
            if (error)
                *error = tr("Cannot write %1: %2").arg(path, file.errorString());
            return false;
        }
        return true;
    }
    const QString text = suffix == QLatin1String("svg") ? m_scene->toSvg() : m_diagram.mermaidText();
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void SequenceView::saveDialog()
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the sequence diagram"), QStringLiteral("sequence.mmd"),
                                                      tr("Mermaid text (*.mmd);;SVG image (*.svg);;PNG image (*.png)"), &selected);
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace ss
