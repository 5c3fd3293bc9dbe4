"""Forms of the staff UI: they parse query strings and POSTs into the core's inputs."""

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from bestellwerk.accounts.models import User
from bestellwerk.api.schemas import MAX_DB_INT
from bestellwerk.core.models import Tag
from bestellwerk.core.row_cache import all_rows_by_id
from bestellwerk.core.search import MAX_QUERY_LENGTH
from bestellwerk.orders.models import Channel, LeadSource, OrderStatus, PaymentStatus
from bestellwerk.orders.selectors import DEFAULT_PAGE_SIZE, OrderFilters
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.shipping.models import ShippingMethod

SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("-total", _("Highest total")),
    ("total", _("Lowest total")),
    ("-number", _("Number descending")),
    ("number", _("Number ascending")),
]
PAGE_SIZES = [25, 50, 100, 200]
# The values of `OrderFilters.balance`: what is still owed, either way.
BALANCE_CHOICES = [
    ("", _("All")),
    ("due", _("Customer owes")),
    ("refund_due", _("Refund owed")),
    ("settled", _("Settled")),
]
MAX_TAG_FILTERS = 10
UNASSIGNED = "none"
# The filter fields that make up a bookmarkable order list (sort and paging come on top).
FILTER_FIELDS = (
    "q",
    "status",
    "payment_status",
    "payment_method",
    "shipping_method",
    "tag",
    "assignee",
    "lead_source",
    "channel",
    "total_min",
    "total_max",
    "balance",
    "created_from",
    "created_to",
    "customer",
)


def style_widgets(form: forms.Form) -> None:
    """Bootstrap classes on every widget, small to fit the filter panel."""
    for bound in form.visible_fields():
        widget = bound.field.widget
        if isinstance(widget, forms.SelectMultiple):
            widget.attrs.update({"class": "form-select form-select-sm", "size": "4"})
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"


def _coded_choices(rows: dict[int, Any]) -> list[tuple[str, str]]:
    return [("", _("All")), *((row.code, row.label) for row in rows.values())]


class OrderFilterForm(forms.Form):
    """The order list's search box, filter panel, sort and page: a GET form in the URL."""

    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH)
    status = forms.MultipleChoiceField(
        label=_("Order status"), required=False, choices=OrderStatus.choices
    )
    payment_status = forms.MultipleChoiceField(
        label=_("Payment status"), required=False, choices=PaymentStatus.choices
    )
    payment_method = forms.ChoiceField(label=_("Payment method"), required=False)
    shipping_method = forms.ChoiceField(label=_("Shipping method"), required=False)
    tag = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate several tags with commas; orders carry all of them."),
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    lead_source = forms.ChoiceField(label=_("Lead source"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )
    total_min = forms.DecimalField(
        label=_("Total from"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    total_max = forms.DecimalField(
        label=_("Total to"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    balance = forms.ChoiceField(label=_("Open amount"), required=False, choices=BALANCE_CHOICES)
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    customer = forms.IntegerField(
        label=_("Customer no."), required=False, min_value=1, max_value=MAX_DB_INT
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    limit = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
        empty_value=DEFAULT_PAGE_SIZE,
    )
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict | None = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("limit"):
            # Show the page size in use, not the first option, when the URL names none.
            data = data.copy()
            data["limit"] = str(DEFAULT_PAGE_SIZE)
        super().__init__(data, *args, **kwargs)
        # The same per-process rows the list shows in its cells (`core.row_cache`).
        self.fields["payment_method"].choices = _coded_choices(all_rows_by_id(PaymentMethod))
        self.fields["shipping_method"].choices = _coded_choices(all_rows_by_id(ShippingMethod))
        self.fields["lead_source"].choices = _coded_choices(all_rows_by_id(LeadSource))
        self.fields["assignee"].choices = [
            ("", _("All")),
            (UNASSIGNED, _("Unassigned")),
            *(
                (user.username, user.display_name)
                for user in User.objects.filter(is_active=True).order_by("username")
            ),
        ]
        style_widgets(self)

    def clean_tag(self) -> list[str]:
        names = [name.strip() for name in self.cleaned_data["tag"].split(",") if name.strip()]
        if len(names) > MAX_TAG_FILTERS:
            raise forms.ValidationError(
                _("At most %(count)d tags."), params={"count": MAX_TAG_FILTERS}
            )
        return names

    def to_filters(self) -> OrderFilters:
        data = self.cleaned_data
        return OrderFilters(
            q=data["q"],
            customer=data["customer"],
            status=data["status"],
            payment_status=data["payment_status"],
            payment_method=data["payment_method"],
            shipping_method=data["shipping_method"],
            tag=data["tag"],
            assignee=data["assignee"],
            lead_source=data["lead_source"],
            channel=data["channel"],
            total_min=data["total_min"],
            total_max=data["total_max"],
            balance=data["balance"],
            created_from=data["created_from"],
            created_to=data["created_to"],
        )

    @property
    def chosen_sort(self) -> str:
        return self.cleaned_data.get("sort") or "-created"

    @property
    def page_size(self) -> int:
        return self.cleaned_data.get("limit") or DEFAULT_PAGE_SIZE


def tag_suggestions() -> list[str]:
    return list(Tag.objects.order_by("name").values_list("name", flat=True)[:200])


MAX_BULK_ORDERS = 1000


class BulkAction:
    STATUS = "status"
    ADD_TAGS = "add_tags"
    REMOVE_TAGS = "remove_tags"
    ASSIGN = "assign"


BULK_ACTION_CHOICES = [
    (BulkAction.STATUS, _("Change status")),
    (BulkAction.ADD_TAGS, _("Add tags")),
    (BulkAction.REMOVE_TAGS, _("Remove tags")),
    (BulkAction.ASSIGN, _("Assign to")),
]
# What each bulk action needs of accounts.permissions.
BULK_CAPABILITIES = {
    BulkAction.STATUS: "orders.status",
    BulkAction.ADD_TAGS: "orders.edit",
    BulkAction.REMOVE_TAGS: "orders.edit",
    BulkAction.ASSIGN: "orders.edit",
}


class OrderNumbersField(forms.Field):
    """The order numbers of the ticked rows (`orders=10001&orders=10002`), at most
    MAX_BULK_ORDERS."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            numbers = sorted({int(item) for item in value})
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(_("Invalid order number.")) from error
        if numbers and not 1 <= numbers[0] <= numbers[-1] <= MAX_DB_INT:
            raise forms.ValidationError(_("Invalid order number."))
        if len(numbers) > MAX_BULK_ORDERS:
            raise forms.ValidationError(
                _("At most %(count)d orders at once."), params={"count": MAX_BULK_ORDERS}
            )
        return numbers


class BulkActionForm(forms.Form):
    """A bulk action over the selected orders or every order matching the list filter."""

    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTION_CHOICES)
    orders = OrderNumbersField(required=False)
    all_matching = forms.BooleanField(required=False)
    filters = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[(s, label) for s, label in OrderStatus.choices if s != OrderStatus.DRAFT],
    )
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    # The confirmation step (after the summary).
    adjust_stock = forms.BooleanField(label=_("Adjust stock"), required=False, initial=True)
    notify_customer = forms.BooleanField(label=_("E-mail the customer"), required=False)
    notify_admins = forms.BooleanField(label=_("E-mail the admins"), required=False)

    def __init__(
        self, *args: Any, assignee_choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if assignee_choices is None:
            assignee_choices = [
                (user.username, user.display_name)
                for user in User.objects.filter(is_active=True).order_by("username")
            ]
        self.fields["assignee"].choices = [(UNASSIGNED, _("Nobody (unassign)")), *assignee_choices]

    def clean_tags(self) -> list[str]:
        names = [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]
        if any(len(name) > Tag._meta.get_field("name").max_length for name in names):
            raise forms.ValidationError(_("A tag has at most 50 characters."))
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if not data.get("all_matching") and not data.get("orders"):
            raise forms.ValidationError(_("Select at least one order."))
        if action == BulkAction.STATUS and not data.get("status"):
            self.add_error("status", _("Choose the new status."))
        if action in (BulkAction.ADD_TAGS, BulkAction.REMOVE_TAGS) and not data.get("tags"):
            self.add_error("tags", _("Name at least one tag."))
        if action == BulkAction.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose a user."))
        return data


# The export menu of the order list: (format, layout, dialect) of each entry.
EXPORT_PRESETS: dict[str, tuple[tuple[str, str, str], Any]] = {
    "bestellwerk": (("bestellwerk", "order", "excel"), _("Bestellwerk CSV (one row per order)")),
    "bestellwerk-lines": (
        ("bestellwerk", "line", "excel"),
        _("Bestellwerk CSV (one row per line item)"),
    ),
    "excel-de": (("bestellwerk", "order", "excel-de"), _("Excel, German (semicolons, 12,50)")),
    "shopify": (("shopify", "line", "excel"), _("Shopify order export")),
}


class OrderExportForm(forms.Form):
    """Export from the list: the ticked orders, or else every order the filter matches."""

    preset = forms.ChoiceField(
        choices=[(key, label) for key, (_s, label) in EXPORT_PRESETS.items()]
    )
    orders = OrderNumbersField(required=False)
    filters = forms.CharField(required=False, max_length=2000)
