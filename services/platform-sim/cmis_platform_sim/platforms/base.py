"""What every simulated platform provides to the server: routing, where its token sits,
and its own shapes for throttling, auth failures and server errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..dataset import Dataset
from ..faults import Fault
from ..http import Headers, SimRequest, SimResponse, json_response
from ..oauth import Consent, OAuthBook, consent_page, redirect
from ..tokens import TokenBook

Handler = Callable[[SimRequest], SimResponse]


@dataclass(frozen=True)
class Route:
    name: str
    account: str | None
    handler: Handler
    # Token and consent endpoints: answered without an access token (and never cached).
    token_endpoint: bool = False
    # Answers that change between calls (report jobs and their status) are never cached.
    cached: bool = True
    # Creates an asynchronous report job: the report faults (failed, stuck) shape it.
    report_job: bool = False


@dataclass(frozen=True)
class SimContext:
    dataset: Dataset
    tokens: TokenBook
    max_page_size: int
    usage_pct: int
    oauth: OAuthBook
    linkedin_max_elements: int = 15_000


class SimulatedPlatform:
    name: str
    prefix: str
    drift_field: str

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        self.ds = ctx.dataset

    def page_size(self, requested: str | int | None, default: int, maximum: int) -> int:
        try:
            size = int(requested) if requested not in (None, "") else default
        except (TypeError, ValueError):
            size = default
        return max(1, min(size, maximum, self.ctx.max_page_size))

    # Each platform overrides what it needs.
    def route(self, req: SimRequest) -> Route | None:
        raise NotImplementedError

    def access_token(self, req: SimRequest) -> str | None:
        return req.bearer()

    def usage_headers(self, pct: int) -> Headers:
        return []

    def rate_limited(self, fault: Fault, req: SimRequest) -> SimResponse:
        return json_response(
            {"error": "rate limited"}, 429, [(b"retry-after", str(int(fault.retry_after)).encode())]
        )

    def quota_exhausted(self, fault: Fault, req: SimRequest) -> SimResponse:
        return self.rate_limited(fault, req)

    def expired(self, req: SimRequest) -> SimResponse:
        raise NotImplementedError

    def revoked(self, req: SimRequest) -> SimResponse:
        raise NotImplementedError

    def server_error(self, fault: Fault, req: SimRequest) -> SimResponse:
        raise NotImplementedError

    def consent(
        self,
        req: SimRequest,
        redirect_uri: str,
        approved: Callable[[], dict[str, str]],
        denied: dict[str, str],
    ) -> SimResponse:
        """The user's answer on the consent screen: back to ``redirect_uri`` with a code
        (``approved()`` issues it) or with the platform's refusal."""
        decision = self.ctx.oauth.decision(req)
        if decision is Consent.PAGE:
            return consent_page(req, self.name)
        return redirect(redirect_uri, approved() if decision is Consent.APPROVE else denied)

    def code_consent(
        self,
        req: SimRequest,
        client_id: str,
        denied: dict[str, str],
        *,
        code_keys: tuple[str, ...] = ("code",),
        challenge: str | None = None,
    ) -> SimResponse:
        """OAuth 2.0: back to ``redirect_uri`` with a fresh code (under each of
        ``code_keys``) or ``denied``, and the request's ``state`` either way."""
        redirect_uri, state = req.query["redirect_uri"], {"state": req.query.get("state", "")}

        def approved() -> dict[str, str]:
            code = self.ctx.oauth.issue(self.name, client_id, redirect_uri, challenge)
            return {**dict.fromkeys(code_keys, code), **state}

        return self.consent(req, redirect_uri, approved, {**denied, **state})

    def refresh(self, req: SimRequest, revoked: bool) -> SimResponse:
        """The OAuth token endpoint (platforms with a refresh flow)."""
        used = req.form().get("refresh_token")
        if revoked or not self.ctx.tokens.refresh_token_ok(used):
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
                400,
            )
        answer = {
            "access_token": self.ctx.tokens.mint(self.name),
            "expires_in": 3600,
            "token_type": "Bearer",
        }
        if rotated := self.ctx.tokens.rotate(self.name, used):
            answer["refresh_token"] = rotated
        return json_response(answer)
