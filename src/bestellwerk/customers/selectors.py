"""Reading customers: search, and one customer with tags and order count."""

from django.db.models import Count, Q, QuerySet

from bestellwerk.customers.models import Customer
from bestellwerk.orders.models import OrderStatus

MAX_CUSTOMER_QUERY_LENGTH = 200


def _with_tags_and_order_count(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    # Drafts are carts, not orders: they do not count.
    return customers.annotate(
        order_count=Count("orders", filter=~Q(orders__status=OrderStatus.DRAFT))
    ).prefetch_related("tags")


def search_customers(*, q: str = "") -> QuerySet[Customer]:
    """Customers whose e-mail, name, company or phone contains every word of `q`."""
    customers = Customer.objects.all()
    for word in q.split()[:10]:
        word = word[:MAX_CUSTOMER_QUERY_LENGTH]
        customers = customers.filter(
            Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(company__icontains=word)
            | Q(phone__icontains=word)
        )
    return _with_tags_and_order_count(customers)


def get_customer_detail(*, customer_id: int) -> Customer | None:
    return _with_tags_and_order_count(Customer.objects.filter(pk=customer_id)).first()
