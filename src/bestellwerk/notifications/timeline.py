"""E-mail events in words on the order's timeline (sent or failed, to whom)."""

from typing import Any

from django.utils.translation import gettext as _


def describe_email_sent(data: dict[str, Any]) -> str:
    return _("E-mail “%(subject)s” sent to %(to)s") % {
        "subject": data.get("subject", ""),
        "to": data.get("to", ""),
    }


def describe_email_failed(data: dict[str, Any]) -> str:
    text = _("E-mail “%(subject)s” to %(to)s failed (attempt %(attempt)s): %(error)s") % {
        "subject": data.get("subject", ""),
        "to": data.get("to", ""),
        "attempt": data.get("attempt", ""),
        "error": data.get("error", ""),
    }
    if data.get("final"):
        return text + " – " + _("given up")
    if data.get("retry_at"):
        return text + " – " + _("will be retried")
    return text
