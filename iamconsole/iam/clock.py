"""The one clock. Tests freeze time with time-machine, which this follows."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
