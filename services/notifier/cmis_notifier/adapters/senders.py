"""The senders: HTTP for webhooks and Slack-compatible incoming webhooks (httpx), SMTP for
e-mail (aiosmtplib). Each attempt is bounded by the timeout; a receiver's fault becomes the
attempt's result with a reason (``http_500``, ``timeout``, ``connect_error``, ``smtp_error``),
never an exception, and no error text carries the URL (its path may hold a token)."""

from __future__ import annotations

import asyncio
import time
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib
import httpx
import orjson

from cmis_notifier.domain.delivery import AttemptResult
from cmis_notifier.domain.messages import email_content, slack_message
from cmis_notifier.domain.records import ChannelKind
from cmis_notifier.domain.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signature_header
from cmis_notifier.settings import NotifierSettings
from cmis_shared.clock import Clock, system_clock

USER_AGENT = "cmis-notifier/1"


class ChannelSenders:
    def __init__(
        self, settings: NotifierSettings, client: httpx.AsyncClient, clock: Clock = system_clock
    ) -> None:
        self._settings = settings
        self._client = client
        self._timeout = settings.delivery_timeout_seconds
        self._clock = clock

    async def send(
        self, channel_kind: str, target: dict[str, Any], body: dict[str, Any]
    ) -> AttemptResult:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._timeout):
                if channel_kind == ChannelKind.EMAIL:
                    return await self._email(target, body, started)
                return await self._http(channel_kind, target, body, started)
        except TimeoutError:
            return _failed(started, "timeout", "no answer within the timeout")

    async def _http(
        self, channel_kind: str, target: dict[str, Any], body: dict[str, Any], started: float
    ) -> AttemptResult:
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        if channel_kind == ChannelKind.WEBHOOK:
            content = orjson.dumps(body)
            timestamp = int(self._clock().timestamp())
            headers[SIGNATURE_HEADER] = signature_header(target["secret"], timestamp, content)
            headers[IDEMPOTENCY_HEADER] = body["idempotency_key"]
        else:
            content = orjson.dumps(slack_message(body))
        try:
            response = await self._client.post(target["url"], content=content, headers=headers)
        except httpx.TimeoutException:
            return _failed(started, "timeout", "no answer within the timeout")
        except httpx.TransportError as error:
            # The exception's text may name the URL; its type says enough.
            return _failed(started, "connect_error", type(error).__name__)
        code = response.status_code
        if 200 <= code < 300:
            return AttemptResult(True, _ms(started), response_code=code)
        return _failed(started, f"http_{code}", response.text[:200], code)

    async def _email(
        self, target: dict[str, Any], body: dict[str, Any], started: float
    ) -> AttemptResult:
        s = self._settings
        content = email_content(body)
        message = EmailMessage()
        message["From"] = s.smtp_from
        message["To"] = target["to"]
        message["Subject"] = content.subject
        # The idempotency key travels as the Message-ID (and its own header): a mail system
        # drops a second copy with the same Message-ID; a receiver can dedupe on either.
        message["Message-ID"] = make_msgid(idstring=body["idempotency_key"], domain="cmis")
        message[IDEMPOTENCY_HEADER] = body["idempotency_key"]
        message.set_content(content.text)
        message.add_alternative(content.html, subtype="html")
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                start_tls=s.smtp_starttls,
                use_tls=s.smtp_tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPResponseException as error:
            return _failed(started, "smtp_error", error.message[:200], error.code)
        except (aiosmtplib.SMTPException, OSError) as error:
            return _failed(started, "smtp_error", type(error).__name__)
        return AttemptResult(True, _ms(started), response_code=250)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _failed(started: float, reason: str, error: str, code: int | None = None) -> AttemptResult:
    return AttemptResult(False, _ms(started), response_code=code, reason=reason, error=error)
