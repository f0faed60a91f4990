"""Persistence for mentorbot: aiosqlite connection, SQL migrations and the Store.

This package knows nothing of Slack; every time it stores is UTC.
"""

from __future__ import annotations

__all__ = ["MigrationError", "SchemaTooNewError", "StorageError"]


class StorageError(Exception):
    """The database can't be opened or used; the message is one line fit for an operator."""


class MigrationError(StorageError):
    """A migration failed; the database stays at the version it had before that file."""


class SchemaTooNewError(MigrationError):
    """The database was written by a newer mentorbot than this one."""
