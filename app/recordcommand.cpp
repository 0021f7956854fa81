#include "recordcommand.h"

#include "djangoagent.h"

#include "trace/traceexport.h"
#include "trace/tracerecorder.h"
#include "trace/wireimport.h"
#include "wirecollector.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTextStream>

namespace ss {

static QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

// The raw streams one after the other (each begins with its hello): what
// `--format wire` writes and `signalscope open` reads back.
static bool writeWire(const QVector<WireCollector::Stream> &streams, QIODevice &device)
{
    for (const WireCollector::Stream &stream : streams) {
        QByteArray bytes = stream.bytes;
        if (!bytes.isEmpty() && !bytes.endsWith('\n'))
            bytes.append('\n');         // a cut-off last line must not swallow the next hello
        if (device.write(bytes) != bytes.size())
            return false;
    }
    return true;
}

int recordCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs COMMAND (e.g. python3 manage.py test) with SignalScope's Django agent injected and writes the "
        "signals every Python process of it sent. The project is not changed.\n"
        "Exit status: the command's; 1 when it crashed or the trace cannot be written; 127 when it cannot be "
        "started; 2 for bad options."));
    parser.addHelpOption();
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("The command and its arguments (after --)."),
                                 QStringLiteral("-- COMMAND [ARGS...]"));
    const QCommandLineOption traceOption(QStringLiteral("trace"),
                                         QStringLiteral("Write the trace to <file> (default: signalscope-record<suffix> here)."),
                                         QStringLiteral("file"));
    const QCommandLineOption formatOption(QStringLiteral("format"),
                                          QStringLiteral("jsonl (canonical JSON Lines, default), csv, chrome (Perfetto), "
                                                         "or wire (everything the agent sent, for signalscope open)."),
                                          QStringLiteral("format"), QStringLiteral("jsonl"));
    const QCommandLineOption forceOption(QStringLiteral("force"),
                                         QStringLiteral("Record even when the project's DEBUG is off."));
    const QCommandLineOption signalsOption(QStringLiteral("signals"),
                                           QStringLiteral("Record only these signals (comma-separated names or patterns: post_save,shop.*)."),
                                           QStringLiteral("names"));
    const QCommandLineOption excludeOption(QStringLiteral("exclude"),
                                           QStringLiteral("Do not record these signals (comma-separated names or patterns)."),
                                           QStringLiteral("names"));
    const QCommandLineOption aggregateOption(QStringLiteral("aggregate-init"),
                                             QStringLiteral("Count pre_init/post_init sends that have no receivers instead of recording each."));
    parser.addOptions({traceOption, formatOption, forceOption, signalsOption, excludeOption, aggregateOption});
    // Options stop at the first word of the command (or at --): the command's own
    // options (-v 2, --settings=...) are its, not ours.
    QStringList ours = arguments;
    if (ours.size() > 1)
        ours.removeAt(1);               // "record"
    if (!parser.parse(ours)) {
        err() << "signalscope record: " << parser.errorText() << Qt::endl;
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    QStringList command = parser.positionalArguments();
    if (!command.isEmpty() && command.first() == QLatin1String("--"))
        command.removeFirst();
    if (command.isEmpty()) {
        err() << "signalscope record: no command given (signalscope record [--trace OUT] -- COMMAND [ARGS...])" << Qt::endl;
        return 2;
    }
    const QString formatText = parser.value(formatOption);
    const bool wire = formatText.compare(QLatin1String("wire"), Qt::CaseInsensitive) == 0;
    const auto format = wire ? std::optional<TraceFormat>() : formatFromName(formatText);
    if (!wire && !format) {
        err() << "signalscope record: unknown trace format '" << formatText << "' (use jsonl, csv, chrome or wire)" << Qt::endl;
        return 2;
    }
    const QString tracePath = parser.isSet(traceOption)
                                  ? parser.value(traceOption)
                                  : QStringLiteral("signalscope-record") + (wire ? QStringLiteral(".wire.jsonl") : formatSuffix(*format));
    const QString agentDir = agentDirectory();
    if (agentDir.isEmpty()) {
        err() << "signalscope record: the Django agent (signalscope_agent.py) is not installed next to signalscope; "
                 "set SIGNALSCOPE_AGENT_DIR to the folder that holds it" << Qt::endl;
        return 1;
    }

    WireCollector collector;
    QString listenError;
    if (!collector.listen(&listenError)) {
        err() << "signalscope record: cannot open the local socket for the agent: " << listenError << Qt::endl;
        return 1;
    }
    QObject::connect(&collector, &WireCollector::streamOpened, [&](int index) {
        if (index == 1)
            err() << "signalscope record: a second Python process connected; each process is recorded as its own steps"
                  << Qt::endl;
    });

    AgentOptions options;
    options.socketPath = collector.socketPath();
    options.force = parser.isSet(forceOption);
    options.signalFilter = parser.value(signalsOption);
    options.excludeFilter = parser.value(excludeOption);
    options.aggregateInit = parser.isSet(aggregateOption);

    QProcess process;
    process.setProgram(command.first());
    process.setArguments(command.mid(1));
    process.setProcessEnvironment(agentEnvironment(QProcessEnvironment::systemEnvironment(), agentDir, options));
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.setInputChannelMode(QProcess::ForwardedInputChannel);
    QEventLoop loop;
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            loop.quit();
    });
    process.start();
    if (!process.waitForStarted(-1)) {
        err() << "signalscope record: cannot start " << command.first() << ": " << process.errorString() << Qt::endl;
        return 127;
    }
    if (process.state() != QProcess::NotRunning)
        loop.exec();

    // Children the command left running (a server's worker) may still stream.
    if (!collector.waitForClose(3000))
        err() << "signalscope record: " << collector.openStreams()
              << " process(es) were still connected 3 s after the command ended; what they sent so far is kept" << Qt::endl;

    int status = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : 1;
    if (process.exitStatus() != QProcess::NormalExit)
        err() << "signalscope record: the command crashed (" << process.errorString() << ")" << Qt::endl;

    TraceRecorder recorder;
    WireImport import(&recorder);
    for (const WireCollector::Stream &stream : collector.streams()) {
        import.feed(stream.bytes);
        import.endStream();
    }
    for (const QString &problem : import.problems())
        err() << "signalscope record: " << problem << Qt::endl;
    if (collector.streams().isEmpty())
        err() << "signalscope record: no process connected: the command ran no Python with Django, or Python "
                 "did not load the agent (a virtualenv without site? python -S?)" << Qt::endl;

    QString writeError;
    const bool written = writeAtomically(tracePath, [&](QIODevice &device) {
        return wire ? writeWire(collector.streams(), device) : writeTrace(*format, recorder, device);
    }, &writeError);
    if (!written) {
        err() << "signalscope record: cannot write " << tracePath << ": " << writeError << Qt::endl;
        return status == 0 ? 1 : status;
    }
    qint64 sends = 0;
    for (const WireProcess &p : import.processes())
        sends += p.sends;
    err() << "signalscope record: " << import.processes().size() << " process(es), " << sends << " send(s) -> "
          << tracePath << Qt::endl;
    return status;
}

} // namespace ss
