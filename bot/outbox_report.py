"""`mentorbot outbox`: what the outbox holds, for an operator (ids and errors, never text)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from storage import StorageError
from storage.models import OutboxMessage, OutboxStatus
from storage.store import Store
from storage.url import DatabaseTarget

_SHOWN = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED, OutboxStatus.SENT)
_HEADER = ("id", "kind", "recipient", "due (UTC)", "status", "attempts", "last error")


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _row(message: OutboxMessage) -> tuple[str, ...]:
    shown_time = message.sent_at if message.status is OutboxStatus.SENT else message.due_at
    return (
        str(message.id),
        message.kind,
        message.recipient,
        _when(shown_time),
        message.status.value,
        str(message.attempts),
        (message.last_error or "-")[:80],
    )


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def outbox_report(database: DatabaseTarget, limit: int, retry_failed: bool) -> str:
    """The report text, on SQLite or PostgreSQL; with retry_failed, failed rows go back to
    pending first."""
    # Checked first: opening a missing file would create an empty database.
    if database.path is not None and not database.path.exists():
        raise StorageError(f"no database at {database}")
    return asyncio.run(_report(database, limit, retry_failed))


async def _report(database: DatabaseTarget, limit: int, retry_failed: bool) -> str:
    async with await Store.open(database, pool_size=1) as store:
        health = await store.ping()
        if health["schema_version"] < health["latest"]:
            raise StorageError("the database needs migrating first: run `mentorbot migrate`")
        lines: list[str] = []
        if retry_failed:
            moved = await store.retry_failed(datetime.now(UTC))
            lines.append(f"moved {moved} failed message(s) back to pending")
        counts = await store.count_outbox()
        summary = ", ".join(f"{status.value} {counts.get(status, 0)}" for status in OutboxStatus)
        lines.append(f"outbox: {summary}")
        messages = await store.list_outbox(_SHOWN, max(1, limit))
        if messages:
            lines += _table([_HEADER, *(_row(message) for message in messages)])
        else:
            lines.append("no pending, failed or sent messages")
    return "\n".join(lines)
