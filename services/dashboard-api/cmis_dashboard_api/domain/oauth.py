"""Connecting accounts through a platform's OAuth consent, as pure values and decisions:
what a grant is, which accounts it reaches, which return URLs the browser may be sent to,
and how chosen accounts become integrations. No I/O.

Error codes the browser sees on the frontend's return URL (``?oauth_error=<code>``) or the
API answers: :data:`FAILURE_CODES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import UUID

FAILURE_CODES = {
    "access_denied": "the user refused consent on the platform",
    "code_rejected": "the platform refused the authorization code (expired, used or invalid)",
    "platform_error": "the platform could not be reached or answered unexpectedly",
    "invalid_state": "the state is missing, tampered with or not this platform's",
    "state_expired": "the consent took longer than the state's lifetime",
    "state_used": "this consent round trip was already completed",
}


class OAuthFailure(Exception):
    """A consent round trip that cannot go on; ``code`` is one of :data:`FAILURE_CODES`."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ChoosableAccount:
    """One account a grant reaches. Manager accounts and pages are listed (an agency sees
    its clients under their manager; a Meta page is attached to an ad account) but only
    ``connectable`` ones become integrations."""

    account_id: str
    name: str
    kind: str  # ad_account | manager | page
    currency: str | None = None
    timezone: str = "UTC"
    manager_id: str | None = None
    connectable: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)  # platform ids, never secrets

    def as_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "name": self.name,
            "kind": self.kind,
            "currency": self.currency,
            "timezone": self.timezone,
            "manager_id": self.manager_id,
            "connectable": self.connectable,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChoosableAccount:
        return cls(**{**data, "extra": dict(data.get("extra") or {})})


@dataclass(frozen=True)
class Grant:
    """What a code exchange yields. ``credentials`` are secret (access and refresh tokens,
    X's token secret, Meta page tokens under ``page_tokens``): stored encrypted only."""

    credentials: Mapping[str, Any] = field(repr=False)
    token_expires_at: datetime | None = None
    refreshable: bool = False
    # Ids learnt at the exchange that every account of the grant carries (X's user id).
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Authorization:
    """Where to send the browser, and what the server keeps for the callback (a PKCE
    verifier, X's request token and its secret): never sent to the browser."""

    url: str
    kept: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Reach:
    """The accounts a grant reaches, and credentials learnt while listing them (Meta
    pages' own tokens), stored with the grant."""

    accounts: list[ChoosableAccount]
    credentials: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Callback:
    """What the code exchange needs: the callback's query, what the server kept at the
    start (PKCE verifier, X's request token), the redirect URI given at the start, now."""

    params: Mapping[str, str]
    kept: Mapping[str, str] = field(repr=False)
    redirect_uri: str
    now: datetime


@dataclass(frozen=True)
class NewPendingGrant:
    org_id: UUID
    user_id: UUID
    platform: str
    grant: Grant
    accounts: list[ChoosableAccount]
    expires_at: datetime


@dataclass(frozen=True)
class PendingGrant:
    """A grant whose user has not yet chosen the accounts to connect."""

    id: UUID
    platform: str
    grant: Grant
    accounts: list[ChoosableAccount]
    expires_at: datetime


def is_refusal(params: Mapping[str, str]) -> bool:
    """The platform sent the user back without consent: OAuth 2.0's ``error`` (Google and
    Meta ``access_denied``, LinkedIn ``user_cancelled_authorize``...) or X's ``denied``."""
    return bool(params.get("error") or params.get("denied"))


def dedupe(accounts: Sequence[ChoosableAccount]) -> list[ChoosableAccount]:
    """One entry per account id; the first listing wins (a manager's client may also be
    reachable directly, a Meta ad account both personally and through a business)."""
    seen: dict[str, ChoosableAccount] = {}
    for account in accounts:
        seen.setdefault(account.account_id, account)
    return list(seen.values())


def return_url_allowed(url: str, allowed: Sequence[str]) -> bool:
    """``url`` is an absolute http(s) URL without credentials or fragment, on the origin of
    an allowed entry and under its path."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        return False
    if parts.username is not None or parts.password is not None or "\\" in url:
        return False
    for entry in allowed:
        allowed_parts = urlsplit(entry)
        if (parts.scheme, parts.netloc.lower()) != (
            allowed_parts.scheme,
            allowed_parts.netloc.lower(),
        ):
            continue
        prefix = allowed_parts.path or "/"
        path = parts.path or "/"
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return True
    return False


def frontend_redirect(return_url: str, params: Mapping[str, str]) -> str:
    separator = "&" if urlsplit(return_url).query else "?"
    return f"{return_url}{separator}{urlencode(params)}"


class ReturnUrlRefused(ValueError):
    """The frontend return URL is not on the allow-list."""


class PlatformNotConfigured(LookupError):
    """This application has no client credentials for the platform."""


class ChoiceError(ValueError):
    """The chosen accounts are not connectable accounts of this grant."""


@dataclass(frozen=True)
class NewIntegration:
    values: dict[str, Any]
    credentials: dict[str, Any] = field(repr=False)


def integrations_for(
    platform: str,
    grant: Grant,
    accounts: Sequence[ChoosableAccount],
    chosen: Sequence[str],
    pages: Mapping[str, str],
) -> list[NewIntegration]:
    """The integrations to connect for the chosen account ids (``pages``: Meta only, an ad
    account id -> the page whose posts it reads, with that page's own token)."""
    by_id = {account.account_id: account for account in accounts}
    unknown = [i for i in chosen if i not in by_id or not by_id[i].connectable]
    if unknown:
        raise ChoiceError(f"not connectable accounts of this grant: {', '.join(unknown[:5])}")
    bad_pages = [
        page
        for ad_account, page in pages.items()
        if ad_account not in chosen or by_id.get(page) is None or by_id[page].kind != "page"
    ]
    if bad_pages:
        raise ChoiceError(f"pages not reached by this grant or not chosen: {bad_pages[:5]}")
    base = {k: v for k, v in grant.credentials.items() if k != "page_tokens"}
    page_tokens: Mapping[str, str] = grant.credentials.get("page_tokens") or {}
    made = []
    for account_id in dict.fromkeys(chosen):
        account = by_id[account_id]
        extra = {**grant.extra, **account.extra}
        credentials = dict(base)
        if page := pages.get(account_id):
            extra.update({"page_id": page, **by_id[page].extra})
            if page in page_tokens:
                credentials["page_access_token"] = page_tokens[page]
        values = {
            "platform": platform,
            "account_id": account.account_id,
            "account_name": account.name[:200] or account.account_id,
            "currency": account.currency,
            "timezone": account.timezone,
            "account_extra": extra,
            "token_expires_at": grant.token_expires_at,
            "refreshable": grant.refreshable,
        }
        made.append(NewIntegration(values, credentials))
    return made
