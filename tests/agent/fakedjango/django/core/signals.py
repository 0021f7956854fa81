from django.dispatch import Signal

request_started = Signal()
