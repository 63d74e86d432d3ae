"""Webhook signatures: HMAC-SHA256 over ``"{timestamp}.{body}"`` with the channel's secret,
sent as ``X-CMIS-Signature: t=<unix seconds>,v1=<hex>``. Signing the timestamp lets a
receiver refuse replays older than its tolerance. The README has the receiver's snippet."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-CMIS-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance_seconds: int = 300) -> bool:
    """What a receiver does: parse the header, check the age, compare in constant time."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(fields.get("v1", ""), signature(secret, timestamp, body))
