"""Bounds and types that request bodies and list queries share."""

from typing import Annotated

from pydantic import StringConstraints

from bestellwerk.core.tags import MAX_TAG_LENGTH

CODE_LENGTH = 40  # payment/shipping methods, carriers, lead sources (SlugField max_length)
USERNAME_LENGTH = 150

TagName = Annotated[str, StringConstraints(max_length=MAX_TAG_LENGTH)]
