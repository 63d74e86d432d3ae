"""The OAuth connect's use cases against fakes (flow store, a platform's consent, the unit of
work): the state binds the round trip to its user, organization and platform and works once;
refusals and failed exchanges go back to the frontend as error codes; the chosen accounts
become integrations once, for the user who consented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import pytest

from cmis_dashboard_api.domain.oauth import (
    ChoiceError,
    ChoosableAccount,
    OAuthFailure,
    PlatformNotConfigured,
    Reach,
    ReturnUrlRefused,
)
from cmis_dashboard_api.domain.oauth_state import state_key_from
from cmis_dashboard_api.handlers.oauth import OAuthConnect, OAuthPolicy
from cmis_dashboard_api.ports import Principal
from cmis_shared.clock import ManualClock
from tests.unit.dashboard_api.fakes import FakeFlows, FakePlatform, FakeUnitOfWork

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
ORG = uuid4()
ANA = Principal(uuid4(), "ana@example.com", frozenset({ORG}), frozenset({ORG}))
BEN = Principal(uuid4(), "ben@example.com", frozenset({ORG}), frozenset({ORG}))
RETURN = "https://app.example/integrations"
POLICY = OAuthPolicy(
    state_key=state_key_from("a-test-encryption-key"),
    public_base_url="https://api.example",
    return_urls=("https://app.example/",),
    state_lifetime=timedelta(minutes=10),
    pending_lifetime=timedelta(minutes=30),
)
ACCOUNTS = [
    ChoosableAccount("act-1", "Shop", "ad_account", currency="EUR"),
    ChoosableAccount("act-2", "Brand", "ad_account", currency="USD"),
    ChoosableAccount("mgr-1", "Agency", "manager", connectable=False),
]


class World:
    def __init__(self, *, configured: bool = True) -> None:
        self.clock = ManualClock(NOW)
        self.flows = FakeFlows()
        self.uow = FakeUnitOfWork()
        self.google = FakePlatform(
            "google", Reach(ACCOUNTS, {"developer_token": "d"}), is_configured=configured
        )
        self.oauth = OAuthConnect(
            lambda: self.uow, self.flows, {"google": self.google}, POLICY, self.clock
        )

    async def consent(self, user: Principal = ANA) -> str:
        started = await self.oauth.start(user, ORG, "google", RETURN)
        return parse_qs(urlsplit(started.authorization_url).query)["state"][0]

    async def pending_grant(self, user: Principal = ANA) -> UUID:
        back = await self.oauth.callback(
            "google", {"state": await self.consent(user), "code": "good"}
        )
        return UUID(query(back)["oauth_pending"])


def query(url: str) -> dict[str, str]:
    assert url.startswith(RETURN + "?"), url
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


async def test_start_keeps_the_flow_for_the_states_lifetime_and_answers_the_consent_url() -> None:
    world = World()
    started = await world.oauth.start(ANA, ORG, "google", RETURN)

    assert started.expires_at == NOW + POLICY.state_lifetime
    assert "redirect_uri=https://api.example/api/oauth/google/callback" in started.authorization_url
    [(nonce, flow)] = world.flows.flows.items()
    assert flow["user_id"] == str(ANA.user_id) and flow["org_id"] == str(ORG)
    assert (flow["platform"], flow["return_url"]) == ("google", RETURN)
    assert flow["kept"]["code_verifier"].startswith("v-")
    assert world.flows.ttls[nonce] == 600


async def test_start_refuses_a_foreign_return_url_and_an_unconfigured_platform() -> None:
    world = World()
    with pytest.raises(ReturnUrlRefused):
        await world.oauth.start(ANA, ORG, "google", "https://evil.example/integrations")
    with pytest.raises(PlatformNotConfigured):
        await world.oauth.start(ANA, ORG, "tiktok", RETURN)
    with pytest.raises(PlatformNotConfigured):
        await World(configured=False).oauth.start(ANA, ORG, "google", RETURN)
    assert world.flows.flows == {}


async def test_a_callback_stores_a_pending_grant_with_what_the_grant_reaches() -> None:
    world = World()
    state = await world.consent()
    back = await world.oauth.callback("google", {"state": state, "code": "good"})

    grant_id = UUID(query(back)["oauth_pending"])
    assert query(back)["platform"] == "google"
    [callback] = world.google.callbacks
    assert callback.redirect_uri == "https://api.example/api/oauth/google/callback"
    assert callback.kept["code_verifier"].startswith("v-") and callback.now == NOW
    pending = await world.oauth.pending(ANA, ORG, grant_id)
    assert pending is not None and pending.accounts == ACCOUNTS
    assert dict(pending.grant.credentials) == {"access_token": "at", "developer_token": "d"}
    assert pending.expires_at == NOW + POLICY.pending_lifetime
    assert await world.oauth.pending(BEN, ORG, grant_id) is None
    assert world.uow.commits == 1


async def test_a_state_works_once() -> None:
    world = World()
    state = await world.consent()
    await world.oauth.callback("google", {"state": state, "code": "good"})
    with pytest.raises(OAuthFailure) as failure:
        await world.oauth.callback("google", {"state": state, "code": "good"})
    assert failure.value.code == "state_used"
    assert world.uow.commits == 1


async def test_a_tampered_or_missing_state_is_refused_before_any_exchange() -> None:
    world = World()
    state = await world.consent()
    version, payload, signature = state.split(".")
    tampered = f"{version}.{payload}.{signature[::-1]}"  # another signature
    for params in ({"state": tampered, "code": "good"}, {"code": "good"}):
        with pytest.raises(OAuthFailure) as failure:
            await world.oauth.callback("google", params)
        assert failure.value.code == "invalid_state"
    assert world.google.callbacks == []
    await world.oauth.callback("google", {"state": state, "code": "good"})  # still unused


async def test_a_state_for_another_platform_or_past_its_lifetime_is_refused() -> None:
    world = World()
    state = await world.consent()
    with pytest.raises(OAuthFailure) as other:
        await world.oauth.callback("meta", {"state": state, "code": "good"})
    assert other.value.code == "invalid_state"
    world.clock.advance(POLICY.state_lifetime)
    with pytest.raises(OAuthFailure) as late:
        await world.oauth.callback("google", {"state": state, "code": "good"})
    assert late.value.code == "state_expired"
    assert world.uow.commits == 0


async def test_a_flow_bound_to_someone_else_is_refused() -> None:
    world = World()
    state = await world.consent()
    [flow] = world.flows.flows.values()
    flow["user_id"] = str(BEN.user_id)  # the stored flow does not match the signed state
    with pytest.raises(OAuthFailure) as failure:
        await world.oauth.callback("google", {"state": state, "code": "good"})
    assert failure.value.code == "invalid_state"


async def test_a_refusal_goes_back_as_access_denied_without_an_exchange() -> None:
    world = World()
    back = await world.oauth.callback(
        "google", {"state": await world.consent(), "error": "access_denied"}
    )
    assert query(back) == {"platform": "google", "oauth_error": "access_denied"}
    assert world.google.callbacks == [] and world.uow.commits == 0


async def test_a_failed_exchange_goes_back_with_its_code_and_stores_nothing() -> None:
    world = World()
    back = await world.oauth.callback("google", {"state": await world.consent(), "code": "bad"})
    assert query(back) == {"platform": "google", "oauth_error": "exchange_failed"}
    state = await world.consent()
    world.google.is_configured = False  # client credentials removed meanwhile
    back = await world.oauth.callback("google", {"state": state, "code": "good"})
    assert query(back) == {"platform": "google", "oauth_error": "platform_error"}
    assert world.uow.commits == 0 and world.uow.committed.grants == {}


async def test_connect_makes_the_chosen_accounts_integrations_once() -> None:
    world = World()
    grant_id = await world.pending_grant()

    made = await world.oauth.connect(ANA, ORG, grant_id, ["act-2", "act-1"], {})
    assert made is not None
    assert [(m.account_id, m.currency) for m in made] == [("act-2", "USD"), ("act-1", "EUR")]
    assert all(m.org_id == ORG and m.refreshable for m in made)
    assert world.uow.committed.grants == {}
    assert await world.oauth.connect(ANA, ORG, grant_id, ["act-1"], {}) is None
    assert len(world.uow.committed.integrations) == 2


async def test_connect_refuses_another_users_an_expired_and_an_unconnectable_choice() -> None:
    world = World()
    grant_id = await world.pending_grant()
    assert await world.oauth.connect(BEN, ORG, grant_id, ["act-1"], {}) is None
    assert await world.oauth.connect(ANA, uuid4(), grant_id, ["act-1"], {}) is None
    with pytest.raises(ChoiceError):
        await world.oauth.connect(ANA, ORG, grant_id, ["mgr-1"], {})
    assert grant_id in world.uow.committed.grants  # nothing committed: it can still be used
    world.clock.advance(POLICY.pending_lifetime)
    assert await world.oauth.connect(ANA, ORG, grant_id, ["act-1"], {}) is None
    assert world.uow.committed.integrations == {}
