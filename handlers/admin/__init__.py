"""Admin surfaces: `/mentor settings` and `/mentor stats` (routed in handlers/__init__.py)."""
