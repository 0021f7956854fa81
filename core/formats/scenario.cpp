#include "formats/scenario.h"

namespace ss {

const StepDecl::Extra &StepDecl::extra() const
{
    static const Extra none;
    return m_extra.constData() ? *m_extra.constData() : none;
}

StepDecl::Extra &StepDecl::extra()
{
    if (!m_extra.constData())
        m_extra = new Extra;
    return *m_extra.data();         // detached first: a copy's Extra stays as it was
}

QString stepOpName(StepDecl::Op op)
{
    switch (op) {
    case StepDecl::Op::New: return QStringLiteral("new");
    case StepDecl::Op::Create: return QStringLiteral("create");
    case StepDecl::Op::Set: return QStringLiteral("set");
    case StepDecl::Op::Save: return QStringLiteral("save");
    case StepDecl::Op::Get: return QStringLiteral("get");
    case StepDecl::Op::All: return QStringLiteral("all");
    case StepDecl::Op::Refresh: return QStringLiteral("refresh");
    case StepDecl::Op::Update: return QStringLiteral("update");
    case StepDecl::Op::BulkCreate: return QStringLiteral("bulk_create");
    case StepDecl::Op::Delete: return QStringLiteral("delete");
    case StepDecl::Op::DeleteWhere: return QStringLiteral("delete_where");
    case StepDecl::Op::M2m: return QStringLiteral("m2m");
    case StepDecl::Op::LoadData: return QStringLiteral("loaddata");
    case StepDecl::Op::Connect: return QStringLiteral("connect");
    case StepDecl::Op::Disconnect: return QStringLiteral("disconnect");
    case StepDecl::Op::Send: return QStringLiteral("send");
    case StepDecl::Op::Migrate: return QStringLiteral("migrate");
    case StepDecl::Op::Request: return QStringLiteral("request");
    case StepDecl::Op::OverrideSettings: return QStringLiteral("override_settings");
    case StepDecl::Op::SetupTestEnvironment: return QStringLiteral("setup_test_environment");
    case StepDecl::Op::Render: return QStringLiteral("render");
    case StepDecl::Op::Flush: return QStringLiteral("flush");
    }
    return QString();
}

} // namespace ss
