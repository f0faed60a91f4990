"""What POST /slack/events checks before anything reads a request: the signature, then the body.

Both checks are written to be cheap and never to raise on hostile input: a caller who can't
sign gets 401 before the body is looked at, and a body is measured before it is parsed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import parse_qsl

# Slack's rule: a request signed more than five minutes ago (or ahead) is a replay.
MAX_AGE_SECONDS = 60 * 5
# Slack's payloads nest about a dozen levels (rich text in a view's state); json's C decoder
# recurses once per level and raises RecursionError near a thousand.
MAX_DEPTH = 64

_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # [0-9], not \d: no other scripts' digits
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# A JSON string (escapes included), or one bracket; strings may hold brackets that don't nest.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def signed(raw: bytes, timestamp: str, signature: str, secret: str, now: float) -> bool:
    """Whether Slack signed `raw` with `secret` in the last five minutes.

    slack_sdk's SignatureVerifier raises on a timestamp that isn't an integer or a signature
    that isn't ASCII, and decodes the body first; this checks the same HMAC on the bytes.
    """
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON `text` nests deeper than `limit`, found without recursion."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual case: too few brackets to nest that deep
    depth = 0
    for match in _STRUCTURE.finditer(text):
        mark = match.group()[0]
        if mark in "[{":
            depth += 1
            if depth > limit:
                return True
        elif mark in "]}":
            depth -= 1
    return False


def _json_object(text: str) -> dict[str, Any] | None:
    if too_deep(text):
        return None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def read_body(text: str, content_type: str) -> dict[str, Any] | None:
    """The body as Bolt will read it (its parse_body, step for step), or None if Slack could
    not have sent it: JSON that isn't an object or nests too deep, or a broken form."""
    if content_type == "application/json" or text.startswith("{"):
        return _json_object(text)
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return None
    if "payload" not in text:
        return fields
    payload = fields.get("payload")
    return {} if payload is None else _json_object(payload)
