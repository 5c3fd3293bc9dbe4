"""Tags by name: the one place that turns a list of names into Tag rows."""

from collections.abc import Iterable

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import Tag

MAX_TAG_LENGTH = 50
MAX_TAGS = 50


def clean_tag_names(names: Iterable[str]) -> list[str]:
    cleaned: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise ServiceError(
                "invalid_tag",
                _("A tag has at most %(max)d characters.") % {"max": MAX_TAG_LENGTH},
                fields={"tags": name[:60]},
            )
        cleaned.setdefault(name.lower(), name)
    if len(cleaned) > MAX_TAGS:
        raise ServiceError(
            "invalid_tag",
            _("At most %(max)d tags.") % {"max": MAX_TAGS},
            fields={"tags": _("too many")},
        )
    return list(cleaned.values())


def get_or_create_tags(names: Iterable[str]) -> list[Tag]:
    """Tags for `names` (case-insensitive), created when missing; two queries plus inserts."""
    wanted = clean_tag_names(names)
    if not wanted:
        return []
    existing = {
        t.name.lower(): t
        for t in Tag.objects.annotate(lname=Lower("name")).filter(
            lname__in=[n.lower() for n in wanted]
        )
    }
    tags = []
    for name in wanted:
        tag = existing.get(name.lower())
        if tag is None:
            # iexact: a concurrent request may create the same tag in other case first.
            tag, _created = Tag.objects.get_or_create(name__iexact=name, defaults={"name": name})
        tags.append(tag)
    return tags
