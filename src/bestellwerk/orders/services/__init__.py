"""Every write to an order. One transaction each, the order row locked, events inside.

Each public service takes the order `number`, the `actor`, and optionally the
`expected_version` the caller last saw: a stale one gets `version_conflict` and changes
nothing. Every change bumps `version`.

The modules, by business action (callers import from this package):
- create: create_order, place_order (drafts, placing, the order number counter)
- cart: set_order_lines, set_order_coupon (lines, coupon, totals applied to the order)
- parties: update_order (customer, addresses, assignee, lead source, channel, methods)
- status: set_order_status, close_refunded_order (the lifecycle, stock crossings)
- fulfilment: add_shipment, update_shipment_tracking
- annotations: add_order_note, change_order_tags
- stock: deducting, restocking and moving the stock an order holds
- persistence: lock_order, save_order_change (version, search document)
- references: codes, usernames and ids resolved to rows
"""

from bestellwerk.orders.services.annotations import add_order_note, change_order_tags
from bestellwerk.orders.services.cart import set_order_coupon, set_order_lines
from bestellwerk.orders.services.create import (
    FIRST_ORDER_NUMBER,
    ORDER_NUMBER_COUNTER,
    allocate_order_numbers,
    create_order,
    place_order,
)
from bestellwerk.orders.services.fulfilment import add_shipment, update_shipment_tracking
from bestellwerk.orders.services.parties import update_order
from bestellwerk.orders.services.persistence import lock_order, save_order_change
from bestellwerk.orders.services.status import close_refunded_order, set_order_status

__all__ = [
    "FIRST_ORDER_NUMBER",
    "ORDER_NUMBER_COUNTER",
    "add_order_note",
    "add_shipment",
    "allocate_order_numbers",
    "change_order_tags",
    "close_refunded_order",
    "create_order",
    "lock_order",
    "place_order",
    "save_order_change",
    "set_order_coupon",
    "set_order_lines",
    "set_order_status",
    "update_order",
    "update_shipment_tracking",
]
