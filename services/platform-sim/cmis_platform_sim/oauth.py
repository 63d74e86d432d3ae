"""The consent half of each platform's OAuth flow: authorization codes (and X's OAuth 1.0a
request tokens) with expiry, single use and PKCE, and the user's decision.

DEVELOPMENT AND TEST TOOL ONLY. Tests steer the user's answer with ``POST /_admin/oauth``:
``{"consent": "approve" | "deny" | "page", "code_ttl_seconds": 600}``. ``approve`` and
``deny`` answer the authorize request at once with the platform's redirect (auto-consent);
``page`` shows a consent page whose two links repeat the request with
``sim_decision=approve|deny``. A code lives ``code_ttl_seconds`` (0: expired at once) and is
redeemed once; a second redemption is refused, as the real platforms do.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from urllib.parse import urlencode

from .http import SimRequest, SimResponse


class Consent(StrEnum):
    APPROVE = "approve"
    DENY = "deny"
    PAGE = "page"


class CodeProblem(Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    WRONG_CLIENT = "wrong_client"
    VERIFIER_MISSING = "verifier_missing"
    VERIFIER_MISMATCH = "verifier_mismatch"


@dataclass(frozen=True)
class IssuedCode:
    platform: str
    client_id: str
    redirect_uri: str
    expires_at: float
    challenge: str | None = None
    # X: the request token secret and callback that belong to this request token.
    secret: str = ""


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OAuthBook:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.consent = Consent.APPROVE
        self.code_ttl_seconds = 600.0
        self._clock = clock
        self._issued: dict[str, IssuedCode] = {}
        self._redeemed: set[str] = set()
        self._serial = itertools.count(1)

    def configure(self, consent: str | None, code_ttl_seconds: float | None) -> None:
        if consent is not None:
            self.consent = Consent(consent)
        if code_ttl_seconds is not None:
            self.code_ttl_seconds = max(0.0, float(code_ttl_seconds))

    def describe(self) -> dict[str, object]:
        return {"consent": self.consent.value, "code_ttl_seconds": self.code_ttl_seconds}

    def decision(self, req: SimRequest) -> Consent:
        asked = req.query.get("sim_decision")
        if asked in (Consent.APPROVE, Consent.DENY):
            return Consent(asked)
        return self.consent

    def issue(
        self,
        platform: str,
        client_id: str,
        redirect_uri: str,
        challenge: str | None = None,
        *,
        prefix: str = "sim-code",
        secret: str = "",
    ) -> str:
        code = f"{prefix}-{platform}-{next(self._serial)}-{secrets.token_urlsafe(8)}"
        expires_at = self._clock() + self.code_ttl_seconds
        self._issued[code] = IssuedCode(
            platform, client_id, redirect_uri, expires_at, challenge, secret
        )
        return code

    def peek(self, platform: str, code: str) -> IssuedCode | None:
        issued = self._issued.get(code)
        return issued if issued is not None and issued.platform == platform else None

    def redeem(
        self, platform: str, code: str | None, client_id: str | None, verifier: str | None = None
    ) -> IssuedCode | CodeProblem:
        """Spend ``code`` (once). ``client_id`` None skips the client check (X: the request
        token is the client's own)."""
        if not code:
            return CodeProblem.UNKNOWN
        if code in self._redeemed:
            return CodeProblem.USED
        issued = self.peek(platform, code)
        if issued is None:
            return CodeProblem.UNKNOWN
        if client_id is not None and client_id != issued.client_id:
            return CodeProblem.WRONG_CLIENT
        if self._clock() >= issued.expires_at:
            return CodeProblem.EXPIRED
        if issued.challenge is not None:
            if not verifier:
                return CodeProblem.VERIFIER_MISSING
            if s256(verifier) != issued.challenge:
                return CodeProblem.VERIFIER_MISMATCH
        self._redeemed.add(code)
        del self._issued[code]
        return issued


def redirect(url: str, params: dict[str, str]) -> SimResponse:
    location = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
    return SimResponse(302, b"", [(b"location", location.encode())])


def consent_page(req: SimRequest, platform_label: str) -> SimResponse:
    base = f"{req.path}?{req.raw_query.decode('latin-1')}"
    links = "".join(
        f'<p><a id="{choice}" href="{html.escape(base)}&amp;sim_decision={choice}">{choice}</a></p>'
        for choice in ("approve", "deny")
    )
    page = f"<!doctype html><title>{platform_label} consent (simulated)</title>{links}"
    return SimResponse(200, page.encode(), [(b"content-type", b"text/html; charset=utf-8")])


def form_response(values: dict[str, str], status: int = 200) -> SimResponse:
    """X's OAuth 1.0a endpoints answer form-encoded text, not JSON."""
    return SimResponse(
        status, urlencode(values).encode(), [(b"content-type", b"text/html; charset=utf-8")]
    )
