"""Reading customers: search, and one customer with tags and order count."""

from django.db.models import Count, Q, QuerySet

from bestellwerk.core.search import matching
from bestellwerk.customers.models import Customer
from bestellwerk.orders.models import OrderStatus


def _with_tags_and_order_count(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    # Drafts are carts, not orders: they do not count.
    return customers.annotate(
        order_count=Count("orders", filter=~Q(orders__status=OrderStatus.DRAFT))
    ).prefetch_related("tags")


def search_customers(*, q: str = "") -> QuerySet[Customer]:
    """Customers found by `q` (`core.search`: names, company, e-mail, phone, address)."""
    return _with_tags_and_order_count(matching(Customer.objects.all(), q))


def get_customer_detail(*, customer_id: int) -> Customer | None:
    return _with_tags_and_order_count(Customer.objects.filter(pk=customer_id)).first()
