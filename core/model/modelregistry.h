#pragma once
// The schema resolved the way Django resolves models: concrete fields with their
// attnames and columns, the implicit `id`, auto-created through models registered
// just before the model that declares the many_to_many, reverse accessors, and
// the registration order the collector walks (contract section 1).

#include "formats/schema.h"

#include <QCborValue>
#include <QHash>
#include <QString>
#include <QVector>
#include <memory>
#include <vector>

namespace ss {

struct Model;

struct Field
{
    QString name;                   // field name ("user")
    QString attname;                // "user_id" for a foreign key, else the name
    FieldType type = FieldType::Char;
    bool null = false;
    bool unique = false;
    bool primaryKey = false;
    bool autoIncrement = false;     // the implicit `id`
    bool dbIndex = false;           // an index of its own (relations always, as in Django)
    bool hasDefault = false;
    QCborValue defaultValue;        // the contract's default when none is declared
    int maxLength = 255;
    const Model *owner = nullptr;
    int index = -1;                 // position among the owner's concrete fields; -1 for many_to_many

    // Relations.
    const Model *target = nullptr;
    OnDelete onDelete = OnDelete::None;
    QString relatedName;            // reverse accessor on the target ("" for a symmetrical m2m)
    // many_to_many
    const Model *through = nullptr;
    const Field *throughSource = nullptr;   // through FK pointing at the declaring model
    const Field *throughTarget = nullptr;   // through FK pointing at the target model
    bool symmetrical = false;
    bool autoThrough = false;

    bool isRelation() const { return type == FieldType::ForeignKey || type == FieldType::OneToOne || type == FieldType::ManyToMany; }
    bool isForeignKey() const { return type == FieldType::ForeignKey || type == FieldType::OneToOne; }
    bool isConcrete() const { return type != FieldType::ManyToMany; }
};

struct Model
{
    QString name;                   // "User", "Pizza_toppings"
    QString table;                  // "shop_user", "shop_pizza_toppings"
    int registrationIndex = 0;
    bool autoCreated = false;       // an auto-created through model
    std::vector<std::unique_ptr<Field>> ownedFields;
    QVector<const Field *> concreteFields;  // pk first unless a declared field is the pk
    QVector<const Field *> manyToMany;      // declared many_to_many fields
    const Field *pk = nullptr;
    // Foreign keys and one-to-ones of every model pointing here, in
    // registration then field order: ModelRegistry::relationsTo(), kept so
    // that every delete does not rescan the schema.
    QVector<const Field *> relationsTo;

    // By field name or attname (concrete and many_to_many); "pk" gives the pk.
    const Field *field(const QString &nameOrAttname) const;
    const Field *concreteField(const QString &nameOrAttname) const;
};

// A many-to-many relation seen from one model: forward (declared here) or
// reverse (a related_name of another model's many_to_many pointing here).
struct M2mAccessor
{
    const Field *field = nullptr;
    bool reverse = false;
};

class ModelRegistry
{
public:
    explicit ModelRegistry(const SchemaDecl &schema);

    const QString &app() const { return m_app; }
    const Model *model(const QString &name) const;
    const std::vector<std::unique_ptr<Model>> &models() const { return m_models; }   // registration order

    // Foreign keys and one-to-ones of every model (through models included) that
    // point at `model`, in registration order then field order.
    const QVector<const Field *> &relationsTo(const Model *model) const { return model->relationsTo; }

    // x.<name> as a many-to-many manager: forward field or reverse accessor.
    std::optional<M2mAccessor> m2mAccessor(const Model *model, const QString &name) const;

    // Django's truncate_name for a backend whose names are limited
    // (PostgreSQL: 63): a longer table name becomes its first maxLength - 4
    // characters and 4 hex digits of its MD5; an auto-created through table
    // is named from its model's shortened name. SQLite has no limit.
    void truncateTableNames(int maxLength);

private:
    QString m_app;
    std::vector<std::unique_ptr<Model>> m_models;
    QHash<QString, Model *> m_byName;
};

} // namespace ss
