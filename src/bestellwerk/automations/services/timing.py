"""Durations the automation and webhook services read from settings."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def setting_number(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def sweep_cutoff() -> datetime:
    return timezone.now() - timedelta(seconds=setting_number("OUTBOX_SWEEP_GRACE_SECONDS", 60))
