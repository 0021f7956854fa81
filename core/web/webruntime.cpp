#include "web/webruntime.h"

#include "db/database.h"
#include "web/djangosettings.h"

#include <QSet>
#include <QStringList>
#include <exception>

namespace ss {

namespace {

const QString kWsgiHandler = QStringLiteral("WSGIHandler");
const QString kClientHandler = QStringLiteral("ClientHandler");
const QString kUserSettingsHolder = QStringLiteral("UserSettingsHolder");

// Django 3.2's own receivers, in connection order (contract 8.5). Their
// addresses are their receiver ids: stable, and apart from any other id.
const DjangoReceiver kResetQueries{"reset_queries", "django.db"};
const DjangoReceiver kCloseOldConnections{"close_old_connections", "django.db"};
const DjangoReceiver kCloseCaches{"close_caches", "django.core.cache"};
const DjangoReceiver kResetUrlconf{"reset_urlconf", "django.core.handlers.base"};
const DjangoReceiver kSettingReceivers[] = {
    {"reset_cache", "django.utils.translation.trans_real"},
    {"clear_cache_handlers", "django.test.signals"},
    {"update_installed_apps", "django.test.signals"},
    {"update_connections_time_zone", "django.test.signals"},
    {"clear_routers_cache", "django.test.signals"},
    {"reset_template_engines", "django.test.signals"},
    {"clear_serializers_cache", "django.test.signals"},
    {"language_changed", "django.test.signals"},
    {"localize_settings_changed", "django.test.signals"},
    {"file_storage_changed", "django.test.signals"},
    {"complex_setting_changed", "django.test.signals"},
    {"root_urlconf_changed", "django.test.signals"},
    {"static_storage_changed", "django.test.signals"},
    {"static_finders_changed", "django.test.signals"},
    {"auth_password_validators_changed", "django.test.signals"},
    {"user_model_swapped", "django.test.signals"},
};
// Connected by Client.request for the length of one request.
const DjangoReceiver kStoreRenderedTemplates{"store_rendered_templates", "django.test.client"};
const DjangoReceiver kStoreExcInfo{"ClientMixin.store_exc_info", "django.test.client"};

quintptr idOf(const DjangoReceiver &receiver)
{
    return reinterpret_cast<quintptr>(&receiver);
}

// A handled exception's status (django.core.handlers.exception), or 0 when
// Django lets it through as uncaught (500, got_request_exception).
int handledStatus(const QString &errorClass)
{
    if (errorClass == QLatin1String("Http404"))
        return 404;
    if (errorClass == QLatin1String("PermissionDenied"))
        return 403;
    if (errorClass == QLatin1String("BadRequest"))
        return 400;
    return 0;
}

} // namespace

QString WebRuntime::receiverLabel(const DjangoReceiver &receiver)
{
    return QStringLiteral("%1 (%2)").arg(QLatin1String(receiver.name), QLatin1String(receiver.module));
}

bool WebRuntime::isDjangoReceiver(quintptr id)
{
    if (id == idOf(kResetQueries) || id == idOf(kCloseOldConnections) || id == idOf(kCloseCaches)
        || id == idOf(kResetUrlconf) || id == idOf(kStoreRenderedTemplates) || id == idOf(kStoreExcInfo))
        return true;
    for (const DjangoReceiver &r : kSettingReceivers)
        if (id == idOf(r))
            return true;
    return false;
}

bool WebRuntime::isDjangoReceiverLabel(const QString &label)
{
    static const QSet<QString> labels = [] {
        QSet<QString> set;
        for (const DjangoReceiver *r : {&kResetQueries, &kCloseOldConnections, &kCloseCaches, &kResetUrlconf,
                                        &kStoreRenderedTemplates, &kStoreExcInfo})
            set.insert(receiverLabel(*r));
        for (const DjangoReceiver &r : kSettingReceivers)
            set.insert(receiverLabel(r));
        return set;
    }();
    return labels.contains(label);
}

WebRuntime::WebRuntime(Engine &engine)
    : m_engine(engine),
      m_requestStarted(engine.signal(QStringLiteral("request_started"))),
      m_requestFinished(engine.signal(QStringLiteral("request_finished"))),
      m_gotRequestException(engine.signal(QStringLiteral("got_request_exception"))),
      m_settingChanged(engine.signal(QStringLiteral("setting_changed"))),
      m_templateRendered(engine.signal(QStringLiteral("template_rendered")))
{
    // What importing django.db, django.core.cache, django.core.handlers.base,
    // django.utils.translation and django.test connects, in that order.
    connectDjangoReceiver(m_requestStarted, kResetQueries);
    connectDjangoReceiver(m_requestStarted, kCloseOldConnections);
    connectDjangoReceiver(m_requestFinished, kCloseOldConnections);
    connectDjangoReceiver(m_requestFinished, kCloseCaches);
    connectDjangoReceiver(m_requestFinished, kResetUrlconf);
    for (const DjangoReceiver &r : kSettingReceivers)
        connectDjangoReceiver(m_settingChanged, r);
}

WebRuntime::~WebRuntime() = default;

void WebRuntime::connectDjangoReceiver(Signal *signal, const DjangoReceiver &receiver, const QString &dispatchUid)
{
    // For the scenario's settings and this project's requests they do nothing
    // observable (8.5); they are connected so the dispatch order is Django's.
    signal->connect(idOf(receiver), [](const Sender &, const SignalArgs &) {}, Sender::none(), dispatchUid,
                    receiverLabel(receiver));
}

QCborValue WebRuntime::setting(const QString &name) const
{
    auto it = m_settings.constFind(name);
    return it != m_settings.constEnd() ? *it : settingDefault(name);
}

// --- Requests (8.1) ------------------------------------------------------------

int WebRuntime::handleView(const StepDecl &step, const Block &runView)
{
    // BaseHandler.get_response -> convert_exception_to_response(_get_response):
    // the view (atomic when ATOMIC_REQUESTS), then response_for_exception.
    std::optional<DjangoError> viewError;
    const auto view = [&] {
        runView(step.extra().nested);
        if (!step.extra().raiseClass.isEmpty())
            throw DjangoError(step.extra().raiseClass, step.extra().raiseMessage);
    };
    try {
        if (step.extra().atomic) {
            Atomic transaction(m_engine.database());    // make_view_atomic: only the view
            view();
            transaction.commit();
        } else {
            view();
        }
    } catch (const DjangoError &error) {
        viewError = error;
    } catch (const std::exception &error) {
        viewError = DjangoError(QStringLiteral("Exception"), QString::fromUtf8(error.what()));
    }
    if (!viewError)
        return 200;

    if (const int status = handledStatus(viewError->type())) {
        if (status == 404 && m_testEnvironment) {
            // django.views.defaults.page_not_found: no 404.html, so a Template
            // built from a string, rendered through the instrumented _render.
            QCborMap context;
            context.insert(QStringLiteral("exception"),
                           step.extra().raiseHasMessage ? step.extra().raiseMessage : QStringLiteral("Http404"));
            context.insert(QStringLiteral("request_path"), step.extra().path);
            m_templateRendered->send(Sender::none(), SignalArgs()
                                                         .add(QStringLiteral("template"), QCborValue(nullptr))
                                                         .add(QStringLiteral("context"), QCborValue(context)));
        }
        return status;
    }

    // Uncaught: got_request_exception inside the except block (the exception
    // is "current" for its receivers), then handle_uncaught_exception.
    const QString request = QStringLiteral("<WSGIRequest: %1 '%2'>").arg(step.extra().method, step.extra().path);
    m_handlingException = viewError;
    try {
        m_gotRequestException->send(Sender::none(), SignalArgs().add(QStringLiteral("request"), QCborValue(request)));
    } catch (...) {
        m_handlingException.reset();
        throw;
    }
    m_handlingException.reset();
    if (setting(debugPropagateExceptions()).toBool())
        throw *viewError;
    return 500;
}

void WebRuntime::request(const StepDecl &step, const Block &runView)
{
    QCborMap environ;
    environ.insert(QStringLiteral("PATH_INFO"), step.extra().path);
    environ.insert(QStringLiteral("REQUEST_METHOD"), step.extra().method);
    const SignalArgs started = SignalArgs().add(QStringLiteral("environ"), QCborValue(environ));
    DispatchContext &dispatch = m_engine.dispatch();

    if (step.extra().handler == QLatin1String("wsgi")) {
        // WSGIHandler.__call__, then the server: start_response, body, close().
        m_requestStarted->send(Sender::object(kWsgiHandler), started);
        const int status = handleView(step, runView);
        dispatch.emitEffect(responseEffect(), QString::number(status));
        m_requestFinished->send(Sender::object(kWsgiHandler), SignalArgs());
        return;
    }

    // Client.request: its two receivers for the length of the request, after
    // every receiver connected so far.
    m_storedException.reset();
    const QString templateUid = QStringLiteral("template-render-client");
    const QString exceptionUid = QStringLiteral("request-exception-client");
    connectDjangoReceiver(m_templateRendered, kStoreRenderedTemplates, templateUid);
    m_gotRequestException->connect(idOf(kStoreExcInfo),
                                   [this](const Sender &, const SignalArgs &) { m_storedException = m_handlingException; },
                                   Sender::none(), exceptionUid, receiverLabel(kStoreExcInfo));
    const auto disconnectClientReceivers = [&] {
        m_templateRendered->disconnect(0, Sender::none(), templateUid);
        m_gotRequestException->disconnect(0, Sender::none(), exceptionUid);
    };
    int status = 0;
    try {
        // ClientHandler.__call__: close_old_connections is taken off around
        // the two sends and connected again afterwards (at the end of the list).
        m_requestStarted->disconnect(idOf(kCloseOldConnections));
        m_requestStarted->send(Sender::object(kClientHandler), started);
        connectDjangoReceiver(m_requestStarted, kCloseOldConnections);
        status = handleView(step, runView);
        // response.close(): a ClientHandler response has no handler class.
        m_requestFinished->disconnect(idOf(kCloseOldConnections));
        m_requestFinished->send(Sender::none(), SignalArgs());
        connectDjangoReceiver(m_requestFinished, kCloseOldConnections);
    } catch (...) {
        disconnectClientReceivers();
        throw;
    }
    disconnectClientReceivers();
    dispatch.emitEffect(responseEffect(), QString::number(status));
    // check_exception: the client raises what store_exc_info stored.
    if (m_storedException) {
        const DjangoError error = *m_storedException;
        m_storedException.reset();
        throw error;
    }
}

// --- override_settings (8.2) ---------------------------------------------------

void WebRuntime::overrideSettings(const StepDecl &step, const Block &runSteps)
{
    const Sender holder = Sender::object(kUserSettingsHolder);
    const auto send = [&](const QString &name, const QCborValue &value, bool enter) {
        return SignalArgs()
            .add(QStringLiteral("setting"), QCborValue(name))
            .add(QStringLiteral("value"), value)
            .add(QStringLiteral("enter"), QCborValue(enter));
    };

    // enable(): every value at once, then one send per name.
    const QMap<QString, QCborValue> saved = m_settings;
    for (auto it = step.extra().settings.cbegin(); it != step.extra().settings.cend(); ++it)
        m_settings.insert(it.key().toString(), it.value());
    std::exception_ptr enterError;
    for (auto it = step.extra().settings.cbegin(); it != step.extra().settings.cend() && !enterError; ++it) {
        try {
            m_settingChanged->send(holder, send(it.key().toString(), it.value(), true));
        } catch (...) {
            enterError = std::current_exception();
        }
    }
    std::exception_ptr blockError;
    if (!enterError) {
        try {
            runSteps(step.extra().nested);
        } catch (...) {
            blockError = std::current_exception();
        }
    }

    // disable(): the old values at once, then send_robust per name with the
    // value now; the enter exception first, else the first exit failure.
    m_settings = saved;
    std::optional<DjangoError> exitError;
    for (auto it = step.extra().settings.cbegin(); it != step.extra().settings.cend(); ++it) {
        const QString name = it.key().toString();
        const QVector<RobustResult> results = m_settingChanged->sendRobust(holder, send(name, setting(name), false));
        for (const RobustResult &result : results)
            if (result.error && !exitError)
                exitError = result.error;
    }
    if (enterError)
        std::rethrow_exception(enterError);
    if (exitError)
        throw *exitError;
    if (blockError)
        std::rethrow_exception(blockError);
}

// --- Templates (8.3) -------------------------------------------------------------

void WebRuntime::setupTestEnvironment()
{
    if (m_testEnvironment)
        throw DjangoError(QStringLiteral("RuntimeError"),
                          QStringLiteral("setup_test_environment() was already called and can't be called again "
                                         "without first calling teardown_test_environment()."));
    m_testEnvironment = true;
}

namespace {

// Step 2 of render: every attribute chain on a model instance names fields.
class FieldCheck : public TemplateVisitor
{
public:
    explicit FieldCheck(const QVector<QPair<QString, Value>> &context) : m_context(context) {}
    void templateStarted(const QString &) override {}
    void variable(const QStringList &chain) override
    {
        const Model *model = nullptr;
        for (const auto &item : m_context)
            if (item.first == chain.first() && item.second.isInstance())
                model = item.second.instance()->model();
        for (int i = 1; model && i < chain.size(); ++i) {
            const Field *field = model->concreteField(chain[i]);
            if (!field)
                throw DjangoError(QStringLiteral("ScenarioError"),
                                  QStringLiteral("%1 has no field '%2'").arg(model->name, chain[i]));
            model = field->isForeignKey() && chain[i] == field->name ? field->target : nullptr;
        }
    }

private:
    const QVector<QPair<QString, Value>> &m_context;
};

// Step 3 and 4: template_rendered per template (under the test environment),
// attribute chains read through the related-object cache.
class Renderer : public TemplateVisitor
{
public:
    Renderer(Engine &engine, Signal *rendered, bool instrumented, const QVector<QPair<QString, Value>> &context)
        : m_engine(engine), m_rendered(rendered), m_instrumented(instrumented), m_context(context)
    {
    }
    void templateStarted(const QString &name) override
    {
        if (!m_instrumented)
            return;
        QCborMap context;
        for (const auto &item : m_context)
            context.insert(item.first, item.second.freeze());
        m_rendered->send(Sender::object(name), SignalArgs()
                                                   .add(QStringLiteral("template"), QCborValue(name))
                                                   .add(QStringLiteral("context"), QCborValue(context)));
    }
    void variable(const QStringList &chain) override
    {
        Value current;
        bool found = false;
        for (const auto &item : m_context) {
            if (item.first == chain.first()) {
                current = item.second;
                found = true;
            }
        }
        if (!found)
            return;
        for (int i = 1; i < chain.size() && current.isInstance(); ++i) {
            const InstancePtr instance = current.instance();
            const Field *field = instance->model()->concreteField(chain[i]);
            if (!field)
                return;
            if (field->isForeignKey() && chain[i] == field->name) {
                try {
                    const InstancePtr related = m_engine.relatedObject(instance, field);
                    current = related ? Value(related) : Value();
                } catch (const DjangoError &error) {
                    // RelatedObjectDoesNotExist is an AttributeError: the
                    // lookup fails silently (string_if_invalid).
                    if (error.type() == QLatin1String("DoesNotExist"))
                        return;
                    throw;
                }
            } else {
                current = Value(m_engine.attribute(*instance, chain[i]));
            }
        }
    }

private:
    Engine &m_engine;
    Signal *m_rendered;
    bool m_instrumented;
    const QVector<QPair<QString, Value>> &m_context;
};

} // namespace

void WebRuntime::render(const TemplateSet &templates, const QString &name, const QVector<QPair<QString, Value>> &context)
{
    FieldCheck check(context);
    walkTemplate(templates, name, check);
    Renderer renderer(m_engine, m_templateRendered, m_testEnvironment, context);
    walkTemplate(templates, name, renderer);
}

} // namespace ss
