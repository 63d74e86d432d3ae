"""JSON bytes for every response: orjson, with ``Decimal`` written as an exact JSON number
(not a float, not a string) and UTC times ending in ``Z``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

OPTIONS = orjson.OPT_UTC_Z


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return orjson.Fragment(format(value.normalize(), "f"))
    if isinstance(value, UUID):  # asyncpg's own UUID subclass, which orjson does not take
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=OPTIONS)
