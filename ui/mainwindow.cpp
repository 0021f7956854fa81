#include "mainwindow.h"

#include "loaders.h"
#include "scenariorunner.h"
#include "traceexport.h"
#include "tracerecorder.h"

#include <QBuffer>
#include <QFontDatabase>
#include <QPlainTextEdit>

namespace ss {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_view(new QPlainTextEdit(this))
{
    setWindowTitle(QStringLiteral("SignalScope"));
    m_view->setReadOnly(true);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setPlainText(tr("Open a scenario with: signalscope path/to/x.scenario.json"));
    setCentralWidget(m_view);
    resize(1000, 700);
}

bool MainWindow::openFile(const QString &path)
{
    LoadError error;
    auto scenario = loadScenarioFile(path, &error);
    if (!scenario) {
        m_view->setPlainText(error.toString());
        return false;
    }
    TraceRecorder recorder;
    try {
        ScenarioRunner runner(std::move(*scenario));
        runner.engine().dispatch().addListener(&recorder);
        runner.runAll();
        runner.engine().dispatch().removeListener(&recorder);
    } catch (const DjangoError &e) {
        m_view->setPlainText(e.type() + QStringLiteral(": ") + e.message());
        return false;
    }
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    writeCanonicalJsonl(recorder, buffer);
    m_view->setPlainText(QString::fromUtf8(buffer.data()));
    setWindowTitle(QStringLiteral("SignalScope — ") + path);
    return true;
}

} // namespace ss
