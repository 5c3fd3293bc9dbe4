"""The shapes of orders in the REST API: what a request may send (`bodies`, `queries`),
what an answer holds (`responses`)."""

from bestellwerk.orders.schemas.bodies import (
    NoteIn,
    OrderCreateIn,
    OrderLinesIn,
    OrderStatusIn,
    OrderUpdateIn,
    PaymentStatusIn,
    PlaceOrderIn,
    ShipmentIn,
    ShipmentTrackingIn,
    line_inputs,
)
from bestellwerk.orders.schemas.queries import EventListQuery, OrderListQuery
from bestellwerk.orders.schemas.responses import (
    EventListOut,
    NoteOut,
    OrderListOut,
    OrderOut,
    ShipmentOut,
)

__all__ = [
    "EventListOut",
    "EventListQuery",
    "NoteIn",
    "NoteOut",
    "OrderCreateIn",
    "OrderLinesIn",
    "OrderListOut",
    "OrderListQuery",
    "OrderOut",
    "OrderStatusIn",
    "OrderUpdateIn",
    "PaymentStatusIn",
    "PlaceOrderIn",
    "ShipmentIn",
    "ShipmentOut",
    "ShipmentTrackingIn",
    "line_inputs",
]
