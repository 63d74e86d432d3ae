"""The CORS allow-list: exact origins only. A wildcard would let any page call the API with
a token it obtained, and a path or a trailing slash never matches a browser's ``Origin``
header (so it is refused rather than silently ignored)."""

from __future__ import annotations

import re

_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9a-f:]+\](:[0-9]{1,5})?")


class InvalidOriginError(ValueError):
    """An allow-list entry that is not an exact ``scheme://host[:port]`` origin."""


def parse_origins(value: object) -> tuple[str, ...]:
    """Origins from a comma-separated string or a sequence; each must be exact."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple):
        items = [str(item) for item in value]
    else:
        raise InvalidOriginError("cors_origins must be a comma-separated string or a list")
    origins: list[str] = []
    for item in (item.strip() for item in items):
        if not item:
            continue
        if not _ORIGIN.fullmatch(item.lower()):
            raise InvalidOriginError(
                f"CORS origin {item!r} must be exactly scheme://host[:port] (no path, no *)"
            )
        if item.lower() not in origins:
            origins.append(item.lower())
    return tuple(origins)
