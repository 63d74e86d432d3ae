"""The OAuth connect's pure decisions: the signed state, PKCE, the return-URL allow-list and
how chosen accounts become integrations."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from cmis_dashboard_api.domain.oauth import (
    ChoiceError,
    ChoosableAccount,
    Grant,
    OAuthFailure,
    dedupe,
    integrations_for,
    is_refusal,
    return_url_allowed,
)
from cmis_dashboard_api.domain.oauth_state import (
    code_challenge,
    new_claims,
    sign_state,
    state_key_from,
    verify_state,
)

pytestmark = pytest.mark.unit
KEY = state_key_from("a-test-encryption-key")
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
USER, ORG = uuid.uuid4(), uuid.uuid4()


def _state(platform: str = "google", lifetime: timedelta = timedelta(minutes=10)) -> str:
    return sign_state(KEY, new_claims(USER, ORG, platform, NOW, lifetime))


def _failure(state: str | None, platform: str = "google", now: datetime = NOW) -> str:
    with pytest.raises(OAuthFailure) as caught:
        verify_state(KEY, state, platform, now)
    return caught.value.code


def test_state_round_trip_binds_user_org_platform_and_expiry() -> None:
    claims = verify_state(KEY, _state(), "google", NOW)
    assert (claims.user_id, claims.org_id, claims.platform) == (USER, ORG, "google")
    assert claims.expires_at == NOW + timedelta(minutes=10)
    assert _state() != _state()  # a fresh nonce each time


def test_forged_expired_or_foreign_states_are_refused() -> None:
    state = _state()
    version, payload, signature = state.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["o"] = str(uuid.uuid4())  # another organization, same signature
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert _failure(f"{version}.{forged}.{signature}") == "invalid_state"
    assert (
        _failure(sign_state(state_key_from("another key"), verify_state(KEY, state, "google", NOW)))
        == "invalid_state"
    )
    assert _failure(state, platform="meta") == "invalid_state"
    assert _failure(state, now=NOW + timedelta(minutes=10)) == "state_expired"
    for junk in (None, "", "v1", "v1.x.y", "v2." + state[3:], "v1.!!.??"):
        assert _failure(junk) == "invalid_state"


def test_pkce_challenge_is_the_rfc_7636_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636, appendix B
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://app.test/oauth", True),
        ("https://app.test/oauth/done?x=1", True),
        ("https://APP.test/oauth", True),
        ("https://app.test/oauthx", False),
        ("https://app.test/", False),
        ("http://app.test/oauth", False),
        ("https://app.test.evil/oauth", False),
        ("https://app.test@evil/oauth", False),
        ("https://evil/?https://app.test/oauth", False),
        ("https://app.test/oauth#frag", False),
        ("https://app.test\\@evil/oauth", False),
        ("javascript:alert(1)//app.test/oauth", False),
        ("//app.test/oauth", False),
    ],
)
def test_return_urls_must_be_on_the_allow_list(url: str, allowed: bool) -> None:
    assert return_url_allowed(url, ["https://app.test/oauth"]) is allowed
    assert return_url_allowed(url, []) is False


def test_refusals_in_each_platforms_words() -> None:
    assert is_refusal({"error": "access_denied", "state": "s"})
    assert is_refusal({"error": "user_cancelled_authorize"})
    assert is_refusal({"denied": "request-token"})
    assert not is_refusal({"code": "c", "state": "s"})


ACCOUNTS = [
    ChoosableAccount("111", "Agency", "manager", connectable=False),
    ChoosableAccount(
        "1",
        "Client",
        "ad_account",
        "EUR",
        "Europe/Berlin",
        "111",
        extra={"login_customer_id": "111"},
    ),
    ChoosableAccount("2", "Other", "ad_account", "USD"),
    ChoosableAccount("9", "Page", "page", connectable=False, extra={"ig_user_id": "178"}),
]
GRANT = Grant(
    {"access_token": "at", "refresh_token": "rt", "page_tokens": {"9": "page-token"}},
    NOW + timedelta(hours=1),
    refreshable=True,
    extra={"user_id": "42"},
)


def test_chosen_accounts_become_integrations_with_the_grants_tokens() -> None:
    made = integrations_for("meta", GRANT, ACCOUNTS, ["1", "2", "1"], {"2": "9"})
    assert [m.values["account_id"] for m in made] == ["1", "2"]
    first, second = made
    assert first.credentials == {"access_token": "at", "refresh_token": "rt"}
    assert first.values["account_extra"] == {"user_id": "42", "login_customer_id": "111"}
    assert first.values["currency"] == "EUR" and first.values["timezone"] == "Europe/Berlin"
    assert (
        first.values["refreshable"] and first.values["token_expires_at"] == GRANT.token_expires_at
    )
    assert second.credentials["page_access_token"] == "page-token"
    assert second.values["account_extra"] == {"user_id": "42", "page_id": "9", "ig_user_id": "178"}


@pytest.mark.parametrize(
    ("chosen", "pages"),
    [(["111"], {}), (["404"], {}), (["9"], {}), (["1"], {"1": "2"}), (["1"], {"2": "9"})],
)
def test_only_connectable_accounts_and_reached_pages_may_be_chosen(
    chosen: list[str], pages: dict[str, str]
) -> None:
    with pytest.raises(ChoiceError):
        integrations_for("meta", GRANT, ACCOUNTS, chosen, pages)


def test_dedupe_keeps_the_first_listing() -> None:
    direct = ChoosableAccount("1", "Client (direct)", "ad_account")
    assert dedupe([ACCOUNTS[1], direct]) == [ACCOUNTS[1]]
