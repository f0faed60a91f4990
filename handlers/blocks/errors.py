"""What a person sees when something went wrong on our side."""

from __future__ import annotations

from typing import Any

from handlers.blocks.text import plain, section

OOPS = (
    "Sorry, something went wrong on my side and I couldn't finish that. Nothing you sent was "
    "lost; please try again in a moment."
)
STALE_BUTTON = "That button no longer works. Type `/mentor help` to see what I can do today."


def build_unavailable_modal() -> dict[str, Any]:
    """A modal pushed over the user's own, so what they typed underneath is kept."""
    return {
        "type": "modal",
        "title": plain("Not available", 24),
        "close": plain("Back", 24),
        "blocks": [
            section(
                "I couldn't take this form right now. Go *Back* and try again in a moment; "
                "what you typed is still there."
            )
        ],
    }
