"""The span of time a shop's records live in: a date outside it is a typo or an attack."""

from datetime import UTC, datetime

from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError

# Wide enough for any import of old orders and any far-off coupon end; narrow enough that
# converting to UTC (for the database) cannot leave the calendar, as 0001-01-01T00:00+01:00
# would.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2999, 12, 31, tzinfo=UTC)


def plausible_moment(value: datetime, *, field: str) -> datetime:
    """`value` in UTC, or ServiceError `invalid_date` when it lies outside 1900–2999."""
    if not EARLIEST_MOMENT <= value <= LATEST_MOMENT:
        raise ServiceError(
            "invalid_date",
            _("A date lies between 1900 and 2999."),
            fields={field: value.isoformat()[:40]},
        )
    return value.astimezone(UTC)
