"""Enterprise Grid queries (storage/org.py): which workspaces an org-wide install serves
together, their mentors, the rows a click from a peer may act on, and the org's pool channel.
On both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.directory import ProfileDraft
from storage.installations import Installed
from storage.models import Request
from storage.store import Store
from tests.flows import draft

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
ORG = "E1"
SALES, ENG, LEGAL, OTHER = "T1", "T2", "T3", "T9"


def installed(key: str, *, org_wide: bool = False, enterprise_id: str | None = None) -> Installed:
    return Installed(
        install_key=key,
        enterprise_id=enterprise_id,
        team_id=None if org_wide else key,
        is_enterprise_install=org_wide,
        app_id="A1",
        bot_token=f"xoxb-{key}",
        bot_id="B1",
        bot_user_id="WBOT",
        bot_scopes="chat:write",
        installer_user_id="W1",
        installed_at=NOW,
    )


async def org(store: Store) -> None:
    """Sales and Eng served by the org-wide install; Legal seen by it, then installed on its
    own; Other of no org."""
    await store.save_installation(installed(ORG, org_wide=True, enterprise_id=ORG))
    for team in (SALES, ENG, LEGAL):
        await store.seen_in_org(team, ORG, NOW)
    await store.save_installation(installed(LEGAL, enterprise_id=ORG))
    await store.save_installation(installed(OTHER))
    for team, mentor in ((SALES, "W1"), (ENG, "W2"), (LEGAL, "W3"), (OTHER, "U9")):
        draft_profile = ProfileDraft(team_id=team, user_id=mentor, tags=("negotiation",))
        await store.save_profile(draft_profile, NOW)


async def asked(store: Store, team: str, mentor: str | None, mentee: str = "W1") -> Request:
    return await store.create_request(draft(team_id=team, mentor_id=mentor, mentee_id=mentee), NOW)


async def test_only_workspaces_served_together_by_a_live_org_install_are_peers(
    store: Store,
) -> None:
    await org(store)
    assert await store.org_of(SALES) == ORG
    assert await store.org_of(LEGAL) is None  # its own install wins
    assert await store.org_of(OTHER) is None
    mentors = await store.org_candidates(SALES)
    assert [(p.team_id, p.user_id, p.tags) for p, _, _ in mentors] == [
        (ENG, "W2", ("negotiation",))
    ]
    assert await store.org_candidates(LEGAL) == []
    assert await store.org_candidates(OTHER) == []

    # A mentor of Eng carrying a request made in Sales counts it in their load.
    request = await asked(store, SALES, "W2", mentee="W5")
    assert await store.accept_request(SALES, request.id, "W2", NOW) is not None
    [(_, load, _)] = await store.org_candidates(SALES)
    assert load == 1

    # Uninstalled from the org: nothing is looked at across any more.
    await store.remove_installation(ORG, NOW, enterprise_id=ORG, org_wide=True)
    assert await store.org_of(SALES) is None
    assert await store.org_candidates(SALES) == []
    assert await store.org_row_team("request", request.id, ENG, "W2") is None


async def test_a_click_from_a_peer_finds_its_row_only_for_a_participant(store: Store) -> None:
    await org(store)
    request = await asked(store, SALES, "W2")
    assert await store.org_row_team("request", request.id, ENG, "W2") == SALES
    assert await store.org_row_team("request", request.id, ENG, "W7") is None  # not theirs
    assert await store.org_row_team("request", request.id, SALES, "W2") is None  # at home
    assert await store.org_row_team("request", request.id, LEGAL, "W2") is None
    assert await store.org_row_team("request", request.id, OTHER, "W2") is None
    assert await store.org_row_team("session", request.id, ENG, "W2") is None  # no such session


async def test_the_org_pool_serves_workspaces_of_the_org_and_its_asks_are_open_to_it(
    store: Store,
) -> None:
    await org(store)
    assert await store.org_pool(ENG) is None
    await store.save_org_pool(ORG, "C1", SALES, "W1", NOW)
    pool = await store.org_pool(ENG)
    assert pool is not None
    assert (pool.enterprise_id, pool.channel_id, pool.team_id) == (ORG, "C1", SALES)
    assert await store.org_pool(LEGAL) is None
    assert await store.org_pool(OTHER) is None

    pooled = await asked(store, ENG, None, mentee="W2")
    assert await store.org_row_team("request", pooled.id, SALES, "W7") is None  # not posted yet
    await store.set_request_messages(ENG, pooled.id, pool_post=("C1", "1.0"))
    assert await store.org_row_team("request", pooled.id, SALES, "W7") == ENG
    # A pool post in Eng's own channel is for Eng only.
    own = await asked(store, ENG, None, mentee="W2")
    await store.set_request_messages(ENG, own.id, pool_post=("C2", "2.0"))
    assert await store.org_row_team("request", own.id, SALES, "W7") is None

    await store.save_org_pool(ORG, None, SALES, "W1", NOW)  # cleared
    pool = await store.org_pool(ENG)
    assert pool is not None
    assert pool.channel_id is None


async def test_a_persons_home_reaches_their_rows_in_peer_workspaces_only(store: Store) -> None:
    await org(store)
    # The same user id asked to mentor in every workspace: only Sales is Eng's peer.
    by_team = {team: await asked(store, team, "W2", mentee="W5") for team in (SALES, LEGAL, OTHER)}
    own = await asked(store, ENG, "W2", mentee="W6")

    async def waiting(team: str) -> list[tuple[str, int]]:
        data = await store.home_data(team, "W2", NOW, 5)
        return [(request.team_id, request.id) for request in data.waiting]

    assert await waiting(ENG) == [(SALES, by_team[SALES].id), (ENG, own.id)]
    assert await waiting(SALES) == [(SALES, by_team[SALES].id), (ENG, own.id)]
    assert await waiting(LEGAL) == [(LEGAL, by_team[LEGAL].id)]  # its own install wins
    assert await waiting(OTHER) == [(OTHER, by_team[OTHER].id)]
    # The sections that stay in one workspace: the mentee's own requests.
    assert [r.id for r in (await store.home_data(ENG, "W5", NOW, 5)).requests] == []

    await store.remove_installation(ORG, NOW, enterprise_id=ORG, org_wide=True)
    assert await waiting(ENG) == [(ENG, own.id)]
