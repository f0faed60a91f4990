"""The outbox: the dispatcher, its faults, crashes, kills and soak."""
