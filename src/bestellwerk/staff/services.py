"""Writes the staff UI makes that belong to no other app's service."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from bestellwerk.accounts.models import User
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.services import change_order_tags, set_order_status, update_order

UI_LANGUAGES = frozenset({"de", "en"})


@transaction.atomic
def set_user_language(*, user: User, language: str) -> User:
    """Store the language the staff user sees the UI in (the middleware activates it)."""
    if language not in UI_LANGUAGES:
        raise ServiceError(
            "invalid_language", _("Choose de or en."), fields={"language": language[:10]}
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@dataclass(frozen=True)
class BulkFailure:
    number: int
    error: ServiceError

    @property
    def code(self) -> str:
        return self.error.code


@dataclass
class BulkOutcome:
    done: list[int] = field(default_factory=list)
    failed: list[BulkFailure] = field(default_factory=list)


def _for_each_order(numbers: list[int], change: Callable[[int], object]) -> BulkOutcome:
    """Apply `change` to every order, each in its own transaction (the order services are
    atomic): one order's refusal (stock short, forbidden transition, a conflicting edit) is
    collected and does not undo the others."""
    outcome = BulkOutcome()
    for number in numbers:
        try:
            change(number)
        except ServiceError as error:
            outcome.failed.append(BulkFailure(number, error))
        else:
            outcome.done.append(number)
    return outcome


def bulk_set_order_status(
    *,
    numbers: list[int],
    status: str,
    actor: Actor,
    adjust_stock: bool = True,
    notify_customer: bool = False,
    notify_admins: bool = False,
) -> BulkOutcome:
    return _for_each_order(
        numbers,
        lambda number: set_order_status(
            number=number,
            status=status,
            actor=actor,
            adjust_stock=adjust_stock,
            notify_customer=notify_customer,
            notify_admins=notify_admins,
        ),
    )


def bulk_change_order_tags(
    *,
    numbers: list[int],
    actor: Actor,
    add: list[str] | None = None,
    remove: list[str] | None = None,
) -> BulkOutcome:
    return _for_each_order(
        numbers,
        lambda number: change_order_tags(number=number, actor=actor, add=add, remove=remove),
    )


def bulk_assign_orders(*, numbers: list[int], actor: Actor, assignee: str | None) -> BulkOutcome:
    """Assign every order to the user named `assignee` (None: nobody)."""
    return _for_each_order(
        numbers, lambda number: update_order(number=number, actor=actor, assignee=assignee)
    )
