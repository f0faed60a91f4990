"""Alembic's script folder for mentorbot: one history for SQLite and PostgreSQL (see
storage/schema.py, which runs it; there is no alembic.ini)."""
