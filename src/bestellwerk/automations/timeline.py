"""Automation steps and webhook deliveries in words on the order's timeline."""

from typing import Any

from django.utils.translation import gettext as _

from bestellwerk.automations.models import RunStatus, StepAction


def describe_automation_step(data: dict[str, Any]) -> str:
    action = data.get("action", "")
    status = data.get("status", "")
    text = _("Automation “%(name)s”, step %(step)s: %(action)s – %(status)s") % {
        "name": data.get("automation", ""),
        "step": data.get("step", ""),
        "action": StepAction(action).label if action in StepAction.values else action,
        "status": RunStatus(status).label if status in RunStatus.values else status,
    }
    if data.get("error"):
        text += f" ({data['error']})"
    return text


def describe_webhook_delivered(data: dict[str, Any]) -> str:
    if data.get("delivered"):
        return _("Webhook “%(endpoint)s” received %(event)s (HTTP %(code)s)") % {
            "endpoint": data.get("endpoint", ""),
            "event": data.get("event_type", ""),
            "code": data.get("response_code", ""),
        }
    return _("Webhook “%(endpoint)s” gave up on %(event)s after %(attempts)s attempts") % {
        "endpoint": data.get("endpoint", ""),
        "event": data.get("event_type", ""),
        "attempts": data.get("attempts", ""),
    }
