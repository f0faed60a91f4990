"""Notes, action plans, check-ins and ongoing relationships. notes/entry.py opens the notes
modal for other features (a session's Log notes)."""
