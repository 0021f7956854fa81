// signalscope: the window by default; `signalscope run SCENARIO` headless.
//
// Exit status of `run`: 0 when the scenario ran (a failing step is part of the
// trace, not a failure of the command), 2 when an input is invalid, 1 on an
// internal failure (the database cannot be used, the trace cannot be written).

#include "db/databases.h"
#include "formats/loaders.h"
#include "mainwindow.h"
#include "recordcommand.h"
#include "recordedrunwindow.h"
#include "session/scenariorunner.h"
#include "session/session.h"
#include "trace/traceexport.h"
#include "trace/tracerecorder.h"

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
                                      QStringLiteral("The database (Django's DATABASES entry): a SQLite file, whose tables are emptied first, "
                                                     "or postgresql://user[:password]@host[:port]/name, where the run gets its own "
                                                     "database test_<name>_<pid>, created empty and dropped at the end, as with "
                                                     "Django's test runner. ALIAS=LOCATION defines another alias. "
                                                     "Default: a private in-memory SQLite database."),
                                      QStringLiteral("location"));
    const QCommandLineOption usingOption(QStringLiteral("using"),
                                         QStringLiteral("The database alias to run on, the signals' `using` (default: default)."),
                                         QStringLiteral("alias"), DatabaseAliases::defaultAlias());
    const QCommandLineOption djangoOption(QStringLiteral("django"),
                                          QStringLiteral("The Django version to reproduce: 3.2 or 5.0 (default: the scenario's \"django\", else 3.2)."),
                                          QStringLiteral("version"));
    parser.addOptions({traceOption, formatOption, dbOption, usingOption, djangoOption});
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

    DatabaseAliases databases;
    for (const QString &spec : parser.values(dbOption)) {
        QString error;
        if (!databases.add(spec, &error)) {
            err() << "signalscope run: --db: " << error << Qt::endl;
            return 2;
        }
    }
    const QString alias = parser.value(usingOption);
    if (!databases.contains(alias)) {
        err() << "signalscope run: --using: the database alias '" << alias << "' is not defined (use --db "
              << alias << "=LOCATION)" << Qt::endl;
        return 2;
    }
    const QString database = databases.location(alias);
    std::optional<DjangoVersion> django;
    if (parser.isSet(djangoOption)) {
        django = djangoVersionFromName(parser.value(djangoOption));
        if (!django) {
            err() << "signalscope run: --django: unknown Django version '" << parser.value(djangoOption)
                  << "' (use 3.2 or 5.0)" << Qt::endl;
            return 2;
        }
    }

    LoadError loadError;
    std::optional<ScenarioDecl> scenario = loadScenarioFile(positional.at(1), &loadError);
    if (!scenario) {
        err() << "signalscope: " << loadError.toString() << Qt::endl;
        return 2;
    }
    if (django)
        scenario->django = *django;

    TraceRecorder recorder;
    recorder.setDjangoVersion(djangoVersionName(scenario->django));
    try {
        ScenarioRunner runner(std::move(*scenario), database, alias);
        // "Before step 0 every table exists and is empty": a SQLite file is
        // emptied; a server database is new.
        if (database != QLatin1String(":memory:") && !Backend::isServerUrl(database))
            runner.engine().resetDatabase();
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
        if (arg == "run" || arg == "record" || arg == "--help" || arg == "-h" || arg == "--version" || arg == "-v" || arg == "--help-all")
            headless = true;
    }
    if (headless) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("signalscope"));
        QCoreApplication::setApplicationVersion(QStringLiteral(SIGNALSCOPE_VERSION));
        const QStringList arguments = QCoreApplication::arguments();
        if (arguments.size() > 1 && arguments.at(1) == QLatin1String("run"))
            return runCommand(arguments);
        if (arguments.size() > 1 && arguments.at(1) == QLatin1String("record"))
            return recordCommand(arguments);
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral(
            "SignalScope shows what Django's model signals do: which fire, in what order, with which arguments.\n\n"
            "Usage:\n"
            "  signalscope [--db LOCATION] [FILE]  open the window (on a bundled sample, or on FILE)\n"
            "  signalscope run SCENARIO.json       run a scenario headless and write its trace\n"
            "                                      (see signalscope run --help)\n"
            "  signalscope record -- COMMAND ...   record the signals of a real Django command\n"
            "  signalscope open TRACE              open a recorded trace (wire or canonical JSON Lines)\n"
            "                                      (see signalscope record --help)"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOption(QCommandLineOption(QStringLiteral("db"),
                                            QStringLiteral("The window's database: a SQLite file or postgresql://user@host:port/name "
                                                           "(a fresh test_<name>_<pid> database per opened file). Default: SQLite in memory."),
                                            QStringLiteral("location")));
        parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A schema or scenario file to open."), QStringLiteral("[file]"));
        parser.process(app);
        return 0;
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("SignalScope"));
    QApplication::setOrganizationName(QStringLiteral("SignalScope"));
    QApplication::setApplicationVersion(QStringLiteral(SIGNALSCOPE_VERSION));
    // `signalscope open TRACE`: a recorded trace (wire or canonical JSON Lines) in its own window.
    const QStringList all = QApplication::arguments();
    if (all.size() == 3 && all.at(1) == QLatin1String("open")) {
        RecordedRunWindow::openDialog(nullptr, all.at(2));
        return app.exec();
    }
    // `signalscope [--db LOCATION] [FILE]`: the database is set before the
    // window opens its first sample.
    QCommandLineParser parser;
    const QCommandLineOption dbOption(QStringLiteral("db"), QString(), QStringLiteral("location"));
    parser.addOption(dbOption);
    parser.addPositionalArgument(QStringLiteral("file"), QString());
    parser.parse(QApplication::arguments());
    if (parser.isSet(dbOption)) {
        DatabaseAliases databases;
        QString error;
        if (!databases.add(parser.value(dbOption), &error)) {
            err() << "signalscope: --db: " << error << Qt::endl;
            return 2;
        }
        Session::setDefaultDatabase(databases.location(DatabaseAliases::defaultAlias()));
    }
    MainWindow window;
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty())
        window.openFile(files.first());
    window.show();
    return app.exec();
}
