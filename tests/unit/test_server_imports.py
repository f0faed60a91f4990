"""What the server's code imports at start: only what every request may need."""

from __future__ import annotations

import json
import subprocess
import sys

# Loaded only when used: Socket Mode's client with SLACK_APP_TOKEN, the fuzzy matcher by a
# directory search; pydantic not at all (issue 25: the server's memory).
LATER = ("slack_sdk.socket_mode", "slack_bolt.adapter.socket_mode", "rapidfuzz", "pydantic")


def test_starting_the_cli_imports_no_socket_mode_fuzzy_matcher_or_pydantic() -> None:
    script = "import json, sys, bot.__main__; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(done.stdout)
    assert "bot.lifecycle" in loaded  # the check sees the server's own modules
    assert [name for name in loaded if name.startswith(LATER)] == []
