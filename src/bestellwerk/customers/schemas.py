"""The shapes of customers in the REST API."""

from datetime import datetime

from ninja import Field, Schema

from bestellwerk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, CursorIn
from bestellwerk.api.schemas import TextSchema
from bestellwerk.core.search import MAX_QUERY_LENGTH
from bestellwerk.customers.models import Customer


class CustomerOut(Schema):
    id: int
    email: str | None
    first_name: str
    last_name: str
    company: str
    phone: str
    vat_id: str
    line1: str
    line2: str
    postal_code: str
    city: str
    region: str
    country: str
    language: str
    tags: list[str]
    order_count: int = Field(description="placed orders (drafts do not count)")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Customer) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class CustomerListQuery(TextSchema):
    q: str = Field("", max_length=MAX_QUERY_LENGTH, description="e-mail, name, company, phone")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: CursorIn | None = None


class CustomerListOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None
