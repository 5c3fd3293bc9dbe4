"""The customers of imported orders: matched by e-mail ignoring case, created in bulk from
the billing address of their newest order, existing ones only completed."""

from datetime import datetime

from django.db.models.functions import Lower

from bestellwerk.core.bulk import TableWriter, reserve_ids
from bestellwerk.customers.models import Customer
from bestellwerk.customers.services import CUSTOMER_ADDRESS_FIELDS
from bestellwerk.transfer.columns import CUSTOMER_FIELDS
from bestellwerk.transfer.preparing import Prepared


def customers_of_chunk(items: list[Prepared], *, now: datetime) -> dict[str, Customer]:
    """The customers of the chunk by lower-cased e-mail: found, or created from the billing
    address of their newest order; blank fields of found ones filled from it."""
    newest: dict[str, Prepared] = {}
    for item in items:
        key = item.customer_key
        if key and (key not in newest or item.source.created_at > newest[key].source.created_at):
            newest[key] = item
    if not newest:
        return {}
    found = {
        customer.email.lower(): customer
        for customer in Customer.objects.annotate(folded=Lower("email")).filter(
            email__gt="", folded__in=[item.source.email.lower() for item in newest.values()]
        )
    }
    changed = []
    for key, customer in found.items():
        billing = newest[key].source.billing if key in newest else {}
        blanks = [f for f in CUSTOMER_ADDRESS_FIELDS if not getattr(customer, f) and billing.get(f)]
        for name in blanks:
            setattr(customer, name, billing[name])
        if blanks:
            customer.search_document = customer.build_search_document()
            customer.updated_at = now
            changed.append(customer)
    if changed:
        Customer.objects.bulk_update(
            changed, [*CUSTOMER_ADDRESS_FIELDS, "search_document", "updated_at"]
        )
    missing = [key for key in newest if key not in found]
    ids = reserve_ids(Customer, len(missing))
    rows = []
    for key, customer_id in zip(missing, ids, strict=True):
        source = newest[key].source
        customer = Customer(
            pk=customer_id,
            email=source.email.lower(),
            language=source.language if source.language in ("de", "en") else "",
            **{f: source.billing.get(f, "") for f in CUSTOMER_ADDRESS_FIELDS},
        )
        customer.search_document = customer.build_search_document()
        found[key] = customer
        rows.append(
            tuple(
                getattr(customer, f) if f not in ("created_at", "updated_at") else now
                for f in CUSTOMER_FIELDS
            )
        )
    TableWriter(Customer, CUSTOMER_FIELDS).write(rows)
    return found
