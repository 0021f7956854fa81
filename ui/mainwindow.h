#pragma once
// The SignalScope window. (The full window — record tables, live timeline,
// inspector — is issue 3; this shell loads a file and shows its trace.)

#include <QMainWindow>

class QPlainTextEdit;

namespace ss {

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    // Runs a scenario file and shows its canonical trace; reports errors in the window.
    bool openFile(const QString &path);

private:
    QPlainTextEdit *m_view;
};

} // namespace ss
