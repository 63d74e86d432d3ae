"""Secrets never reach the rendered log output, whatever carries them: a key name, a value
such as ``error=repr(exc)``, a standard-library log message, or an exception's traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import structlog

from cmis_shared.settings import CmisSettings
from cmis_shared.telemetry import configure_logging, redact_text

pytestmark = pytest.mark.unit

FERNET = "gAAAAABnX2secretFERNETtokenValue1234567890abcdefghijklmnop_-=="
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtand0In0.c2lnbmF0dXJlLXNlY3JldA"
SECRETS = {
    "bearer": "Bearer sk-bearer-SECRET-1",
    "url": "https://graph.test/v1/me?fields=id&access_token=EAAB-url-SECRET-2&limit=5",
    "body": "grant_type=refresh_token&refresh_token=1//refresh-SECRET-3&client_secret=cs-SECRET-4",
    "json": '{"access_token": "json-SECRET-5", "expires_in": 3600}',
    "header": 'Authorization: OAuth oauth_token="oauth-SECRET-6", oauth_signature="sig"',
    "fernet": FERNET,
    "jwt": JWT,
}
LEAKS = ("SECRET-", FERNET, JWT)


@pytest.fixture
def rendered() -> Iterator[io.StringIO]:
    """What the configured handler writes, through the real processors and renderer."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    configure_logging(CmisSettings(service_name="redaction-test", log_format="json"))
    output = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(output)
    yield output
    root.handlers[:], root.level = handlers, level
    structlog.configure(**config)
    structlog.contextvars.clear_contextvars()


def _assert_clean(output: str) -> None:
    assert output.strip(), "nothing was logged"
    for leak in LEAKS:
        assert leak not in output, output


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_a_secret_in_an_exception_message_never_reaches_the_log(
    rendered: io.StringIO, kind: str
) -> None:
    log = structlog.get_logger("redaction")
    try:
        raise RuntimeError(f"platform call failed: {SECRETS[kind]}")
    except RuntimeError as error:
        log.exception("refresh failed", error=repr(error))
    output = rendered.getvalue()
    _assert_clean(output)
    assert "[redacted]" in output and "RuntimeError" in output


def test_secret_values_in_any_field_and_in_stdlib_messages_are_redacted(
    rendered: io.StringIO,
) -> None:
    structlog.get_logger("redaction").warning(
        "call", url=SECRETS["url"], detail={"nested": [SECRETS["bearer"], SECRETS["jwt"]]}
    )
    logging.getLogger("httpx").warning("POST %s -> 400", SECRETS["url"])
    try:
        raise ValueError(SECRETS["body"])
    except ValueError:
        logging.getLogger("faststream").exception("handler failed")
    _assert_clean(rendered.getvalue())


def test_ordinary_text_is_left_alone() -> None:
    text = "sync failed: rate_limited (retry in 60 s), token_expires_at=2025-01-01"
    assert redact_text(text) == text


# One sample per secret pattern, in unusual case, with values that hold no hint themselves
# ("v4lue"): the cheap pre-check that decides whether the patterns run must let none through.
SHOUTED_SECRETS = (
    "GET /me?ACCESS_TOKEN=EAAB-v4lue-7",
    "form: Client_Secret=cs-v4lue-8",
    '{"ApiKey": "v4lue-9"}',
    "CODE_VERIFIER=v4lue-10",
    "OAUTH_SIGNATURE=v4lue-11",
    "Password: v4lue-12",
    "AUTHORIZATION: OAuth v4lue-13",
    "header BEARER v4lue-14-abcdef",
    "header BASIC v4lue-15-abcdef",
    "cipher gAAAAABnX2v4lueFERNETv4lue1234567890abcdefghijklmnop_-==",
    f"jwt {JWT}",
)


@pytest.mark.parametrize("text", SHOUTED_SECRETS)
def test_every_secret_pattern_runs_whatever_the_case_of_its_text(text: str) -> None:
    redacted = redact_text(text)
    assert "[redacted]" in redacted
    assert "v4lue" not in redacted and JWT not in redacted, redacted
