from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_IDEMPOTENCY_KEY_LENGTH = 255


class IdempotencyKey(models.Model):
    """The first answer to a creating POST sent with an `Idempotency-Key`, per user.

    A retry with the same key and the same request gets this answer again instead of a
    second write; the same key with another request is refused.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=MAX_IDEMPOTENCY_KEY_LENGTH)
    # SHA-256 of method, path and the canonical JSON body.
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
