"""Which windows' "rated helpful" shares may be shown together, so none can be subtracted.

Two shares shown side by side give away the ratings in their difference: 5 ratings in the
last 30 days and 6 in the last 90 single out the one rating between. So the windows shown
together cut time into pieces at every window's start and end, and a share is shown only if
every piece inside the windows shown holds no rating or at least MIN_RATINGS. Every figure is
then a sum of whole pieces, so no sum or difference of them narrows down fewer than
MIN_RATINGS ratings. Windows are decided in order: an earlier one is never hidden for a later.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from storage.feedback import MIN_RATINGS
from storage.store import Store

Span = tuple[datetime, datetime]  # [start, end)


def pieces(spans: Sequence[Span]) -> list[Span]:
    """The stretches between consecutive boundaries of `spans` that some span covers."""
    bounds = sorted({moment for span in spans for moment in span})
    return [
        (start, end)
        for start, end in pairwise(bounds)
        if any(first <= start and end <= last for first, last in spans)
    ]


async def ratings_shown(
    store: Store, team_id: str, spans: Sequence[Span], already: Sequence[Span] = ()
) -> list[bool]:
    """For each span in order: may its share be shown next to `already` and the spans before
    it that were shown?"""
    counted: dict[Span, int] = {}
    shown: list[Span] = list(already)
    answers: list[bool] = []
    for span in spans:
        ok = True
        for piece in pieces([*shown, span]):
            if piece not in counted:
                counted[piece] = await store.ratings_between(team_id, *piece)
            if 0 < counted[piece] < MIN_RATINGS:
                ok = False
                break
        answers.append(ok)
        if ok:
            shown.append(span)
    return answers
