#pragma once
// Django versions in the window (contract section 9): the version selector in
// the status bar, and the side-by-side comparison of the loaded scenario run
// under Django 3.2 and 5.0 — the teaching view for "what changed in Django".

#include "session/session.h"

#include <QComboBox>
#include <QDialog>

class QCheckBox;
class QLabel;
class QMainWindow;
class QMenu;
class QTableView;
class QTextBrowser;

namespace ss {

class VersionCompareModel;

// "Django 3.2" / "Django 5.0": shows the session's version and changes it
// (which restarts the scenario, as Reset does).
class DjangoVersionSelector : public QComboBox
{
    Q_OBJECT
public:
    explicit DjangoVersionSelector(Session *session, QWidget *parent = nullptr);

private:
    void showVersion(DjangoVersion version);
    Session *m_session;
};

class VersionCompareDialog : public QDialog
{
    Q_OBJECT
public:
    explicit VersionCompareDialog(Session *session, QWidget *parent = nullptr);

    // Runs the session's scenario (its steps as loaded, not the window's own
    // edits) under 3.2 and 5.0, each on a fresh database; false with the
    // message shown when a run cannot start.
    bool compare();

    VersionCompareModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QLabel *summaryLabel() const { return m_summary; }
    QCheckBox *differencesOnlyBox() const { return m_differencesOnly; }
    QTextBrowser *details() const { return m_details; }

private:
    void showDetails();

    Session *m_session;
    VersionCompareModel *m_model;
    QLabel *m_title;
    QLabel *m_summary;
    QCheckBox *m_differencesOnly;
    QTableView *m_view;
    QTextBrowser *m_details;
};

// Adds the selector to the window's status bar and "Compare Django 3.2 and
// 5.0…" to `menu`.
void installDjangoVersionControls(QMainWindow *window, QMenu *menu, Session *session);

} // namespace ss
