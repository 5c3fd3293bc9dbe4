"""Each planned order written through the order, shipping and payment services."""

import random
from decimal import Decimal

from bestellwerk.accounts.models import User
from bestellwerk.accounts.permissions import has_permission
from bestellwerk.accounts.services import create_api_token
from bestellwerk.core.actors import Actor
from bestellwerk.core.money import round_money
from bestellwerk.demo.data import CANCEL_COMMENTS, ON_HOLD_NOTES, REFUND_COMMENTS
from bestellwerk.demo.plan import OrderPlan
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Channel, OrderStatus
from bestellwerk.orders.models import PaymentStatus as Pay
from bestellwerk.orders.services import (
    add_order_note,
    add_shipment,
    create_order,
    set_order_status,
)
from bestellwerk.payments.services import (
    record_manual_payment,
    refund_order,
    set_payment_status,
)


class OrderWriter:
    """Writes plans as the webshop, the import, the ERP's API token or the staff would have."""

    def __init__(
        self, rng: random.Random, *, staff: dict[str, User], customer_ids: list[int]
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.customer_ids = customer_ids
        # The demo's API orders come from one token, as from a connected ERP.
        token, _raw = create_api_token(user=staff["admin"], name="ERP-Anbindung (Demo)")
        self.api_actor = Actor.for_token(token)

    def write(self, plan: OrderPlan) -> int:
        """Create the order and take it along its path; returns its number."""
        first = plan.path[0] if plan.path else OrderStatus.DRAFT
        order = create_order(
            actor=self._actor_for(plan),
            status=first,
            channel=plan.channel,
            customer_id=self.customer_ids[plan.customer_index],
            lines=[LineInput(quantity=quantity, sku=sku) for sku, quantity in plan.lines],
            coupon_code=plan.coupon,
            payment_method=plan.payment_method,
            shipping_method=plan.shipping_method,
            assignee=plan.assignee,
            lead_source=plan.lead_source,
            tags=plan.tags,
            adjust_stock=plan.adjust_stock,
            external_source="woocommerce" if plan.external_id else None,
            external_id=plan.external_id,
            external_number=f"WC-{plan.external_id}" if plan.external_id else "",
            created_at=plan.created_at,
        )
        number = order.number
        sales = Actor.for_user(self.staff["sofia"])
        if plan.paid_on_creation:
            # Paid at the till or in the web shop's checkout; at the till, sales takes it.
            staff_channel = plan.channel in (Channel.MANUAL, Channel.POS)
            order = set_payment_status(
                number=number,
                payment_status=Pay.PAID,
                actor=sales if staff_channel else self._actor_for(plan),
            )
        warehouse = Actor.for_user(self.staff["lars"])
        if plan.note:
            add_order_note(number=number, body=plan.note, actor=sales)
        sent_already = first in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
        if sent_already and plan.shipping_method != "pickup":
            self._ship(plan, number, warehouse)
        for status in plan.path[1:]:
            # Prepayment: the shop starts work once the money is in; invoices are paid later.
            if (
                status == OrderStatus.PROCESSING
                and plan.paid
                and plan.payment_method == "prepayment"
                and order.payment_status != Pay.PAID
            ):
                order = set_payment_status(number=number, payment_status=Pay.PAID, actor=sales)
            if status == OrderStatus.SHIPPED:
                self._ship(plan, number, warehouse)
            comment = ""
            if status == OrderStatus.ON_HOLD:
                add_order_note(number=number, body=self.rng.choice(ON_HOLD_NOTES), actor=sales)
            elif status == OrderStatus.CANCELLED:
                comment = self.rng.choice(CANCEL_COMMENTS)
            elif status == OrderStatus.REFUNDED:
                # The money goes back first (a manual refund: no provider is asked), which
                # marks the order refunded and restocks what it still holds.
                if order.payment_status == Pay.UNPAID:
                    order = set_payment_status(number=number, payment_status=Pay.PAID, actor=sales)
                refund_order(
                    number=number,
                    actor=sales,
                    amount=order.total,
                    reason=self.rng.choice(REFUND_COMMENTS),
                    restock=plan.adjust_stock,
                    set_status_refunded=True,
                )
                continue
            order = set_order_status(
                number=number,
                status=status,
                actor=warehouse if status == OrderStatus.SHIPPED else sales,
                adjust_stock=plan.adjust_stock,
                comment=comment,
            )
        if plan.paid and order.payment_status == Pay.UNPAID:
            order = set_payment_status(number=number, payment_status=Pay.PAID, actor=sales)
        if plan.partial_payment:
            record_manual_payment(
                number=number,
                actor=sales,
                amount=round_money(order.total / 2),
                reference="Anzahlung",
            )
        if plan.partial_refund:
            refund_order(
                number=number,
                actor=sales,
                amount=min(order.total, max(Decimal("1.00"), round_money(order.total / 5))),
                reason="Kulanz: Lieferung verspätet.",
            )
        return number

    def _actor_for(self, plan: OrderPlan) -> Actor:
        if plan.channel == Channel.WEB:
            return Actor.system("Webshop")
        if plan.channel == Channel.IMPORT:
            return Actor.system("Import WooCommerce")
        if plan.channel == Channel.API:
            return self.api_actor
        # Taken by whoever it is assigned to, unless that is the warehouse (which does not
        # take orders): then by sales.
        clerk = self.staff.get(plan.assignee or "sofia")
        if clerk is None or not has_permission(clerk, "orders.edit"):
            clerk = self.staff["sofia"]
        return Actor.for_user(clerk)

    def _ship(self, plan: OrderPlan, number: int, actor: Actor) -> None:
        add_shipment(
            number=number,
            carrier=plan.carrier,
            tracking_code=self._tracking_code(plan.carrier or "dhl"),
            actor=actor,
        )

    def _tracking_code(self, carrier: str) -> str:
        rng = self.rng
        if carrier in ("dhl", "deutsche_post"):
            return "00340434" + "".join(rng.choices("0123456789", k=12))
        if carrier == "ups":
            return "1Z" + "".join(rng.choices("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", k=16))
        return "".join(rng.choices("0123456789", k=14))
