#pragma once
// The SignalScope window: record tables on top, the live signal timeline and
// its inspector below, the schema (models, receivers in dispatch order) and
// the scenario (run all / step / reset) in side panels.

#include "samplecatalog.h"
#include "session/session.h"
#include "trace/traceexport.h"

#include <QMainWindow>
#include <QPersistentModelIndex>
#include <QPointer>

class QLabel;
class QLineEdit;
class QListView;
class QSplitter;
class QTabWidget;
class QTableView;
class QTextBrowser;
class QToolButton;
class QTreeView;
class QStandardItemModel;
class QUndoStack;
class QAction;
class QComboBox;
class QMenu;
class QProgressDialog;

namespace ss {

class TimelineModel;
class TimelineFilter;
class RecordTableModel;
class ScenarioStepsModel;
class UndoHistory;
class TimelineController;
class ScenarioController;
class SchemaModel;
class RecordTables;
class RecordActions;
class StatusCounts;
class InspectorView;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens a schema or scenario file (or a ":/samples/..." resource). Errors
    // are shown in the window; returns whether it loaded.
    bool openFile(const QString &path);
    bool openSample(const QString &name);
    static QVector<SampleInfo> samples();

    // For tests and scripting: the parts of the window.
    Session *session() const { return m_session; }
    TimelineModel *timelineModel() const { return m_timeline; }
    TimelineFilter *timelineFilter() const { return m_filter; }
    TimelineController *timelineController() const { return m_timelineState; }
    ScenarioController *scenarioController() const { return m_scenario; }
    QTreeView *timelineView() const { return m_timelineView; }
    RecordTableModel *tableModel(const QString &modelName) const;
    QTableView *tableView(const QString &modelName) const;
    QTreeView *schemaTree() const { return m_schemaTree; }
    SchemaModel *schemaModel() const { return m_schemaModel; }
    QListView *stepList() const { return m_steps; }
    ScenarioStepsModel *stepsModel() const { return m_stepsModel; }
    InspectorView *inspector() const { return m_inspector; }
    QUndoStack *undoStack() const { return m_undo; }
    QString loopBannerText() const;
    QString tableMessage() const;

    // Dialog-free entry points the actions use (tests drive these directly).
    void setAskBeforeDelete(bool ask) { m_askBeforeDelete = ask; }
    ActionResult createRow(const QString &modelName, const Kwargs &values);
    ActionResult deleteRows(const QString &modelName, const QVector<QCborValue> &pks);
    DeletePreview lastDeletePreview() const;
    ActionResult applyM2m(const QString &modelName, const QCborValue &pk, const QString &field,
                          const QVector<QCborValue> &checked, int mode /* 0 diff, 1 set, 2 clear */);
    bool exportTrace(const QString &path, TraceFormat format, bool selectionOnly, QString *error = nullptr);
    void setPaused(bool paused);
    void setFollowNewest(bool follow);
    void runAll();
    void stepOnce();
    void resetScenario();
    void flushTimeline();
    void selectEvent(int event);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildActions();
    void buildTimeline();
    void buildDocks();
    void dropTables();
    void rebuildForSchema();
    void rebuildSchemaTree();
    void rebuildSteps();
    void refreshTables();
    void updateStepHighlight();
    void showTableError(const QString &text);
    void showHint(const QString &html);
    void dismissHint();         // a friendly note where errors go (not red)
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    void restoreSettings();
    void saveSettings();
    void onLoopDetected(int loop, const QString &path);
    void addRow(bool bulk);
    void deleteSelectedRows();
    void updateSelectedRows();
    void editM2mCell(const QModelIndex &index);
    void exportDialog(bool selectionOnly);

    Session *m_session;
    TimelineModel *m_timeline;
    TimelineFilter *m_filter;
    TimelineController *m_timelineState;   // paused, following, filters, the current event
    ScenarioController *m_scenario;        // run all, step, reset
    QTreeView *m_timelineView = nullptr;
    InspectorView *m_inspector = nullptr;
    RecordTables *m_tables = nullptr;
    QLabel *m_tableMessage = nullptr;
    QLabel *m_loopBanner = nullptr;
    QLabel *m_readingNote = nullptr;
    QTreeView *m_schemaTree = nullptr;
    SchemaModel *m_schemaModel = nullptr;
    QListView *m_steps = nullptr;
    ScenarioStepsModel *m_stepsModel = nullptr;
    QLabel *m_scenarioInfo = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_bottomSplitter = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_modelFilter = nullptr;
    QToolButton *m_kindButton = nullptr;
    QMenu *m_kindMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QLabel *m_statusDb = nullptr;
    QLabel *m_statusEvents = nullptr;
    UndoHistory *m_history = nullptr;
    QUndoStack *m_undo = nullptr;      // m_history's stack
    QAction *m_pauseAction = nullptr;
    QAction *m_followAction = nullptr;
    QAction *m_updateFieldsAction = nullptr;
    QAction *m_runAllAction = nullptr;
    QAction *m_stepAction = nullptr;
    QAction *m_resetAction = nullptr;
    QString m_currentFile;
    bool m_askBeforeDelete = true;
    bool m_hint = false;
    StatusCounts *m_status = nullptr;   // the status bar's texts
    bool m_keepTab = false;
    RecordActions *m_records = nullptr;    // create, delete, m2m, update: undoable, dialog-free
};

} // namespace ss
