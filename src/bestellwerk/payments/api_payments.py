"""The money of an order over REST: the payments ledger, payment links and refunds. Thin
handlers, one service call each."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from bestellwerk.api.auth import authorize
from bestellwerk.api.idempotency import IDEMPOTENCY_HEADER, run_idempotent
from bestellwerk.api.schemas import (
    COMMON_ERRORS,
    MAX_DB_INT,
    CodeIn,
    DateTimeIn,
    InputSchema,
    MoneyIn,
    MoneyOut,
    SkuIn,
    VersionIn,
)
from bestellwerk.api.versioning import expected_version, set_etag
from bestellwerk.orders.inputs import MAX_LINES, MAX_QUANTITY
from bestellwerk.orders.models import Order
from bestellwerk.orders.schemas import OrderOut
from bestellwerk.orders.selectors import get_order
from bestellwerk.payments import services
from bestellwerk.payments.models import Payment, Refund
from bestellwerk.payments.selectors import list_payments, list_refunds
from bestellwerk.payments.services import MAX_REASON_LENGTH, RefundLineInput
from bestellwerk.payments.services.ledger import MAX_REFERENCE_LENGTH

router = Router(tags=["payments"])

OrderNumber = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
PaymentId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]


class PaymentIn(InputSchema):
    amount: MoneyIn
    method: CodeIn | None = Field(None, description="payment method code")
    reference: str = Field("", max_length=MAX_REFERENCE_LENGTH)
    paid_at: DateTimeIn | None = Field(None, description="when the money arrived; default now")
    version: VersionIn | None = None


class VoidIn(InputSchema):
    reason: str = Field(min_length=1, max_length=MAX_REASON_LENGTH)
    version: VersionIn | None = None


class PaymentStatusIn(InputSchema):
    payment_status: Literal["paid", "unpaid"]
    version: VersionIn | None = None


class PaymentOut(Schema):
    id: int
    amount: MoneyOut = Field(description="negative for a void")
    currency: str
    provider: str
    method: str | None
    reference: str
    paid_at: datetime
    voided_payment_id: int | None = Field(description="set on a void: the payment it cancels")
    voided_by_id: int | None = Field(description="set on a voided payment: its void")
    reason: str
    recorded_by: str
    created_at: datetime

    @staticmethod
    def resolve_method(obj: Payment) -> str | None:
        return obj.method.code if obj.method else None

    @staticmethod
    def resolve_voided_by_id(obj: Payment) -> int | None:
        void = getattr(obj, "void", None)
        return void.pk if void else None

    @staticmethod
    def resolve_recorded_by(obj: Payment) -> str:
        return obj.actor_label


class PaymentListOut(Schema):
    items: list[PaymentOut]


class PaymentLinkOut(Schema):
    url: str
    expires_at: datetime
    amount: MoneyOut


class RefundLineIn(InputSchema):
    sku: SkuIn
    quantity: StrictInt = Field(ge=1, le=MAX_QUANTITY)


class RefundIn(InputSchema):
    """Either `amount`, or `lines` (optionally with `include_shipping`)."""

    amount: MoneyIn | None = None
    lines: list[RefundLineIn] | None = Field(default=None, max_length=MAX_LINES)
    include_shipping: StrictBool = False
    reason: str = Field(default="", max_length=MAX_REASON_LENGTH)
    restock: StrictBool = False
    notify_customer: StrictBool = False
    set_status_refunded: StrictBool = Field(
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


@router.get("/orders/{number}/payments", response={200: PaymentListOut, **COMMON_ERRORS})
def list_payments_endpoint(request: HttpRequest, number: OrderNumber):
    """The order's payments ledger, oldest first: payments and the voids that cancel them."""
    authorize(request, "orders.view")
    return {"items": list(list_payments(order=get_order(number=number)))}


@router.post("/orders/{number}/payments", response={201: PaymentOut, **COMMON_ERRORS})
def record_payment_endpoint(
    request: HttpRequest, number: OrderNumber, payload: PaymentIn
) -> HttpResponse:
    """Record money that arrived outside a provider (cash, bank transfer). The order's
    `totals` and `payment_status` follow from the ledger. Honours `Idempotency-Key`."""
    actor = authorize(request, "orders.payments")
    version = expected_version(request, payload.version)
    return run_idempotent(
        request,
        status=201,
        schema=PaymentOut,
        create=lambda: services.record_manual_payment(
            number=number,
            actor=actor,
            amount=payload.amount,
            method=payload.method,
            reference=payload.reference,
            paid_at=payload.paid_at,
            expected_version=version,
        ),
    )


@router.post(
    "/orders/{number}/payments/{payment_id}/void", response={201: PaymentOut, **COMMON_ERRORS}
)
def void_payment_endpoint(
    request: HttpRequest, number: OrderNumber, payment_id: PaymentId, payload: VoidIn
) -> HttpResponse:
    """Cancel a mistaken manual payment: answers the void (a new row with the negative
    amount). Provider payments are refunded instead (`provider_payment`)."""
    actor = authorize(request, "orders.payments")
    version = expected_version(request, payload.version)
    return run_idempotent(
        request,
        status=201,
        schema=PaymentOut,
        create=lambda: services.void_payment(
            number=number,
            payment_id=payment_id,
            reason=payload.reason,
            actor=actor,
            expected_version=version,
        ),
    )


@router.post("/orders/{number}/payment-status", response={200: OrderOut, **COMMON_ERRORS})
def set_payment_status_endpoint(
    request: HttpRequest, number: OrderNumber, payload: PaymentStatusIn, response: HttpResponse
) -> Order:
    """The shorthand of the ledger: `paid` records a manual payment of the open balance,
    `unpaid` voids the manual payments (provider payments can only be refunded)."""
    actor = authorize(request, "orders.payments")
    services.set_payment_status(
        number=number,
        payment_status=payload.payment_status,
        actor=actor,
        expected_version=expected_version(request, payload.version),
    )
    order = get_order(number=number)
    set_etag(response, order.version)
    return order
