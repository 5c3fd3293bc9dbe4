"""Parcels: shipments and their tracking."""

from django.db import transaction
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import (
    OrderEventType,
)
from bestellwerk.orders.services.persistence import lock_order, save_order_change
from bestellwerk.orders.services.references import resolve_code
from bestellwerk.shipping.models import Carrier, Shipment


def _resolve_carrier(carrier: str | None, carrier_name: str | None) -> tuple[Carrier | None, str]:
    if carrier:
        obj = resolve_code(Carrier, carrier, "carrier")
        return obj, obj.name
    name = (carrier_name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError(
            "invalid_carrier",
            _("Choose a carrier from the list or give a name (1 to 100 characters)."),
            fields={"carrier": carrier_name},
        )
    return None, name


def _clean_tracking(tracking_code: str, tracking_url: str) -> tuple[str, str]:
    tracking_code, tracking_url = tracking_code.strip(), tracking_url.strip()
    if len(tracking_code) > 100:
        raise ServiceError(
            "invalid_tracking",
            _("The tracking code has at most 100 characters."),
            fields={"tracking_code": len(tracking_code)},
        )
    if len(tracking_url) > 500 or (
        tracking_url and not tracking_url.startswith(("https://", "http://"))
    ):
        raise ServiceError(
            "invalid_tracking",
            _("A tracking link starts with https:// and has at most 500 characters."),
            fields={"tracking_url": tracking_url[:100]},
        )
    return tracking_code, tracking_url


@transaction.atomic
def add_shipment(
    *,
    number: int,
    actor: Actor,
    carrier: str | None = None,
    carrier_name: str | None = None,
    tracking_code: str = "",
    tracking_url: str = "",
    expected_version: int | None = None,
) -> Shipment:
    """Add a parcel: a carrier from the list (its tracking link derived) or a custom name."""
    require_capability(actor, "orders.shipments")
    tracking_code, tracking_url = _clean_tracking(tracking_code, tracking_url)
    carrier_obj, name = _resolve_carrier(carrier, carrier_name)
    order = lock_order(number, expected_version)
    if order.is_draft:
        raise ServiceError(
            "order_is_draft", _("A draft cannot be shipped."), fields={"status": order.status}
        )
    shipment = Shipment.objects.create(
        order=order,
        carrier=carrier_obj,
        carrier_name=name,
        tracking_code=tracking_code,
        tracking_url=(carrier_obj.tracking_url(tracking_code) if carrier_obj else "")
        or tracking_url,
    )
    record_order_event(
        order=order,
        type=OrderEventType.SHIPMENT_ADDED,
        actor=actor,
        data={
            "shipment_id": shipment.pk,
            "carrier": name,
            "tracking_code": tracking_code,
            "tracking_url": shipment.tracking_url,
        },
    )
    save_order_change(order, actor=actor)
    return shipment


@transaction.atomic
def update_shipment_tracking(
    *,
    number: int,
    shipment_id: int,
    tracking_code: str,
    actor: Actor,
    tracking_url: str | None = None,
    expected_version: int | None = None,
) -> Shipment:
    """A new tracking code; a listed carrier derives the link, a custom one takes
    `tracking_url` (without one, a changed code drops the old link rather than keep a
    wrong one)."""
    require_capability(actor, "orders.shipments")
    tracking_code, new_url = _clean_tracking(tracking_code, tracking_url or "")
    order = lock_order(number, expected_version)
    shipment = (
        Shipment.objects.select_related("carrier").filter(order=order, pk=shipment_id).first()
    )
    if shipment is None:
        raise ServiceError(
            "not_found",
            _("Order %(number)s has no shipment %(id)s.") % {"number": number, "id": shipment_id},
            fields={"shipment_id": shipment_id},
        )
    previous = shipment.tracking_code
    shipment.tracking_code = tracking_code
    if shipment.carrier is not None:
        shipment.tracking_url = shipment.carrier.tracking_url(tracking_code) or new_url
    elif tracking_url is not None or tracking_code != previous:
        shipment.tracking_url = new_url
    shipment.save()
    record_order_event(
        order=order,
        type=OrderEventType.TRACKING_UPDATED,
        actor=actor,
        data={
            "shipment_id": shipment.pk,
            "from": previous,
            "to": tracking_code,
            "tracking_url": shipment.tracking_url,
        },
    )
    save_order_change(order, actor=actor)
    return shipment
