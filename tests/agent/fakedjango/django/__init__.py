"""A stand-in for Django, written for SignalScope's tests (no Django code):
just what the agent touches -- get_version(), settings, and a dispatcher
whose receivers have the shape FAKE_DJANGO_SHAPE asks for (see
dispatch/dispatcher.py)."""
VERSION = (0, 0, 0, "fake", 0)


def get_version():
    return "0.0-fake"
