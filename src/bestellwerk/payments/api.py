"""Payment settings over REST."""

from django.http import HttpRequest
from ninja import Router

from bestellwerk.api.auth import authorize
from bestellwerk.api.schemas import COMMON_ERRORS, SettingListOut
from bestellwerk.api.settings_lists import active_settings
from bestellwerk.payments.models import PaymentMethod

router = Router(tags=["settings"])


@router.get("/payment-methods", response={200: SettingListOut, **COMMON_ERRORS})
def list_payment_methods_endpoint(request: HttpRequest) -> dict[str, list[PaymentMethod]]:
    authorize(request, "settings.view")
    return {"items": active_settings(PaymentMethod)}
