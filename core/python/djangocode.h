#pragma once
// The one printer of Django code: how SignalScope writes a value, an
// operation, a receiver or an error as the Python a Django developer would
// write or see. Step labels, the undo of a delete, the inspector and the
// timeline's argument column all print through here, so they never disagree
// (None/True, {1, 2} for a pk_set, <User: User object (1)> for an instance).

#include "model/djangoerror.h"
#include "model/engine.h"
#include "formats/scenario.h"
#include "formats/schema.h"

#include <QCborMap>
#include <QCborValue>
#include <QString>
#include <QStringList>
#include <optional>

namespace ss {

// --- Values ---------------------------------------------------------------

// str(obj) of a model instance: "Topping object (1)", "Topping object (None)".
QString instanceStr(const QString &modelName, const QCborValue &pk);

// repr(obj): "<Topping: Topping object (1)>".
QString instanceRepr(const QString &modelName, const QCborValue &pk);

// A value as a scenario or receiver writes it, as Python source: literals by
// repr, "$instance.user" as the name instance.user, "$$5" as '$5'.
QString pythonLiteral(const QCborValue &value);

// name=value, ... from a map of scenario values (keys in the map's order).
QString keywordArguments(const QCborMap &values);

// ['a', 'b'] for a list of names (update_fields=...).
QString pythonStringList(const QStringList &names);

// A signal argument, from its trace encoding, as the receiver sees it:
// an instance {"model", "pk"} as its repr, pk_set as a set ({1, 2}, set()),
// everything else by repr.
QString argumentRepr(const QString &name, const QCborValue &encoded);

// --- Operations -----------------------------------------------------------

// The m2m manager methods, spelled once: "add", "remove", "clear", "set".
QString m2mActionName(M2mAction action);
std::optional<M2mAction> m2mActionFromName(const QString &name);
const QStringList &m2mActionNames();

// obj.accessor.add(1, 2) / .set([1, 2], clear=True) / .clear(); `arguments`
// are already Python source.
QString m2mCallCode(const QString &object, const QString &accessor, M2mAction action,
                    const QStringList &arguments, bool clear = false);

// A scenario step as the Python it stands for: "pep = Ingredient(id='2')",
// "soup.ingredients.add(2)", "call_command('migrate', run_syncdb=True)".
QString stepCode(const StepDecl &step);

// --- Receivers ------------------------------------------------------------

// The receiver as Python, one line per statement:
//   @receiver(post_save, sender=User)
//   def create_billing_profile(sender, instance, created, **kwargs):
//       if created:
//           BillingProfile.objects.create(user=instance)
QString receiverCode(const ReceiverDecl &decl);

// --- Errors ---------------------------------------------------------------

// "<Model> matching query does not exist." (get() found no row).
DjangoError doesNotExist(const QString &modelName);

} // namespace ss
