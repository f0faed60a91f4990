"""The running playground: the actions a person can take on the page, each sent to the bot
as Slack would send it (signed), and the outbox run when the clock moves (boot.py starts it)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping, Sequence
from datetime import UTC, timedelta
from typing import Any

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from handlers.ids import MESSAGE_SHORTCUT
from playground.fakeslack import BOT_USER_ID, FakeSlack, Reply, SlackSender
from playground.markup import block_id_of
from playground.seed import PEOPLE, Person
from playground.state import placed_elements, state_values
from playground.typed import as_typed
from playground.viewer import Viewer
from playground.world import HumanMessage, Origin, World
from storage.models import OutboxStatus

Form = Mapping[str, Sequence[str]]
# Rows due this soon only wait for Slack's one-message-a-second pacing: deliver them too.
_PACING = timedelta(seconds=3)


class PlaygroundError(Exception):
    """Something the page asked for that can't be done (unknown person, gone message)."""


class Playground:
    """The running playground: read `world` and `fake`, act through the methods below."""

    def __init__(
        self, fake: FakeSlack, runtime: Runtime, clock: FrozenClock, sender: SlackSender
    ) -> None:
        self.fake = fake
        self.runtime = runtime
        self.clock = clock
        self.sender = sender
        self.world = World(fake)
        self.people = {person.user_id: person for person in PEOPLE}
        # One action at a time, as one person at one keyboard would.
        self.lock = asyncio.Lock()

    # -- who and where ---------------------------------------------------------------------

    def person(self, user_id: Any) -> Person:
        """A seeded person by id, or PlaygroundError."""
        person = self.people.get(str(user_id))
        if person is None:
            raise PlaygroundError(f"unknown person {user_id!r}")
        return person

    def viewer(self, user_id: str) -> Viewer:
        """How `user_id` sees Block Kit: their zone, the simulated now, names of people and
        channels."""
        names = {uid: str(user.get("real_name") or uid) for uid, user in self.fake.users.items()}
        channels = {
            cid: str(channel["name"])
            for cid, channel in self.fake.channels.items()
            if "name" in channel
        }
        tz = self.person(user_id).tz
        return Viewer(tz=tz, user=user_id, now=self.clock.now(), names=names, channels=channels)

    def conversations(self, user_id: str) -> list[dict[str, str]]:
        """The sidebar: channels this person is in, then their DMs with the bot."""
        found = []
        for channel_id, channel in self.fake.channels.items():
            if user_id not in self.fake.members(channel_id):
                continue
            if channel.get("is_im"):
                kind, name = "dm", "mentorbot"
            elif channel.get("is_mpim"):
                # As Slack's sidebar names a group DM: by the others in it, not yourself.
                others = [
                    str(self.fake.users[u]["name"])
                    for u in self.fake.members(channel_id)
                    if u not in (user_id, BOT_USER_ID)
                ]
                kind, name = "group", ", ".join(others)
            else:
                kind, name = "channel", str(channel["name"])
            found.append({"id": channel_id, "kind": kind, "name": name})
        order = {"channel": 0, "dm": 1, "group": 2}
        return sorted(found, key=lambda c: order[c["kind"]])

    def _channel(self, user_id: str, channel_id: Any) -> str:
        if not any(c["id"] == channel_id for c in self.conversations(user_id)):
            raise PlaygroundError(f"{user_id} can't see conversation {channel_id!r}")
        return str(channel_id)

    # -- what a person does ----------------------------------------------------------------

    async def send(
        self, user_id: str, channel_id: str, text: str, thread_ts: str | None = None
    ) -> None:
        """The composer: `/mentor …` runs the command, anything else is a message."""
        self.person(user_id)
        channel_id = self._channel(user_id, channel_id)
        text = text.strip()
        if not text:
            raise PlaygroundError("nothing to send")
        async with self.lock:
            if text.split()[0] == "/mentor":
                rest = as_typed(text.removeprefix("/mentor").strip())
                await self._command(user_id, channel_id, rest)
            elif text.startswith("/"):
                raise PlaygroundError("only /mentor commands work here")
            else:
                await self._message(user_id, channel_id, as_typed(text), thread_ts)
            await self._settle()

    async def _message(self, user_id: str, channel_id: str, text: str, thread: str | None) -> None:
        ts = self.sender.new_ts()
        self.world.human.append(HumanMessage(channel_id, ts, user_id, text, thread))
        await self.sender.message(
            text, user_id=user_id, channel_id=channel_id, thread_ts=thread, ts=ts
        )
        if f"<@{BOT_USER_ID}>" in text and not channel_id.startswith("D"):
            # Slack sends a mention of the bot twice: as a message and as app_mention.
            event: dict[str, Any] = {
                "type": "app_mention",
                "user": user_id,
                "text": text,
                "ts": ts,
                "team": self.sender.team_id,
                "channel": channel_id,
                "event_ts": ts,
            }
            if thread:
                event["thread_ts"] = thread
            await self.sender.event(event)

    async def _command(self, user_id: str, channel_id: str, text: str) -> None:
        reply = await self.sender.command(text, user_id=user_id, channel_id=channel_id)
        self._register(reply, Origin(user_id, channel_id))
        body = reply.body
        if isinstance(body, str) and body.strip():
            self.world.add_ephemeral(user_id, channel_id, {"text": body})
        elif isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            self.world.add_ephemeral(user_id, channel_id, body)

    async def shortcut(self, user_id: str, channel_id: str, ts: str) -> None:
        """**Ask for mentoring** on a person's message."""
        self.person(user_id)
        found = [m for m in self.world.human if m.channel == channel_id and m.ts == ts]
        if not found:
            raise PlaygroundError("that message is gone")
        message = {"type": "message", "user": found[0].user, "text": found[0].text, "ts": ts}
        async with self.lock:
            reply = await self.sender.shortcut_message(
                MESSAGE_SHORTCUT,
                user_id=user_id,
                author_id=found[0].user,
                channel_id=channel_id,
                message=message,
            )
            self._register(reply, Origin(user_id, channel_id))
            await self._settle()

    async def act(
        self, user_id: str, surface: Mapping[str, Any], pressed: Mapping[str, Any]
    ) -> None:
        """A button, overflow or select in a message, ephemeral, modal or Home: block_actions."""
        self.person(user_id)
        async with self.lock:
            self.world.sync()
            blocks, where = self._surface(user_id, surface)
            form: Form = pressed.get("form") or {}
            state = state_values(blocks, form, viewer=self.viewer(user_id))
            block_id, action_id = str(pressed.get("block_id")), str(pressed.get("action_id"))
            element = _element(blocks, block_id, action_id)
            action: dict[str, Any] = {"type": element.get("type")}
            if element.get("type") == "overflow":
                action["selected_option"] = pressed.get("option")
            elif block_id in state and action_id in state[block_id]:
                action.update(state[block_id][action_id])
            text = (
                element.get("text", {}).get("text", "") if element.get("type") == "button" else ""
            )
            value = element.get("value") if element.get("type") == "button" else None
            common: dict[str, Any] = {
                "user_id": user_id,
                "block_id": block_id,
                "text": text,
                "action": action,
            }
            if where["kind"] == "view":
                view = copy.deepcopy(self.fake.view(where["view_id"]))
                view["state"] = {"values": state}
                reply = await self.sender.block_action(action_id, value, view=view, **common)
                origin = Origin(user_id, "")
            elif where["kind"] == "ephemeral":
                shown = self.world.ephemerals[where["key"]]
                reply = await self.sender.block_action(
                    action_id, value, channel_id=shown.channel, ephemeral_ts=shown.ts, **common
                )
                origin = Origin(user_id, shown.channel, ephemeral=shown.key)
            else:
                message = copy.deepcopy(self.fake.message(where["channel"], where["ts"]) or {})
                reply = await self.sender.block_action(
                    action_id, value, message=message, channel_id=where["channel"], **common
                )
                origin = Origin(user_id, where["channel"])
            self._register(reply, origin)
            await self._settle()

    def _surface(
        self, user_id: str, surface: Mapping[str, Any]
    ) -> tuple[list[Any], dict[str, str]]:
        kind = surface.get("kind")
        if kind == "view":
            view_id = str(surface.get("view_id"))
            if view_id not in self.fake.views:
                raise PlaygroundError("that view is gone")
            return list(self.fake.view(view_id)["blocks"]), {"kind": "view", "view_id": view_id}
        if kind == "ephemeral":
            shown = self.world.ephemerals.get(str(surface.get("key")))
            if shown is None or shown.user != user_id:
                raise PlaygroundError("that message is gone")
            return list(shown.body.get("blocks") or []), {"kind": "ephemeral", "key": shown.key}
        channel_id = self._channel(user_id, surface.get("channel"))
        ts = str(surface.get("ts"))
        message = self.fake.message(channel_id, ts)
        if message is None:
            raise PlaygroundError("that message is gone")
        return list(message.get("blocks") or []), {
            "kind": "message",
            "channel": channel_id,
            "ts": ts,
        }

    async def submit(self, user_id: str, view_id: str, form: Form) -> None:
        """Submit the modal on top: view_submission with view.state.values from the form."""
        self.person(user_id)
        async with self.lock:
            self.world.sync()
            if view_id not in self.fake.views:
                raise PlaygroundError("that modal is gone")
            view = copy.deepcopy(self.fake.view(view_id))
            state = state_values(view["blocks"], form, viewer=self.viewer(user_id))
            reply = await self.sender.view_submission(view, state=state, user_id=user_id)
            self._register(reply, Origin(user_id, ""))
            self.world.submitted(user_id, view_id, reply.body)
            await self._settle()

    async def close(self, user_id: str, view_id: str) -> None:
        """Close a modal (and those on top of it); view_closed if the bot asked for it."""
        self.person(user_id)
        async with self.lock:
            stack = self.world.stack(user_id)
            ids = [m.view_id for m in stack]
            if view_id not in ids:
                return
            del stack[ids.index(view_id) :]
            view = self.fake.views.get(view_id)
            if view is not None and view.get("notify_on_close"):
                await self.sender.view_closed(copy.deepcopy(view), user_id=user_id)
            await self._settle()

    async def open_home(self, user_id: str) -> None:
        """The person opens the bot's Home tab: app_home_opened."""
        self.person(user_id)
        async with self.lock:
            await self.sender.app_home_opened(user_id=user_id)
            await self._settle()

    async def advance(self, user_id: str, step: str) -> None:
        """Move the simulated clock ("hour", "day" or "monday": next Monday 9:00 in the
        person's zone), then deliver what fell due."""
        zone = self.viewer(user_id).zone
        async with self.lock:
            now = self.clock.now()
            if step == "hour":
                self.clock.advance(hours=1)
            elif step == "day":
                self.clock.advance(days=1)
            elif step == "monday":
                local = now.astimezone(zone)
                monday = local + timedelta(days=(7 - local.weekday()) % 7)
                target = monday.replace(hour=9, minute=0, second=0, microsecond=0)
                if target <= local:
                    target += timedelta(days=7)
                self.clock.advance(seconds=(target.astimezone(UTC) - now).total_seconds())
            else:
                raise PlaygroundError(f"unknown clock step {step!r}")
            await self._settle()

    # -- plumbing --------------------------------------------------------------------------

    def _register(self, reply: Reply, origin: Origin) -> None:
        """Remember who a payload's trigger_id and response_url belong to."""
        trigger = reply.sent.get("trigger_id")
        if trigger:
            self.world.triggers[str(trigger)] = origin.user
        url = reply.sent.get("response_url")
        if url:
            self.world.origins[str(url).removeprefix(self.fake.response_url_base)] = origin

    async def _settle(self) -> None:
        """Let the bot finish its work, send what is due now, and read what it did."""
        await self.deliver_due()
        self.world.sync()

    async def deliver_due(self) -> None:
        """Run the outbox as the scheduler would until nothing is due now, stepping the
        clock over the few seconds that only Slack's per-channel pacing asks for."""
        dispatcher = self.runtime.dispatcher
        await self.runtime.background.drain(5)
        if dispatcher is None:
            return
        for _ in range(20):
            for _ in range(10):
                report = await dispatcher.tick()
                await self.runtime.background.drain(5)
                if not report.claimed:
                    break
            pending = await self.runtime.store.list_outbox([OutboxStatus.PENDING], limit=500)
            soon = [row.due_at for row in pending if row.due_at <= self.clock.now() + _PACING]
            if not soon:
                return
            self.clock.advance(seconds=(max(soon) - self.clock.now()).total_seconds())


def _element(blocks: list[Any], block_id: str, action_id: str) -> dict[str, Any]:
    for index, block in enumerate(blocks):
        if isinstance(block, dict) and block_id_of(block, index) == block_id:
            for found_id, element in placed_elements(block, block_id):
                if found_id == action_id and isinstance(element, dict):
                    return element
    raise PlaygroundError("that control is gone")
