# The same project with DEBUG off: the agent must refuse to record it.
from .settings import *  # noqa: F401,F403

DEBUG = False
