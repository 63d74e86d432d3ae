"""Which platform ids may go into a platform URL.

An integration's ``account_id`` and ``account_extra`` come from a user (through the API) and
end up as path segments and query values on the platform's own host. Each id must have its
platform's documented shape before any request is made; anything else fails the sync as a
configuration error. The connectors quote every segment as well (defence in depth).

Documented shapes (PLATFORMS.md):

* Google Ads customer id: 10 digits, also written ``123-456-7890``.
* Meta ad account: digits, optionally written ``act_<digits>``; page and Instagram user ids
  are digits.
* TikTok advertiser id: digits.
* LinkedIn sponsored account id: digits; organization: digits or ``urn:li:organization:<digits>``.
* X Ads account id: base36 (lower-case letters and digits); X user id: digits.

Extra keys not listed here are never put into a URL, so they are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cmis_shared.events import Platform

_DIGITS = re.compile(r"[0-9]{1,20}")

ACCOUNT_ID_PATTERNS: dict[Platform, tuple[re.Pattern[str], str]] = {
    Platform.GOOGLE: (re.compile(r"[0-9]{3}-?[0-9]{3}-?[0-9]{4}"), "a Google Ads customer id"),
    Platform.META: (re.compile(r"(?:act_)?[0-9]{1,20}"), "a Meta ad account id"),
    Platform.TIKTOK: (_DIGITS, "a TikTok advertiser id"),
    Platform.LINKEDIN: (_DIGITS, "a LinkedIn sponsored account id"),
    Platform.TWITTER: (re.compile(r"[0-9a-z]{1,20}"), "an X Ads account id"),
}

EXTRA_PATTERNS: dict[Platform, dict[str, re.Pattern[str]]] = {
    Platform.META: {"page_id": _DIGITS, "ig_user_id": _DIGITS},
    Platform.LINKEDIN: {"organization_id": re.compile(r"(?:urn:li:organization:)?[0-9]{1,20}")},
    Platform.TWITTER: {"user_id": _DIGITS},
}


def invalid_id_reason(platform: Platform, account_id: str, extra: Mapping[str, str]) -> str | None:
    """Why these ids must not reach the platform, or None when they all have their shape.
    The reason never repeats the offending value (it may be crafted to mislead a reader)."""
    pattern, what = ACCOUNT_ID_PATTERNS[platform]
    if not pattern.fullmatch(account_id):
        return f"account_id is not {what}"
    for key, key_pattern in EXTRA_PATTERNS.get(platform, {}).items():
        value = extra.get(key)
        if value is not None and not key_pattern.fullmatch(value):
            return f"account_extra.{key} is not a valid {platform.value} id"
    return None
