"""The playground's pretend workspace: five people, three channels, two mentor profiles."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from playground.fakeslack import ALICE, BOB, CAROL, GENERAL, TEAM_ID, FakeSlack
from storage.directory import ProfileDraft
from storage.store import Store

DANA = "U0DANA"
ERIN = "U0ERIN"
MENTORS_CHANNEL = "C0MENTORS"
RANDOM_CHANNEL = "C0RANDOM"
SKILLS_FIELD = "Xf0PGSKILLS"


@dataclass(frozen=True)
class Person:
    """Someone the page can be: their Slack id, handle, name, time zone and role."""

    user_id: str
    name: str
    real_name: str
    tz: str
    role: str


PEOPLE = (
    Person(ALICE, "alice", "Alice Example", "Europe/Berlin", "mentee"),
    Person(BOB, "bob", "Bob Example", "America/New_York", "mentor"),
    Person(CAROL, "carol", "Carol Example", "Asia/Kolkata", "mentor"),
    Person(DANA, "dana", "Dana Example", "Europe/London", "coordinator"),
    Person(ERIN, "erin", "Erin Example", "America/Los_Angeles", "admin"),
)
CHANNELS = ((GENERAL, "general"), (MENTORS_CHANNEL, "mentors"), (RANDOM_CHANNEL, "random"))
ADMINS = frozenset({ERIN})


def seed_workspace(fake: FakeSlack) -> None:
    """Put the five people and the three channels into the fake Slack."""
    for person in PEOPLE:
        fake.add_user(
            person.user_id,
            person.name,
            real_name=person.real_name,
            tz=person.tz,
            is_admin=person.user_id in ADMINS,
        )
    for channel_id, name in CHANNELS:
        fake.add_channel(channel_id, name)
    # A custom profile field an admin can pick in /mentor settings (docs/profile-skills.md).
    fake.add_profile_field(SKILLS_FIELD, "Skills", hint="What people can ask you about")
    fake.set_profile_field(DANA, SKILLS_FIELD, "Negotiation, hiring and onboarding")
    fake.set_profile_field(ALICE, SKILLS_FIELD, "Data analysis; SQL")


async def seed_store(store: Store, now: datetime) -> None:
    """Mentor profiles and the workspace's pool channel and coordinator, once per database."""
    workspace = await store.get_workspace_settings(TEAM_ID)
    if workspace.updated_at is not None:
        return  # a folder reused from an earlier run keeps what was changed there
    profiles = {
        BOB: ("career growth", "promotions", "public speaking"),
        CAROL: ("python", "system design", "career growth"),
    }
    for user_id, tags in profiles.items():
        bio = "Happy to talk about " + ", ".join(tags) + "."
        await store.save_profile(
            ProfileDraft(team_id=TEAM_ID, user_id=user_id, tags=tags, bio=bio), now
        )
    changed = replace(workspace, pool_channel_id=MENTORS_CHANNEL, coordinators=(DANA,))
    await store.save_workspace_settings(changed, ERIN, now)
