from django.dispatch.dispatcher import Signal  # noqa: F401
