"""One error type for broken business rules, with stable codes the API and UI map."""

from typing import Any


class ServiceError(Exception):
    """A business rule refused the action; nothing was written.

    `code` is stable (clients branch on it), `message` is for people, `fields` names the
    inputs at fault.
    """

    status_by_code: dict[str, int] = {
        "not_found": 404,
        "permission_denied": 403,
        "version_conflict": 409,
        "invalid_transition": 409,
        "stock_short": 409,
        "idempotency_conflict": 409,
        "coupon_usage_limit": 409,
        "too_many_attempts": 429,
    }

    def __init__(self, code: str, message: str, *, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}

    @property
    def http_status(self) -> int:
        return self.status_by_code.get(self.code, 422)

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}
