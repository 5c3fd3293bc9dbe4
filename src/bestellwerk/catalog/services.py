"""Stock changes only here, each with its StockMovement; deduction never oversells."""

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from bestellwerk.catalog.models import Product, StockMovement, StockReason
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.identifiers import MAX_SKU_LENGTH, is_valid_sku
from bestellwerk.core.money import VAT_RATE_VALUES, parse_money
from bestellwerk.core.tags import get_or_create_tags

if TYPE_CHECKING:
    from bestellwerk.orders.models import Order

MAX_STOCK_DELTA = 1_000_000
# Far below the database's integer limit, which many corrections in a row would pass.
MAX_STOCK = 1_000_000_000
MAX_NAME_LENGTH = 200


def parse_vat_rate(value: object) -> Decimal:
    """One of the German VAT rates (19, 7, 0) from a string, int or Decimal."""
    try:
        rate = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(_("19, 7 or 0")) from exc
    if isinstance(value, bool | float) or rate not in VAT_RATE_VALUES:
        raise ValueError(_("19, 7 or 0"))
    return rate


def apply_stock_changes(
    *,
    changes: dict[int, int],
    reason: str,
    actor: Actor,
    order: "Order | None" = None,
    note: str = "",
) -> list[StockMovement]:
    """Change stock of several products at once: {product_id: delta}, negative deducts.

    Deduction is a conditional UPDATE, so under any concurrency stock never goes below
    zero for a product without backorders. If any product is short, nothing changes and
    the error lists every short SKU. Products that do not track stock are left alone.
    """
    changes = {pid: delta for pid, delta in changes.items() if delta}
    if not changes:
        return []
    # No savepoint of its own: a refusal raises, and the calling service's transaction (or
    # savepoint) undoes the products changed before the short one.
    with transaction.atomic(savepoint=False):
        # A fixed order of row locks keeps two orders with the same products from deadlocking.
        after = {pid: _change_stock(pid, changes[pid]) for pid in sorted(changes)}
        refused = [pid for pid, quantity in after.items() if quantity is None]
        if refused:
            _explain_refusal(refused, changes)
        return StockMovement.objects.bulk_create(
            StockMovement(
                product_id=product_id,
                delta=changes[product_id],
                quantity_after=quantity,
                reason=reason,
                order=order,
                note=note[:200],
                **actor.as_fields(),
            )
            for product_id, quantity in after.items()
            if quantity is not None
        )


def _change_stock(product_id: int, delta: int) -> int | None:
    """Add `delta` to a stock-tracked product in one statement (the row stays locked until
    commit, so nothing else should follow it for long); its new quantity, or None when the
    product does not track stock, is short of a deduction or would leave ±MAX_STOCK."""
    short_guard = "" if delta > 0 else " AND (allow_backorder = %s OR stock_quantity >= %s)"
    params: list[Any] = [delta, product_id, True, -MAX_STOCK - delta, MAX_STOCK - delta]
    if delta < 0:
        params += [True, -delta]
    table = Product._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET stock_quantity = stock_quantity + %s "
            "WHERE id = %s AND track_stock = %s AND stock_quantity BETWEEN %s AND %s"
            f"{short_guard} RETURNING stock_quantity",
            params,
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _explain_refusal(product_ids: list[int], changes: dict[int, int]) -> None:
    """Raise why stock of `product_ids` did not change, unless they only do not track it."""
    short, out_of_range, available = [], [], {}
    for product in Product.objects.filter(pk__in=product_ids, track_stock=True).only(
        "sku", "stock_quantity"
    ):
        if abs(product.stock_quantity + changes[product.pk]) > MAX_STOCK:
            out_of_range.append(product.sku)
        else:
            short.append(product.sku)
            available[product.sku] = product.stock_quantity
    if out_of_range:
        raise ServiceError(
            "stock_out_of_range",
            _("Stock stays between -%(max)d and %(max)d: %(skus)s")
            % {"max": MAX_STOCK, "skus": ", ".join(sorted(out_of_range))},
            fields={"skus": sorted(out_of_range)},
        )
    if short:
        raise ServiceError(
            "stock_short",
            _("Not enough stock for: %(skus)s") % {"skus": ", ".join(sorted(short))},
            fields={"skus": sorted(short), "available": available},
        )


@transaction.atomic
def adjust_product_stock(*, sku: str, delta: int, reason: str, actor: Actor) -> Product:
    """A manual correction (goods received, inventory count, breakage)."""
    if (
        isinstance(delta, bool)
        or not isinstance(delta, int)
        or not -MAX_STOCK_DELTA <= delta <= MAX_STOCK_DELTA
        or delta == 0
    ):
        raise ServiceError(
            "invalid_quantity",
            _("The change must be between -%(max)d and %(max)d, not 0.") % {"max": MAX_STOCK_DELTA},
            fields={"delta": delta},
        )
    product = get_product(sku=sku)
    if not product.track_stock:
        raise ServiceError(
            "stock_not_tracked",
            _("%(sku)s does not track stock.") % {"sku": product.sku},
            fields={"sku": sku},
        )
    apply_stock_changes(
        changes={product.pk: delta}, reason=StockReason.MANUAL, actor=actor, note=reason
    )
    product.refresh_from_db()
    return product


def get_product(*, sku: str) -> Product:
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise ServiceError(
            "not_found", _("No product with SKU %(sku)r.") % {"sku": sku}, fields={"sku": sku}
        )
    return product


PRODUCT_FIELDS = ("name", "price", "vat_rate", "track_stock", "allow_backorder", "is_active")


def _clean_product_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if "price" in cleaned:
        try:
            cleaned["price"] = parse_money(cleaned["price"])
        except ValueError as exc:
            raise ServiceError("invalid_amount", str(exc), fields={"price": str(exc)}) from exc
        if cleaned["price"] < 0:
            raise ServiceError(
                "invalid_amount", _("The price cannot be negative."), fields={"price": "negative"}
            )
    if "vat_rate" in cleaned:
        try:
            cleaned["vat_rate"] = parse_vat_rate(cleaned["vat_rate"])
        except ValueError as exc:
            raise ServiceError(
                "invalid_vat_rate",
                _("The VAT rate must be 19, 7 or 0."),
                fields={"vat_rate": str(cleaned["vat_rate"])[:20]},
            ) from exc
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"]).strip()
        if not cleaned["name"] or len(cleaned["name"]) > MAX_NAME_LENGTH:
            raise ServiceError(
                "invalid_name",
                _("A product needs a name of 1 to %(max)d characters.") % {"max": MAX_NAME_LENGTH},
                fields={"name": len(cleaned["name"])},
            )
    return cleaned


@transaction.atomic
def create_product(
    *,
    sku: str,
    name: str,
    price: Decimal | str,
    vat_rate: Decimal | str = Decimal("19.00"),
    track_stock: bool = True,
    stock_quantity: int = 0,
    allow_backorder: bool = False,
    customer_tags: list[str] | None = None,
    actor: Actor,
) -> Product:
    sku = sku.strip()
    if not is_valid_sku(sku):
        raise ServiceError(
            "invalid_sku",
            _(
                "A SKU has 1 to %(max)d characters: letters, digits, and . _ - inside "
                "(no spaces or slashes)."
            )
            % {"max": MAX_SKU_LENGTH},
            fields={"sku": sku[: MAX_SKU_LENGTH + 10]},
        )
    if Product.objects.filter(sku=sku).exists():
        raise ServiceError(
            "sku_exists", _("SKU %(sku)r exists already.") % {"sku": sku}, fields={"sku": sku}
        )
    if (
        isinstance(stock_quantity, bool)
        or not isinstance(stock_quantity, int)
        or abs(stock_quantity) > MAX_STOCK_DELTA
    ):
        raise ServiceError(
            "invalid_quantity",
            _("Stock is a whole number up to %(max)d.") % {"max": MAX_STOCK_DELTA},
            fields={"stock_quantity": str(stock_quantity)[:20]},
        )
    if stock_quantity < 0 and not allow_backorder:
        raise ServiceError(
            "invalid_quantity",
            _("Stock cannot be negative."),
            fields={"stock_quantity": stock_quantity},
        )
    values = _clean_product_values(
        {
            "name": name,
            "price": price,
            "vat_rate": vat_rate,
            "track_stock": track_stock,
            "allow_backorder": allow_backorder,
        }
    )
    product = Product.objects.create(sku=sku, stock_quantity=0, **values)
    if customer_tags:
        product.customer_tags.set(get_or_create_tags(customer_tags))
    if stock_quantity and track_stock:
        apply_stock_changes(
            changes={product.pk: stock_quantity},
            reason=StockReason.MANUAL,
            actor=actor,
            note="initial stock",
        )
        product.refresh_from_db()
    return product


@transaction.atomic
def update_product(
    *, sku: str, values: dict[str, Any], customer_tags: list[str] | None = None
) -> Product:
    """Change a product's data; stock changes go through `adjust_product_stock`."""
    unknown = set(values) - set(PRODUCT_FIELDS)
    if unknown:
        raise ServiceError(
            "invalid_field",
            _("These fields cannot be changed here."),
            fields={f: "read-only" for f in unknown},
        )
    product = Product.objects.select_for_update().filter(sku=sku).first()
    if product is None:
        raise ServiceError(
            "not_found", _("No product with SKU %(sku)r.") % {"sku": sku}, fields={"sku": sku}
        )
    cleaned = _clean_product_values(values)
    if cleaned.get("allow_backorder") is False and product.stock_quantity < 0:
        raise ServiceError(
            "invalid_quantity",
            _("Backorders cannot be switched off while stock is negative."),
            fields={"allow_backorder": False},
        )
    for field, value in cleaned.items():
        setattr(product, field, value)
    product.save()
    if customer_tags is not None:
        product.customer_tags.set(get_or_create_tags(customer_tags))
    return product
