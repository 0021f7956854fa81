// signalscope: the window by default; `signalscope run SCENARIO` headless.
//
// Exit status of `run`: 0 when the scenario ran (a failing step is part of the
// trace, not a failure of the command), 2 when an input is invalid, 1 on an
// internal failure (the database cannot be used, the trace cannot be written).

#include "loaders.h"
#include "mainwindow.h"
#include "scenariorunner.h"
#include "traceexport.h"
#include "tracerecorder.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QTextStream>

using namespace ss;

static QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

static int runCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs a scenario headless and writes its signal trace.\n"
        "Exit status: 0 the scenario ran (failing steps are part of the trace), "
        "2 an input is invalid, 1 an internal failure."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("run"), QStringLiteral("The subcommand."));
    parser.addPositionalArgument(QStringLiteral("scenario"), QStringLiteral("The *.scenario.json file to run."));
    const QCommandLineOption traceOption(QStringLiteral("trace"),
                                         QStringLiteral("Write the trace to <file> (default: standard output)."),
                                         QStringLiteral("file"));
    const QCommandLineOption formatOption(QStringLiteral("format"),
                                          QStringLiteral("Trace format: jsonl (canonical JSON Lines, default), csv, or chrome (Trace Event JSON for Perfetto)."),
                                          QStringLiteral("format"), QStringLiteral("jsonl"));
    const QCommandLineOption dbOption(QStringLiteral("db"),
                                      QStringLiteral("SQLite database file to run against (default: a private in-memory database). Its tables are emptied first."),
                                      QStringLiteral("path"));
    parser.addOptions({traceOption, formatOption, dbOption});
    if (!parser.parse(arguments)) {
        err() << "signalscope run: " << parser.errorText() << Qt::endl;
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2) {
        err() << "signalscope run: expected exactly one scenario file (see signalscope run --help)" << Qt::endl;
        return 2;
    }
    const auto format = formatFromName(parser.value(formatOption));
    if (!format) {
        err() << "signalscope run: unknown trace format '" << parser.value(formatOption)
              << "' (use jsonl, csv or chrome)" << Qt::endl;
        return 2;
    }

    LoadError loadError;
    std::optional<ScenarioDecl> scenario = loadScenarioFile(positional.at(1), &loadError);
    if (!scenario) {
        err() << "signalscope: " << loadError.toString() << Qt::endl;
        return 2;
    }

    TraceRecorder recorder;
    try {
        const QString database = parser.isSet(dbOption) ? parser.value(dbOption) : QStringLiteral(":memory:");
        ScenarioRunner runner(std::move(*scenario), database);
        if (parser.isSet(dbOption))
            runner.engine().resetDatabase();   // "before step 0 every table exists and is empty"
        runner.engine().dispatch().addListener(&recorder);
        runner.open();
        // A step failing because the database file became unusable (locked,
        // read-only) is the environment's failure, not the scenario's: exit 1.
        while (!runner.atEnd()) {
            const std::optional<DjangoError> failure = runner.runNext();
            if (failure && isDatabaseUnusable(*failure))
                throw *failure;
        }
        runner.engine().dispatch().removeListener(&recorder);
    } catch (const DjangoError &error) {
        err() << "signalscope: " << error.type() << ": " << error.message() << Qt::endl;
        return 1;
    }

    if (!parser.isSet(traceOption)) {
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly) || !writeTrace(*format, recorder, out)) {
            err() << "signalscope: cannot write the trace to standard output" << Qt::endl;
            return 1;
        }
        return 0;
    }
    QString writeError;
    if (!writeAtomically(parser.value(traceOption),
                         [&](QIODevice &device) { return writeTrace(*format, recorder, device); }, &writeError)) {
        err() << "signalscope: cannot write " << parser.value(traceOption) << ": " << writeError << Qt::endl;
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    // Headless unless the window is wanted: `run`, --help and --version need no display.
    bool headless = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "run" || arg == "--help" || arg == "-h" || arg == "--version" || arg == "-v" || arg == "--help-all")
            headless = true;
    }
    if (headless) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("signalscope"));
        QCoreApplication::setApplicationVersion(QStringLiteral(SIGNALSCOPE_VERSION));
        const QStringList arguments = QCoreApplication::arguments();
        if (arguments.size() > 1 && arguments.at(1) == QLatin1String("run"))
            return runCommand(arguments);
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral(
            "SignalScope shows what Django's model signals do: which fire, in what order, with which arguments.\n\n"
            "Usage:\n"
            "  signalscope [FILE]              open the window (on a bundled sample, or on FILE)\n"
            "  signalscope run SCENARIO.json   run a scenario headless and write its trace\n"
            "                                  (see signalscope run --help)"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A schema or scenario file to open."), QStringLiteral("[file]"));
        parser.process(app);
        return 0;
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("SignalScope"));
    QApplication::setOrganizationName(QStringLiteral("SignalScope"));
    QApplication::setApplicationVersion(QStringLiteral(SIGNALSCOPE_VERSION));
    MainWindow window;
    const QStringList arguments = QApplication::arguments();
    if (arguments.size() > 1)
        window.openFile(arguments.at(1));
    window.show();
    return app.exec();
}
