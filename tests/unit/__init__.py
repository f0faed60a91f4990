"""Pure functions and guards: no database, no server, no fake Slack."""
