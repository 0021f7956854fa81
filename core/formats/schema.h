#pragma once
// A schema as declared in a *.schema.json file (contract section 1 and 2),
// after validation: every name is an identifier, every reference resolves,
// every option is one the contract knows. Django's derived naming (tables,
// attnames, auto-created through models) lives in ModelRegistry, built from this.

#include <QCborMap>
#include <QCborValue>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

namespace ss {

enum class FieldType { Char, Text, Int, Float, Bool, ForeignKey, OneToOne, ManyToMany };
enum class OnDelete { None, Cascade, Protect, Restrict, SetNull, SetDefault, DoNothing };

QString fieldTypeName(FieldType type);          // "char", "foreign_key", ...
QString onDeleteName(OnDelete onDelete);        // "CASCADE", ...

struct FieldDecl
{
    QString name;
    FieldType type = FieldType::Char;
    bool null = false;
    bool blank = false;
    bool unique = false;
    bool primaryKey = false;
    bool dbIndex = false;
    std::optional<QCborValue> defaultValue;     // absent: the contract's implicit default
    int maxLength = 255;
    // Relations.
    QString to;                                 // model name, "self" already resolved to the owner
    OnDelete onDelete = OnDelete::None;
    QString relatedName;                        // empty: Django's default
    QString through;                            // many_to_many with a custom through model
    bool symmetrical = false;                   // many_to_many to self; default true only for "to": "self"
    bool isRelation() const { return type == FieldType::ForeignKey || type == FieldType::OneToOne || type == FieldType::ManyToMany; }
};

struct ModelDecl
{
    QString name;
    QVector<FieldDecl> fields;                  // declaration order
};

// One receiver action (the seven of section 2). Values stay as written:
// "$instance", "$name.x" and literals are resolved when the action runs.
//
// Values are held once, as QCbor values that keep integers and floats apart
// (a float written 99.0 stays 99.0; Qt 6.4's QJsonValue would make it 99).
struct ActionDecl
{
    enum class Kind { Create, Save, Set, Delete, Notify, Send, Raise };
    Kind kind = Kind::Notify;
    QString model;                              // create
    QCborMap exactValues;                       // create: field values; set: attributes (1.0 kept a float)
    QCborValue target;                          // save, delete: "$instance" or "$instance.<relation>"
    std::optional<QStringList> updateFields;    // save
    bool forceInsert = false;                   // save
    QString text;                               // notify, raise
    QString signal;                             // send
    bool robust = false;                        // send
};

struct ReceiverDecl
{
    QString name;
    QString signal;                             // built-in or custom signal name
    std::optional<QString> sender;              // model name; absent/null: any sender
    std::optional<QString> dispatchUid;
    QCborMap exactWhen;                         // conditions, all must hold (1.0 kept a float)
    QVector<ActionDecl> actions;
    QString origin;                             // where it was declared, for messages: "file.json: receivers[2]"
};

struct SchemaDecl
{
    QString path;                               // file it came from (empty when inline)
    QString app;
    QVector<ModelDecl> models;                  // declaration order
    QStringList customSignals;                  // custom signal names ("signals"; not named so: a Qt keyword)
    QVector<ReceiverDecl> receivers;            // connection order
};

// The nine built-in signals the canonical trace records (section 4.1), plus the
// ones the engine sends but the canonical trace leaves out.
bool isBuiltinSignal(const QString &name);      // pre_init ... post_migrate, and the five of section 8
// request_started, request_finished, got_request_exception, setting_changed,
// template_rendered: no instance, senders that are not models (section 8.5).
bool isRequestSignal(const QString &name);
bool isModelSignal(const QString &name);        // the signals whose sender is a model

// The fields a `when` "changed" condition names: one name or an array of them.
QStringList changedFieldNames(const QCborValue &changed);

} // namespace ss
