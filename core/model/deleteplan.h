#pragma once
// What `x.delete()` will do, planned without doing any of it: a dry-run of
// Django's collector (Collector::Mode::DryRun) that reads the related rows
// silently, sends no signal, calls no receiver and writes nothing. The
// receivers each send will call come from the signals' live receiver lists
// (Signal::liveReceivers), read, never called.
//
// The plan assumes receivers change nothing while the delete runs: a
// receiver that deletes or creates rows makes the real delete differ, which
// the timeline then shows.

#include "model/instance.h"

#include <QCborValue>
#include <QStringList>
#include <QVector>

namespace ss {

class Engine;

// One send the delete will make, and the receivers it will call in order.
struct PlannedSend
{
    QString signal;                     // "pre_delete"
    QString model;                      // "Comment"
    QCborValue pk;
    QStringList receivers;              // labels, in dispatch order (muted ones left out)
    QString text() const;               // "pre_delete Comment 3"
};

struct DeletePreview
{
    QString code;                       // "post_1.delete()"
    QStringList rows;                   // "Comment 3", in deletion order (through rows included)
    QVector<PlannedSend> loads;         // pre_init/post_init of each related row Django reads, in order
    QVector<PlannedSend> sends;         // pre_delete for every row, then post_delete model by model
    QStringList signalsInOrder;         // "pre_delete  Comment 3", ... then "post_delete ..."
    QStringList updates;                // "Image.post = None for Image 1 (a plain UPDATE: no signals)"
    QString errorType;                  // set when the delete will be refused (PROTECT, RESTRICT)
    QString errorMessage;               // Django's message

    // The plan for deleting `instance` (an object the user holds: no read of
    // its own). Reads the database; changes nothing.
    static DeletePreview plan(Engine &engine, const InstancePtr &instance, const QString &code);
};

} // namespace ss
