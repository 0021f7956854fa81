#!/usr/bin/python3
"""The Django run agent_overhead.py times: the test project (tests/djangoproject)
on an in-memory database, a mix of what a Django app does -- creates with
receivers that save and send (nested), m2m adds, list reads (many
pre_init/post_init), updates, cascade deletes, requests through the test
client. Prints the seconds the workload took, wall clock and CPU time of this
process (all its threads, the agent's writer included), set-up and migrate
excluded.

Usage: agent_workload.py [ITERATIONS]
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "djangoproject"))
os.environ["DJANGO_SETTINGS_MODULE"] = "shopsite.settings"
os.environ.pop("SHOP_DB", None)          # in memory


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()
    from shop.models import AuditEntry, Customer, Order, Tag

    client = Client()
    tags = [Tag.objects.create(label="t%d" % i) for i in range(5)]
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(iterations):
        customer = Customer.objects.create(name="c%d" % i)
        orders = [Order.objects.create(customer=customer, total=j) for j in range(3)]
        orders[0].tags.add(*tags[:3])
        list(Order.objects.filter(customer=customer))
        list(AuditEntry.objects.all()[:50])
        Order.objects.filter(customer=customer).update(total=9)
        client.post("/orders/", {"customer": "web%d" % i, "total": "4"})
        client.get("/orders/%d/" % orders[1].pk)
        customer.delete()                # cascades to the orders: pre/post_delete, m2m rows
    print("%.6f %.6f" % (time.perf_counter() - start, time.process_time() - cpu))


if __name__ == "__main__":
    main()
