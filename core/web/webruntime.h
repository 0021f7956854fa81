#pragma once
// Django's request, settings and test machinery for one run (contract
// section 8): the WSGI and test-client handlers around a view, override_settings,
// setup_test_environment and template rendering, with Django's own receivers
// of those signals connected in Django's order under Django's names.
//
// The view's and the block's steps are run by the caller (the scenario
// runner) through a callback: this class decides what happens around them.

#include "model/engine.h"
#include "formats/scenario.h"
#include "web/templates.h"

#include <QMap>
#include <functional>
#include <optional>
#include <vector>

namespace ss {

// One of Django's own receivers (section 8.5), for views that list them.
struct DjangoReceiver
{
    const char *name;       // "close_old_connections"
    const char *module;     // "django.db"
};

class WebRuntime
{
public:
    // Connects Django's own receivers: call before the schema's receivers.
    explicit WebRuntime(Engine &engine);
    ~WebRuntime();
    WebRuntime(const WebRuntime &) = delete;
    WebRuntime &operator=(const WebRuntime &) = delete;

    // Runs nested steps; an exception out of them ends the block.
    using Block = std::function<void(const std::vector<StepDecl> &)>;

    // A `request` step: the handler, the view (runView with step.nested), the
    // response line; throws what escapes the handler (8.1).
    void request(const StepDecl &step, const Block &runView);
    // `with override_settings(**settings):` the nested steps (8.2).
    void overrideSettings(const StepDecl &step, const Block &runSteps);
    // django.test.utils.setup_test_environment() (8.3).
    void setupTestEnvironment();
    bool testEnvironment() const { return m_testEnvironment; }
    // render_to_string(name, context) with the context already resolved, in
    // the order Django resolves it (8.3).
    void render(const TemplateSet &templates, const QString &name, const QVector<QPair<QString, Value>> &context);

    // The current value of a setting: the innermost override, else Django's default.
    QCborValue setting(const QString &name) const;

    // Whether a receiver id belongs to one of Django's own receivers.
    static bool isDjangoReceiver(quintptr receiverId);
    // "close_old_connections (django.db)": the label they are connected under.
    static QString receiverLabel(const DjangoReceiver &receiver);
    // Whether a receiver label is one of those (for views of a recording,
    // which keep labels, not ids).
    static bool isDjangoReceiverLabel(const QString &label);

private:
    int handleView(const StepDecl &step, const Block &runView);
    void connectDjangoReceiver(Signal *signal, const DjangoReceiver &receiver, const QString &dispatchUid = {});

    Engine &m_engine;
    Signal *m_requestStarted;
    Signal *m_requestFinished;
    Signal *m_gotRequestException;
    Signal *m_settingChanged;
    Signal *m_templateRendered;
    QMap<QString, QCborValue> m_settings;           // overridden now (absent: Django's default)
    bool m_testEnvironment = false;
    // ClientMixin.store_exc_info: what got_request_exception's receiver stored.
    std::optional<DjangoError> m_handlingException;
    std::optional<DjangoError> m_storedException;
};

} // namespace ss
