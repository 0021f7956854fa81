#include "model/deleteplan.h"

#include "model/collector.h"
#include "model/engine.h"
#include "model/fieldvalues.h"

namespace ss {

QString PlannedSend::text() const
{
    return QStringLiteral("%1 %2 %3").arg(signal, model, placeholderText(pk));
}

static PlannedSend planned(Signal *signal, const Model *model, const QCborValue &pk)
{
    PlannedSend send{signal->name(), model->name, pk, {}};
    for (const ConnectedReceiver &r : signal->liveReceivers(Sender::model(model->name)))
        send.receivers << r.label;
    return send;
}

DeletePreview DeletePreview::plan(Engine &engine, const InstancePtr &instance, const QString &code)
{
    DeletePreview preview;
    preview.code = code;
    const Model *model = instance->model();
    Collector collector(engine, {}, Collector::Mode::DryRun);
    const auto noteLoads = [&] {
        for (const Collector::LoadedRow &row : collector.loads()) {
            preview.loads << planned(engine.preInit, row.model, row.pk);
            preview.loads << planned(engine.postInit, row.model, row.pk);
        }
    };
    try {
        collector.collect({instance});
    } catch (const DjangoError &error) {
        // Django reads the related rows first, so their pre_init/post_init are sent before it refuses.
        noteLoads();
        preview.errorType = error.type();
        preview.errorMessage = error.message();
        return preview;
    }
    Q_UNUSED(model);
    noteLoads();
    const QVector<Collector::PlannedModel> plan = collector.plan();
    for (const auto &entry : plan) {
        for (const InstancePtr &i : entry.instances)
            preview.rows << QStringLiteral("%1 %2").arg(entry.model->name, placeholderText(i->pk()));
        if (entry.model->autoCreated)
            continue;           // auto-created through rows get no delete signals
        for (const InstancePtr &i : entry.instances)
            preview.sends << planned(engine.preDelete, entry.model, i->pk());
    }
    for (const auto &entry : plan) {
        if (entry.model->autoCreated)
            continue;
        for (auto it = entry.instances.crbegin(); it != entry.instances.crend(); ++it)
            preview.sends << planned(engine.postDelete, entry.model, (*it)->pk());
    }
    for (const PlannedSend &send : std::as_const(preview.sends))
        preview.signalsInOrder << QStringLiteral("%1 %2 %3").arg(send.signal.leftJustified(11), send.model, placeholderText(send.pk));
    for (const auto &update : collector.fieldUpdates()) {
        QStringList pks;
        for (const InstancePtr &i : update.rowsLoaded() ? update.instances : update.referenced)
            pks << placeholderText(i->pk());
        if (update.rowsLoaded()) {
            preview.updates << QStringLiteral("%1.%2 = %3 for %1 %4 (a plain UPDATE: no signals)")
                                   .arg(update.field->owner->name, update.field->name, pythonRepr(update.value),
                                        pks.join(QStringLiteral(", ")));
        } else {
            // Django 4.2+: the rows are not loaded; one UPDATE after the pre_delete receivers.
            preview.updates << QStringLiteral("%1.%2 = %3 where %2 is %4 %5 (rows not loaded, one UPDATE after pre_delete: no signals)")
                                   .arg(update.field->owner->name, update.field->name, pythonRepr(update.value),
                                        update.field->target ? update.field->target->name : QString(),
                                        pks.join(QStringLiteral(", ")));
        }
    }
    return preview;
}

} // namespace ss
