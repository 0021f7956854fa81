#pragma once
// A scenario as declared in a *.scenario.json file (contract section 3), after
// validation: a schema plus the operations a Django shell session would run.

#include "formats/schema.h"
#include "model/djangoversion.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QSharedData>
#include <QSharedDataPointer>
#include <optional>
#include <vector>

namespace ss {

// A scenario holds every step for its whole run (100,000 signups: 400,000
// steps), so a step is kept small: what the model ops use is here, its names
// share their text with the schema and the earlier steps (loaders.cpp interns
// them), and what only the rarer ops declare lives in an Extra.
struct StepDecl
{
    enum class Op : quint8 { New, Create, Set, Save, Get, All, Refresh, Update, BulkCreate, Delete,
                    DeleteWhere, M2m, LoadData, Connect, Disconnect, Send, Migrate,
                    // Section 8: requests, settings, templates, flush.
                    Request, OverrideSettings, SetupTestEnvironment, Render, Flush };
    Op op = Op::New;
    bool forceInsert = false;                   // save
    int index = 0;                              // position in "steps"
    QString model;                              // new, create, get, all, update, bulk_create, delete_where, loaddata
    QString ref;                                // set, save, refresh, delete, m2m
    QString as;                                 // new, create, get
    std::optional<QStringList> updateFields;    // save

    // Values as written, held once as QCbor values that keep "99.0" a float
    // (Qt 6.4's QJsonValue would turn an integral double into an integer).
    QCborMap exactValues;                       // new, create, set, update
    std::optional<QCborMap> exactWhere;         // get, all, update, delete_where

    // What only the rarer ops declare, allocated for the steps that have it:
    // a step of the model ops is 144 bytes instead of 720 with all of it.
    struct Extra : QSharedData
    {
        QStringList asList;                     // all, bulk_create
        QCborArray exactRows;                   // bulk_create, loaddata
        QString field;                          // m2m: field name or reverse accessor
        QString action;                         // m2m: add, remove, clear, set
        QCborArray exactTargets;                // m2m
        bool clear = false;                     // m2m set
        ReceiverDecl receiver;                  // connect
        QString name;                           // disconnect
        QString signal;                         // send
        std::optional<QString> sender;          // send: model name, or none
        bool robust = false;                    // send
        std::optional<QCborValue> exactInstance;    // send: "$name"
        // Section 8.
        QString method;                         // request: GET, POST, ...
        QString path;                           // request: "/orders/"
        QString handler;                        // request: "wsgi" or "client"
        QString raiseClass;                     // request: the view's exception class; empty: returns 200
        QString raiseMessage;                   // request: its message; null when given none
        bool raiseHasMessage = false;
        bool atomic = false;                    // request: ATOMIC_REQUESTS
        std::vector<StepDecl> nested;           // request: the view; override_settings: the block
        QCborMap settings;                      // override_settings, names in ASCII order
        QString templateName;                   // render
        QCborMap context;                       // render, names in ASCII order
    };
    // Read: the step's Extra, or an empty one for a step that has none.
    const Extra &extra() const;
    // Write (the loader): the step's own Extra, made on first use.
    Extra &extra();

private:
    QSharedDataPointer<Extra> m_extra;          // shared by copies until written (one pointer wide)
};

QString stepOpName(StepDecl::Op op);            // "create", "delete_where", ...

struct ScenarioDecl
{
    QString path;
    QString name;
    QString description;
    SchemaDecl schema;
    QVector<StepDecl> steps;
    QMap<QString, QString> templates;           // "templates": name -> source (section 8.3)
    // The Django whose behaviour the scenario runs under: its "django" key
    // (default 3.2), which `--django` and the window's selector override.
    DjangoVersion django = DjangoVersion::V3_2;
};

} // namespace ss
