"""The Bestellwerk-Signature header: `t=<unix time>,v1=<hex HMAC-SHA256(secret, "t.body")>`."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Bestellwerk-Signature"


def sign_body(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_signature(
    *, secret: str, body: bytes, header: str, tolerance_seconds: int = 300
) -> bool:
    """What a receiver does (see docs/webhooks.md): recompute, compare, check the age."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
        received = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance_seconds:
        return False
    expected = sign_body(secret=secret, body=body, timestamp=t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, received)
