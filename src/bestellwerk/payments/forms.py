"""The staff's payment forms: recording a payment, voiding one, and the refund form
(quantities per line, with shipping, or an amount).

They turn posted text into typed values within input bounds; the services decide the rest.
"""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bestellwerk.core.money import MAX_AMOUNT
from bestellwerk.orders.models import Order
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.payments.selectors import RefundableLine, RefundSummary
from bestellwerk.payments.services import MAX_REASON_LENGTH, RefundLineInput
from bestellwerk.payments.services.ledger import MAX_REASON_LENGTH as MAX_VOID_REASON_LENGTH
from bestellwerk.payments.services.ledger import MAX_REFERENCE_LENGTH

# A payment dated on an earlier day is taken as paid at noon of that day (the day is what
# staff know from a bank statement; noon keeps it on that day in any time zone of Europe).
EARLIER_DAY_TIME = time(12, 0)


class ManualPaymentForm(forms.Form):
    """Money staff saw arrive: amount (the open balance proposed), method, day, reference."""

    # Typed the user's way ("51,60" in German), within the bounds of money.
    amount = forms.DecimalField(
        label=_("Amount"),
        localize=True,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        decimal_places=2,
        error_messages={
            "min_value": _("An amount is more than zero."),
            "max_value": _("An amount is at most 9,999,999.99."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    method = forms.ChoiceField(label=_("Payment method"), required=False)
    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(
        label=_("Reference (optional)"),
        required=False,
        max_length=MAX_REFERENCE_LENGTH,
        help_text=_("e.g. the line of the bank statement or the receipt number"),
    )

    def __init__(
        self, *args: Any, order: Order, methods: list[PaymentMethod], owed: Decimal, **kwargs: Any
    ) -> None:
        today = timezone.localdate()
        chosen = order.payment_method
        kwargs.setdefault(
            "initial",
            {
                "amount": owed or None,
                "method": chosen.code if chosen and chosen.is_active else "",
                "paid_on": today,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [
            ("", _("— none —")),
            *((method.code, method.label) for method in methods),
        ]
        self.fields["paid_on"].widget.attrs["max"] = today.isoformat()
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name == "method" else "form-control form-control-sm"
            )

    @property
    def method_label(self) -> str:
        return dict(self.fields["method"].choices).get(self.cleaned_data["method"], "")

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "amount": data["amount"],
            "method": data["method"] or None,
            "reference": data["reference"],
            "paid_at": _paid_at(data["paid_on"]),
        }


def _paid_at(day: date) -> datetime | None:
    """Today is now (the service's default); an earlier or later day is noon of that day
    (the service refuses a day ahead)."""
    if day == timezone.localdate():
        return None
    return timezone.make_aware(datetime.combine(day, EARLIER_DAY_TIME))


class VoidPaymentForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the void"),
        max_length=MAX_VOID_REASON_LENGTH,
        error_messages={"required": _("Say why the payment is voided.")},
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Computed from the lines and shipping; you may change it."),
    )
    include_shipping = forms.BooleanField(label=_("Refund shipping"), required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=MAX_REASON_LENGTH, widget=forms.Textarea
    )
    restock = forms.BooleanField(label=_("Restock refunded items"), required=False, initial=True)
    notify_customer = forms.BooleanField(
        label=_("E-mail the customer"), required=False, initial=True
    )
    set_status_refunded = forms.BooleanField(
        label=_("Set the order status to refunded when fully refunded"), required=False
    )

    def __init__(
        self, *args: Any, lines: list[RefundableLine], summary: RefundSummary, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.refundable_lines = lines
        self.summary = summary
        self.fields["amount"].widget.attrs.update(max=str(summary.refundable), step="0.01")
        for index, line in enumerate(lines):
            self.fields[f"qty_{index}"] = forms.IntegerField(
                label=f"{line.sku} {line.name}",
                required=False,
                min_value=0,
                max_value=line.refundable_quantity,
                initial=0,
                # What the refund dialog's script needs to compute the amount as we do.
                widget=forms.NumberInput(
                    attrs={
                        "data-refund-line": "",
                        "data-quantity": line.quantity,
                        "data-refundable": line.refundable_quantity,
                        "data-total": str(line.total),
                        "data-rest": str(line.total - line.refunded_amount),
                    }
                ),
            )

    def line_rows(self) -> list[tuple[RefundableLine, forms.BoundField]]:
        return [(line, self[f"qty_{i}"]) for i, line in enumerate(self.refundable_lines)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        quantities = [cleaned.get(f"qty_{i}") for i in range(len(self.refundable_lines))]
        if (
            cleaned.get("amount") is None
            and not any(quantities)
            and not cleaned.get("include_shipping")
        ):
            raise forms.ValidationError(_("Choose quantities or shipping, or enter an amount."))
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        common = {
            "reason": data["reason"],
            "restock": data["restock"],
            "notify_customer": data["notify_customer"],
            "set_status_refunded": data["set_status_refunded"],
        }
        lines = [
            RefundLineInput(sku=line.sku, quantity=data[f"qty_{i}"])
            for i, line in enumerate(self.refundable_lines)
            if data.get(f"qty_{i}")
        ]
        return {
            **common,
            "amount": data["amount"],
            "lines": lines,
            "include_shipping": data["include_shipping"],
        }
