from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=100)
    orders_placed = models.IntegerField(default=0)


class Tag(models.Model):
    label = models.CharField(max_length=50)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    total = models.IntegerField(default=0)
    tags = models.ManyToManyField(Tag, blank=True)


class AuditEntry(models.Model):
    text = models.CharField(max_length=200)


class Note(models.Model):
    """No receiver listens to Note: deleting one takes Django's fast path."""
    text = models.CharField(max_length=200)
