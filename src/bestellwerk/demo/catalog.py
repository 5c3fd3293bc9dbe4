"""What the demo shop sells: its products, stocked for the history to come, and its coupons."""

import random
from collections import defaultdict
from datetime import datetime, timedelta

from bestellwerk.accounts.models import User
from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.catalog.services import create_product
from bestellwerk.core.actors import Actor
from bestellwerk.demo.data import (
    BACKORDER_SKUS,
    CATALOG,
    COUPON_MINIMUMS,
    CUSTOMER_TAGS_BY_PREFIX,
    CUSTOMER_TAGS_BY_SKU,
    LOW_STOCK_SKUS,
    UNTRACKED_SKUS,
)
from bestellwerk.demo.plan import HISTORY_DAYS, OrderPlan
from bestellwerk.orders.lifecycle import holds_stock
from bestellwerk.promotions.models import CouponKind
from bestellwerk.promotions.services import create_coupon


def create_products(
    rng: random.Random, *, now: datetime, plans: list[OrderPlan], admin: User
) -> dict[str, Product]:
    """Stock is what the history needs plus what is left on the shelf today."""
    actor = Actor.for_user(admin)
    held, peak = _simulate_stock(plans)
    products = {}
    for sku, name, price, vat_rate in CATALOG:
        prefix = sku.split("-")[0]
        tracked = sku not in UNTRACKED_SKUS
        left = rng.randint(1, 4) if sku in LOW_STOCK_SKUS else rng.randint(12, 180)
        if sku in BACKORDER_SKUS and rng.random() < 0.5:
            left = -rng.randint(1, 3)  # sold more than was there: on order
        if not tracked:
            stock = 0
        elif sku in BACKORDER_SKUS:
            stock = max(held[sku] + left, 0)
        else:
            stock = max(held[sku] + left, peak[sku])
        products[sku] = create_product(
            sku=sku,
            name=name,
            price=price,
            vat_rate=vat_rate,
            track_stock=tracked,
            stock_quantity=stock,
            allow_backorder=sku in BACKORDER_SKUS,
            customer_tags=CUSTOMER_TAGS_BY_SKU.get(sku, CUSTOMER_TAGS_BY_PREFIX.get(prefix)),
            actor=actor,
        )
    opened = now - timedelta(days=HISTORY_DAYS + 30)
    Product.objects.filter(sku__in=products).update(created_at=opened)
    StockMovement.objects.filter(product__sku__in=products, order__isnull=True).update(
        created_at=opened
    )
    return products


def _simulate_stock(plans: list[OrderPlan]) -> tuple[dict[str, int], dict[str, int]]:
    """Per SKU: units held by the orders at the end, and the most ever out at once."""
    held: dict[str, int] = defaultdict(int)
    peak: dict[str, int] = defaultdict(int)
    for plan in plans:
        if not plan.adjust_stock:
            continue
        holding = any(holds_stock(status) for status in plan.path)
        if not holding:
            continue
        for sku, quantity in plan.lines:
            peak[sku] = max(peak[sku], held[sku] + quantity)
            if holds_stock(plan.path[-1]):
                held[sku] += quantity
    return held, peak


def create_coupons(now: datetime) -> int:
    """Three coupons valid since the history began and one for last summer; returns how many."""
    start = now - timedelta(days=HISTORY_DAYS + 1)
    create_coupon(
        code="WILLKOMMEN10",
        kind=CouponKind.PERCENT,
        value="10",
        valid_from=start,
        usage_limit_per_customer=1,
    )
    create_coupon(
        code="VERSANDFREI",
        kind=CouponKind.FREE_SHIPPING,
        min_subtotal=COUPON_MINIMUMS["VERSANDFREI"],
        valid_from=start,
    )
    create_coupon(
        code="5EURO",
        kind=CouponKind.FIXED,
        value="5",
        min_subtotal=COUPON_MINIMUMS["5EURO"],
        valid_from=start,
    )
    last_summer = now.replace(month=6, day=1) - timedelta(days=365)
    create_coupon(
        code="SOMMER15",
        kind=CouponKind.PERCENT,
        value="15",
        valid_from=last_summer,
        valid_until=last_summer + timedelta(days=92),
        usage_limit=500,
    )
    return 4
