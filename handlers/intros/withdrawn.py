"""The word to an introducer whose pending intro `/mentor forget` withdrew (the mentee or the
expert left). Planned in forget's own transaction (storage/privacy.py), which also plans the
rewrite of the expert's ask; it never names the person who left."""

from __future__ import annotations

from bot.delivery import Delivery, is_user
from bot.kinds import Kind, OutboxDeps
from handlers.blocks.intros import build_withdrawn_for_introducer
from handlers.intros.followups import intro_of
from storage.forget import GONE, INTRO_WITHDRAWN
from storage.models import IntroStatus, OutboxMessage


async def render_withdrawn(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The introducer, while still here, naming only the one in the intro who stayed."""
    intro = await intro_of(row, deps)
    gone = row.payload.get(GONE)
    if intro is None or intro.status is not IntroStatus.EXPIRED or gone not in ("mentee", "expert"):
        return None
    stayed = intro.expert_id if gone == "mentee" else intro.mentee_id
    if row.recipient != intro.introducer_id or not is_user(stayed):
        return None
    message = build_withdrawn_for_introducer(intro, str(gone))
    return Delivery(row.recipient, message["text"], message["blocks"])


# It follows the person's forget at once, like the word about a session it cancelled.
KINDS: dict[str, Kind] = {INTRO_WITHDRAWN: Kind(render_withdrawn, quiet=False)}
