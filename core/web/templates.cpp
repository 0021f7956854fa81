#include "web/templates.h"

#include <QRegularExpression>
#include <QSet>

#include <functional>

namespace ss {

const std::vector<TemplateNode> *TemplateDecl::block(const QString &blockName) const
{
    // Depth first in document order: blocks are unique per template anyway.
    std::vector<const std::vector<TemplateNode> *> pending{&nodes};
    while (!pending.empty()) {
        const std::vector<TemplateNode> *list = pending.back();
        pending.pop_back();
        for (const TemplateNode &node : *list) {
            if (node.kind != TemplateNode::Kind::Block)
                continue;
            if (node.name == blockName)
                return &node.children;
            pending.push_back(&node.children);
        }
    }
    return nullptr;
}

bool TemplateSet::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_./-]*$"));
    static const QStringList errorPages = {QStringLiteral("400.html"), QStringLiteral("403.html"),
                                           QStringLiteral("404.html"), QStringLiteral("500.html")};
    return re.match(name).hasMatch() && !errorPages.contains(name);
}

const TemplateDecl *TemplateSet::find(const QString &name) const
{
    auto it = m_templates.constFind(name);
    return it == m_templates.constEnd() ? nullptr : &*it;
}

namespace {

struct ParseFailure
{
    QString message;
};

// Django's lexer: a tag runs from {{ to the next }}, {% to the next %}, {# to
// the next #}, within one line; everything else is text.
struct Token
{
    enum class Kind { Text, Variable, Block, Comment } kind;
    QString contents;       // inside the delimiters, spaces around stripped
    QString raw;
};

QString stripSpaces(const QString &text)
{
    qsizetype begin = 0, end = text.size();
    while (begin < end && text.at(begin) == QLatin1Char(' '))
        ++begin;
    while (end > begin && text.at(end - 1) == QLatin1Char(' '))
        --end;
    return text.mid(begin, end - begin);
}

std::vector<Token> tokenize(const QString &source)
{
    static const QRegularExpression tag(QStringLiteral("(\\{%.*?%\\}|\\{\\{.*?\\}\\}|\\{#.*?#\\})"));
    std::vector<Token> tokens;
    qsizetype last = 0;
    auto it = tag.globalMatch(source);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (m.capturedStart() > last)
            tokens.push_back({Token::Kind::Text, QString(), source.mid(last, m.capturedStart() - last)});
        const QString raw = m.captured(0);
        const QString inner = stripSpaces(raw.mid(2, raw.size() - 4));
        const Token::Kind kind = raw.startsWith(QLatin1String("{{")) ? Token::Kind::Variable
                               : raw.startsWith(QLatin1String("{%")) ? Token::Kind::Block : Token::Kind::Comment;
        tokens.push_back({kind, inner, raw});
        last = m.capturedEnd();
    }
    if (last < source.size())
        tokens.push_back({Token::Kind::Text, QString(), source.mid(last)});
    return tokens;
}

QString shown(const QString &raw)
{
    return raw.size() > 60 ? raw.left(57) + QStringLiteral("...") : raw;
}

class Parser
{
public:
    explicit Parser(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}

    TemplateDecl parse(const QString &name)
    {
        TemplateDecl decl;
        decl.name = name;
        bool sawNonText = false;
        parseList(decl.nodes, &decl, &sawNonText, nullptr);
        return decl;
    }

private:
    // Parses nodes until {% endblock %} (inside a block) or the end.
    void parseList(std::vector<TemplateNode> &out, TemplateDecl *decl, bool *sawNonText, const QString *openBlock)
    {
        static const QRegularExpression variable(QStringLiteral("^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*$"));
        static const QRegularExpression quotedName(QStringLiteral("^(include|extends) +\"([^\"]*)\"$"));
        static const QRegularExpression blockTag(QStringLiteral("^block +([A-Za-z_][A-Za-z0-9_]*)$"));
        while (m_pos < m_tokens.size()) {
            const Token &token = m_tokens[m_pos++];
            switch (token.kind) {
            case Token::Kind::Text:
                if (token.raw.contains(QLatin1String("{{")) || token.raw.contains(QLatin1String("{%"))
                    || token.raw.contains(QLatin1String("{#")))
                    throw ParseFailure{QStringLiteral("text holds an unclosed tag: %1").arg(shown(token.raw))};
                out.push_back({TemplateNode::Kind::Text, {}, {}, {}});
                break;
            case Token::Kind::Comment:
                throw ParseFailure{QStringLiteral("comments are not in the template subset: %1").arg(shown(token.raw))};
            case Token::Kind::Variable: {
                if (!variable.match(token.contents).hasMatch())
                    throw ParseFailure{QStringLiteral("%1 is not a variable with attributes (no filters, no literals)").arg(shown(token.raw))};
                const QStringList parts = token.contents.split(QLatin1Char('.'));
                static const QStringList reserved = {QStringLiteral("block"), QStringLiteral("True"),
                                                     QStringLiteral("False"), QStringLiteral("None")};
                if (reserved.contains(parts.first()))
                    throw ParseFailure{QStringLiteral("%1: '%2' is not a context variable").arg(shown(token.raw), parts.first())};
                TemplateNode node;
                node.kind = TemplateNode::Kind::Variable;
                node.variable = parts;
                out.push_back(std::move(node));
                *sawNonText = true;
                break;
            }
            case Token::Kind::Block: {
                const QString &c = token.contents;
                if (c == QLatin1String("endblock")) {
                    if (!openBlock)
                        throw ParseFailure{QStringLiteral("{% endblock %} without an open block")};
                    return;
                }
                if (const auto m = quotedName.match(c); m.hasMatch()) {
                    if (m.captured(1) == QLatin1String("extends")) {
                        if (*sawNonText || !decl->extends.isEmpty() || openBlock)
                            throw ParseFailure{QStringLiteral("{% extends %} must be the first tag of the template, and only once")};
                        decl->extends = m.captured(2);
                        *sawNonText = true;
                        break;
                    }
                    TemplateNode node;
                    node.kind = TemplateNode::Kind::Include;
                    node.name = m.captured(2);
                    out.push_back(std::move(node));
                    *sawNonText = true;
                    break;
                }
                if (const auto m = blockTag.match(c); m.hasMatch()) {
                    const QString blockName = m.captured(1);
                    if (m_blockNames.contains(blockName))
                        throw ParseFailure{QStringLiteral("block '%1' appears more than once").arg(blockName)};
                    m_blockNames.insert(blockName);
                    *sawNonText = true;
                    TemplateNode node;
                    node.kind = TemplateNode::Kind::Block;
                    node.name = blockName;
                    parseList(node.children, decl, sawNonText, &blockName);   // returns at its endblock
                    out.push_back(std::move(node));
                    break;
                }
                throw ParseFailure{QStringLiteral("%1 is not in the template subset (variables, include, extends, block)").arg(shown(token.raw))};
            }
            }
        }
        if (openBlock)
            throw ParseFailure{QStringLiteral("{% block %1 %} is never closed with {% endblock %}").arg(*openBlock)};
    }

    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    QSet<QString> m_blockNames;
};

void collectIncludes(const std::vector<TemplateNode> &nodes, QStringList *out)
{
    for (const TemplateNode &node : nodes) {
        if (node.kind == TemplateNode::Kind::Include)
            out->append(node.name);
        else if (node.kind == TemplateNode::Kind::Block)
            collectIncludes(node.children, out);
    }
}

} // namespace

std::optional<QString> TemplateSet::parse(const QMap<QString, QString> &sources, QString *badName)
{
    m_templates.clear();
    for (auto it = sources.cbegin(); it != sources.cend(); ++it) {
        *badName = it.key();
        if (!isValidName(it.key()))
            return QStringLiteral("%1 is not a template name Django's locmem loader may use here").arg(it.key());
        try {
            m_templates.insert(it.key(), Parser(tokenize(it.value())).parse(it.key()));
        } catch (const ParseFailure &failure) {
            return failure.message;
        }
    }
    // Every include and extends names a template here, and none leads back.
    QMap<QString, QStringList> edges;
    for (auto it = m_templates.cbegin(); it != m_templates.cend(); ++it) {
        QStringList targets;
        if (!it->extends.isEmpty())
            targets << it->extends;
        collectIncludes(it->nodes, &targets);
        for (const QString &target : std::as_const(targets)) {
            if (!m_templates.contains(target)) {
                *badName = it.key();
                return QStringLiteral("includes or extends '%1', which is not in \"templates\"").arg(target);
            }
        }
        edges.insert(it.key(), targets);
    }
    enum class Mark { None, Open, Done };
    QMap<QString, Mark> marks;
    std::function<bool(const QString &)> cyclic = [&](const QString &name) {
        marks[name] = Mark::Open;
        for (const QString &next : edges.value(name)) {
            const Mark m = marks.value(next, Mark::None);
            if (m == Mark::Open || (m == Mark::None && cyclic(next)))
                return true;
        }
        marks[name] = Mark::Done;
        return false;
    };
    for (auto it = edges.cbegin(); it != edges.cend(); ++it) {
        if (marks.value(it.key(), Mark::None) == Mark::None && cyclic(it.key())) {
            *badName = it.key();
            return QStringLiteral("include/extends leads back to itself (a cycle)");
        }
    }
    badName->clear();
    return std::nullopt;
}

namespace {

void walkNodes(const TemplateSet &templates, const std::vector<TemplateNode> &nodes,
               const std::vector<const TemplateDecl *> &chain, TemplateVisitor &visitor)
{
    for (const TemplateNode &node : nodes) {
        switch (node.kind) {
        case TemplateNode::Kind::Text:
            break;
        case TemplateNode::Kind::Variable:
            visitor.variable(node.variable);
            break;
        case TemplateNode::Kind::Include:
            walkTemplate(templates, node.name, visitor);
            break;
        case TemplateNode::Kind::Block:
            for (const TemplateDecl *t : chain) {
                if (const std::vector<TemplateNode> *body = t->block(node.name)) {
                    walkNodes(templates, *body, chain, visitor);
                    break;
                }
            }
            break;
        }
    }
}

} // namespace

void walkTemplate(const TemplateSet &templates, const QString &name, TemplateVisitor &visitor)
{
    std::vector<const TemplateDecl *> chain;
    for (const TemplateDecl *t = templates.find(name); t; t = t->extends.isEmpty() ? nullptr : templates.find(t->extends))
        chain.push_back(t);
    for (const TemplateDecl *t : chain)
        visitor.templateStarted(t->name);
    if (!chain.empty())
        walkNodes(templates, chain.back()->nodes, chain, visitor);
}

} // namespace ss
