"""Slack's request signing: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`."""

from __future__ import annotations

import hashlib
import hmac


def signature(body: bytes, secret: str, timestamp: int) -> str:
    """The `X-Slack-Signature` value Slack computes for `body` sent at `timestamp`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The two headers Slack adds to every request it sends to an app."""
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(body, secret, timestamp),
    }
