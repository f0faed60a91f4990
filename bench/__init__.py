"""Benchmarks for mentorbot: `make bench` writes docs/benchmarks.md.

Load on a running `mentorbot run` against a bare-Bolt floor app, the classifier alone, the
outbox at scale against a rate-limited fake Slack, and storage at scale.
"""
