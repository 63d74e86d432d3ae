"""Opaque page cursors: the last row's sort key and id, so the next page starts right after
it (an index range, not an offset that rescans and skips rows added meanwhile).

The cursor also names the sort it belongs to: a cursor from one sort order is refused by
another instead of silently starting at the wrong place."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

MAX_CURSOR_CHARS = 400


class InvalidCursorError(ValueError):
    """Not a cursor this API issued for this listing and sort."""


@dataclass(frozen=True)
class Cursor:
    sort: str
    key: str  # the sort key as text (exact: numbers keep every digit)
    row_id: str

    def typed_key(self, key_type: str) -> object:
        """The key as the value the database driver binds (a time, a number, text)."""
        return KEY_PARSERS[key_type](self.key)

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.key, self.row_id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _number(text: str) -> object:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError("not a finite number")
    return value


def _time(text: str) -> object:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("a time without offset")
    return value


# The SQL type of a sort key -> how its text must parse (the database casts it back).
KEY_PARSERS: dict[str, Callable[[str], object]] = {
    "text": str,
    "numeric": _number,
    "timestamptz": _time,
    "bigint": int,
}


def decode_cursor(text: str, sort: str, key_type: str = "text", id_type: str = "uuid") -> Cursor:
    try:
        padded = text + "=" * (-len(text) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidCursorError("malformed cursor") from None
    if not (
        isinstance(values, list)
        and len(values) == 3
        and all(isinstance(value, str) and "\x00" not in value for value in values)
    ):
        raise InvalidCursorError("malformed cursor")
    cursor = Cursor(*values)
    if cursor.sort != sort:
        raise InvalidCursorError("the cursor belongs to another sort order")
    try:
        KEY_PARSERS[key_type](cursor.key)
        UUID(cursor.row_id) if id_type == "uuid" else KEY_PARSERS[id_type](cursor.row_id)
    except (ValueError, InvalidOperation):
        raise InvalidCursorError("malformed cursor") from None
    return cursor
