#pragma once
// The scenario's templates (contract section 8.3): Django's template language
// cut down to variables with attribute chains, {% include %}, {% extends %}
// and {% block %}. Parsed and checked once by the loader (a template outside
// the subset refuses the scenario), walked by the renderer.

#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace ss {

struct TemplateNode
{
    enum class Kind { Text, Variable, Include, Block };
    Kind kind = Kind::Text;
    QStringList variable;                   // Variable: v, then its attributes
    QString name;                           // Include: the template; Block: the block's name
    std::vector<TemplateNode> children;     // Block: its nodes
};

struct TemplateDecl
{
    QString name;
    QString extends;                        // empty: extends nothing
    std::vector<TemplateNode> nodes;        // top level, in order
    // The nodes of block `name` wherever it is nested; nullptr when not defined here.
    const std::vector<TemplateNode> *block(const QString &name) const;
};

class TemplateSet
{
public:
    // Parses every source; returns an error message and sets *badName for the
    // first template that breaks the rules (names, tag subset, nesting,
    // unknown or cyclic include/extends), or nullopt when all are fine.
    std::optional<QString> parse(const QMap<QString, QString> &sources, QString *badName);

    bool contains(const QString &name) const { return m_templates.contains(name); }
    const TemplateDecl *find(const QString &name) const;
    bool isEmpty() const { return m_templates.isEmpty(); }
    QStringList names() const { return m_templates.keys(); }

    // Template names Django accepts here (not its own error pages).
    static bool isValidName(const QString &name);

private:
    QMap<QString, TemplateDecl> m_templates;
};

// What a render does, in order (contract 8.3, step 3): each template of a
// chain starts, then the variables it evaluates, includes as they are reached.
class TemplateVisitor
{
public:
    virtual ~TemplateVisitor() = default;
    virtual void templateStarted(const QString &name) = 0;
    virtual void variable(const QStringList &chain) = 0;
};

// Walks render(name): the chain's templates first, then the root's nodes
// with blocks taken from the first template of the chain defining them.
void walkTemplate(const TemplateSet &templates, const QString &name, TemplateVisitor &visitor);

} // namespace ss
