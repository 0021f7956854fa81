#pragma once
// A window on real Django processes: a recorded trace opened from a file
// (wire or canonical JSON Lines), a Django command run with the agent, or
// every process that connects while it listens. Each process is a tab with
// the same parts a simulated run has, on its own recording: the timeline tree
// and its painted views (TimelineViews: flame, lifelines, sequence diagram,
// one selection), the inspector following that selection, the loop banner,
// and, where the schema panel would be, the receiver map the process
// reported (ReceiverMapModel: file:line, dispatch_uid, weak). There are no
// record tables: SignalScope does not own a recorded process's database, and
// the window says so.

#include "djangoagent.h"

#include <QMainWindow>
#include <QPointer>
#include <QString>
#include <functional>
#include <memory>

class QLabel;
class QLineEdit;
class QProcess;
class QTabWidget;
class QTextBrowser;
class QToolButton;
class QTreeView;

namespace ss {

class ReceiverMapModel;
class Session;
class TimelineController;
class TimelineFilter;
class TimelineModel;
class TimelineViews;
class WireCollector;
class WireImport;

// One recorded process (or one trace file): its timeline, views, inspector and receiver map.
class RecordedProcessView : public QWidget
{
    Q_OBJECT
public:
    explicit RecordedProcessView(QWidget *parent = nullptr);
    ~RecordedProcessView() override;

    void feed(const QByteArray &bytes);     // more of its wire stream
    void endStream();                       // the process closed its connection
    // A wire or canonical trace file; false if unreadable. `progress` (bytes
    // read, file size), asked every megabyte or so, returns false to stop:
    // what was read is kept and the stop is said among the problems.
    using LoadProgress = std::function<bool(qint64 done, qint64 total)>;
    bool loadFile(const QString &path, const LoadProgress &progress = {});

    QString title() const;
    QStringList problems() const;
    Session &session() { return *m_session; }
    TimelineModel *timeline() const { return m_timeline; }
    TimelineFilter *filter() const { return m_filter; }
    QTreeView *tree() const { return m_tree; }
    TimelineController *controller() const { return m_controller; }
    QToolButton *followButton() const { return m_follow; }
    TimelineViews *views() const { return m_views; }
    QTextBrowser *inspector() const { return m_inspector; }
    QLabel *loopBanner() const { return m_loopBanner; }
    ReceiverMapModel *receiverMap() const { return m_receiverModel; }
    QTreeView *receiverTree() const { return m_receiverTree; }

signals:
    void titleChanged(const QString &title);

private:
    void refresh();
    void showInspector(int event);

    std::unique_ptr<Session> m_session;
    std::unique_ptr<WireImport> m_import;
    TimelineModel *m_timeline;
    TimelineFilter *m_filter;
    TimelineController *m_controller;
    QLineEdit *m_search;
    QToolButton *m_follow;
    QTreeView *m_tree;
    TimelineViews *m_views;
    QTextBrowser *m_inspector;
    QLabel *m_loopBanner;
    ReceiverMapModel *m_receiverModel;
    QTreeView *m_receiverTree;
    QLabel *m_problems;
    QStringList m_fileProblems;
    QString m_title;
};

class RecordedRunWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit RecordedRunWindow(QWidget *parent = nullptr);
    ~RecordedRunWindow() override;

    bool openTrace(const QString &path);                    // a new tab; false (and a message) if unreadable
    bool listen(QString *error = nullptr);                  // every agent that connects becomes a tab
    // Runs `program` with the agent (DEBUG off refused unless `force`), tabs filling live.
    bool record(const QString &program, const QStringList &arguments, const QString &workingDirectory,
                bool force, QString *error = nullptr);
    QString socketPath() const;
    QTabWidget *tabs() const { return m_tabs; }
    RecordedProcessView *processView(int index) const;
    QString banner() const;
    // The trace of tab `index` in `format` (canonical JSON Lines, CSV, Trace Event), written atomically:
    // whole, or (selectionOnly) the subtrees of the rows selected in its tree.
    bool exportTrace(int index, const QString &path, const QString &format, QString *error = nullptr,
                     bool selectionOnly = false);

    // The dialogs of File ▸ Record a Django command… and File ▸ Listen for Django processes….
    static void recordDialog(QWidget *parent);
    static void listenDialog(QWidget *parent);
    static void openDialog(QWidget *parent, const QString &path = {});

private:
    RecordedProcessView *addView();
    void exportDialog(bool selectionOnly);          // File ▸ Export…, on the current tab

    QTabWidget *m_tabs;
    QLabel *m_banner;
    std::unique_ptr<WireCollector> m_collector;
    QVector<QPointer<RecordedProcessView>> m_streams;      // per collector stream
    QPointer<QProcess> m_process;
};

} // namespace ss
