"""Orders over REST: thin handlers that check a permission, call one service, render."""

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from bestellwerk.api.auth import authorize
from bestellwerk.api.idempotency import run_idempotent
from bestellwerk.api.pagination import KeysetPage, keyset_page
from bestellwerk.api.schemas import COMMON_ERRORS, MAX_DB_INT, SettingListOut
from bestellwerk.api.settings_lists import active_settings
from bestellwerk.api.versioning import expected_version, set_etag
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders import services
from bestellwerk.orders.inputs import UNSET
from bestellwerk.orders.models import LeadSource, Order, OrderEvent
from bestellwerk.orders.schemas import (
    EventListOut,
    EventListQuery,
    NoteIn,
    NoteOut,
    OrderCreateIn,
    OrderLinesIn,
    OrderListOut,
    OrderListQuery,
    OrderOut,
    OrderStatusIn,
    OrderUpdateIn,
    PlaceOrderIn,
    ShipmentIn,
    ShipmentOut,
    ShipmentTrackingIn,
    line_inputs,
)
from bestellwerk.orders.selectors import (
    OrderPage,
    get_order,
    list_order_events,
    list_orders,
)
from bestellwerk.shipping.models import Shipment

router = Router(tags=["orders"])

OrderNumber = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
ShipmentId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]


def _order_answer(number: int, response: HttpResponse) -> Order:
    order = get_order(number=number)
    set_etag(response, order.version)
    return order


@router.get("/orders", response={200: OrderListOut, **COMMON_ERRORS})
def list_orders_endpoint(request: HttpRequest, query: Query[OrderListQuery]) -> OrderPage:
    """Orders, newest first unless sorted otherwise; keyset pages via `next_cursor`."""
    authorize(request, "orders.view")
    return list_orders(query.as_filters(), sort=query.sort, limit=query.limit, cursor=query.cursor)


@router.post("/orders", response={201: OrderOut, **COMMON_ERRORS})
def create_order_endpoint(request: HttpRequest, payload: OrderCreateIn) -> HttpResponse:
    """Create a draft or a placed order. Honours `Idempotency-Key`."""
    actor = authorize(request, "orders.edit")

    def create() -> Order:
        return services.create_order(
            actor=actor, with_relations=True, **payload.service_arguments()
        )

    return run_idempotent(request, status=201, schema=OrderOut, create=create)


@router.get("/orders/{number}", response={200: OrderOut, **COMMON_ERRORS})
def get_order_endpoint(request: HttpRequest, number: OrderNumber, response: HttpResponse) -> Order:
    authorize(request, "orders.view")
    return _order_answer(number, response)


@router.patch("/orders/{number}", response={200: OrderOut, **COMMON_ERRORS})
def update_order_endpoint(
    request: HttpRequest, number: OrderNumber, payload: OrderUpdateIn, response: HttpResponse
) -> Order:
    """Change addresses, customer, assignee, lead source, channel, methods or tags."""
    actor = authorize(request, "orders.edit")
    services.update_order(
        number=number,
        actor=actor,
        expected_version=expected_version(request, payload.version),
        **payload.service_arguments(),
    )
    return _order_answer(number, response)


@router.put("/orders/{number}/lines", response={200: OrderOut, **COMMON_ERRORS})
def set_order_lines_endpoint(
    request: HttpRequest, number: OrderNumber, payload: OrderLinesIn, response: HttpResponse
) -> Order:
    """Replace the cart; `coupon_code` left out keeps the coupon, null or "" removes it."""
    actor = authorize(request, "orders.edit")
    services.set_order_lines(
        number=number,
        lines=line_inputs(payload.lines),
        coupon_code=payload.coupon_code if "coupon_code" in payload.model_fields_set else UNSET,
        actor=actor,
        expected_version=expected_version(request, payload.version),
    )
    return _order_answer(number, response)


@router.post("/orders/{number}/place", response={200: OrderOut, **COMMON_ERRORS})
def place_order_endpoint(
    request: HttpRequest,
    number: OrderNumber,
    response: HttpResponse,
    payload: PlaceOrderIn | None = None,
) -> Order:
    """Turn a draft into an order (as `pending` when sent without a body)."""
    actor = authorize(request, "orders.edit")
    payload = payload or PlaceOrderIn()
    services.place_order(
        number=number,
        status=payload.status.value,
        adjust_stock=payload.adjust_stock,
        actor=actor,
        expected_version=expected_version(request, payload.version),
    )
    return _order_answer(number, response)


@router.post("/orders/{number}/status", response={200: OrderOut, **COMMON_ERRORS})
def set_order_status_endpoint(
    request: HttpRequest, number: OrderNumber, payload: OrderStatusIn, response: HttpResponse
) -> Order:
    """Move the order along the transition table; `adjust_stock: false` leaves stock alone."""
    actor = authorize(request, "orders.status")
    services.set_order_status(
        number=number,
        status=payload.status.value,
        adjust_stock=payload.adjust_stock,
        notify_customer=payload.notify_customer,
        notify_admins=payload.notify_admins,
        comment=payload.comment,
        actor=actor,
        expected_version=expected_version(request, payload.version),
    )
    return _order_answer(number, response)


@router.post("/orders/{number}/notes", response={201: NoteOut, **COMMON_ERRORS})
def add_note_endpoint(request: HttpRequest, number: OrderNumber, payload: NoteIn) -> HttpResponse:
    """An internal, staff-only note. Honours `Idempotency-Key`."""
    actor = authorize(request, "orders.notes")
    version = expected_version(request, payload.version)
    return run_idempotent(
        request,
        status=201,
        schema=NoteOut,
        create=lambda: services.add_order_note(
            number=number, body=payload.body, actor=actor, expected_version=version
        ),
    )


@router.post("/orders/{number}/shipments", response={201: ShipmentOut, **COMMON_ERRORS})
def add_shipment_endpoint(
    request: HttpRequest, number: OrderNumber, payload: ShipmentIn
) -> HttpResponse:
    """A parcel: `carrier` (a code of GET /carriers) or `carrier_name`, and tracking.
    Honours `Idempotency-Key`."""
    actor = authorize(request, "orders.shipments")
    version = expected_version(request, payload.version)
    return run_idempotent(
        request,
        status=201,
        schema=ShipmentOut,
        create=lambda: services.add_shipment(
            number=number,
            carrier=payload.carrier,
            carrier_name=payload.carrier_name,
            tracking_code=payload.tracking_code,
            tracking_url=payload.tracking_url,
            actor=actor,
            expected_version=version,
        ),
    )


@router.patch(
    "/orders/{number}/shipments/{shipment_id}", response={200: ShipmentOut, **COMMON_ERRORS}
)
def update_tracking_endpoint(
    request: HttpRequest, number: OrderNumber, shipment_id: ShipmentId, payload: ShipmentTrackingIn
) -> Shipment:
    actor = authorize(request, "orders.shipments")
    return services.update_shipment_tracking(
        number=number,
        shipment_id=shipment_id,
        tracking_code=payload.tracking_code,
        actor=actor,
        expected_version=expected_version(request, payload.version),
    )


@router.get("/orders/{number}/events", response={200: EventListOut, **COMMON_ERRORS})
def list_events_endpoint(
    request: HttpRequest, number: OrderNumber, query: Query[EventListQuery]
) -> KeysetPage[OrderEvent]:
    """The order's timeline, oldest first."""
    authorize(request, "orders.view")
    order = Order.objects.filter(number=number).only("pk").first()
    if order is None:
        raise ServiceError("not_found", _("Order %(number)s does not exist.") % {"number": number})
    return keyset_page(
        list_order_events(order=order),
        key="id",
        limit=query.limit,
        cursor=query.cursor,
    )


@router.get("/lead-sources", response={200: SettingListOut, **COMMON_ERRORS})
def list_lead_sources_endpoint(request: HttpRequest) -> dict[str, list[LeadSource]]:
    authorize(request, "settings.view")
    return {"items": active_settings(LeadSource)}
