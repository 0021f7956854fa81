#include "model/modelregistry.h"

#include <QCryptographicHash>

namespace ss {

const Field *Model::field(const QString &nameOrAttname) const
{
    if (nameOrAttname == QLatin1String("pk"))
        return pk;
    for (const auto &f : ownedFields)
        if (f->name == nameOrAttname || f->attname == nameOrAttname)
            return f.get();
    return nullptr;
}

const Field *Model::concreteField(const QString &nameOrAttname) const
{
    const Field *f = field(nameOrAttname);
    return f && f->isConcrete() ? f : nullptr;
}

static QCborValue implicitDefault(const FieldDecl &decl)
{
    // The contract's implicit default (section 1): "" for char/text (also when
    // nullable, where plain Django would give None), null for everything else.
    if (decl.type == FieldType::Char || decl.type == FieldType::Text)
        return QString();
    return QCborValue(nullptr);
}

static std::unique_ptr<Field> makeIdField(Model *owner)
{
    auto id = std::make_unique<Field>();
    id->name = id->attname = QStringLiteral("id");
    id->type = FieldType::Int;
    id->primaryKey = true;
    id->autoIncrement = true;
    id->defaultValue = QCborValue(nullptr);
    id->owner = owner;
    return id;
}

ModelRegistry::ModelRegistry(const SchemaDecl &schema)
    : m_app(schema.app)
{
    // Pass 1: one Model per declared model, with its own fields (relations unresolved).
    std::vector<std::unique_ptr<Model>> declared;
    QHash<QString, Model *> declaredByName;
    for (const ModelDecl &decl : schema.models) {
        auto model = std::make_unique<Model>();
        model->name = decl.name;
        model->table = schema.app + QLatin1Char('_') + decl.name.toLower();
        bool declaresPk = false;
        for (const FieldDecl &f : decl.fields)
            declaresPk |= f.primaryKey;
        if (!declaresPk)
            model->ownedFields.push_back(makeIdField(model.get()));
        for (const FieldDecl &f : decl.fields) {
            auto field = std::make_unique<Field>();
            field->name = f.name;
            field->type = f.type;
            field->attname = field->isForeignKey() ? f.name + QStringLiteral("_id") : f.name;
            field->null = f.null;
            field->unique = f.unique || f.type == FieldType::OneToOne;
            field->primaryKey = f.primaryKey;
            field->hasDefault = f.defaultValue.has_value();
            field->defaultValue = f.defaultValue ? *f.defaultValue : implicitDefault(f);
            field->maxLength = f.maxLength;
            field->dbIndex = f.dbIndex || field->isForeignKey();
            field->onDelete = f.onDelete;
            field->relatedName = f.relatedName;
            field->symmetrical = f.type == FieldType::ManyToMany && f.to == decl.name && f.symmetrical;
            field->owner = model.get();
            model->ownedFields.push_back(std::move(field));
        }
        declaredByName.insert(decl.name, model.get());
        declared.push_back(std::move(model));
    }

    // Pass 2: resolve targets, number the concrete fields.
    for (size_t m = 0; m < declared.size(); ++m) {
        Model *model = declared[m].get();
        const ModelDecl &decl = schema.models[int(m)];
        int fieldIndex = 0;
        for (auto &field : model->ownedFields) {
            if (field->isRelation()) {
                for (const FieldDecl &f : decl.fields)
                    if (f.name == field->name)
                        field->target = declaredByName.value(f.to);
                if (field->relatedName.isEmpty() && !field->symmetrical) {
                    const QString lower = model->name.toLower();
                    field->relatedName = field->type == FieldType::OneToOne ? lower : lower + QStringLiteral("_set");
                }
            }
            if (field->isConcrete()) {
                field->index = fieldIndex++;
                model->concreteFields.append(field.get());
                if (field->primaryKey)
                    model->pk = field.get();
            } else {
                model->manyToMany.append(field.get());
            }
        }
    }

    // Pass 3: registration order. An auto-created through model is made while
    // Django prepares the declaring class, i.e. registered just before it
    // (contract section 1); a custom through model is an ordinary model.
    for (size_t m = 0; m < declared.size(); ++m) {
        Model *model = declared[m].get();
        const ModelDecl &decl = schema.models[int(m)];
        for (const Field *m2mConst : std::as_const(model->manyToMany)) {
            Field *m2m = const_cast<Field *>(m2mConst);
            QString throughName;
            for (const FieldDecl &f : decl.fields)
                if (f.name == m2m->name)
                    throughName = f.through;
            if (!throughName.isEmpty())
                continue;
            auto through = std::make_unique<Model>();
            through->name = model->name + QLatin1Char('_') + m2m->name;
            // '%s_%s' % (klass._meta.db_table, field.name): the field name keeps its case.
            through->table = schema.app + QLatin1Char('_') + model->name.toLower() + QLatin1Char('_') + m2m->name;
            through->autoCreated = true;
            through->ownedFields.push_back(makeIdField(through.get()));
            const bool toSelf = m2m->target == model;
            const QString sourceName = toSelf ? QStringLiteral("from_") + model->name.toLower() : model->name.toLower();
            const QString targetName = toSelf ? QStringLiteral("to_") + model->name.toLower() : m2m->target->name.toLower();
            for (const QString &name : {sourceName, targetName}) {
                auto fk = std::make_unique<Field>();
                fk->name = name;
                fk->attname = name + QStringLiteral("_id");
                fk->type = FieldType::ForeignKey;
                fk->onDelete = OnDelete::Cascade;
                fk->dbIndex = true;
                fk->target = name == sourceName ? model : m2m->target;
                fk->defaultValue = QCborValue(nullptr);
                fk->relatedName = through->name.toLower() + QStringLiteral("_set");
                fk->owner = through.get();
                through->ownedFields.push_back(std::move(fk));
            }
            int index = 0;
            for (auto &f : through->ownedFields) {
                f->index = index++;
                through->concreteFields.append(f.get());
            }
            through->pk = through->concreteFields.first();
            m2m->through = through.get();
            m2m->autoThrough = true;
            m2m->throughSource = through->concreteFields[1];
            m2m->throughTarget = through->concreteFields[2];
            m_byName.insert(through->name, through.get());
            m_models.push_back(std::move(through));
        }
        m_byName.insert(model->name, model);
        m_models.push_back(std::move(declared[m]));
    }
    for (size_t i = 0; i < m_models.size(); ++i)
        m_models[i]->registrationIndex = int(i);

    // Pass 4: custom through models: the foreign keys to each side.
    for (qsizetype m = 0; m < schema.models.size(); ++m) {
        const ModelDecl &decl = schema.models[m];
        Model *model = m_byName.value(decl.name);
        for (const FieldDecl &f : decl.fields) {
            if (f.type != FieldType::ManyToMany || f.through.isEmpty())
                continue;
            Field *m2m = const_cast<Field *>(model->field(f.name));
            const Model *through = m_byName.value(f.through);
            m2m->through = through;
            for (const Field *fk : through->concreteFields) {
                if (!fk->isForeignKey())
                    continue;
                if (!m2m->throughSource && fk->target == model)
                    m2m->throughSource = fk;
                else if (!m2m->throughTarget && fk->target == m2m->target)
                    m2m->throughTarget = fk;
            }
        }
    }

    // Every relation, filed under the model it points at (relationsTo()).
    for (const auto &m : m_models)
        for (const Field *f : std::as_const(m->concreteFields))
            if (f->isForeignKey() && f->target)
                const_cast<Model *>(f->target)->relationsTo.append(f);
}

const Model *ModelRegistry::model(const QString &name) const
{
    return m_byName.value(name);
}

std::optional<M2mAccessor> ModelRegistry::m2mAccessor(const Model *model, const QString &name) const
{
    for (const Field *f : model->manyToMany)
        if (f->name == name)
            return M2mAccessor{f, false};
    for (const auto &m : m_models)
        for (const Field *f : m->manyToMany)
            if (f->target == model && !f->symmetrical && f->relatedName == name)
                return M2mAccessor{f, true};
    return std::nullopt;
}

static QString truncateName(const QString &identifier, int length)
{
    // django.db.backends.utils.truncate_name(identifier, length) with names_digest(identifier, length=4).
    if (length <= 0 || identifier.size() <= length)
        return identifier;
    const QByteArray digest = QCryptographicHash::hash(identifier.toUtf8(), QCryptographicHash::Md5).toHex().left(4);
    return identifier.left(length - 4) + QString::fromLatin1(digest);
}

void ModelRegistry::truncateTableNames(int maxLength)
{
    for (auto &model : m_models)
        if (!model->autoCreated)
            model->table = truncateName(model->table, maxLength);
    for (auto &model : m_models) {
        if (model->autoCreated)
            continue;
        for (const Field *m2m : std::as_const(model->manyToMany))
            if (m2m->through && m2m->through->autoCreated)
                const_cast<Model *>(m2m->through)->table =
                    truncateName(model->table + QLatin1Char('_') + m2m->name, maxLength);
    }
}

} // namespace ss
