"""Block Kit limits as Slack enforces them, as pure functions.

`check_message` and `check_view` return a `Rejection` (Slack's error name plus the
`response_metadata.messages` lines Slack sends, `[ERROR] … [json-pointer:/…]`) or None.
Messages break with `invalid_blocks` (or `no_text`, `msg_too_long`, `invalid_blocks_format`);
views break with `invalid_arguments`, which is what views.* answer for any bad view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000

_MESSAGE_BLOCKS = frozenset(
    {"actions", "context", "divider", "file", "header", "image", "input", "markdown"}
    | {"rich_text", "section", "table", "video"}
)
_VIEW_BLOCKS = frozenset(
    {"actions", "context", "divider", "header", "image", "input", "rich_text", "section", "video"}
)
_SELECTS = frozenset(
    {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
)
_MULTI_SELECTS = frozenset("multi_" + name for name in _SELECTS)
_PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})
_CHOICES = frozenset({"checkboxes", "radio_buttons"})
_TEXT_INPUTS = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"}
)
_ACTION_ELEMENTS = (
    _SELECTS | _MULTI_SELECTS | _PICKERS | _CHOICES | {"button", "overflow", "workflow_button"}
)
_ACCESSORY_ELEMENTS = _ACTION_ELEMENTS | {"image"}
_INPUT_ELEMENTS = _SELECTS | _MULTI_SELECTS | _PICKERS | _CHOICES | _TEXT_INPUTS | {"file_input"}


@dataclass(frozen=True)
class Rejection:
    """Why Slack refuses a payload: the error name and its response_metadata messages."""

    error: str
    messages: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        """The JSON Slack answers with."""
        return {
            "ok": False,
            "error": self.error,
            "response_metadata": {"messages": self.messages},
        }


class _Checker:
    """Collects every broken limit, each with the JSON pointer Slack would name."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.block_ids: set[str] = set()

    def fail(self, pointer: str, why: str) -> None:
        self.messages.append(f"[ERROR] {why} [json-pointer:{pointer}]")

    def length(self, value: Any, limit: int, pointer: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.fail(pointer, f"must be less than {limit + 1} characters")

    def pattern(self, value: Any, regex: str, pointer: str) -> None:
        if value is not None and not re.fullmatch(regex, str(value)):
            self.fail(pointer, f"must match the format {regex}")

    def items(self, value: Any, limit: int, pointer: str, minimum: int = 0) -> list[Any]:
        if not isinstance(value, list):
            self.fail(pointer, "must be an array")
            return []
        if len(value) > limit:
            self.fail(pointer, f"must be no more than {limit} items")
        if len(value) < minimum:
            self.fail(pointer, f"must be at least {minimum} items")
        return value

    def text(self, obj: Any, limit: int, pointer: str, *, plain: bool = False) -> None:
        if not isinstance(obj, dict):
            self.fail(pointer, "must provide an object")
            return
        kinds = ("plain_text",) if plain else ("plain_text", "mrkdwn")
        if obj.get("type") not in kinds:
            self.fail(f"{pointer}/type", f"must be one of: {', '.join(kinds)}")
        value = obj.get("text")
        if not isinstance(value, str) or not value:
            self.fail(f"{pointer}/text", "must be more than 0 characters")
        self.length(value, limit, f"{pointer}/text")

    def optional_text(self, obj: Any, limit: int, pointer: str, *, plain: bool = False) -> None:
        if obj is not None:
            self.text(obj, limit, pointer, plain=plain)

    def blocks(self, blocks: list[Any], allowed: frozenset[str], pointer: str) -> None:
        for i, block in enumerate(blocks):
            self.block(block, allowed, f"{pointer}/{i}")

    def block(self, block: Any, allowed: frozenset[str], at: str) -> None:
        if not isinstance(block, dict):
            self.fail(at, "must be an object")
            return
        kind = block.get("type")
        if kind not in allowed:
            self.fail(f"{at}/type", f"unsupported block type: {kind}")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.length(block_id, 255, f"{at}/block_id")
            if block_id in self.block_ids:
                self.fail(f"{at}/block_id", f"duplicate block_id: {block_id}")
            self.block_ids.add(block_id)
        if kind == "section":
            self.section(block, at)
        elif kind == "header":
            self.text(block.get("text"), 150, f"{at}/text", plain=True)
        elif kind == "context":
            for i, el in enumerate(self.items(block.get("elements"), 10, f"{at}/elements", 1)):
                if isinstance(el, dict) and el.get("type") == "image":
                    self.element(el, f"{at}/elements/{i}", frozenset({"image"}))
                else:
                    self.text(el, 3000, f"{at}/elements/{i}")
        elif kind == "actions":
            elements = self.items(block.get("elements"), 25, f"{at}/elements", 1)
            self.unique_action_ids(elements, f"{at}/elements")
            for i, el in enumerate(elements):
                self.element(el, f"{at}/elements/{i}", _ACTION_ELEMENTS)
        elif kind == "input":
            self.text(block.get("label"), 2000, f"{at}/label", plain=True)
            self.optional_text(block.get("hint"), 2000, f"{at}/hint", plain=True)
            self.element(block.get("element"), f"{at}/element", _INPUT_ELEMENTS)
        elif kind == "image":
            self.image(block, at)
            self.optional_text(block.get("title"), 2000, f"{at}/title", plain=True)
        elif kind == "markdown":
            self.length(block.get("text"), 12000, f"{at}/text")

    def section(self, block: dict[str, Any], at: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail(at, "must provide either text or fields")
        self.optional_text(block.get("text"), 3000, f"{at}/text")
        if "fields" in block:
            for i, item in enumerate(self.items(block["fields"], 10, f"{at}/fields", 1)):
                self.text(item, 2000, f"{at}/fields/{i}")
        if "accessory" in block:
            self.element(block["accessory"], f"{at}/accessory", _ACCESSORY_ELEMENTS)

    def image(self, obj: dict[str, Any], at: str) -> None:
        if "image_url" not in obj and "slack_file" not in obj:
            self.fail(at, "must provide image_url or slack_file")
        self.length(obj.get("image_url"), 3000, f"{at}/image_url")
        alt = obj.get("alt_text")
        if not isinstance(alt, str) or not alt:
            self.fail(f"{at}/alt_text", "must be more than 0 characters")
        self.length(alt, 2000, f"{at}/alt_text")

    def unique_action_ids(self, elements: list[Any], at: str) -> None:
        seen: set[str] = set()
        for i, el in enumerate(elements):
            action_id = el.get("action_id") if isinstance(el, dict) else None
            if action_id is not None and action_id in seen:
                self.fail(f"{at}/{i}/action_id", f"duplicate action_id: {action_id}")
            if action_id is not None:
                seen.add(action_id)

    def element(self, el: Any, at: str, allowed: frozenset[str]) -> None:
        if not isinstance(el, dict):
            self.fail(at, "must provide an object")
            return
        kind = el.get("type")
        if kind not in allowed:
            self.fail(f"{at}/type", f"unsupported element type: {kind}")
            return
        self.length(el.get("action_id"), 255, f"{at}/action_id")
        self.optional_text(el.get("placeholder"), 150, f"{at}/placeholder", plain=True)
        if "confirm" in el:
            self.confirm(el["confirm"], f"{at}/confirm")
        if kind == "button":
            self.text(el.get("text"), 75, f"{at}/text", plain=True)
            self.length(el.get("value"), 2000, f"{at}/value")
            self.length(el.get("url"), 3000, f"{at}/url")
            self.length(el.get("accessibility_label"), 75, f"{at}/accessibility_label")
            if el.get("style", "primary") not in ("primary", "danger"):
                self.fail(f"{at}/style", "must be one of: primary, danger")
        elif kind == "image":
            self.image(el, at)
        elif kind in ("static_select", "multi_static_select"):
            self.select_options(el, at)
        elif kind == "overflow":
            self.options(el.get("options"), 5, f"{at}/options", plain=True, minimum=1)
        elif kind in _CHOICES:
            self.options(el.get("options"), 10, f"{at}/options", plain=False, minimum=1)
        elif kind == "plain_text_input":
            self.text_input(el, at)
        elif kind == "datepicker":
            self.pattern(el.get("initial_date"), r"\d{4}-\d{2}-\d{2}", f"{at}/initial_date")
        elif kind == "timepicker":
            self.pattern(el.get("initial_time"), r"\d{2}:\d{2}", f"{at}/initial_time")

    def select_options(self, el: dict[str, Any], at: str) -> None:
        if "options" in el:
            self.options(el["options"], 100, f"{at}/options", plain=True, minimum=1)
        elif "option_groups" in el:
            groups = self.items(el["option_groups"], 100, f"{at}/option_groups", 1)
            for i, group in enumerate(groups):
                where = f"{at}/option_groups/{i}"
                if not isinstance(group, dict):
                    self.fail(where, "must be an object")
                    continue
                self.text(group.get("label"), 75, f"{where}/label", plain=True)
                self.options(group.get("options"), 100, f"{where}/options", plain=True, minimum=1)
        else:
            self.fail(at, "must provide either options or option_groups")

    def options(self, options: Any, limit: int, at: str, *, plain: bool, minimum: int) -> None:
        for i, option in enumerate(self.items(options, limit, at, minimum)):
            where = f"{at}/{i}"
            if not isinstance(option, dict):
                self.fail(where, "must be an object")
                continue
            self.text(option.get("text"), 75, f"{where}/text", plain=plain)
            value = option.get("value")
            if not isinstance(value, str) or not value:
                self.fail(f"{where}/value", "must be more than 0 characters")
            self.length(value, 150, f"{where}/value")
            self.optional_text(option.get("description"), 75, f"{where}/description", plain=plain)

    def text_input(self, el: dict[str, Any], at: str) -> None:
        for name in ("min_length", "max_length"):
            value = el.get(name)
            if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
                self.fail(f"{at}/{name}", "must be an integer between 0 and 3000")
        self.length(el.get("initial_value"), 3000, f"{at}/initial_value")

    def confirm(self, obj: Any, at: str) -> None:
        if not isinstance(obj, dict):
            self.fail(at, "must be an object")
            return
        self.text(obj.get("title"), 100, f"{at}/title", plain=True)
        self.text(obj.get("text"), 300, f"{at}/text")
        self.text(obj.get("confirm"), 30, f"{at}/confirm", plain=True)
        self.text(obj.get("deny"), 30, f"{at}/deny", plain=True)


def check_blocks(blocks: Any, *, surface: str = "message", pointer: str = "/blocks") -> list[str]:
    """Every broken Block Kit rule in `blocks` on a message, modal or home surface."""
    checker = _Checker()
    limit = MAX_MESSAGE_BLOCKS if surface == "message" else MAX_VIEW_BLOCKS
    allowed = _MESSAGE_BLOCKS if surface == "message" else _VIEW_BLOCKS
    checker.blocks(checker.items(blocks, limit, pointer), allowed, pointer)
    return checker.messages


def check_message(text: Any, blocks: Any, attachments: Any = None) -> Rejection | None:
    """What chat.postMessage, chat.postEphemeral and chat.update would refuse."""
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        return Rejection("msg_too_long")
    if not text and not blocks and not attachments:
        return Rejection("no_text")
    if blocks is not None and not isinstance(blocks, list):
        return Rejection("invalid_blocks_format")
    if isinstance(attachments, list) and len(attachments) > 100:
        return Rejection("too_many_attachments")
    if blocks:
        problems = check_blocks(blocks)
        if problems:
            return Rejection("invalid_blocks", problems)
    return None


def check_view(view: Any) -> Rejection | None:
    """What views.open, views.push, views.update and views.publish would refuse."""
    checker = _Checker()
    if not isinstance(view, dict):
        return Rejection(
            "invalid_arguments", ["[ERROR] must provide an object [json-pointer:/view]"]
        )
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("/view/type", "must be one of: modal, home")
    if "blocks" not in view:
        checker.fail("/view/blocks", "must provide an array")
    else:
        blocks = checker.items(view["blocks"], MAX_VIEW_BLOCKS, "/view/blocks")
        checker.blocks(blocks, _VIEW_BLOCKS, "/view/blocks")
    if kind == "modal":
        checker.text(view.get("title"), 24, "/view/title", plain=True)
        checker.optional_text(view.get("submit"), 24, "/view/submit", plain=True)
        checker.optional_text(view.get("close"), 24, "/view/close", plain=True)
        given = view.get("blocks")
        listed = given if isinstance(given, list) else []
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in listed)
        if has_input and "submit" not in view:
            checker.fail("/view/submit", "must provide submit when the view has input blocks")
    checker.length(view.get("private_metadata"), 3000, "/view/private_metadata")
    checker.length(view.get("callback_id"), 255, "/view/callback_id")
    checker.length(view.get("external_id"), 255, "/view/external_id")
    if checker.messages:
        return Rejection("invalid_arguments", checker.messages)
    return None


def message_error(text: Any, blocks: Any, attachments: Any = None) -> str | None:
    """Slack's error name for a message payload, or None when Slack would take it."""
    rejection = check_message(text, blocks, attachments)
    return rejection.error if rejection else None


def view_error(view: Any) -> str | None:
    """Slack's error name for a view payload, or None when Slack would take it."""
    rejection = check_view(view)
    return rejection.error if rejection else None
