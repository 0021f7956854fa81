from django.db.models.signals import m2m_changed, post_save
from django.dispatch import Signal, receiver

from .models import AuditEntry, Customer, Order

order_placed = Signal()


@receiver(post_save, sender=Order)
def count_order(sender, instance, created, **kwargs):
    if created:
        customer = instance.customer
        customer.orders_placed += 1
        customer.save(update_fields=["orders_placed"])
        order_placed.send(sender=Order, instance=instance)


@receiver(order_placed)
def audit_order(sender, instance, **kwargs):
    AuditEntry.objects.create(text="order %s placed" % instance.pk)


@receiver(m2m_changed, sender=Order.tags.through)
def tags_changed(sender, action, pk_set, **kwargs):
    return action


def forget_order(sender, instance, **kwargs):
    AuditEntry.objects.create(text="order %s deleted" % instance.pk)


@receiver(post_save, sender=Customer, weak=False)
def customer_saved(sender, instance, **kwargs):
    return None
