from django.apps import AppConfig
from django.db.models.signals import pre_delete


class ShopConfig(AppConfig):
    name = "shop"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the @receiver functions)
        from .models import Order

        pre_delete.connect(signals.forget_order, sender=Order, dispatch_uid="shop.forget_order")
