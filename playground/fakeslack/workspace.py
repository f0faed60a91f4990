"""The fake workspace behind FakeSlack: people, channels, messages, views and uploads.

This is the state the Web API methods in `methods.py` read and change. Like Slack, stored
messages and views get a `block_id` (and interactive elements an `action_id`) wherever the bot
left them out, so interaction payloads built from them carry the ids Slack would send.
"""

from __future__ import annotations

import copy
import itertools
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from playground.fakeslack.functions import FunctionRun

TEAM_ID = "T0001"
TEAM_DOMAIN = "mentorbot-test"
TEAM_NAME = "Mentorbot Test"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0MENTOR"
ALICE = "U1"
BOB = "U2"
CAROL = "U3"
GENERAL = "C1"


class SlackError(Exception):
    """An `ok: false` answer with Slack's error name (and any extra fields)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON Slack answers with."""
        return {"ok": False, "error": self.error, **self.extra}


@dataclass
class Upload:
    """A file the bot uploaded, through files.uploadV2's three steps or files.upload."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str = ""
    channels: list[str] = field(default_factory=list)


def flag(value: Any) -> bool:
    """Slack's reading of a boolean argument: JSON true, or "true"/"1" in a form."""
    return value is True or str(value).lower() in ("true", "1")


class Workspace:
    """State and method implementations; FakeSlack adds the HTTP side."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        default_users: bool,
        team_id: str = TEAM_ID,
        domain: str = TEAM_DOMAIN,
        name: str = TEAM_NAME,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        enterprise_id: str | None = None,
        general: str = GENERAL,
    ) -> None:
        self.clock = clock
        self.base_url = ""
        self.team_id = team_id
        self.domain = domain
        self.name = name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.enterprise_id = enterprise_id
        self.enterprise_name: str | None = None
        self.general = general
        # Another team's channel id is not this team's to create on first use.
        self.elsewhere: Callable[[str], bool] = lambda _channel_id: False
        self.id_tag = ""  # added teams tag their ids, so ids stay unique across the fake
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, Upload] = {}
        self._members: dict[str, list[str] | None] = {}
        self._messages: dict[str, dict[str, dict[str, Any]]] = {}
        self._dms: dict[frozenset[str], str] = {}
        self.homes: dict[str, str] = {}
        self.reactions: set[tuple[str, str, str]] = set()
        self.used_triggers: set[str] = set()
        # Custom profile fields (team.profile.get), and what each person wrote in them.
        self.profile_fields: list[dict[str, Any]] = []
        self.field_values: dict[str, dict[str, dict[str, str]]] = {}
        # Scopes the installed app was not granted: methods needing one answer missing_scope.
        self.withheld_scopes: set[str] = set()
        # Workflow step executions by id (functions.py).
        self.function_runs: dict[str, FunctionRun] = {}
        self._serial = itertools.count(1)
        self._last_ts = 0
        self.add_user(bot_user_id, "mentorbot", real_name="Mentorbot", is_bot=True)
        if default_users:
            self.add_user(ALICE, "alice", real_name="Alice Example", tz="Europe/Berlin")
            self.add_user(BOB, "bob", real_name="Bob Example", tz="America/New_York")
            self.add_user(CAROL, "carol", real_name="Carol Example", tz="Asia/Kolkata")
        self.add_channel(general, "general")

    # -- setup and inspection --------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        real_name: str | None = None,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        team_id: str | None = None,
    ) -> dict[str, Any]:
        """Add (or replace) a person in the directory; returns the users.info `user` object."""
        team_id = team_id or self.team_id
        name = name or user_id.lower()
        real_name = real_name or name.title()
        local = datetime.fromtimestamp(self.clock(), ZoneInfo(tz))
        offset = local.utcoffset()
        profile: dict[str, Any] = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": name,
            "display_name_normalized": name,
            "team": team_id,
            "image_72": f"https://avatars.slack-edge.com/{user_id}_72.png",
        }
        if is_bot:
            profile.update(bot_id=self.bot_id, api_app_id=APP_ID, always_active=True)
        user = {
            "id": user_id,
            "team_id": team_id,
            "name": name,
            "deleted": deleted,
            "real_name": real_name,
            "tz": tz,
            "tz_label": local.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": profile,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(self.clock()),
        }
        self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        members: list[str] | None = None,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> dict[str, Any]:
        """Add a channel; members=None means everyone in the directory, the bot included."""
        name = name or channel_id.lower()
        channel = {
            "id": channel_id,
            "name": name,
            "name_normalized": name,
            "is_channel": not is_private,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": is_private,
            "is_archived": is_archived,
            "is_general": name == "general",
            "is_member": True,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "created": int(self.clock()),
            "creator": "",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        self.channels[channel_id] = channel
        self._members[channel_id] = list(members) if members is not None else None
        return channel

    def archive(self, channel_id: str) -> None:
        """Archive a channel, as someone in Slack would: posts to it get is_archived."""
        self.channel(channel_id)["is_archived"] = True

    def remove_member(self, channel_id: str, user_id: str) -> None:
        """Take someone (the bot too: its bot_user_id) out of a channel."""
        channel_id = str(self.channel(channel_id)["id"])
        self._members[channel_id] = [uid for uid in self.members(channel_id) if uid != user_id]

    def deactivate_user(self, user_id: str) -> None:
        """An admin deactivates someone: users.info shows deleted, a new DM is user_disabled."""
        self.users[user_id]["deleted"] = True
        for channel in self.channels.values():
            if channel.get("is_im") and channel.get("user") == user_id:
                channel["is_user_deleted"] = True

    def add_profile_field(
        self,
        field_id: str,
        label: str,
        *,
        hint: str = "",
        field_type: str = "text",
        is_hidden: bool = False,
        possible_values: list[str] | None = None,
    ) -> dict[str, Any]:
        """An admin adds a custom profile field (ids look like Xf06054AAA)."""
        field = {
            "id": field_id,
            "ordering": len(self.profile_fields),
            "field_name": None,
            "label": label,
            "hint": hint,
            "type": field_type,
            "possible_values": possible_values,
            "options": None,
            "is_hidden": is_hidden,
        }
        self.profile_fields.append(field)
        return field

    def set_profile_field(self, user_id: str, field_id: str, value: str, alt: str = "") -> None:
        """Someone fills in (or, with "", clears) a custom field of their profile."""
        values = self.field_values.setdefault(user_id, {})
        if value:
            values[field_id] = {"value": value, "alt": alt}
        else:
            values.pop(field_id, None)

    def members(self, channel_id: str) -> list[str]:
        """Who is in a channel, as conversations.members lists them."""
        listed = self._members.get(channel_id)
        if listed is None:
            return [uid for uid, user in self.users.items() if not user["deleted"]]
        return listed

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """The bot's messages in a channel as people now see them: updates in, deletes out."""
        return list(self._messages.get(channel_id, {}).values())

    def message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        """One message by channel and ts, if it is still there."""
        return self._messages.get(channel_id, {}).get(ts)

    def view(self, view_id: str) -> dict[str, Any]:
        """The current state of a view the bot opened, pushed, updated or published."""
        return self.views[view_id]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab the bot last published for a person, if any."""
        view_id = self.homes.get(user_id)
        return self.views[view_id] if view_id else None

    def dm_channel(self, *user_ids: str) -> str | None:
        """The DM or group DM id conversations.open gave for these people, if it did."""
        return self._dms.get(frozenset(user_ids))

    # -- shared pieces ---------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-style id such as V00000007."""
        return f"{prefix}{self.id_tag}{next(self._serial):08d}"

    def next_ts(self) -> str:
        """A message ts from the clock, strictly increasing even within one microsecond."""
        micros = max(int(self.clock() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def stamp(self, blocks: list[Any]) -> list[Any]:
        """A copy of `blocks` with the block_id/action_id Slack fills in where they are absent."""
        stamped = copy.deepcopy(blocks)
        for block in stamped:
            if not isinstance(block, dict):
                continue
            block.setdefault("block_id", f"b{next(self._serial):05x}")
            kind = block.get("type")
            elements = block.get("elements", []) if kind == "actions" else []
            elements = [*elements, block.get("accessory"), block.get("element")]
            for element in elements:
                if isinstance(element, dict) and element.get("type") not in (None, "image"):
                    element.setdefault("action_id", f"a{next(self._serial):05x}")
        return stamped

    def channel(self, channel_id: Any) -> dict[str, Any]:
        """A conversation by id; a well-formed unknown C…/G… id becomes a channel on first use."""
        if not isinstance(channel_id, str) or not channel_id:
            raise SlackError("channel_not_found")
        if channel_id in self.channels:
            return self.channels[channel_id]
        if re.fullmatch(r"[CG][A-Z0-9]+", channel_id) and not self.elsewhere(channel_id):
            return self.add_channel(channel_id)
        raise SlackError("channel_not_found")

    def target(self, channel_id: Any) -> str:
        """Where a post lands: a U… id means the bot's DM with that person."""
        if isinstance(channel_id, str) and channel_id[:1] in ("U", "W"):
            if channel_id not in self.users:
                raise SlackError("channel_not_found")
            return str(self.open_conversation([channel_id])[0]["id"])
        channel = self.channel(channel_id)
        if channel.get("is_archived"):
            raise SlackError("is_archived")
        if not channel.get("is_im") and self.bot_user_id not in self.members(channel["id"]):
            # Without chat:write.public a bot posts only where it is a member; a private
            # channel it isn't in doesn't exist as far as it can tell.
            raise SlackError("channel_not_found" if channel.get("is_private") else "not_in_channel")
        return str(channel["id"])

    def open_conversation(self, user_ids: list[str]) -> tuple[dict[str, Any], bool]:
        """The bot's DM (one person) or group DM (several) with them, and whether it existed."""
        people = sorted(set(user_ids))
        key = frozenset(people)
        if key in self._dms:
            return self.channels[self._dms[key]], True
        now = int(self.clock())
        if len(people) == 1:
            channel_id = self.new_id("D")
            person = self.users[people[0]]
            channel = {"id": channel_id, "created": now, "is_im": True, "is_org_shared": False}
            channel.update(user=people[0], is_user_deleted=person["deleted"], is_open=True)
        else:
            channel_id = self.new_id("G")
            names = [self.users[uid]["name"] for uid in people] + ["mentorbot"]
            name = "mpdm-" + "--".join(names) + "-1"
            channel = {"id": channel_id, "name": name, "name_normalized": name, "created": now}
            channel.update(is_channel=False, is_group=False, is_im=False, is_mpim=True)
            channel.update(is_private=True, is_archived=False, is_member=True)
        self.channels[channel_id] = channel
        self._members[channel_id] = [*people, self.bot_user_id]
        self._dms[key] = channel_id
        return channel, False

    def post(self, channel_id: str, args: dict[str, Any]) -> dict[str, Any]:
        """Store a new bot message built from chat.postMessage-style arguments."""
        message: dict[str, Any] = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": self.next_ts(),
            "bot_id": self.bot_id,
            "app_id": APP_ID,
            "text": args.get("text") or "",
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": APP_ID,
                "name": "mentorbot",
                "deleted": False,
                "updated": int(self.clock()),
                "team_id": self.team_id,
                "icons": {"image_72": f"https://avatars.slack-edge.com/{self.bot_id}_72.png"},
            },
        }
        if args.get("blocks"):
            message["blocks"] = self.stamp(args["blocks"])
        for key in ("attachments", "thread_ts", "files", "metadata"):
            if args.get(key):
                message[key] = args[key]
        self._messages.setdefault(channel_id, {})[message["ts"]] = message
        return message

    def edit(self, message: dict[str, Any], args: dict[str, Any]) -> None:
        """Apply chat.update-style arguments; what they leave out stays as it was."""
        if "text" in args:
            message["text"] = args["text"] or ""
        if "blocks" in args:
            message["blocks"] = self.stamp(args["blocks"] or [])
        if "attachments" in args:
            message["attachments"] = args["attachments"]
        message["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}

    def delete(self, channel_id: str, ts: str) -> bool:
        """Remove one of the bot's messages; False when there was none."""
        return self._messages.get(channel_id, {}).pop(ts, None) is not None

    def respond(self, channel_id: str, message_ts: str, body: dict[str, Any]) -> None:
        """Apply a response_url post: delete or replace the source message, or post anew."""
        original = self.message(channel_id, message_ts)
        if flag(body.get("delete_original")):
            self.delete(channel_id, message_ts)
        elif flag(body.get("replace_original")) and original is not None:
            self.edit(original, body)
        elif body.get("response_type") == "in_channel" and channel_id:
            self.post(channel_id, body)

    def store_view(self, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        """Save a new view, or a new version of `view_id`, the way views.* answer it."""
        view_id = view_id or self.new_id("V")
        previous = self.views.get(view_id, {})
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": self.stamp(view["blocks"]),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self.clock())}.{next(self._serial):08x}",
            "title": view.get("title"),
            "clear_on_close": flag(view.get("clear_on_close")),
            "notify_on_close": flag(view.get("notify_on_close")),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous.get("previous_view_id"),
            "root_view_id": previous.get("root_view_id", view_id),
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self.views[view_id] = stored
        return stored

    def file_object(self, upload: Upload) -> dict[str, Any]:
        """An uploaded file as files.* methods describe it."""
        now = int(self.clock())
        name = upload.filename
        return {
            "id": upload.file_id,
            "created": now,
            "timestamp": now,
            "name": name,
            "title": upload.title or name,
            "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
            "user": self.bot_user_id,
            "size": len(upload.data or b""),
            "is_public": any(c.startswith("C") for c in upload.channels),
            "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{upload.file_id}/{name}",
            "permalink": f"https://{self.domain}.slack.com/files/{self.bot_user_id}/{upload.file_id}/{name}",
            "channels": list(upload.channels),
        }

    def share(self, upload: Upload, channel_id: str, comment: Any) -> None:
        """Post a file into a channel, as the message people see with it."""
        upload.channels.append(channel_id)
        self.post(channel_id, {"text": comment or "", "files": [self.file_object(upload)]})
