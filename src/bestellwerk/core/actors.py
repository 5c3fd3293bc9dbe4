"""Who did something: a staff user, an API token, the system or an automation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bestellwerk.accounts.models import ApiToken, User


@dataclass(frozen=True)
class Actor:
    kind: str
    user: User | None = None
    token: ApiToken | None = None
    label: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind="system", label=label)

    @classmethod
    def automation(cls, label: str) -> Actor:
        return cls(kind="automation", label=label)

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(kind="user", user=user, label=user.get_username())

    @classmethod
    def for_token(cls, token: ApiToken) -> Actor:
        return cls(kind="api_token", user=token.user, token=token, label=f"API: {token.name}")

    def as_fields(self) -> dict[str, Any]:
        """The actor columns shared by every audit table."""
        return {
            "actor_kind": self.kind,
            "actor_user": self.user,
            "actor_label": self.label[:150],
        }
