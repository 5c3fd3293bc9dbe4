"""Staff annotations on an order: internal notes and tags."""

from django.db import transaction
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.tags import get_or_create_tags
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.inputs import (
    MAX_NOTE_LENGTH,
)
from bestellwerk.orders.models import (
    Order,
    OrderEventType,
    OrderNote,
)
from bestellwerk.orders.services.persistence import lock_order, save_order_change


def replace_tags(order: Order, names: list[str], actor: Actor) -> bool:
    new = get_or_create_tags(names)
    current = list(order.tags.all())
    added = [t.name for t in new if t not in current]
    removed = [t.name for t in current if t not in new]
    if not added and not removed:
        return False
    order.tags.set(new)
    record_order_event(
        order=order,
        type=OrderEventType.TAGS_CHANGED,
        actor=actor,
        data={"added": added, "removed": removed},
    )
    return True


@transaction.atomic
def change_order_tags(
    *,
    number: int,
    actor: Actor,
    add: list[str] | None = None,
    remove: list[str] | None = None,
    expected_version: int | None = None,
) -> Order:
    """Add and remove tags without naming the rest (bulk actions)."""
    require_capability(actor, "orders.edit")
    order = lock_order(number, expected_version)
    current = {t.name.lower(): t.name for t in order.tags.all()}
    for name in remove or []:
        current.pop(name.strip().lower(), None)
    for name in add or []:
        current.setdefault(name.strip().lower(), name)
    if not replace_tags(order, list(current.values()), actor):
        return order
    return save_order_change(order, actor=actor, searchable_changed=False)


@transaction.atomic
def add_order_note(
    *, number: int, body: str, actor: Actor, expected_version: int | None = None
) -> OrderNote:
    """An internal, staff-only note."""
    require_capability(actor, "orders.notes")
    body = body.strip()
    if not body or len(body) > MAX_NOTE_LENGTH:
        raise ServiceError(
            "invalid_note",
            _("A note has 1 to %(max)d characters.") % {"max": MAX_NOTE_LENGTH},
            fields={"body": len(body)},
        )
    order = lock_order(number, expected_version)
    note = OrderNote.objects.create(
        order=order, body=body, author=actor.user, author_label=actor.label
    )
    record_order_event(
        order=order, type=OrderEventType.NOTE_ADDED, actor=actor, data={"note_id": note.pk}
    )
    save_order_change(order, actor=actor, searchable_changed=False)
    return note
