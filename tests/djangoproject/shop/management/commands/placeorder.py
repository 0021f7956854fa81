from django.core.management.base import BaseCommand

from shop.models import Customer, Order, Tag


class Command(BaseCommand):
    help = "Places one order for a customer, tags it and deletes it again."

    def add_arguments(self, parser):
        parser.add_argument("customer")

    def handle(self, *args, **options):
        customer = Customer.objects.create(name=options["customer"])
        order = Order.objects.create(customer=customer, total=12)
        tag = Tag.objects.create(label="gift")
        order.tags.add(tag)
        order.delete()
        self.stdout.write("placed and deleted an order for %s" % customer.name)
