#include "recordedrunwindow.h"

#include "inspector.h"
#include "loopbanner.h"
#include "receivermapmodel.h"
#include "roles.h"
#include "session/session.h"
#include "timeline/eventselection.h"
#include "timeline/timelineviews.h"
#include "timelinecontroller.h"
#include "timelinefilter.h"
#include "timelinetree.h"
#include "traceexportdialog.h"
#include "timelinemodel.h"
#include "trace/tracebridge.h"
#include "trace/traceexport.h"
#include "trace/wireimport.h"
#include "wirecollector.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QCheckBox>
#include <QMessageBox>
#include <QProcess>
#include <QProgressDialog>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace ss {

// ------------------------------------------------------------ one process

RecordedProcessView::RecordedProcessView(QWidget *parent)
    : QWidget(parent), m_session(std::make_unique<Session>()),
      m_import(std::make_unique<WireImport>(&m_session->recorder()))
{
    m_session->bridge().setLive(false);             // delivered after each chunk (refresh)
    m_timeline = new TimelineModel(m_session.get(), this);
    m_filter = new TimelineFilter(&m_session->recorder(), this);
    m_filter->setSourceModel(m_timeline);

    // The timeline: a search bar, the loop banner, the tree and its painted views.
    auto *timelineBox = new QWidget;
    auto *timelineLayout = new QVBoxLayout(timelineBox);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    // Search and following as in the main window (one TimelineController);
    // nothing to pause: what a process sends is never dropped.
    m_controller = new TimelineController(m_session.get(), this);
    auto *bar = new QHBoxLayout;
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("timelineSearch"));
    m_search->setPlaceholderText(tr("Search the recorded signals"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_controller, &TimelineController::setSearchText);
    bar->addWidget(m_search, 1);
    m_follow = new QToolButton;
    m_follow->setObjectName(QStringLiteral("followNewest"));
    m_follow->setText(tr("Follow newest"));
    m_follow->setToolTip(tr("Open and scroll to each new command or request as the process sends it"));
    m_follow->setCheckable(true);
    m_follow->setChecked(m_controller->followsNewest());
    connect(m_follow, &QToolButton::toggled, m_controller, &TimelineController::setFollowNewest);
    bar->addWidget(m_follow);
    timelineLayout->addLayout(bar);
    m_loopBanner = new QLabel;
    m_loopBanner->setObjectName(QStringLiteral("loopBanner"));
    m_loopBanner->setWordWrap(true);
    m_loopBanner->hide();
    timelineLayout->addWidget(m_loopBanner);
    m_tree = new QTreeView;
    m_tree->setObjectName(QStringLiteral("recordedTimeline"));
    m_tree->setModel(m_filter);
    setUpTimelineTree(m_tree, &m_session->recorder(), 360);     // receivers carry file:line
    m_views = new TimelineViews(m_session.get(), m_timeline, m_tree);
    showShownSummary(m_views, m_controller);
    timelineLayout->addWidget(m_views, 1);
    m_controller->attach(m_timeline, m_filter, m_tree);

    // Beside it: the inspector over the receiver map (where the schema panel would be).
    m_inspector = new QTextBrowser;
    m_inspector->setObjectName(QStringLiteral("inspector"));
    m_inspector->setHtml(inspectorHtml(*m_session, -1));
    connect(m_views->selection(), &EventSelection::currentChanged, this, &RecordedProcessView::showInspector);
    m_receiverModel = new ReceiverMapModel(this);
    m_receiverTree = new QTreeView;
    m_receiverTree->setObjectName(QStringLiteral("receiverMap"));
    m_receiverTree->setModel(m_receiverModel);
    m_receiverTree->setUniformRowHeights(true);
    m_receiverTree->setColumnWidth(ReceiverMapModel::Name, 260);
    m_receiverTree->setColumnWidth(ReceiverMapModel::DefinedAt, 170);
    auto *mapBox = new QWidget;
    auto *mapLayout = new QVBoxLayout(mapBox);
    mapLayout->setContentsMargins(0, 0, 0, 0);
    auto *mapTitle = new QLabel(tr("<b>Receiver map</b> — what the process connected, in dispatch order"));
    mapTitle->setToolTip(tr("Reported by the agent on every connect and disconnect; a receiver disconnected later is "
                            "struck out. Record tables are not shown: SignalScope does not own this database."));
    mapLayout->addWidget(mapTitle);
    mapLayout->addWidget(m_receiverTree, 1);
    auto *side = new QSplitter(Qt::Vertical);
    side->addWidget(m_inspector);
    side->addWidget(mapBox);
    side->setStretchFactor(0, 3);
    side->setStretchFactor(1, 2);

    m_problems = new QLabel;
    m_problems->setObjectName(QStringLiteral("streamProblems"));
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("color: #a40000"));
    m_problems->hide();
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(timelineBox);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_problems);
    layout->addWidget(split, 1);
    m_title = tr("waiting for the process…");

    TraceBridge *bridge = &m_session->bridge();
    // A real process has no recursion bound: its loops end by themselves (or in Python's RecursionError).
    auto showLoops = [this] {
        const LoopBanner banner = LoopBanner::of(m_session->recorder().loops(), 0);
        m_loopBanner->setText(banner.html);
        m_loopBanner->setStyleSheet(banner.styleSheet());
        m_loopBanner->setVisible(!banner.html.isEmpty());
    };
    connect(bridge, &TraceBridge::loopDetected, this, showLoops);
    connect(bridge, &TraceBridge::loopChanged, this, showLoops);
}

RecordedProcessView::~RecordedProcessView()
{
    delete m_views;                                 // the painted views and the tree, before the session they read
    delete m_timeline;
    m_timeline = nullptr;
}

void RecordedProcessView::showInspector(int event)
{
    m_inspector->setHtml(inspectorHtml(*m_session, event));
}

void RecordedProcessView::feed(const QByteArray &bytes)
{
    m_import->feed(bytes);
    refresh();
}

void RecordedProcessView::endStream()
{
    m_import->endStream();
    refresh();
}

bool RecordedProcessView::loadFile(const QString &path, const LoadProgress &progress)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_fileProblems << tr("%1: cannot open: %2").arg(path, file.errorString());
        refresh();
        return false;
    }
    const QByteArray head = file.peek(1 << 16);
    m_title = QFileInfo(path).fileName();
    const auto goOn = [&] { return !progress || progress(file.pos(), file.size()); };
    if (looksLikeWire(head)) {
        bool stopped = false;
        while (!file.atEnd() && !(stopped = !goOn()))
            m_import->feed(file.read(1 << 20));
        m_import->endStream();
        QStringList withPath;
        for (const QString &p : m_import->problems())
            withPath << QStringLiteral("%1: %2").arg(path, p);
        if (stopped)
            withPath << tr("%1: opening stopped after %2 of %3 bytes (what was read is shown)")
                            .arg(path).arg(file.pos()).arg(file.size());
        m_fileProblems = withPath;
    } else {
        // A line at a time: a large trace is never held whole beside its recording.
        CanonicalReplay replay(&m_session->recorder());
        int lines = 0;
        const CanonicalTrace trace = readCanonicalJsonl(file, [&](const QCborMap &line) {
            replay.line(line);
            return ++lines % 4096 != 0 || goOn();
        });
        replay.finish();
        if (!trace.ok())
            m_fileProblems << tr("%1: line %2: %3 (the lines before it are shown)").arg(path).arg(trace.errorLine).arg(trace.error);
        else if (trace.stoppedAt > 0)
            m_fileProblems << tr("%1: opening stopped before line %2 (the lines before it are shown)").arg(path).arg(trace.stoppedAt);
    }
    refresh();
    return true;
}

QString RecordedProcessView::title() const
{
    return m_title;
}

QStringList RecordedProcessView::problems() const
{
    QStringList all = m_fileProblems;
    if (m_fileProblems.isEmpty())
        all << m_import->problems();
    return all;
}

void RecordedProcessView::refresh()
{
    m_session->bridge().flush();
    if (!m_import->processes().isEmpty() && m_fileProblems.isEmpty() && m_title != m_import->processes().first().label()) {
        m_title = m_import->processes().first().label();
        emit titleChanged(m_title);
    }
    // The receiver map: signal -> receivers connected, in dispatch order.
    const QString cwd = m_import->processes().isEmpty() ? QString() : m_import->processes().first().cwd;
    if (m_receiverModel->setConnections(m_import->connections(), cwd)) {
        for (int row = 0; row < m_receiverModel->rowCount(); ++row) {
            const QModelIndex signal = m_receiverModel->index(row, 0);
            m_receiverTree->setExpanded(signal, signal.data(ReceiverMapModel::ProjectRole).toBool());
        }
    }
    const QStringList all = problems();
    m_problems->setVisible(!all.isEmpty());
    m_problems->setText(all.join(QLatin1Char('\n')));
}

// ------------------------------------------------------------ the window

RecordedRunWindow::RecordedRunWindow(QWidget *parent)
    : QMainWindow(parent), m_tabs(new QTabWidget), m_banner(new QLabel)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("SignalScope — recorded Django run"));
    m_banner->setObjectName(QStringLiteral("recordedBanner"));
    m_banner->setWordWrap(true);
    m_banner->setText(tr("These are the signals a real Django process sent. Record tables are not shown: "
                         "SignalScope does not own this process's database, so it cannot show or edit its rows."));
    m_tabs->setObjectName(QStringLiteral("recordedTabs"));
    m_tabs->setDocumentMode(true);
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs);
    setCentralWidget(central);
    resize(1280, 800);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open recorded trace…"), this, [this] { openDialog(this); });
    file->addAction(tr("&Export this process's trace…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] { exportDialog(false); });
    file->addAction(tr("Export &selection…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this, [this] { exportDialog(true); });
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);
}

bool RecordedRunWindow::exportTrace(int index, const QString &path, const QString &formatName, QString *error,
                                    bool selectionOnly)
{
    RecordedProcessView *view = processView(index);
    const std::optional<TraceFormat> format = formatFromName(formatName);
    if (!view || !format) {
        if (error)
            *error = tr("Nothing to export");
        return false;
    }
    if (!exportRecording(view->session().recorder(), selectionOnly ? view->tree()->selectionModel() : nullptr, *format, path, error))
        return false;
    statusBar()->showMessage(tr("Wrote %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

void RecordedRunWindow::exportDialog(bool selectionOnly)
{
    RecordedProcessView *view = processView(m_tabs->currentIndex());
    if (!view)
        return;
    exportWithDialog(this, view->session().recorder(), selectionOnly ? view->tree()->selectionModel() : nullptr,
                     QStringLiteral("signalscope-recorded.trace.jsonl"));
}

RecordedRunWindow::~RecordedRunWindow()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

QString RecordedRunWindow::banner() const
{
    return m_banner->text();
}

RecordedProcessView *RecordedRunWindow::processView(int index) const
{
    return qobject_cast<RecordedProcessView *>(m_tabs->widget(index));
}

RecordedProcessView *RecordedRunWindow::addView()
{
    auto *view = new RecordedProcessView;
    const int index = m_tabs->addTab(view, view->title());
    connect(view, &RecordedProcessView::titleChanged, this, [this, view](const QString &title) {
        m_tabs->setTabText(m_tabs->indexOf(view), title);
    });
    m_tabs->setCurrentIndex(index);
    return view;
}

bool RecordedRunWindow::openTrace(const QString &path)
{
    RecordedProcessView *view = addView();
    m_tabs->setTabText(m_tabs->indexOf(view), QFileInfo(path).fileName());
    // A large file takes seconds: after half a second a progress dialog says
    // how far it is and can stop it (what was read stays shown).
    QProgressDialog progress(tr("Opening %1…").arg(QFileInfo(path).fileName()), tr("Stop"), 0, 1000, this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(500);
    const bool ok = view->loadFile(path, [&progress](qint64 done, qint64 total) {
        progress.setValue(total > 0 ? int(done * 1000 / total) : 0);
        return !progress.wasCanceled();
    });
    progress.reset();
    m_tabs->setTabText(m_tabs->indexOf(view), view->title());
    if (!view->problems().isEmpty())
        statusBar()->showMessage(view->problems().first());
    return ok;
}

bool RecordedRunWindow::listen(QString *error)
{
    if (m_collector)
        return true;
    m_collector = std::make_unique<WireCollector>();
    if (!m_collector->listen(error)) {
        m_collector.reset();
        return false;
    }
    connect(m_collector.get(), &WireCollector::streamOpened, this, [this](int index) {
        m_streams.resize(std::max(int(m_streams.size()), index + 1));
        m_streams[index] = addView();
        statusBar()->showMessage(tr("A Django process connected (%1 so far)").arg(index + 1));
    });
    connect(m_collector.get(), &WireCollector::streamData, this, [this](int index, const QByteArray &bytes) {
        if (index < m_streams.size() && m_streams[index])
            m_streams[index]->feed(bytes);
    });
    connect(m_collector.get(), &WireCollector::streamClosed, this, [this](int index) {
        if (index < m_streams.size() && m_streams[index])
            m_streams[index]->endStream();
    });
    statusBar()->showMessage(tr("Listening on %1").arg(m_collector->socketPath()));
    return true;
}

QString RecordedRunWindow::socketPath() const
{
    return m_collector ? m_collector->socketPath() : QString();
}

bool RecordedRunWindow::record(const QString &program, const QStringList &arguments, const QString &workingDirectory,
                               bool force, QString *error)
{
    const QString agent = agentDirectory();
    if (agent.isEmpty()) {
        if (error)
            *error = tr("The Django agent (signalscope_agent.py) is not installed next to SignalScope.");
        return false;
    }
    if (!listen(error))
        return false;
    AgentOptions options;
    options.socketPath = socketPath();
    options.force = force;
    auto *process = new QProcess(this);
    process->setProgram(program);
    process->setArguments(arguments);
    if (!workingDirectory.isEmpty())
        process->setWorkingDirectory(workingDirectory);
    process->setProcessEnvironment(agentEnvironment(QProcessEnvironment::systemEnvironment(), agent, options));
    process->setProcessChannelMode(QProcess::MergedChannels);
    connect(process, &QProcess::finished, this, [this, process](int code, QProcess::ExitStatus status) {
        statusBar()->showMessage(status == QProcess::NormalExit ? tr("The command exited with status %1").arg(code)
                                                                : tr("The command crashed"));
        process->deleteLater();
    });
    m_process = process;
    process->start();
    if (!process->waitForStarted(5000)) {
        if (error)
            *error = tr("Cannot start %1: %2").arg(program, process->errorString());
        return false;
    }
    statusBar()->showMessage(tr("Recording %1 %2").arg(program, arguments.join(QLatin1Char(' '))));
    return true;
}

void RecordedRunWindow::openDialog(QWidget *parent, const QString &given)
{
    const QString path = !given.isEmpty() ? given
                                          : QFileDialog::getOpenFileName(parent, tr("Open a recorded trace"), QString(),
                                                                         tr("Traces (*.jsonl *.json);;All files (*)"));
    if (path.isEmpty())
        return;
    auto *window = new RecordedRunWindow;
    window->show();                                 // the progress of a large file shows over its window
    if (!window->openTrace(path))
        QMessageBox::warning(window, tr("Open a recorded trace"), window->processView(0)->problems().join(QLatin1Char('\n')));
}

void RecordedRunWindow::listenDialog(QWidget *)
{
    auto *window = new RecordedRunWindow;
    QString error;
    if (!window->listen(&error)) {
        QMessageBox::warning(window, tr("Listen for Django processes"), error);
        window->close();
        return;
    }
    const QString agent = agentDirectory();
    window->m_banner->setText(window->banner() + QLatin1String("\n\n")
                              + tr("Start a Django process with:  SIGNALSCOPE_SOCKET=%1 PYTHONPATH=%2/inject "
                                   "python3 manage.py runserver   — each process that connects becomes a tab.")
                                    .arg(window->socketPath(), agent));
    window->m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    window->show();
}

void RecordedRunWindow::recordDialog(QWidget *parent)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(tr("Record a Django command"));
    auto *form = new QFormLayout(&dialog);
    auto *command = new QLineEdit(QStringLiteral("python3 manage.py test"));
    auto *directory = new QLineEdit;
    directory->setPlaceholderText(tr("the Django project (where manage.py is)"));
    auto *force = new QCheckBox(tr("Record even when DEBUG is off"));
    form->addRow(tr("Command:"), command);
    form->addRow(tr("In folder:"), directory);
    form->addRow(force);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QStringList words = QProcess::splitCommand(command->text());
    if (words.isEmpty())
        return;
    auto *window = new RecordedRunWindow;
    QString error;
    if (!window->record(words.first(), words.mid(1), directory->text(), force->isChecked(), &error))
        QMessageBox::warning(window, tr("Record a Django command"), error);
    window->show();
}

} // namespace ss
