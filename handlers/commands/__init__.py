"""Slash commands: `/mentor` and its table of subcommands."""
