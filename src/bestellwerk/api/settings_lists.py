"""The settings lists the API offers for choosing codes (payment methods, carriers, …)."""

from django.db.models import Model


def active_settings(model: type[Model]) -> list[Model]:
    """Active rows of a settings model in their configured order (a short list)."""
    return list(model.objects.filter(is_active=True).order_by("position", "code"))
