"""Warm introductions: the intro modal, the expert's double opt-in, the group DM, Book time and
the follow-up. intros/modal_open.py is the entry point (Suggest someone else opens it)."""
