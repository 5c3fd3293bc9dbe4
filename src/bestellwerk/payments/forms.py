"""The staff refund form: quantities per line (with shipping) or an amount."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bestellwerk.payments.selectors import RefundableLine, RefundSummary
from bestellwerk.payments.services import MAX_REASON_LENGTH, RefundLineInput


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
