"""The one alphabet of SKUs and the one of codes (coupons, settings lists).

A SKU is addressed in URLs (`/products/{sku}`) and printed on pick lists and labels: ASCII
letters and digits with `.`, `_` and `-` inside, no slash, no space, no control character.
Codes are what integrations send for coupons, payment and shipping methods, carriers and
lead sources: letters, digits, `_` and `-`.
"""

import re

MAX_SKU_LENGTH = 64
MAX_CODE_LENGTH = 40
SKU_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_SKU_LENGTH - 1}}}$"
CODE_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_CODE_LENGTH - 1}}}$"
_SKU = re.compile(SKU_PATTERN, re.ASCII)
_CODE = re.compile(CODE_PATTERN, re.ASCII)


def is_valid_sku(value: str) -> bool:
    return bool(_SKU.match(value))


def is_valid_code(value: str) -> bool:
    return bool(_CODE.match(value))
