"""Template helpers of the staff UI."""

from django import template

from bestellwerk.accounts.permissions import has_permission

register = template.Library()


@register.filter
def can(user: object, capability: str) -> bool:
    """`{% if user|can:"orders.edit" %}`: hide what a role may not do (the view checks too)."""
    return bool(getattr(user, "is_authenticated", False)) and has_permission(user, capability)
