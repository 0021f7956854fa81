#include "traceexportdialog.h"

#include "roles.h"
#include "trace/tracerecorder.h"
#include "windowsettings.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QMainWindow>
#include <QMessageBox>
#include <QStatusBar>

namespace ss {

bool exportRecording(const TraceRecorder &recorder, const QItemSelectionModel *selection, TraceFormat format,
                     const QString &path, QString *error)
{
    std::optional<EventRange> range;
    if (selection) {
        QVector<int> events;
        for (const QModelIndex &index : selection->selectedRows())
            events.append(index.data(EventIndexRole).toInt());
        range = subtreesRange(recorder, events);
        if (!range) {
            if (error)
                *error = QObject::tr("Nothing is selected in the timeline.");
            return false;
        }
    }
    QString writeError;
    if (!writeAtomically(path, [&](QIODevice &device) { return writeTrace(format, recorder, device, range); }, &writeError)) {
        if (error)
            *error = QObject::tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), writeError);
        return false;
    }
    return true;
}

void exportWithDialog(QMainWindow *window, const TraceRecorder &recorder, const QItemSelectionModel *selection,
                      const QString &suggestedName)
{
    const QString jsonl = QObject::tr("Canonical JSON Lines (*.trace.jsonl)");
    const QString csv = QObject::tr("CSV (*.csv)");
    const QString chrome = QObject::tr("Trace Event JSON for Perfetto / chrome://tracing (*.json)");
    QString filter = jsonl;
    const QString path = QFileDialog::getSaveFileName(
        window, selection ? QObject::tr("Export the selected events") : QObject::tr("Export the trace"),
        WindowSettings::exportDir() + QLatin1Char('/') + suggestedName, QStringList{jsonl, csv, chrome}.join(QStringLiteral(";;")),
        &filter);
    if (path.isEmpty())
        return;
    WindowSettings::setExportDir(QFileInfo(path).absolutePath());
    const TraceFormat format = filter == csv ? TraceFormat::Csv : filter == chrome ? TraceFormat::ChromeTrace : TraceFormat::CanonicalJsonl;
    QString error;
    if (!exportRecording(recorder, selection, format, path, &error))
        QMessageBox::warning(window, QObject::tr("Export"), error);
    else
        window->statusBar()->showMessage(QObject::tr("Wrote %1").arg(QDir::toNativeSeparators(path)), 5000);
}

} // namespace ss
