"""Rows as the Store gets them from SQLite, for the tests of storage.rows and its models."""

from __future__ import annotations

import sqlite3
from typing import Any


def stored(**columns: Any) -> sqlite3.Row:
    """One sqlite3.Row with these columns, as the Store gets it."""
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    marks = ", ".join(f"? AS {name}" for name in columns)
    row: sqlite3.Row = db.execute(f"SELECT {marks}", list(columns.values())).fetchone()
    return row
