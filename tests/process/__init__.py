"""Whole processes: the CLI, Docker, Socket Mode, backups, the bench harness, memory bounds."""
