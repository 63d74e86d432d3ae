"""Platform text made storable: platforms sometimes send a NUL byte (PostgreSQL's text types
reject it), a lone surrogate (not encodable as UTF-8) or a name longer than its column. Each
would fail the insert on every delivery, i.e. turn good data into a poison message; cleaned,
the sync stores what it can read and succeeds."""

from __future__ import annotations

# The widths of the columns the text lands in (cmis_shared.db.models).
CAMPAIGN_NAME_LENGTH = 500
CAMPAIGN_STATUS_LENGTH = 20


def clean_text(value: str, max_length: int | None = None) -> str:
    """Without NUL bytes and lone surrogates, and cut to ``max_length`` characters."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")
    if max_length is not None and len(value) > max_length:
        value = value[:max_length]
    return value
