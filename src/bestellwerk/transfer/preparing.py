"""Making read orders ready to write: duplicates found, products and the shop's lists
matched, money computed from the lines, the file's total kept, errors named. One chunk at a
time, a few queries per chunk."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from bestellwerk.accounts.models import User
from bestellwerk.catalog.models import Product
from bestellwerk.core.bulk import AnyOf
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import MAX_AMOUNT, ZERO
from bestellwerk.core.search import fold
from bestellwerk.core.tags import clean_tag_names
from bestellwerk.orders.balance import derive_payment_status, order_balance
from bestellwerk.orders.models import Channel, LeadSource, Order
from bestellwerk.orders.totals import DEFAULT_SHIPPING_VAT_RATE, LineAmountsInput, compute_totals
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.promotions.models import Coupon
from bestellwerk.shipping.models import Carrier, ShippingMethod
from bestellwerk.transfer.records import RowError, SourceOrder

MAX_LINES = 250
# VAT rounded per line and per rate may differ by a cent for each: no difference then.
TAX_ROUNDING = Decimal("0.01")


@dataclass
class ImportOptions:
    format: str = "auto"
    dry_run: bool = False
    on_duplicate: str = "skip"  # or "update"
    adjust_stock: bool = False
    run_automations: bool = False
    notify: bool = False


@dataclass
class Difference:
    """An order whose file total is not what its lines, discounts and shipping add up to."""

    row: int
    order: str
    file_total: Decimal
    computed_total: Decimal
    kind: str = "total"  # or "tax": the totals agree, the VAT does not

    def as_json(self) -> dict[str, object]:
        return {
            "row": self.row,
            "order": self.order,
            "kind": self.kind,
            "file_total": f"{self.file_total:.2f}",
            "computed_total": f"{self.computed_total:.2f}",
        }


@dataclass
class Prepared:
    """A read order made ready to write: its money computed, its references resolved."""

    source: SourceOrder
    lines: list[dict[str, Any]]
    money: dict[str, Any]
    refs: dict[str, Any]
    tags: list[str]
    existing_id: int | None = None
    customer_key: str = ""
    difference: Difference | None = None


@dataclass
class ChunkResult:
    imported: list[Prepared] = field(default_factory=list)
    updated: list[Prepared] = field(default_factory=list)
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def differences(self) -> list[Difference]:
        """Of the orders that were written (or would be, in a dry run)."""
        return [i.difference for i in (*self.imported, *self.updated) if i.difference]


class References:
    """The shop's small lists, loaded once per import: methods, carriers, lead sources,
    staff. Foreign names are matched by code or by either of their names, ignoring case."""

    def __init__(self) -> None:
        self.payment_methods = _by_names(PaymentMethod.objects.all())
        self.shipping_methods = _by_names(ShippingMethod.objects.all())
        self.carriers = _by_names(Carrier.objects.all())
        self.lead_sources = _by_names(LeadSource.objects.all())
        self.staff = {fold(u.username): u.pk for u in User.objects.only("pk", "username")}


def _by_names(rows: Iterable[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for row in rows:
        for name in (row.code, row.name, row.name_en):
            if name:
                found.setdefault(fold(name), row)
    return found


class ChunkPreparer:
    """Prepares chunks of SourceOrders for one import run (the shop's lists read once)."""

    def __init__(self, *, options: ImportOptions) -> None:
        self.options = options
        self.refs = References()

    def prepare(self, orders: list[SourceOrder]) -> tuple[list[Prepared], ChunkResult]:
        """Everything but writing: duplicates, products, money, references, errors."""
        result = ChunkResult()
        existing = self._existing(orders)
        products = self._products(orders)
        coupons = self._coupons(orders)
        seen: set[tuple[str, str]] = set()
        prepared = []
        for order in orders:
            key = (order.external_source, order.external_id)
            if key in seen or (key in existing and self.options.on_duplicate == "skip"):
                result.skipped += 1
                continue
            seen.add(key)
            try:
                item = self._prepare_one(order, products, coupons, result)
            except ServiceError as error:
                result.errors.append(
                    row_error(order, error.fields.get("column", ""), error.message)
                )
                continue
            item.existing_id = existing.get(key)
            prepared.append(item)
        return prepared, result

    def _existing(self, orders: list[SourceOrder]) -> dict[tuple[str, str], int]:
        by_source: dict[str, list[str]] = defaultdict(list)
        for order in orders:
            by_source[order.external_source].append(order.external_id)
        found: dict[tuple[str, str], int] = {}
        for source, ids in by_source.items():
            rows = Order.objects.filter(AnyOf("external_id", ids), external_source=source)
            for pk, external_id in rows.values_list("pk", "external_id"):
                found[(source, external_id)] = pk
        return found

    def _products(self, orders: list[SourceOrder]) -> dict[str, tuple[int, Decimal, bool]]:
        skus = {line.sku for order in orders for line in order.lines if line.sku}
        rows = Product.objects.filter(AnyOf("sku", list(skus))).values_list(
            "sku", "pk", "vat_rate", "track_stock"
        )
        return {sku: (pk, rate, tracked) for sku, pk, rate, tracked in rows}

    def _coupons(self, orders: list[SourceOrder]) -> dict[str, tuple[int, str]]:
        codes = {fold(order.discount_code) for order in orders if order.discount_code}
        if not codes:
            return {}
        rows = Coupon.objects.annotate(folded=Lower("code")).filter(folded__in=codes)
        return {fold(code): (pk, code) for pk, code in rows.values_list("pk", "code")}

    def _prepare_one(
        self,
        order: SourceOrder,
        products: dict[str, tuple[int, Decimal, bool]],
        coupons: dict[str, tuple[int, str]],
        result: ChunkResult,
    ) -> Prepared:
        if not order.lines:
            raise refused("", _("the order has no lines"))
        if len(order.lines) > MAX_LINES:
            raise refused("", _("an order has at most %(max)d lines") % {"max": MAX_LINES})
        if not order.external_id:
            raise refused("", _("the order has no number"))
        fallback_rate = (
            order.fallback_vat_rate
            if order.fallback_vat_rate is not None
            else DEFAULT_SHIPPING_VAT_RATE
        )
        lines = []
        for position, line in enumerate(order.lines):
            product = products.get(line.sku)
            rate = line.vat_rate
            if rate is None:
                rate = product[1] if product else fallback_rate
            lines.append(
                {
                    "position": position,
                    "product_id": product[0] if product else None,
                    "tracked": bool(product and product[2]),
                    "sku": line.sku,
                    "name": line.name,
                    "unit_price": line.unit_price,
                    "vat_rate": rate,
                    "quantity": line.quantity,
                }
            )
        totals = compute_totals(
            lines=[LineAmountsInput(x["unit_price"], x["quantity"], x["vat_rate"]) for x in lines],
            coupon=None,
            shipping_price=order.shipping_price,
            line_discounts=[line.discount for line in order.lines],
        )
        for line, amounts in zip(lines, totals.lines, strict=True):
            line.update(
                subtotal=amounts.subtotal,
                discount=amounts.discount,
                total=amounts.total,
                tax=amounts.tax,
            )
        if totals.subtotal + totals.shipping > MAX_AMOUNT:
            raise refused(
                "", _("the order's amounts are larger than %(max)s") % {"max": MAX_AMOUNT}
            )
        difference = None
        if totals.total != order.total:
            difference = Difference(order.row, order.external_number, order.total, totals.total)
        elif order.tax_total is not None and abs(totals.tax_total - order.tax_total) > (
            TAX_ROUNDING * (len(lines) + 1)
        ):
            difference = Difference(
                order.row, order.external_number, order.tax_total, totals.tax_total, kind="tax"
            )
        money = self._ledger(order)
        money.update(
            subtotal=totals.subtotal,
            discount_total=totals.discount,
            shipping_total=totals.shipping,
            # The file's total is the truth for history; VAT as the lines carry it.
            total=order.total,
            tax_total=totals.tax_total,
            net_total=order.total - totals.tax_total,
            tax_breakdown=[tax.as_json() for tax in totals.tax],
        )
        money["balance"] = order_balance(
            total=order.total,
            paid=money["paid_total"],
            refunded=money["refunded_total"],
            credited=money["credited_total"],
        )
        money["payment_status"] = derive_payment_status(
            total=order.total, paid=money["paid_total"], refunded=money["refunded_total"]
        )
        try:
            tags = clean_tag_names(order.tags)
        except ServiceError as error:
            raise refused("Tags", error.message) from None
        return Prepared(
            source=order,
            lines=lines,
            money=money,
            refs=self._references(order, coupons),
            tags=tags,
            customer_key=order.email.strip().lower(),
            difference=difference,
        )

    def _ledger(self, order: SourceOrder) -> dict[str, Any]:
        # A free order marked paid moved no money: the ledger has no rows of nothing.
        order.payments = [payment for payment in order.payments if payment.amount > 0]
        order.refunds = [refund for refund in order.refunds if refund.amount > 0]
        paid = sum((payment.amount for payment in order.payments), ZERO)
        refunded = sum((refund.amount for refund in order.refunds), ZERO)
        if paid > MAX_AMOUNT:
            raise refused("", _("the payments are larger than %(max)s") % {"max": MAX_AMOUNT})
        if refunded > paid:
            raise refused(
                "",
                _("refunds of %(refunded)s exceed the payments of %(paid)s")
                % {"refunded": refunded, "paid": paid},
            )
        credited = ZERO
        for refund in order.refunds:
            wanted = (
                refund.amount if refund.credited is None else min(refund.credited, refund.amount)
            )
            credited += min(wanted, order.total - credited)
        return {"paid_total": paid, "refunded_total": refunded, "credited_total": credited}

    def _references(
        self, order: SourceOrder, coupons: dict[str, tuple[int, str]]
    ) -> dict[str, Any]:
        payment_method = self.refs.payment_methods.get(fold(order.payment_method))
        shipping_method = self.refs.shipping_methods.get(fold(order.shipping_method))
        coupon = coupons.get(fold(order.discount_code)) if order.discount_code else None
        lead_source = self.refs.lead_sources.get(fold(order.lead_source or order.source))
        channel = order.channel or Channel.IMPORT
        return {
            "payment_method": payment_method,
            "payment_method_name": "" if payment_method else order.payment_method,
            "shipping_method_id": shipping_method.pk if shipping_method else None,
            "shipping_method_name": "" if shipping_method else order.shipping_method,
            "coupon_id": coupon[0] if coupon else None,
            "coupon_code": "" if coupon else order.discount_code,
            "lead_source_id": lead_source.pk if lead_source else None,
            "channel": channel,
            "assignee_id": self.refs.staff.get(fold(order.assignee)) if order.assignee else None,
        }


@dataclass(frozen=True)
class LineView:
    """What the search document needs of a line before it is written."""

    sku: str
    name: str


def line_views(lines: list[dict[str, Any]]) -> list[LineView]:
    return [LineView(line["sku"], line["name"]) for line in lines]


def refused(column: str, message: str) -> ServiceError:
    return ServiceError("import_rejected", message, fields={"column": column})


def row_error(order: SourceOrder, column: str, message: str) -> RowError:
    return RowError(row=order.row, order=order.external_number, column=column, message=message)
