#pragma once
// Reading schema and scenario files (contract sections 1-3). Everything that can
// be checked before running is checked here; a file that fails is refused whole
// with one message naming the file and where in it (line:column, JSON path).

#include "formats/scenario.h"
#include "formats/schema.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace ss {

struct LoadError
{
    QString file;       // the offending file (a scenario's schema file when that is the culprit)
    int line = 0;       // 1-based; 0 when unknown
    int column = 0;     // 1-based; 0 when unknown
    QString path;       // JSON path of the offending value, e.g. "steps[3].model"; empty for syntax errors
    QString message;    // what is wrong, one sentence
    // "file:line:column: steps[3].model: unknown model 'Foo'" (parts omitted when unknown)
    QString toString() const;
};

std::optional<SchemaDecl> loadSchemaFile(const QString &path, LoadError *error);
std::optional<SchemaDecl> parseSchema(const QByteArray &json, const QString &fileForMessages, LoadError *error);

// A scenario's "schema" is a path relative to the scenario file, or an inline object.
std::optional<ScenarioDecl> loadScenarioFile(const QString &path, LoadError *error);
// A scenario's steps are read one at a time (the text is checked whole first,
// so a syntax error anywhere is still reported before anything else): no
// tree of the whole document is built, however many steps it has.
std::optional<ScenarioDecl> parseScenario(const QByteArray &json, const QString &fileForMessages, LoadError *error);
// The same reading over a tree of the whole document: what parseScenario does
// for a text that may hold a value no engine value can hold (so that check
// sees every value in the order it always has). Same result, same messages;
// the tests compare the two.
std::optional<ScenarioDecl> parseScenarioAsTree(const QByteArray &json, const QString &fileForMessages, LoadError *error);

// True when the file's "format" tag says it is a scenario (used to decide how to open a file).
bool looksLikeScenario(const QByteArray &json);

} // namespace ss
