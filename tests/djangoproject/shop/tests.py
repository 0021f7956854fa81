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


class AgentChangesNothingTests(TestCase):
    """With SignalScope's agent recording (signalscope record), Django must
    behave as without it: no receiver listens to Note, so deleting one takes
    the collector's fast path -- one DELETE, no pre_delete/post_delete."""

    def test_delete_without_receivers_is_one_delete(self):
        import os
        import sys

        from django.db import connection
        from django.db.models.signals import post_delete, pre_delete
        from django.test.utils import CaptureQueriesContext

        from .models import Note

        if os.environ.get("SIGNALSCOPE_SOCKET"):
            agent = sys.modules.get("signalscope_agent")
            self.assertIsNotNone(agent, "the agent should be loaded")
            self.assertTrue(agent._agent.active, "the agent should be recording")
        note = Note.objects.create(text="hello")
        self.assertFalse(pre_delete.has_listeners(Note))
        with CaptureQueriesContext(connection) as queries:
            Note.objects.filter(pk=note.pk).delete()
        self.assertEqual([q["sql"].split()[0] for q in queries.captured_queries], ["DELETE"])
        self.assertFalse(pre_delete.has_listeners(Note))
        self.assertFalse(post_delete.has_listeners(Note))
