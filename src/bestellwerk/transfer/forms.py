from django import forms
from django.utils.translation import gettext_lazy as _

from bestellwerk.transfer.formats import FORMATS

MAX_UPLOAD_BYTES = 1024 * 1024 * 1024  # 1 GiB: five years of a busy shop's orders


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("auto", _("Detect automatically")),
            ("shopify", "Shopify"),
            ("woocommerce", "WooCommerce"),
            ("bestellwerk", "Bestellwerk"),
        ],
        initial="auto",
    )
    on_duplicate = forms.ChoiceField(
        label=_("Orders imported before"),
        choices=[("skip", _("Skip them")), ("update", _("Update them from the file"))],
        initial="skip",
    )
    adjust_stock = forms.BooleanField(
        label=_("Deduct stock for orders that hold it"), required=False
    )
    run_automations = forms.BooleanField(label=_("Run automations and webhooks"), required=False)
    notify = forms.BooleanField(label=_("Send order confirmations to customers"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 GB."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def options(self, *, dry_run: bool) -> dict[str, object]:
        data = self.cleaned_data
        assert data["format"] in ("auto", *FORMATS)
        return {
            "format": data["format"],
            "on_duplicate": data["on_duplicate"],
            "adjust_stock": data["adjust_stock"],
            "run_automations": data["run_automations"],
            "notify": data["notify"],
            "dry_run": dry_run,
        }
