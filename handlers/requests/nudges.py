"""Timed messages about requests: unanswered nudges, escalation, pool re-posts, expiry."""

from __future__ import annotations

from bot.kinds import Kind

KINDS: dict[str, Kind] = {}
