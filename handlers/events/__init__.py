"""Events API listeners: app_home_opened and app_mention (the catch-all is handlers/fallback.py)."""
