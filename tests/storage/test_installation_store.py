"""Installations, OAuth states and removed workspaces in the Store (on both engines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.digest import DIGEST_KIND
from storage.installations import Installed
from storage.models import Cadence, OutboxStatus, SubjectType
from storage.outbox import Planned
from storage.store import Store

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def installed(key: str, token: str | None = "xoxb-a", **fields: object) -> Installed:  # noqa: S107
    values: dict[str, object] = {
        "install_key": key,
        "enterprise_id": None,
        "team_id": key,
        "is_enterprise_install": False,
        "app_id": "A1",
        "bot_token": token,
        "bot_id": "B1",
        "bot_user_id": "UBOT1",
        "bot_scopes": "chat:write,commands",
        "installer_user_id": "UINSTALLER",
        "installed_at": NOW,
        **fields,
    }
    return Installed(**values)  # type: ignore[arg-type]


async def test_an_install_is_found_by_its_team_and_replaced_by_a_reinstall(store: Store) -> None:
    await store.save_installation(installed("T1"))
    found = await store.find_installation("T1", None)
    assert found is not None
    assert (found.bot_token, found.bot_user_id, found.bot_scopes) == (
        "xoxb-a",
        "UBOT1",
        "chat:write,commands",
    )
    assert await store.find_installation("T2", None) is None
    await store.save_installation(installed("T1", "xoxb-b", bot_user_id="UBOT2"))
    again = await store.find_installation("T1", None)
    assert again is not None
    assert (again.bot_token, again.bot_user_id) == ("xoxb-b", "UBOT2")
    assert len(await store.installations()) == 1
    assert "xoxb" not in repr(again)  # never a token in a log line


async def test_an_org_wide_install_serves_every_workspace_of_its_org(store: Store) -> None:
    org = installed("E1", "xoxb-org", team_id=None, enterprise_id="E1", is_enterprise_install=True)
    await store.save_installation(org)
    for team in ("T1", "T2"):
        found = await store.find_installation(team, "E1")
        assert found is not None
        assert found.bot_token == "xoxb-org"
    assert await store.find_installation("T1", "E2") is None
    # A workspace's own install wins over its org's.
    await store.save_installation(installed("T1", "xoxb-own", enterprise_id="E1"))
    own = await store.find_installation("T1", "E1")
    assert own is not None
    assert own.bot_token == "xoxb-own"


async def test_uninstall_drops_the_token_cancels_pending_rows_and_a_reinstall_restores(
    store: Store,
) -> None:
    await store.save_installation(installed("T1"))
    for team in ("T1", "T2"):
        await store.enqueue(team, "nudge", "U1", NOW, dedupe_key=f"{team}-n", now=NOW)
    cancelled = await store.remove_installation("T1", NOW, team_id="T1")
    assert cancelled == 1
    assert await store.find_installation("T1", None) is None
    pending = await store.list_outbox([OutboxStatus.PENDING])
    assert [row.team_id for row in pending] == ["T2"]  # the other workspace carries on
    assert [row.team_id for row in await store.list_outbox([OutboxStatus.CANCELLED])] == ["T1"]
    # Slack retries the event: the first time stands.
    await store.remove_installation("T1", NOW + timedelta(hours=1), team_id="T1")
    [removed] = await store.installations()
    assert removed.uninstalled_at == NOW
    assert removed.bot_token is None
    await store.save_installation(installed("T1", "xoxb-c"))
    back = await store.find_installation("T1", None)
    assert back is not None
    assert back.bot_token == "xoxb-c"
    assert back.uninstalled_at is None


async def test_a_removed_workspace_is_deleted_after_retention_and_only_it(store: Store) -> None:
    for team in ("T1", "T2"):
        await store.save_installation(installed(team))
        await store.upsert_person(team, "U1", tz="UTC", now=NOW)
        await store.enqueue(team, "nudge", "U1", NOW, dedupe_key=f"{team}-n", now=NOW)
    await store.remove_installation("T1", NOW, team_id="T1")
    assert await store.removed_before(NOW) == []
    [old] = await store.removed_before(NOW + timedelta(days=30, seconds=1))
    assert old.install_key == "T1"
    assert await store.delete_workspace(old, NOW + timedelta(seconds=1)) >= 2  # person, outbox
    assert await store.get_person("T1", "U1") is None
    assert await store.get_person("T2", "U1") is not None
    assert [i.install_key for i in await store.installations()] == ["T2"]
    # Reinstalled between the listing and the deletion: nothing goes.
    await store.remove_installation("T2", NOW, team_id="T2")
    [t2] = await store.removed_before(NOW + timedelta(days=31))
    await store.save_installation(installed("T2"))
    assert await store.delete_workspace(t2, NOW + timedelta(days=1)) is None
    assert await store.get_person("T2", "U1") is not None


async def test_a_one_workspace_setup_records_an_uninstall_and_undoes_it(store: Store) -> None:
    await store.remove_installation("T9", NOW, team_id="T9")
    [row] = await store.installations()
    assert (row.team_id, row.bot_token, row.uninstalled_at) == ("T9", None, NOW)
    assert await store.undo_removal("T9") is True
    assert await store.installations() == []
    assert await store.undo_removal("T9") is False


async def test_an_oauth_state_is_good_once_and_only_until_it_expires(store: Store) -> None:
    await store.issue_oauth_state("s1", NOW + timedelta(minutes=10))
    await store.issue_oauth_state("s2", NOW + timedelta(minutes=10))
    assert await store.consume_oauth_state("forged", NOW) is False
    assert await store.consume_oauth_state("s1", NOW) is True
    assert await store.consume_oauth_state("s1", NOW) is False  # replayed
    assert await store.consume_oauth_state("s2", NOW + timedelta(minutes=10)) is False  # expired
    await store.issue_oauth_state("s3", NOW)
    assert await store.purge_oauth_states(NOW + timedelta(minutes=11)) == 2


async def test_a_workspace_seen_in_an_org_finds_the_org_install_and_leaves_with_it(
    store: Store,
) -> None:
    org = installed("E1", "xoxb-org", team_id=None, enterprise_id="E1", is_enterprise_install=True)
    await store.save_installation(org)
    assert await store.find_installation("T1", None) is None  # the outbox knows only the team
    await store.seen_in_org("T1", "E1", NOW)
    found = await store.find_installation("T1", None)
    assert found is not None
    assert found.bot_token == "xoxb-org"
    for team in ("T1", "T9"):
        await store.enqueue(team, "nudge", "U1", NOW, dedupe_key=f"{team}-n", now=NOW)
        await store.upsert_person(team, "U1", tz="UTC", now=NOW)
    await store.save_org_pool("E1", "C1", "T1", "U1", NOW)
    assert await store.remove_installation("E1", NOW, enterprise_id="E1", org_wide=True) == 1
    assert [row.team_id for row in await store.list_outbox([OutboxStatus.PENDING])] == ["T9"]
    [removed] = await store.removed_before(NOW + timedelta(days=31))
    assert await store.delete_workspace(removed, NOW + timedelta(days=1)) >= 2
    assert await store.get_person("T1", "U1") is None
    assert await store.get_person("T9", "U1") is not None
    assert await store.find_installation("T1", None) is None
    # The org's pool channel goes too: it names the person who set it.
    assert await store._fetch("SELECT * FROM org_settings") == []


async def test_a_workspace_still_served_by_its_org_keeps_its_messages_and_data(
    store: Store,
) -> None:
    # T1 is in org E1 with an install of its own; T2 is served by the org only.
    org = installed("E1", "xoxb-org", team_id=None, enterprise_id="E1", is_enterprise_install=True)
    await store.save_installation(org)
    await store.save_installation(installed("T1", "xoxb-own", enterprise_id="E1"))
    for team in ("T1", "T2"):
        await store.seen_in_org(team, "E1", NOW)
        await store.upsert_person(team, "U1", tz="UTC", now=NOW)
        await store.enqueue(team, "nudge", "U1", NOW, dedupe_key=f"{team}-n", now=NOW)

    # T1 removes its own install: the org's serves it now, so nothing of it stops.
    assert await store.remove_installation("T1", NOW, team_id="T1", enterprise_id="E1") == 0
    [own] = await store.removed_before(NOW + timedelta(days=31))
    assert await store.delete_workspace(own, NOW + timedelta(days=1)) is None
    assert await store.get_person("T1", "U1") is not None

    # The org leaves ten days later: both stop. T1's own removal is past the retention first,
    # but the org's isn't, and a reinstall of the org would bring T1 back: T1 stays till then.
    later = NOW + timedelta(days=10)
    assert await store.remove_installation("E1", later, enterprise_id="E1", org_wide=True) == 2
    assert await store.delete_workspace(own, NOW + timedelta(days=1)) is None
    assert await store.get_person("T1", "U1") is not None
    [own, org_removed] = await store.removed_before(later + timedelta(days=1))
    assert org_removed.install_key == "E1"
    assert await store.delete_workspace(org_removed, later + timedelta(seconds=1)) == 4
    assert await store.get_person("T1", "U1") is None
    assert await store.get_person("T2", "U1") is None


async def test_an_org_wide_removal_leaves_a_workspace_with_its_own_live_install(
    store: Store,
) -> None:
    org = installed("E1", "xoxb-org", team_id=None, enterprise_id="E1", is_enterprise_install=True)
    await store.save_installation(org)
    await store.save_installation(installed("T1", "xoxb-own", enterprise_id="E1"))
    for team in ("T1", "T2"):
        await store.seen_in_org(team, "E1", NOW)  # T1 was served by the org before its own
        await store.upsert_person(team, "U1", tz="UTC", now=NOW)
        await store.enqueue(team, "nudge", "U1", NOW, dedupe_key=f"{team}-n", now=NOW)
    assert await store.remove_installation("E1", NOW, enterprise_id="E1", org_wide=True) == 1
    assert [row.team_id for row in await store.list_outbox([OutboxStatus.PENDING])] == ["T1"]
    [removed] = await store.removed_before(NOW + timedelta(days=31))
    assert await store.delete_workspace(removed, NOW + timedelta(seconds=1)) == 2
    assert await store.get_person("T1", "U1") is not None
    assert await store.get_person("T2", "U1") is None
    assert [i.install_key for i in await store.installations()] == ["T1"]


async def test_a_reinstall_plans_again_the_rows_the_uninstall_cancelled_and_no_other(
    store: Store,
) -> None:
    await store.save_installation(installed("T1"))
    tick = "relationship.tick"
    later = NOW + timedelta(days=6)
    one_to_one, _ = await store.start_relationship("T1", ("U1", "U2"), Cadence.WEEKLY, later, NOW)
    ticked = Planned("T1", tick, "U1", later, "tick-1", SubjectType.RELATIONSHIP, one_to_one.id)
    digests = {user: Planned("T1", DIGEST_KIND, user, later, f"digest-{user}") for user in "AB"}
    for user, row in digests.items():
        await store.subscribe_digest("T1", user, NOW)
        await store.enqueue_planned(row, NOW)
    await store.enqueue_planned(ticked, NOW)
    await store.unsubscribe_digest("T1", "B")  # its row is cancelled for another reason
    await store.subscribe_digest("T1", "B", NOW)
    assert await store.unticked_relationships("T1", tick) == []
    assert [user for user, _ in await store.unplanned_digests("T1")] == ["B"]

    await store.remove_installation("T1", NOW, team_id="T1")
    assert await store.unticked_relationships("T1", tick) == [one_to_one]
    assert [user for user, _ in await store.unplanned_digests("T1")] == ["A", "B"]
    await store.save_installation(installed("T1"))
    assert await store.enqueue_again(ticked, NOW) is True  # the cancelled row waits again
    assert await store.enqueue_again(ticked, NOW) is False  # and only once
    assert await store.enqueue_again(digests["A"], NOW) is True
    assert await store.enqueue_again(digests["B"], NOW) is False  # cancelled by the opt-out
    fresh = Planned("T1", DIGEST_KIND, "B", later, "digest-B-again")
    assert await store.enqueue_again(fresh, NOW) is True
    pending = await store.list_outbox([OutboxStatus.PENDING])
    assert sorted(row.dedupe_key for row in pending) == ["digest-A", "digest-B-again", "tick-1"]
    assert {(row.attempts, row.last_error) for row in pending} == {(0, None)}
    assert await store.unticked_relationships("T1", tick) == []
    assert await store.unplanned_digests("T1") == []
