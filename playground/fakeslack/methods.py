"""The Web API methods FakeSlack answers, each a function of the workspace and the arguments.

A method returns Slack's success JSON or raises `SlackError` with Slack's error name. Methods
missing from `METHODS` answer `unknown_method`: when a test meets that, teach the fake here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from playground.fakeslack.blockkit import check_message, check_view
from playground.fakeslack.functions import functions_complete_error, functions_complete_success
from playground.fakeslack.workspace import (
    SlackError,
    Upload,
    Workspace,
    flag,
)

Args = dict[str, Any]
Answer = dict[str, Any]
Method = Callable[[Workspace, Args], Answer]


def _need(args: Args, name: str, error: str = "invalid_arguments") -> Any:
    value = args.get(name)
    if value is None or value == "":
        raise SlackError(error)
    return value


def _check_message(args: Args) -> None:
    rejection = check_message(args.get("text"), args.get("blocks"), args.get("attachments"))
    if rejection is not None:
        extra = {"response_metadata": {"messages": rejection.messages}}
        raise SlackError(rejection.error, **(extra if rejection.messages else {}))


def _check_view(view: Any) -> dict[str, Any]:
    if view is None:
        raise SlackError("invalid_arguments")
    rejection = check_view(view)
    if rejection is not None:
        raise SlackError(rejection.error, response_metadata={"messages": rejection.messages})
    return dict(view)


def _page(items: list[Any], args: Args, limit: int) -> tuple[list[Any], str]:
    """One page of `items` and the next cursor ("" on the last page), as Slack paginates."""
    size = int(args.get("limit") or limit) or len(items) or 1
    start = 0
    if args.get("cursor"):
        try:
            start = int(base64.b64decode(args["cursor"]).decode().removeprefix("offset:"))
        except ValueError:
            raise SlackError("invalid_cursor") from None
    end = start + size
    cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], cursor


def _known_channel(ws: Workspace, args: Args) -> str:
    return str(ws.channel(_need(args, "channel", "channel_not_found"))["id"])


# -- auth, chat ----------------------------------------------------------------------------


def auth_test(ws: Workspace, args: Args) -> Answer:
    """auth.test: the bot's own identity, for a workspace-level token."""
    answer = {
        "ok": True,
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.name,
        "user": ws.users[ws.bot_user_id]["name"],
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }
    if ws.enterprise_id:
        answer["enterprise_id"] = ws.enterprise_id
    return answer


def auth_teams_list(ws: Workspace, args: Args) -> Answer:
    """auth.teams.list for a workspace-level token: its one workspace (an org-wide token's
    answer, every workspace the app was added to, comes from teams.py)."""
    return {"ok": True, "teams": [{"id": ws.team_id, "name": ws.name}]}


def _check_metadata(args: Args) -> None:
    """Message metadata: an object with a string event_type and an object event_payload."""
    metadata = args.get("metadata")
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise SlackError("invalid_metadata_format")
    if not isinstance(metadata.get("event_type"), str) or not metadata["event_type"]:
        raise SlackError("invalid_metadata_schema")
    if not isinstance(metadata.get("event_payload"), dict):
        raise SlackError("invalid_metadata_schema")


def chat_post_message(ws: Workspace, args: Args) -> Answer:
    """chat.postMessage: store and echo the message."""
    channel_id = ws.target(_need(args, "channel", "channel_not_found"))
    _check_message(args)
    _check_metadata(args)
    message = ws.post(channel_id, args)
    return {"ok": True, "channel": channel_id, "ts": message["ts"], "message": message}


def chat_post_ephemeral(ws: Workspace, args: Args) -> Answer:
    """chat.postEphemeral: only the `user` would see it, so nothing is stored."""
    channel_id = ws.target(_need(args, "channel", "channel_not_found"))
    if args.get("user") not in ws.members(channel_id):
        raise SlackError("user_not_in_channel")
    _check_message(args)
    return {"ok": True, "message_ts": ws.next_ts()}


def chat_update(ws: Workspace, args: Args) -> Answer:
    """chat.update: edit one of the bot's messages."""
    channel_id = _known_channel(ws, args)
    message = ws.message(channel_id, _need(args, "ts", "message_not_found"))
    if message is None:
        raise SlackError("message_not_found")
    _check_message(args)
    ws.edit(message, args)
    return {
        "ok": True,
        "channel": channel_id,
        "ts": message["ts"],
        "text": message["text"],
        "message": message,
    }


def chat_delete(ws: Workspace, args: Args) -> Answer:
    """chat.delete: remove one of the bot's messages."""
    channel_id = _known_channel(ws, args)
    ts = _need(args, "ts", "message_not_found")
    if not ws.delete(channel_id, ts):
        raise SlackError("message_not_found")
    return {"ok": True, "channel": channel_id, "ts": ts}


def chat_get_permalink(ws: Workspace, args: Args) -> Answer:
    """chat.getPermalink: a link to any message."""
    # Any ts is accepted: the bot links to people's messages, which the fake never stored.
    channel_id = _known_channel(ws, args)
    ts = str(_need(args, "message_ts", "message_not_found"))
    link = f"https://{ws.domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
    return {"ok": True, "channel": channel_id, "permalink": link}


# -- conversations, users ------------------------------------------------------------------


def conversations_open(ws: Workspace, args: Args) -> Answer:
    """conversations.open: the same DM or group DM id for the same people."""
    if args.get("channel"):
        channel = ws.channels.get(args["channel"])
        if channel is None or not (channel.get("is_im") or channel.get("is_mpim")):
            raise SlackError("channel_not_found")
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel["id"]}}
    users = args.get("users") or []
    listed = users.split(",") if isinstance(users, str) else list(users)
    people = [str(uid).strip() for uid in listed if str(uid).strip()]
    if not people:
        raise SlackError("users_list_not_supplied")
    if len(people) > 8:
        raise SlackError("too_many_users")
    if any(uid not in ws.users for uid in people):
        raise SlackError("user_not_found")
    if any(ws.users[uid]["deleted"] for uid in people):
        raise SlackError("user_disabled")  # a deactivated account gets no DMs
    channel, existed = ws.open_conversation(people)
    shown = dict(channel) if flag(args.get("return_im")) else {"id": channel["id"]}
    extra = {"no_op": True, "already_open": True} if existed else {}
    return {"ok": True, **extra, "channel": shown}


def conversations_info(ws: Workspace, args: Args) -> Answer:
    """conversations.info: one conversation; is_member says whether the bot is in it."""
    channel = dict(ws.channel(args.get("channel")))
    if channel.get("is_im"):
        return {"ok": True, "channel": channel}
    channel["is_member"] = ws.bot_user_id in ws.members(channel["id"])
    # Slack hides a private channel from a bot that isn't in it.
    if channel.get("is_private") and not channel["is_member"]:
        raise SlackError("channel_not_found")
    return {"ok": True, "channel": channel}


def conversations_members(ws: Workspace, args: Args) -> Answer:
    """conversations.members: member ids, paginated."""
    channel = ws.channel(args.get("channel"))
    page, cursor = _page(ws.members(channel["id"]), args, 100)
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}


def _ts(value: Any, default: str) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else default))
    except InvalidOperation:
        raise SlackError("invalid_ts_oldest") from None


def _readable(ws: Workspace, args: Args) -> str:
    """A conversation the bot may read: a DM it has, or a channel it is in."""
    channel = ws.channel(_need(args, "channel", "channel_not_found"))
    in_it = (
        channel.get("is_im")
        or channel.get("is_mpim")
        or ws.bot_user_id in ws.members(channel["id"])
    )
    if not in_it:
        raise SlackError("channel_not_found" if channel.get("is_private") else "not_in_channel")
    return str(channel["id"])


def _window(messages: list[dict[str, Any]], args: Args) -> list[dict[str, Any]]:
    """The messages between `oldest` and `latest` (both excluded unless `inclusive`)."""
    oldest, latest = _ts(args.get("oldest"), "0"), _ts(args.get("latest"), "9999999999")
    inclusive = flag(args.get("inclusive"))
    return [
        message
        for message in messages
        if (oldest <= Decimal(message["ts"]) <= latest)
        and (inclusive or Decimal(message["ts"]) not in (oldest, latest))
    ]


def _shown(message: dict[str, Any], args: Args) -> dict[str, Any]:
    """A message as a history read returns it: metadata only with include_all_metadata."""
    if flag(args.get("include_all_metadata")) or "metadata" not in message:
        return message
    return {key: value for key, value in message.items() if key != "metadata"}


def _messages_page(found: list[dict[str, Any]], args: Args) -> Answer:
    """One page of a history read (at most 999 a page, 100 by default), with its cursor."""
    page, cursor = _page(found, {**args, "limit": min(int(args.get("limit") or 100), 999)}, 100)
    return {
        "ok": True,
        "messages": [_shown(message, args) for message in page],
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


def conversations_history(ws: Workspace, args: Args) -> Answer:
    """conversations.history: the bot's top-level messages, newest first, paginated."""
    channel_id = _readable(ws, args)
    top = [m for m in ws.messages(channel_id) if m.get("thread_ts") in (None, m["ts"])]
    found = sorted(_window(top, args), key=lambda m: Decimal(m["ts"]), reverse=True)
    return _messages_page(found, args)


def conversations_replies(ws: Workspace, args: Args) -> Answer:
    """conversations.replies: a thread's parent and replies, oldest first, paginated."""
    channel_id = _readable(ws, args)
    parent = ws.message(channel_id, str(_need(args, "ts", "thread_not_found")))
    if parent is None:
        raise SlackError("thread_not_found")
    thread = [m for m in ws.messages(channel_id) if m.get("thread_ts") == parent["ts"]]
    found = sorted(_window([parent, *thread], args), key=lambda m: Decimal(m["ts"]))
    return _messages_page(found, args)


def users_info(ws: Workspace, args: Args) -> Answer:
    """users.info: one person from the directory."""
    user = ws.users.get(args.get("user") or "")
    if user is None:
        raise SlackError("user_not_found")
    return {"ok": True, "user": user}


def users_list(ws: Workspace, args: Args) -> Answer:
    """users.list: the directory, paginated."""
    page, cursor = _page(list(ws.users.values()), args, 0)
    return {
        "ok": True,
        "members": page,
        "cache_ts": int(ws.clock()),
        "response_metadata": {"next_cursor": cursor},
    }


def _needs_scope(ws: Workspace, scope: str) -> None:
    """Slack's answer when the app was installed without the scope a method needs."""
    if scope in ws.withheld_scopes:
        raise SlackError("missing_scope", needed=scope, provided="")


def team_profile_get(ws: Workspace, args: Args) -> Answer:
    """team.profile.get: the custom profile field definitions; visibility all|visible|hidden."""
    _needs_scope(ws, "users.profile:read")
    visibility = str(args.get("visibility") or "all")
    fields = [
        dict(field)
        for field in ws.profile_fields
        if visibility == "all" or (visibility == "hidden") == bool(field.get("is_hidden"))
    ]
    return {"ok": True, "profile": {"fields": fields}}


def users_profile_get(ws: Workspace, args: Args) -> Answer:
    """users.profile.get: one person's profile with their custom fields ({id: {value, alt}}).

    Like Slack, someone with no custom field filled in has `fields` as an empty list, not {}.
    """
    _needs_scope(ws, "users.profile:read")
    user = ws.users.get(str(args.get("user") or ws.bot_user_id))
    if user is None:
        raise SlackError("user_not_found")
    labels = {field["id"]: field["label"] for field in ws.profile_fields}
    values = ws.field_values.get(user["id"], {})
    fields: dict[str, Any] | list[Any] = {
        field_id: {**value, "label": labels.get(field_id, "")}
        if flag(args.get("include_labels"))
        else dict(value)
        for field_id, value in values.items()
    } or []
    return {"ok": True, "profile": {**user["profile"], "fields": fields}}


# -- views ---------------------------------------------------------------------------------


def _use_trigger(ws: Workspace, args: Args) -> None:
    """A trigger_id works once; SlackSender's look like 1700000000123.1.0a1b2c."""
    trigger = _need(args, "trigger_id")
    if not re.fullmatch(r"\d+\.\d+\.[0-9a-f]+", str(trigger)):
        raise SlackError("invalid_trigger_id")
    if trigger in ws.used_triggers:
        raise SlackError("exchanged_trigger_id")
    ws.used_triggers.add(trigger)


def _modal(ws: Workspace, args: Args) -> dict[str, Any]:
    view = _check_view(args.get("view"))
    if view["type"] != "modal":
        raise SlackError("invalid_arguments")
    _use_trigger(ws, args)
    return view


def views_open(ws: Workspace, args: Args) -> Answer:
    """views.open: a new modal, spending the trigger_id."""
    return {"ok": True, "view": ws.store_view(_modal(ws, args))}


def views_push(ws: Workspace, args: Args) -> Answer:
    """views.push: a modal on top of another, spending the trigger_id."""
    # The fake cannot tell which modal a trigger came from, so the view stack is not modelled.
    return {"ok": True, "view": ws.store_view(_modal(ws, args))}


def views_update(ws: Workspace, args: Args) -> Answer:
    """views.update: a new version of a view, refused on a stale hash."""
    view_id = args.get("view_id")
    external_id = args.get("external_id")
    if not view_id and not external_id:
        raise SlackError("invalid_arguments")
    if not view_id:
        found = [v for v in ws.views.values() if v["external_id"] == external_id]
        view_id = found[-1]["id"] if found else None
    if view_id not in ws.views:
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != ws.views[view_id]["hash"]:
        raise SlackError("hash_conflict")
    view = _check_view(args.get("view"))
    return {"ok": True, "view": ws.store_view(view, view_id=view_id)}


def views_publish(ws: Workspace, args: Args) -> Answer:
    """views.publish: a person's Home tab."""
    user_id = _need(args, "user_id")
    if user_id not in ws.users:
        raise SlackError("user_not_found")
    view = _check_view(args.get("view"))
    if view["type"] != "home":
        raise SlackError("invalid_arguments")
    current = ws.home_view(user_id)
    if current and args.get("hash") and args["hash"] != current["hash"]:
        raise SlackError("hash_conflict")
    stored = ws.store_view(view, view_id=current["id"] if current else None)
    ws.homes[user_id] = stored["id"]
    return {"ok": True, "view": stored}


# -- reactions, files ----------------------------------------------------------------------


def reactions_add(ws: Workspace, args: Args) -> Answer:
    """reactions.add: one reaction per message, name and bot."""
    if not args.get("channel") or not args.get("timestamp"):
        raise SlackError("no_item_specified")
    name = _need(args, "name", "invalid_name")
    key = (str(ws.channel(args["channel"])["id"]), str(args["timestamp"]), str(name))
    if key in ws.reactions:
        raise SlackError("already_reacted")
    ws.reactions.add(key)
    return {"ok": True}


def _share_targets(ws: Workspace, args: Args, *names: str) -> list[str]:
    listed = [str(args.get(name) or "") for name in names]
    return [ws.target(c.strip()) for value in listed for c in value.split(",") if c.strip()]


def files_get_upload_url_external(ws: Workspace, args: Args) -> Answer:
    """files.getUploadURLExternal: step 1 of files_upload_v2."""
    filename = str(_need(args, "filename"))
    try:
        length = int(_need(args, "length"))
    except ValueError:
        raise SlackError("invalid_arguments") from None
    file_id = ws.new_id("F")
    ws.uploads[file_id] = Upload(file_id, filename, length)
    return {"ok": True, "upload_url": f"{ws.base_url}/upload/{file_id}", "file_id": file_id}


def files_complete_upload_external(ws: Workspace, args: Args) -> Answer:
    """files.completeUploadExternal: step 3, sharing into channels."""
    items = args.get("files")
    if not isinstance(items, list) or not items:
        raise SlackError("invalid_arguments")
    uploads = [ws.uploads.get(str(item.get("id"))) for item in items if isinstance(item, dict)]
    done = [up for up in uploads if up is not None and up.data is not None]
    if len(done) != len(items):
        raise SlackError("file_not_found")
    channels = _share_targets(ws, args, "channel_id", "channels")
    for item, upload in zip(items, done, strict=True):
        upload.title = str(item.get("title") or upload.filename)
        for channel_id in channels:
            ws.share(upload, channel_id, args.get("initial_comment"))
    return {"ok": True, "files": [ws.file_object(up) for up in done]}


def files_upload(ws: Workspace, args: Args) -> Answer:
    """files.upload (the retired v1): content or a multipart file."""
    # FakeSlack hands a multipart file's bytes over as args["_file"].
    data = args.get("_file")
    if data is None and args.get("content") is None:
        raise SlackError("no_file_data")
    if data is None:
        data = str(args["content"]).encode()
    upload = Upload(ws.new_id("F"), str(args.get("filename") or "file"), len(data), data)
    upload.title = str(args.get("title") or "")
    ws.uploads[upload.file_id] = upload
    for channel_id in _share_targets(ws, args, "channels"):
        ws.share(upload, channel_id, args.get("initial_comment"))
    return {"ok": True, "file": ws.file_object(upload)}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "auth.teams.list": auth_teams_list,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "users.info": users_info,
    "users.list": users_list,
    "users.profile.get": users_profile_get,
    "team.profile.get": team_profile_get,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "reactions.add": reactions_add,
    "files.upload": files_upload,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
    "functions.completeSuccess": functions_complete_success,
    "functions.completeError": functions_complete_error,
}
