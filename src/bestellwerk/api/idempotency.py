"""`Idempotency-Key` for creating POSTs: a retry replays the first answer, writes nothing.

The key is stored with the answer in the same transaction as the write, so either both
exist or neither. Two requests racing with one key: the loser's insert of the key fails on
the unique constraint, its write rolls back, and it replays the winner's answer.
Only successful answers are stored: a refused request wrote nothing and may be retried.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.renderers import JSONRenderer

from bestellwerk.api.models import MAX_IDEMPOTENCY_KEY_LENGTH, IdempotencyKey
from bestellwerk.core.errors import ServiceError

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_renderer = JSONRenderer()


def render(request: HttpRequest, status: int, schema: type[Schema], obj: Any) -> HttpResponse:
    """Serialize `obj` through `schema` exactly as ninja does for a returned value."""
    data = schema.model_validate(obj, context={"request": request}).model_dump()
    return HttpResponse(
        _renderer.render(request, data, response_status=status),
        status=status,
        content_type=f"{_renderer.media_type}; charset={_renderer.charset}",
    )


def _fingerprint(request: HttpRequest) -> str:
    try:
        # Whitespace and key order do not make a different request.
        body = json.dumps(json.loads(request.body or b"null"), sort_keys=True)
    except ValueError:
        body = request.body.decode("utf-8", "replace")
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        raise ServiceError(
            "invalid_idempotency_key",
            _("An Idempotency-Key has 1 to %(max)d printable characters.")
            % {"max": MAX_IDEMPOTENCY_KEY_LENGTH},
            fields={"Idempotency-Key": len(key)},
        )
    return key


def _replay(stored: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if stored.request_fingerprint != fingerprint:
        raise ServiceError(
            "idempotency_conflict",
            _("This Idempotency-Key was used for a different request."),
            fields={"Idempotency-Key": stored.key},
        )
    response = HttpResponse(
        stored.response_body,
        status=stored.response_status,
        content_type=f"{_renderer.media_type}; charset={_renderer.charset}",
    )
    response[REPLAYED_HEADER] = "true"
    return response


def run_idempotent(
    request: HttpRequest,
    *,
    status: int,
    schema: type[Schema],
    create: Callable[[], Any],
) -> HttpResponse:
    """Run `create` (a service call) once per key and user; render its result with `schema`."""
    raw_key = request.headers.get(IDEMPOTENCY_HEADER)
    if raw_key is None:
        return render(request, status, schema, create())
    key = _clean_key(raw_key)
    user = request.auth.user
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            stored = IdempotencyKey.objects.filter(user=user, key=key).first()
            if stored is not None:
                return _replay(stored, fingerprint)
            response = render(request, status, schema, create())
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                request_fingerprint=fingerprint,
                response_status=response.status_code,
                response_body=response.content.decode(),
            )
            return response
    except IntegrityError:
        stored = IdempotencyKey.objects.filter(user=user, key=key).first()
        if stored is None:
            raise
        return _replay(stored, fingerprint)
