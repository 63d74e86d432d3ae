"""The simulator's authorization codes behave like the platforms': they expire, work once,
belong to one client, and honour PKCE (S256)."""

from __future__ import annotations

import pytest

from cmis_dashboard_api.domain.oauth_state import code_challenge
from cmis_platform_sim.oauth import CodeProblem, IssuedCode, OAuthBook, redirect

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_code_works_once_for_its_client_before_it_expires() -> None:
    clock = Clock()
    book = OAuthBook(clock)
    code = book.issue("google", "client", "http://api/cb")
    assert book.redeem("google", code, "another-client") is CodeProblem.WRONG_CLIENT
    assert book.redeem("meta", code, "client") is CodeProblem.UNKNOWN
    assert isinstance(book.redeem("google", code, "client"), IssuedCode)
    assert book.redeem("google", code, "client") is CodeProblem.USED
    late = book.issue("google", "client", "http://api/cb")
    clock.now += book.code_ttl_seconds
    assert book.redeem("google", late, "client") is CodeProblem.EXPIRED


def test_pkce_needs_the_verifier_of_the_challenge() -> None:
    book = OAuthBook(Clock())
    verifier = "a" * 64
    code = book.issue("google", "client", "http://api/cb", code_challenge(verifier))
    assert book.redeem("google", code, "client") is CodeProblem.VERIFIER_MISSING
    assert book.redeem("google", code, "client", "b" * 64) is CodeProblem.VERIFIER_MISMATCH
    assert isinstance(book.redeem("google", code, "client", verifier), IssuedCode)


def test_zero_lifetime_means_expired_when_issued() -> None:
    book = OAuthBook(Clock())
    book.configure("deny", 0)
    assert book.describe() == {"consent": "deny", "code_ttl_seconds": 0.0}
    code = book.issue("linkedin", "client", "http://api/cb")
    assert book.redeem("linkedin", code, "client") is CodeProblem.EXPIRED


def test_redirect_keeps_the_callbacks_own_query() -> None:
    answer = redirect("http://api/cb?state=s", {"oauth_token": "t", "oauth_verifier": "v"})
    location = dict(answer.headers)[b"location"].decode()
    assert answer.status == 302
    assert location == "http://api/cb?state=s&oauth_token=t&oauth_verifier=v"
