"""Payment links and refunds over REST: thin handlers, one service call each."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from bestellwerk.api.auth import authorize
from bestellwerk.api.idempotency import IDEMPOTENCY_HEADER
from bestellwerk.api.schemas import COMMON_ERRORS, MAX_DB_INT, MoneyIn, MoneyOut
from bestellwerk.orders.inputs import MAX_LINES, MAX_QUANTITY
from bestellwerk.orders.selectors import get_order
from bestellwerk.payments import services
from bestellwerk.payments.models import Refund
from bestellwerk.payments.selectors import list_refunds
from bestellwerk.payments.services import MAX_REASON_LENGTH, RefundLineInput

router = Router(tags=["payments"])

OrderNumber = Annotated[int, Field(ge=1, le=MAX_DB_INT)]


class PaymentLinkOut(Schema):
    url: str
    expires_at: datetime
    amount: MoneyOut


class RefundLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class RefundIn(Schema):
    """Either `amount`, or `lines` (optionally with `include_shipping`)."""

    amount: MoneyIn | None = None
    lines: list[RefundLineIn] | None = Field(default=None, max_length=MAX_LINES)
    include_shipping: bool = False
    reason: str = Field(default="", max_length=MAX_REASON_LENGTH)
    restock: bool = False
    notify_customer: bool = False
    set_status_refunded: bool = Field(
        default=False, description="When the refund makes the order fully refunded."
    )


class RefundLineOut(Schema):
    sku: str
    name: str
    quantity: int
    amount: MoneyOut
    restocked_quantity: int


class RefundOut(Schema):
    id: int
    status: str = Field(description="pending, succeeded or failed")
    amount: MoneyOut
    shipping_amount: MoneyOut
    currency: str
    provider: str
    reason: str
    restock: bool
    notify_customer: bool
    failure_message: str
    lines: list[RefundLineOut]
    created_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_lines(obj: Refund) -> list:
        return list(obj.lines.all())


class RefundListOut(Schema):
    items: list[RefundOut]


@router.post("/orders/{number}/payment-link", response={200: PaymentLinkOut, **COMMON_ERRORS})
def send_payment_link_endpoint(request: HttpRequest, number: OrderNumber):
    """A fresh payment link for an unpaid order, e-mailed to the customer."""
    actor = authorize(request, "orders.payments")
    sent = services.send_payment_link(number=number, actor=actor)
    return {"url": sent.url, "expires_at": sent.link.expires_at, "amount": sent.link.amount}


@router.post("/orders/{number}/refunds", response={201: RefundOut, **COMMON_ERRORS})
def refund_order_endpoint(request: HttpRequest, number: OrderNumber, payload: RefundIn):
    """Refund an amount or lines; answers the refund with its `status` (`pending` until
    the provider confirms, `failed` with the provider's message). Honours `Idempotency-Key`:
    a retry answers the same refund (as it is now) and refunds nothing more."""
    actor = authorize(request, "orders.payments")
    # The refund service keeps the key itself (per order), so the refund is committed as
    # pending, reserving its amount, before the provider is asked; a request-wide
    # transaction would hold it back until the provider answered.
    key = request.headers.get(IDEMPOTENCY_HEADER)
    refund = services.refund_order(
        number=number,
        actor=actor,
        amount=payload.amount,
        lines=[RefundLineInput(sku=line.sku, quantity=line.quantity) for line in payload.lines]
        if payload.lines is not None
        else None,
        include_shipping=payload.include_shipping,
        reason=payload.reason,
        restock=payload.restock,
        notify_customer=payload.notify_customer,
        set_status_refunded=payload.set_status_refunded,
        idempotency_key=key.strip() if key is not None else None,
    )
    return Status(201, refund)


@router.get("/orders/{number}/refunds", response={200: RefundListOut, **COMMON_ERRORS})
def list_refunds_endpoint(request: HttpRequest, number: OrderNumber):
    """Every refund of the order, oldest first (an order has few)."""
    authorize(request, "orders.view")
    return {"items": list(list_refunds(order=get_order(number=number)))}
