"""Shipping settings over REST: methods and carriers to choose codes from."""

from django.http import HttpRequest
from ninja import Router, Schema

from bestellwerk.api.auth import authorize
from bestellwerk.api.schemas import COMMON_ERRORS, MoneyOut, SettingOut
from bestellwerk.api.settings_lists import active_settings
from bestellwerk.shipping.models import Carrier, ShippingMethod

router = Router(tags=["settings"])


class ShippingMethodOut(SettingOut):
    price: MoneyOut


class ShippingMethodListOut(Schema):
    items: list[ShippingMethodOut]


class CarrierOut(SettingOut):
    tracking_url_template: str


class CarrierListOut(Schema):
    items: list[CarrierOut]


@router.get("/shipping-methods", response={200: ShippingMethodListOut, **COMMON_ERRORS})
def list_shipping_methods_endpoint(request: HttpRequest) -> dict[str, list[ShippingMethod]]:
    authorize(request, "settings.view")
    return {"items": active_settings(ShippingMethod)}


@router.get("/carriers", response={200: CarrierListOut, **COMMON_ERRORS})
def list_carriers_endpoint(request: HttpRequest) -> dict[str, list[Carrier]]:
    authorize(request, "settings.view")
    return {"items": active_settings(Carrier)}
