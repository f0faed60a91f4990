"""The Store against real SQLite files: queries, transitions, migrations."""
