"""Events API listeners: app_home_opened, app_mention, app_uninstalled and tokens_revoked (the
catch-all is handlers/fallback.py)."""
