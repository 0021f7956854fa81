from django.test import TestCase

from .models import AuditEntry, Customer, Order


class OrderTests(TestCase):
    def test_placing_an_order_counts_it(self):
        customer = Customer.objects.create(name="bob")
        Order.objects.create(customer=customer, total=5)
        customer.refresh_from_db()
        self.assertEqual(customer.orders_placed, 1)
        self.assertEqual(AuditEntry.objects.count(), 1)

    def test_request_places_an_order(self):
        response = self.client.post("/orders/", {"customer": "cy", "total": "7"})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(Order.objects.get().total, 7)

    def test_missing_order_is_404(self):
        self.assertEqual(self.client.get("/orders/999/").status_code, 404)
