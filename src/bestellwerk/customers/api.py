"""Customers over REST (read-only: customers are written by orders and the admin)."""

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from bestellwerk.api.auth import authorize
from bestellwerk.api.pagination import KeysetPage, keyset_page
from bestellwerk.api.schemas import COMMON_ERRORS, MAX_DB_INT
from bestellwerk.core.errors import ServiceError
from bestellwerk.customers.models import Customer
from bestellwerk.customers.schemas import CustomerListOut, CustomerListQuery, CustomerOut
from bestellwerk.customers.selectors import get_customer_detail, search_customers

router = Router(tags=["customers"])

CustomerId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]


@router.get("/customers", response={200: CustomerListOut, **COMMON_ERRORS})
def list_customers_endpoint(
    request: HttpRequest, query: Query[CustomerListQuery]
) -> KeysetPage[Customer]:
    """Newest first; keyset pages via `next_cursor`."""
    authorize(request, "customers.view")
    return keyset_page(
        search_customers(q=query.q),
        key="id",
        limit=query.limit,
        cursor=query.cursor,
        descending=True,
    )


@router.get("/customers/{customer_id}", response={200: CustomerOut, **COMMON_ERRORS})
def get_customer_endpoint(request: HttpRequest, customer_id: CustomerId) -> Customer:
    """One customer with their tags and number of orders."""
    authorize(request, "customers.view")
    customer = get_customer_detail(customer_id=customer_id)
    if customer is None:
        raise ServiceError(
            "not_found",
            _("Customer %(id)s does not exist.") % {"id": customer_id},
            fields={"customer_id": customer_id},
        )
    return customer
