"""Every action_id and callback_id the bot puts on Slack surfaces, in one place.

Block Kit builders put these on buttons and modals; handlers/__init__.py's register() binds
listeners to them. Renaming one breaks buttons already posted, so treat them as stable.
"""

from __future__ import annotations

# The ephemeral "turn this into a mentoring request?" prompt.
PROMPT_CREATE = "prompt_create_request"
PROMPT_DISMISS = "prompt_not_now"
PROMPT_OPT_OUT = "prompt_dont_ask_again"

# The request modal (views.open after /mentor ask, the shortcut or Create request).
REQUEST_MODAL = "request_modal"
MESSAGE_SHORTCUT = "ask_for_mentoring"  # declared in manifest.yml

# Buttons on the mentor's DM, the pool post and the mentee's confirmation.
REQUEST_ACCEPT = "request_accept"
REQUEST_DECLINE = "request_decline"
REQUEST_SUGGEST = "request_suggest_someone"
REQUEST_CLAIM = "request_claim"  # "I can help" on a pool post
REQUEST_RELEASE = "request_release"
REQUEST_CANCEL = "request_cancel"
REQUEST_SEND_TO_POOL = "request_send_to_pool"  # offered to the mentee after a decline

# Modals opened from those buttons.
DECLINE_MODAL = "request_decline_modal"
SUGGEST_MODAL = "request_suggest_modal"
