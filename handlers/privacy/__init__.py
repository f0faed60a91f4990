"""Your data: `/mentor export` and `/mentor forget`."""
