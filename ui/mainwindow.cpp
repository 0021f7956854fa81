#include "mainwindow.h"
#include "recordedrunwindow.h"

#include "deletepreviewdialog.h"
#include "editors.h"
#include "model/fieldvalues.h"
#include "inspector.h"
#include "inspectorview.h"
#include "python/djangocode.h"
#include "formats/loaders.h"
#include "loopbanner.h"
#include "recordactions.h"
#include "recordtablemodel.h"
#include "recordtables.h"
#include "windowsettings.h"
#include "statuscounts.h"
#include "samplecatalog.h"
#include "roles.h"
#include "scenariocontroller.h"
#include "scenariostepsmodel.h"
#include "schemamodel.h"
#include "signalstyle.h"
#include "timelinecontroller.h"
#include "timelinefilter.h"
#include "timelinetree.h"
#include "traceexportdialog.h"
#include "timelinemodel.h"
#include "web/webruntime.h"
#include "versioncompare.h"
#include "timeline/timelineviews.h"
#include "undocommands.h"
#include "undohistory.h"

#include <QApplication>
#include <QScreen>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QStandardItemModel>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

static void initResources()
{
    Q_INIT_RESOURCE(signalscope);
}

namespace ss {

static const QStringList builtinSignals = {
    QStringLiteral("pre_init"), QStringLiteral("post_init"), QStringLiteral("pre_save"), QStringLiteral("post_save"),
    QStringLiteral("pre_delete"), QStringLiteral("post_delete"), QStringLiteral("m2m_changed"),
    QStringLiteral("pre_migrate"), QStringLiteral("post_migrate"), QStringLiteral("connection_created"),
    QStringLiteral("request_started"), QStringLiteral("request_finished"), QStringLiteral("got_request_exception"),
    QStringLiteral("setting_changed"), QStringLiteral("template_rendered")};

// --- The window --------------------------------------------------------------

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_session(new Session(this))
{
    initResources();
    setObjectName(QStringLiteral("SignalScopeMainWindow"));
    setWindowTitle(QStringLiteral("SignalScope"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/signalscope.svg")));
    setAcceptDrops(true);
    m_history = new UndoHistory(this);
    m_undo = m_history->stack();
    connect(m_history, &UndoHistory::failed, this, [this](const QString &what, const ActionResult &result) {
        showTableError(tr("✗ %1 failed: %2 — it was rolled back; nothing changed, and Undo/Redo stay where they were.%3")
                           .arg(what, result.errorText(), result.note.isEmpty() ? QString() : QStringLiteral("\n") + result.note));
    });

    m_records = new RecordActions(m_session, m_history, this);
    m_records->setConfirmDelete([this](const DeletePreview &preview) {
        return !m_askBeforeDelete || DeletePreviewDialog(preview, this).exec() == QDialog::Accepted;
    });
    connect(m_records, &RecordActions::failed, this, [this](const QString &message) { showTableError(message); });
    connect(m_records, &RecordActions::note, this, [this](const QString &message) { statusBar()->showMessage(message, 8000); });

    m_timeline = new TimelineModel(m_session, this);
    m_filter = new TimelineFilter(&m_session->recorder(), this);
    m_filter->setSourceModel(m_timeline);
    m_timelineState = new TimelineController(m_session, this);
    m_scenario = new ScenarioController(m_session, this);
    connect(m_scenario, &ScenarioController::progress, this, &MainWindow::updateStepHighlight);

    buildTimeline();
    buildDocks();
    buildActions();

    connect(m_session, &Session::aboutToRebuild, this, &MainWindow::dropTables);
    connect(m_session, &Session::loaded, this, &MainWindow::rebuildForSchema);
    connect(m_session, &Session::databaseChanged, this, [this] {
        refreshTables();
        updateStepHighlight();
    });
    connect(&m_session->bridge(), &TraceBridge::loopDetected, this, &MainWindow::onLoopDetected);
    connect(&m_session->bridge(), &TraceBridge::loopChanged, this, [this](int loop) {
        if (loop < m_session->recorder().loops().size())
            onLoopDetected(loop, m_session->recorder().loops().at(loop).path);
    });
    connect(&m_session->bridge(), &TraceBridge::recordingCleared, this, [this] {
        m_loopBanner->hide();
        m_inspector->setHtml(inspectorHtml(*m_session, -1));
    });

    // 1280×800 at first, never larger than the screen it opens on (a window
    // wider than the screen hides the inspector); later launches restore.
    const QSize screenSize = screen() ? screen()->availableGeometry().size() : QSize(1280, 800);
    resize(QSize(1280, 800).boundedTo(screenSize * 0.95));
    restoreSettings();
    // The file of the last session, else — nothing to configure — the shop
    // sample, each on an in-memory SQLite database.
    const QString last = WindowSettings::lastFile();
    if (last.isEmpty() || !QFile::exists(last) || !openFile(last)) {
        openSample(QStringLiteral("shop"));
        if (last.isEmpty())
            showHint(tr("Welcome to SignalScope. This is the <b>shop</b> sample: a receiver creates a billing profile "
                        "for every new user. Next: press <b>Step</b> (F10) in the Scenario panel to run it one line at "
                        "a time and watch the signals Django sends appear in the timeline below — or double-click a "
                        "cell to edit a row. <i>File ▸ Samples</i> has six more lessons."));
    }
}

void MainWindow::showHint(const QString &html)
{
    m_hint = true;
    m_tableMessage->setText(html);
    m_tableMessage->setTextFormat(Qt::RichText);
    m_tableMessage->setStyleSheet(QStringLiteral("QLabel { background: rgba(40,120,220,45); padding: 6px; border-radius: 3px; }"));
    m_tableMessage->show();
}

MainWindow::~MainWindow() = default;

QVector<SampleInfo> MainWindow::samples()
{
    return bundledSamples();
}

bool MainWindow::openSample(const QString &name)
{
    return openFile(samplePath(name));
}

bool MainWindow::openFile(const QString &path)
{
    QString error;
    m_history->clear();
    if (!m_session->loadFile(path, &error)) {
        showTableError(tr("Could not open %1:\n%2").arg(path, error));
        if (isVisible())
            QMessageBox::warning(this, tr("Open"), error);
        return false;
    }
    m_currentFile = path;
    if (!path.startsWith(QLatin1Char(':')))
        addRecentFile(QFileInfo(path).absoluteFilePath());
    WindowSettings::setLastFile(path);
    const QString title = m_session->scenario().name.isEmpty() ? QFileInfo(path).fileName() : m_session->scenario().name;
    setWindowTitle(QStringLiteral("SignalScope — %1").arg(title));
    m_session->bridge().flush();
    return true;
}

// --- Layout --------------------------------------------------------------------

void MainWindow::buildTimeline()
{
    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));

    // Top: the record tables.
    auto *tablesBox = new QWidget(m_mainSplitter);
    auto *tablesLayout = new QVBoxLayout(tablesBox);
    tablesLayout->setContentsMargins(0, 0, 0, 0);
    m_tables = new RecordTables(m_session, tablesBox);
    connect(m_tables, &RecordTables::m2mCellActivated, this, &MainWindow::editM2mCell);
    connect(m_tables, &RecordTables::cellEdited, this,
            [this](const Model *model, const QCborValue &pk, const Field *field, const QCborValue &oldValue,
                   const QCborValue &newValue, const ActionResult &result) {
                if (m_records->cellEdited(model, pk, field, oldValue, newValue, result, m_updateFieldsAction->isChecked()))
                    m_tableMessage->hide();
            });
    m_tableMessage = new QLabel(tablesBox);
    m_tableMessage->setWordWrap(true);
    m_tableMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tableMessage->setStyleSheet(QStringLiteral("QLabel { padding: 4px; border-radius: 3px; }"));
    m_readingNote = new QLabel(tr("<small>Tables read the database directly (not through <code>Model.objects</code>), "
                                  "so refreshing them sends no <code>pre_init</code>/<code>post_init</code>: every signal in "
                                  "the timeline comes from an action. An edit acts on the row's current values, like an "
                                  "object you already hold in a Django shell (<code>user_1</code>).</small>"), tablesBox);
    m_readingNote->setWordWrap(true);
    tablesLayout->addWidget(m_tables, 1);
    tablesLayout->addWidget(m_tableMessage);
    tablesLayout->addWidget(m_readingNote);

    // Bottom: timeline + inspector.
    m_bottomSplitter = new QSplitter(Qt::Horizontal, m_mainSplitter);
    m_bottomSplitter->setObjectName(QStringLiteral("bottomSplitter"));
    auto *timelineBox = new QWidget(m_bottomSplitter);
    auto *timelineLayout = new QVBoxLayout(timelineBox);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QToolBar(timelineBox);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addWidget(new QLabel(tr(" Timeline  "), bar));

    m_kindMenu = new QMenu(this);
    m_kindMenu->setObjectName(QStringLiteral("signalKindMenu"));
    m_kindButton = new QToolButton(bar);
    m_kindButton->setText(tr("Signals ▾"));
    m_kindButton->setToolTip(tr("Show or hide signal kinds"));
    m_kindButton->setPopupMode(QToolButton::InstantPopup);
    m_kindButton->setMenu(m_kindMenu);
    bar->addWidget(m_kindButton);

    m_modelFilter = new QComboBox(bar);
    m_modelFilter->setObjectName(QStringLiteral("modelFilter"));
    m_modelFilter->setToolTip(tr("Only the signals sent by one model"));
    m_modelFilter->addItem(tr("All models"), QString());
    connect(m_modelFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_timelineState->setModelFilter(m_modelFilter->currentData().toString());
    });
    bar->addWidget(m_modelFilter);

    m_search = new QLineEdit(bar);
    m_search->setObjectName(QStringLiteral("timelineSearch"));
    m_search->setPlaceholderText(tr("Search the timeline (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaximumWidth(260);
    connect(m_search, &QLineEdit::textChanged, m_timelineState, &TimelineController::setSearchText);
    bar->addWidget(m_search);

    m_pauseAction = bar->addAction(tr("Pause"));
    m_pauseAction->setCheckable(true);
    m_pauseAction->setToolTip(tr("Pause recording: actions still run, nothing is recorded (the canonical export then "
                                 "lacks those lines)"));
    connect(m_pauseAction, &QAction::toggled, m_timelineState, &TimelineController::setPaused);
    connect(m_timelineState, &TimelineController::pausedChanged, this, [this](bool paused) {
        if (m_pauseAction->isChecked() != paused)
            m_pauseAction->setChecked(paused);
        m_status->refresh();
    });
    QAction *clear = bar->addAction(tr("Clear"));
    clear->setToolTip(tr("Forget the recording (the database is kept)"));
    connect(clear, &QAction::triggered, this, [this] { m_session->bridge().clearRecording(); });
    m_followAction = bar->addAction(tr("Follow newest"));
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    connect(m_followAction, &QAction::toggled, m_timelineState, &TimelineController::setFollowNewest);
    connect(m_timelineState, &TimelineController::followNewestChanged, m_followAction, [this](bool follow) {
        if (m_followAction->isChecked() != follow)
            m_followAction->setChecked(follow);
    });
    timelineLayout->addWidget(bar);

    m_loopBanner = new QLabel(timelineBox);
    m_loopBanner->setObjectName(QStringLiteral("loopBanner"));
    m_loopBanner->setWordWrap(true);
    m_loopBanner->setStyleSheet(QStringLiteral("QLabel { background: rgba(255,170,0,90); padding: 6px; border-radius: 3px; }"));
    m_loopBanner->hide();
    timelineLayout->addWidget(m_loopBanner);

    m_timelineView = new QTreeView(timelineBox);
    m_timelineView->setObjectName(QStringLiteral("timeline"));
    m_timelineView->setModel(m_filter);
    m_timelineView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    setUpTimelineTree(m_timelineView, &m_session->recorder(), 330);
    // The tree and the painted views (flame, lifelines, sequence) in tabs, one selection.
    auto *views = new TimelineViews(m_session, m_timeline, m_timelineView, timelineBox);
    showShownSummary(views, m_timelineState);
    timelineLayout->addWidget(views, 1);
    // Filters, following and the current event: the controller; the inspector follows it.
    m_timelineState->attach(m_timeline, m_filter, m_timelineView);

    m_inspector = new InspectorView(m_bottomSplitter);
    connect(m_timelineState, &TimelineController::currentEventChanged, this, [this](int event) {
        m_inspector->setHtml(inspectorHtml(*m_session, event));
    });
    m_inspector->setHtml(inspectorHtml(*m_session, -1));
    m_bottomSplitter->setStretchFactor(0, 3);
    m_bottomSplitter->setStretchFactor(1, 2);
    m_mainSplitter->setStretchFactor(0, 2);
    m_mainSplitter->setStretchFactor(1, 3);
    setCentralWidget(m_mainSplitter);

    for (const QString &signal : builtinSignals) {
        QAction *a = m_kindMenu->addAction(signalIcon(signal), signal);
        a->setCheckable(true);
        a->setChecked(true);
        connect(a, &QAction::toggled, this, [this, signal](bool on) { m_timelineState->setSignalVisible(signal, on); });
    }
    // Django's own receivers of the request and test signals (8.5): listed
    // like any receiver in the schema panel and the timeline, unless hidden.
    m_kindMenu->addSeparator();
    QAction *django = m_kindMenu->addAction(tr("Django's own receivers"));
    django->setObjectName(QStringLiteral("showDjangoReceivers"));
    django->setCheckable(true);
    django->setChecked(true);
    django->setToolTip(tr("reset_queries, close_old_connections, the test framework's setting_changed receivers...: "
                          "connected by Django itself, they do nothing a trace shows"));
    connect(django, &QAction::toggled, this, [this](bool on) {
        m_timelineState->setDjangoReceiversHidden(!on);
        m_schemaModel->setDjangoReceiversHidden(!on);
        if (m_session->isLoaded())
            rebuildSchemaTree();
    });
}

void MainWindow::buildDocks()
{
    auto *schemaDock = new QDockWidget(tr("Schema"), this);
    schemaDock->setObjectName(QStringLiteral("schemaDock"));
    m_schemaTree = new QTreeView(schemaDock);
    m_schemaTree->setObjectName(QStringLiteral("schemaTree"));
    m_schemaModel = new SchemaModel(m_session, this);
    m_schemaTree->setModel(m_schemaModel);
    m_schemaTree->setColumnWidth(0, 210);
    connect(m_schemaModel, &SchemaModel::muteChanged, this, [this](const QString &name, bool muted) {
        statusBar()->showMessage(muted ? tr("Receiver %1 muted: it keeps its place but is skipped").arg(name)
                                       : tr("Receiver %1 unmuted").arg(name), 4000);
    });
    schemaDock->setWidget(m_schemaTree);
    addDockWidget(Qt::LeftDockWidgetArea, schemaDock);

    auto *scenarioDock = new QDockWidget(tr("Scenario"), this);
    scenarioDock->setObjectName(QStringLiteral("scenarioDock"));
    auto *box = new QWidget(scenarioDock);
    auto *layout = new QVBoxLayout(box);
    m_scenarioInfo = new QLabel(box);
    m_scenarioInfo->setWordWrap(true);
    layout->addWidget(m_scenarioInfo);
    auto *buttons = new QToolBar(box);
    buttons->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_runAllAction = buttons->addAction(tr("Run all"), this, &MainWindow::runAll);
    m_runAllAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_runAllAction->setToolTip(tr("Run the remaining steps (F5)"));
    m_stepAction = buttons->addAction(tr("Step"), this, &MainWindow::stepOnce);
    m_stepAction->setShortcut(QKeySequence(Qt::Key_F10));
    m_stepAction->setToolTip(tr("Run the next step only (F10) — the teaching mode"));
    m_resetAction = buttons->addAction(tr("Reset"), this, &MainWindow::resetScenario);
    m_resetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_resetAction->setToolTip(tr("Empty the database and go back to the scenario's start (Ctrl+R)"));
    layout->addWidget(buttons);
    m_stepsModel = new ScenarioStepsModel(m_session, this);
    m_steps = new QListView(box);
    m_steps->setObjectName(QStringLiteral("steps"));
    m_steps->setModel(m_stepsModel);
    // One line a step, elided (the tooltip has it whole): uniform sizes let the
    // view lay out 20,000 steps without measuring each one.
    m_steps->setUniformItemSizes(true);
    m_steps->setWordWrap(false);
    m_steps->setTextElideMode(Qt::ElideRight);
    m_steps->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(m_steps, 1);
    scenarioDock->setWidget(box);
    addDockWidget(Qt::LeftDockWidgetArea, scenarioDock);
    resizeDocks({schemaDock, scenarioDock}, {320, 320}, Qt::Horizontal);
}

void MainWindow::buildActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a schema or a scenario"), QString(),
                                                          tr("SignalScope files (*.json);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    QMenu *samplesMenu = file->addMenu(tr("&Samples"));
    samplesMenu->setObjectName(QStringLiteral("samplesMenu"));
    for (const SampleInfo &info : samples()) {
        QAction *a = samplesMenu->addAction(info.menuText());
        a->setToolTip(info.lesson);
        a->setStatusTip(info.lesson);
        const QString name = info.name;
        connect(a, &QAction::triggered, this, [this, name] { openSample(name); });
    }
    samplesMenu->setToolTipsVisible(true);
    file->addAction(tr("Open recorded &trace…"), this, [this] { RecordedRunWindow::openDialog(this); });
    file->addAction(tr("Record a &Django command…"), this, [this] { RecordedRunWindow::recordDialog(this); });
    file->addAction(tr("&Listen for Django processes…"), this, [this] { RecordedRunWindow::listenDialog(this); });
    file->addSeparator();
    file->addAction(tr("&Export trace…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] { exportDialog(false); });
    file->addAction(tr("Export &selection…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this, [this] { exportDialog(true); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    rebuildRecentMenu();

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(tr("&Find in timeline"), QKeySequence::Find, this, [this] { m_search->setFocus(); m_search->selectAll(); });

    QMenu *records = menuBar()->addMenu(tr("&Records"));
    QToolBar *tools = addToolBar(tr("Records"));
    tools->setObjectName(QStringLiteral("recordsToolbar"));
    tools->setToolButtonStyle(Qt::ToolButtonTextOnly);
    QAction *add = records->addAction(tr("&New row… (create)"), QKeySequence::New, this, [this] { addRow(false); });
    QAction *del = records->addAction(tr("&Delete row… (delete)"), QKeySequence::Delete, this, &MainWindow::deleteSelectedRows);
    // The Delete key deletes rows only where the rows are: the key is bound in
    // the record tables, not window-wide (in the timeline or the search box it
    // must do nothing to the database). The menu and the toolbar still show it.
    del->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    del->setObjectName(QStringLiteral("deleteRowAction"));
    m_tables->addAction(del);
    QAction *upd = records->addAction(tr("QuerySet.&update() on selection…"), this, &MainWindow::updateSelectedRows);
    QAction *bulk = records->addAction(tr("&bulk_create…"), this, [this] { addRow(true); });
    m_updateFieldsAction = records->addAction(tr("Save edits with update_fields=[field]"));
    m_updateFieldsAction->setObjectName(QStringLiteral("updateFieldsOnly"));
    m_updateFieldsAction->setCheckable(true);
    m_updateFieldsAction->setToolTip(tr("Off: a cell edit runs obj.save() (every field). On: obj.save(update_fields=['field'])."));
    connect(m_updateFieldsAction, &QAction::toggled, this, [this](bool on) {
        m_tables->setUpdateFieldsOnly(on);
    });
    for (QAction *a : {add, del, upd, bulk, m_updateFieldsAction})
        tools->addAction(a);
    tools->addSeparator();
    tools->addAction(undo);
    tools->addAction(redo);

    QMenu *run = menuBar()->addMenu(tr("&Scenario"));
    run->addAction(m_runAllAction);
    run->addAction(m_stepAction);
    run->addAction(m_resetAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        view->addAction(dock->toggleViewAction());
    view->addAction(m_followAction);
    view->addAction(m_pauseAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About SignalScope"), this, [this] {
        QMessageBox::about(this, tr("About SignalScope"),
                           tr("<b>SignalScope %1</b><p>Shows what Django's model signals do: which fire, in what order, "
                              "with which arguments, and why.</p><p>Colours: each signal kind has one colour everywhere. "
                              "Amber rows: a receiver re-entered a save of the same instance; red: the recursion bound "
                              "stopped it.</p>").arg(QStringLiteral(SIGNALSCOPE_VERSION)));
    });

    m_statusDb = new QLabel(this);
    m_statusDb->setObjectName(QStringLiteral("statusDatabase"));
    m_statusEvents = new QLabel(this);
    m_statusEvents->setObjectName(QStringLiteral("statusEvents"));
    statusBar()->addPermanentWidget(m_statusDb);
    statusBar()->addPermanentWidget(m_statusEvents);
    m_status = new StatusCounts(m_session, this);
    connect(m_status, &StatusCounts::changed, this, [this] {
        m_statusDb->setText(m_status->databaseText());
        m_statusEvents->setText(m_status->eventsText());
    });
    installDjangoVersionControls(this, run, m_session);
}

void MainWindow::dropTables()
{
    m_tables->drop();
    m_history->clear();
}

void MainWindow::rebuildForSchema()
{
    m_history->clear();
    m_tables->rebuild(std::exchange(m_keepTab, false));
    m_tableMessage->clear();
    m_tableMessage->hide();
    m_loopBanner->hide();

    // Timeline model filter.
    const QString previous = m_modelFilter->currentData().toString();
    m_modelFilter->blockSignals(true);
    m_modelFilter->clear();
    m_modelFilter->addItem(tr("All models"), QString());
    for (const auto &model : m_session->registry().models())
        m_modelFilter->addItem(model->name, model->name);
    const int found = m_modelFilter->findData(previous);
    m_modelFilter->setCurrentIndex(found > 0 ? found : 0);
    m_modelFilter->blockSignals(false);
    m_timelineState->setModelFilter(m_modelFilter->currentData().toString());

    // Custom signals in the kind menu.
    for (QAction *a : m_kindMenu->actions())
        if (a->property("custom").toBool())
            m_kindMenu->removeAction(a);
    for (const QString &signal : m_session->scenario().schema.customSignals) {
        QAction *a = m_kindMenu->addAction(signalIcon(signal), signal + tr(" (custom)"));
        a->setProperty("custom", true);
        a->setCheckable(true);
        a->setChecked(!m_timelineState->hiddenSignals().contains(signal));
        connect(a, &QAction::toggled, this, [this, signal](bool on) { m_timelineState->setSignalVisible(signal, on); });
    }

    rebuildSchemaTree();
    rebuildSteps();
}

void MainWindow::rebuildSchemaTree()
{
    m_schemaModel->rebuild();
    // Open the models, the signals, and every signal that has receivers of
    // the schema's own (checkable rows; Django's own receivers alone keep a
    // signal closed).
    for (int row = 0; row < m_schemaModel->rowCount(); ++row) {
        const QModelIndex section = m_schemaModel->index(row, 0);
        m_schemaTree->setExpanded(section, true);
        if (row != 1)
            continue;
        for (int r = 0; r < m_schemaModel->rowCount(section); ++r) {
            const QModelIndex signal = m_schemaModel->index(r, 0, section);
            for (int c = 0; c < m_schemaModel->rowCount(signal); ++c) {
                if (m_schemaModel->index(c, 0, signal).flags() & Qt::ItemIsUserCheckable) {
                    m_schemaTree->setExpanded(signal, true);
                    break;
                }
            }
        }
    }
}

void MainWindow::rebuildSteps()
{
    const ScenarioDecl &scenario = m_session->scenario();
    if (!m_session->hasSteps()) {
        m_scenarioInfo->setText(tr("<b>%1</b><br>A schema without a scenario: edit the records to see the signals.")
                                    .arg(scenario.schema.app.toHtmlEscaped()));
    } else {
        m_scenarioInfo->setText(QStringLiteral("<b>%1</b><br>%2").arg(scenario.name.toHtmlEscaped(), scenario.description.toHtmlEscaped()));
    }
    m_stepsModel->reload();
    updateStepHighlight();
}

void MainWindow::updateStepHighlight()
{
    // The list follows the run: the next step (the last one at the end) is
    // current and in view, also between the slices of a long Run all.
    m_stepsModel->syncNextStep();
    const int rows = m_stepsModel->rowCount();
    if (rows > 0) {
        const QModelIndex next = m_stepsModel->index(std::min(m_session->nextStep(), rows - 1));
        m_steps->setCurrentIndex(next);
        m_steps->scrollTo(next, m_scenario->isRunning() ? QAbstractItemView::PositionAtCenter
                                                        : QAbstractItemView::EnsureVisible);
    }
    const bool canRun = !m_session->atEnd();
    m_runAllAction->setEnabled(canRun);
    m_stepAction->setEnabled(canRun);
}

void MainWindow::refreshTables()
{
    m_tables->refresh();
}

void MainWindow::showTableError(const QString &text)
{
    m_hint = false;
    m_tableMessage->setTextFormat(Qt::AutoText);
    m_tableMessage->setText(text);
    m_tableMessage->setStyleSheet(QStringLiteral("QLabel { background: rgba(220,40,40,60); padding: 4px; border-radius: 3px; }"));
    m_tableMessage->show();
    statusBar()->showMessage(text, 8000);
}

QString MainWindow::tableMessage() const
{
    return m_tableMessage->isVisible() || !m_tableMessage->isHidden() ? m_tableMessage->text() : QString();
}

QString MainWindow::loopBannerText() const
{
    return m_loopBanner->isHidden() ? QString() : m_loopBanner->text();
}

void MainWindow::selectEvent(int event)
{
    m_timelineState->selectEvent(event);
}

void MainWindow::onLoopDetected(int loop, const QString &path)
{
    Q_UNUSED(loop);
    Q_UNUSED(path);
    const LoopBanner banner = LoopBanner::of(m_session->recorder().loops(), m_session->engine().dispatch().maxDepth());
    m_loopBanner->setText(banner.html);
    m_loopBanner->setStyleSheet(banner.styleSheet());
    m_loopBanner->show();
}

void MainWindow::setPaused(bool paused)
{
    m_timelineState->setPaused(paused);
}

void MainWindow::setFollowNewest(bool follow)
{
    m_timelineState->setFollowNewest(follow);
}

void MainWindow::flushTimeline()
{
    m_session->bridge().flush();
}

// --- Scenario ------------------------------------------------------------------

void MainWindow::dismissHint()
{
    if (std::exchange(m_hint, false))
        m_tableMessage->hide();
}

void MainWindow::runAll()
{
    dismissHint();
    const int remaining = m_scenario->remaining();
    if (remaining <= 0)
        return;
    QProgressDialog *progress = nullptr;
    if (remaining > 50) {
        progress = new QProgressDialog(tr("Running the scenario…"), tr("Cancel"), 0, remaining, this);
        progress->setWindowModality(Qt::WindowModal);
        progress->setMinimumDuration(300);
        connect(progress, &QProgressDialog::canceled, m_scenario, &ScenarioController::cancel);
    }
    const QMetaObject::Connection shown = connect(m_scenario, &ScenarioController::progress, this, [this, progress](int done) {
        if (!progress)
            return;
        progress->setValue(done);
        if (progress->wasCanceled())
            m_scenario->cancel();
    });
    m_scenario->runAll();
    disconnect(shown);
    delete progress;
}

void MainWindow::stepOnce()
{
    dismissHint();
    if (m_session->atEnd())
        return;
    const ActionResult result = m_scenario->step();
    findChild<TimelineViews *>()->revealNewestAction();     // step mode: show what the step did
    statusBar()->showMessage(result.ok() ? tr("Step %1 done").arg(result.step)
                                         : tr("Step %1 raised %2").arg(result.step).arg(result.errorText()), 5000);
}

void MainWindow::resetScenario()
{
    m_keepTab = true;
    m_scenario->reset();
    m_loopBanner->hide();
    m_tableMessage->hide();
    updateStepHighlight();
}

// --- Records ---------------------------------------------------------------------

RecordTableModel *MainWindow::tableModel(const QString &modelName) const
{
    return m_tables->model(modelName);
}

QTableView *MainWindow::tableView(const QString &modelName) const
{
    return m_tables->view(modelName);
}

void MainWindow::addRow(bool bulk)
{
    RecordTableModel *table = m_tables->currentModel();
    if (!table)
        return;
    const Model *model = table->djangoModel();
    RowFormDialog dialog(m_session, model, bulk ? 3 : 1, bulk, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QVector<Kwargs> rows = dialog.rows();
    if (bulk)
        m_records->bulkCreate(model, rows);
    else
        m_records->createRow(model, rows.value(0));
}

ActionResult MainWindow::createRow(const QString &modelName, const Kwargs &values)
{
    const Model *model = m_session->registry().model(modelName);
    return model ? m_records->createRow(model, values) : ActionResult{};
}

ActionResult MainWindow::deleteRows(const QString &modelName, const QVector<QCborValue> &pks)
{
    const Model *model = m_session->registry().model(modelName);
    return model ? m_records->deleteRows(model, pks) : ActionResult{};
}

DeletePreview MainWindow::lastDeletePreview() const
{
    return m_records->lastDeletePreview();
}

void MainWindow::deleteSelectedRows()
{
    RecordTableModel *table = m_tables->currentModel();
    if (table)
        deleteRows(table->djangoModel()->name, m_tables->selectedPks());
}

void MainWindow::updateSelectedRows()
{
    RecordTableModel *table = m_tables->currentModel();
    const QVector<QCborValue> pks = m_tables->selectedPks();
    if (!table || pks.isEmpty()) {
        statusBar()->showMessage(tr("Select the rows to update first"), 4000);
        return;
    }
    const Model *model = table->djangoModel();
    QStringList names;
    for (const Field *f : model->concreteFields)
        if (!f->primaryKey)
            names << (f->isForeignKey() ? f->attname : f->name);
    bool ok = false;
    const QString fieldName = QInputDialog::getItem(this, tr("QuerySet.update()"), tr("Field to set on %n row(s):", nullptr, pks.size()), names, 0, false, &ok);
    if (!ok)
        return;
    const Field *field = model->field(fieldName);
    const QString text = QInputDialog::getText(this, tr("QuerySet.update()"), tr("New value for %1:").arg(fieldName), QLineEdit::Normal, QString(), &ok);
    if (!ok || !field)
        return;
    m_records->updateRows(model, pks, field, RecordTableModel::valueFromText(field, text));
}

ActionResult MainWindow::applyM2m(const QString &modelName, const QCborValue &pk, const QString &fieldName,
                                  const QVector<QCborValue> &checked, int mode)
{
    const Model *model = m_session->registry().model(modelName);
    const Field *field = model ? model->field(fieldName) : nullptr;
    if (!field)
        return {};
    return m_records->changeM2m(model, pk, field, checked, RecordActions::M2mMode(mode));
}

void MainWindow::editM2mCell(const QModelIndex &index)
{
    auto *table = qobject_cast<const RecordTableModel *>(index.model());
    const Field *field = table->fieldAt(index.column());
    const QCborValue pk = table->pkAt(index.row());
    M2mDialog dialog(m_session, table->djangoModel(), pk, field, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    applyM2m(table->djangoModel()->name, pk, field->name, dialog.checkedIds(), int(dialog.mode()));
}

// --- Export ----------------------------------------------------------------------

bool MainWindow::exportTrace(const QString &path, TraceFormat format, bool selectionOnly, QString *error)
{
    m_session->bridge().flush();
    return exportRecording(m_session->recorder(), selectionOnly ? m_timelineView->selectionModel() : nullptr, format, path, error);
}

void MainWindow::exportDialog(bool selectionOnly)
{
    m_session->bridge().flush();
    exportWithDialog(this, m_session->recorder(), selectionOnly ? m_timelineView->selectionModel() : nullptr,
                     QStringLiteral("signalscope-django-%1.trace.jsonl").arg(djangoVersionName(m_session->djangoVersion())));
}

// --- Desktop behaviour -------------------------------------------------------------

void MainWindow::addRecentFile(const QString &path)
{
    WindowSettings::addRecentFile(path);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = WindowSettings::recentFiles();
    for (const QString &path : recent)
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); })->setToolTip(path);
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    m_mainSplitter->restoreState(settings.value(QStringLiteral("mainSplitter")).toByteArray());
    m_bottomSplitter->restoreState(settings.value(QStringLiteral("bottomSplitter")).toByteArray());
    const WindowSettings::Preferences prefs = WindowSettings::Preferences::load();
    for (QAction *a : m_kindMenu->actions())
        if (prefs.hiddenSignals.contains(a->text()))
            a->setChecked(false);
    m_updateFieldsAction->setChecked(prefs.updateFieldsOnly);
    if (auto *django = findChild<QAction *>(QStringLiteral("showDjangoReceivers")))
        django->setChecked(prefs.showDjangoReceivers);
    setFollowNewest(prefs.followNewest);
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
    settings.setValue(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("bottomSplitter"), m_bottomSplitter->saveState());
    WindowSettings::Preferences prefs;
    prefs.hiddenSignals = m_timelineState->hiddenSignals();
    prefs.updateFieldsOnly = m_updateFieldsAction->isChecked();
    if (auto *django = findChild<QAction *>(QStringLiteral("showDjangoReceivers")))
        prefs.showDjangoReceivers = django->isChecked();
    prefs.followNewest = m_timelineState->followsNewest();
    prefs.save();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile()) {
        openFile(urls.first().toLocalFile());
        event->acceptProposedAction();
    }
}

} // namespace ss
