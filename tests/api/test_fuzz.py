"""schemathesis over the live OpenAPI document, every check, as an admin in a real shop.

The API is called in-process (WSGI) inside the test's database transaction, so the cases of
one operation see what earlier cases wrote. CI runs a fixed, derandomized budget per
operation; `BESTELLWERK_FUZZ_EXAMPLES=500 pytest tests/api/test_fuzz.py` runs a longer one.

Of schemathesis' checks one is replaced: `positive_data_acceptance` wants every request the
document allows to succeed, but a well-formed request may still break a business rule (an
unknown SKU, a refund beyond what was paid, a page link that was not signed here). Our
check is stricter where it matters: such a request may be refused only with a business
rule's code, never for its shape, so the document states every rule of the input's form.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bestellwerk.accounts.services import create_api_token

EXAMPLES = int(os.environ.get("BESTELLWERK_FUZZ_EXAMPLES", "25"))
# The codes of requests refused for their form (parser and schema), not a business rule.
SHAPE_ERRORS = {"invalid_input", "invalid_json", "unsupported_media_type", "bad_request"}
# What a well-formed request may answer besides success: no token or role, a missing or
# changed object, a business rule, too many requests.
ACCEPTABLE_REFUSALS = {401, 403, 404, 409, 422, 429}

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


class ShapeRefused(AssertionError):
    pass


def well_formed_request_is_refused_only_by_a_business_rule(ctx, response, case) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code < 400:
        return
    body = response.json() if response.headers.get("Content-Type") == ["application/json"] else {}
    code = body.get("error", {}).get("code") if isinstance(body, dict) else None
    if response.status_code not in ACCEPTABLE_REFUSALS or code in SHAPE_ERRORS:
        raise ShapeRefused(
            f"A request the OpenAPI document allows was refused for its form: "
            f"{response.status_code} {response.text[:500]}"
        )


@pytest.fixture
def connection_kept_open() -> Iterator[None]:
    """Django closes the database connection after each request; the test's transaction
    lives on it (PostgreSQL), so requests here keep it open, as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def admin_token(admin_user, order, connection_kept_open) -> str:
    """A shop with an order and two products, and an admin's API token."""
    _token, raw = create_api_token(user=admin_user, name="fuzz")
    return raw


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case, admin_token):
    # Each case starts without the bad-token count of earlier ones (schemathesis sends wrong
    # tokens on purpose); that 429 is documented and has tests of its own.
    cache.clear()
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[well_formed_request_is_refused_only_by_a_business_rule],
    )
