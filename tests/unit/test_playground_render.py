"""The playground's Block Kit renderer: mrkdwn, escaping, dates, every element the bot sends,
messages, views, and the real builders' output. Pure functions: no mocks, no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import pytest

from handlers.blocks.booking import (
    build_cancel_modal,
    build_confirmation,
    build_offer_modal,
    build_propose_modal,
    build_sessions_list,
    build_slots_dm,
)
from handlers.blocks.help import build_help
from handlers.blocks.home import build_home
from handlers.blocks.intro_modal import IntroPrefill, build_intro_modal
from handlers.blocks.notes import NotesTarget, build_notes_modal
from handlers.blocks.notes_pick import build_pick_modal
from handlers.blocks.nudges import build_unanswered_nudge
from handlers.blocks.privacy import build_forget_modal
from handlers.blocks.profile import build_profile_modal
from handlers.blocks.prompt import build_ask_prompt
from handlers.blocks.request_messages import build_mentor_dm, build_pool_post
from handlers.blocks.request_modal import RequestPrefill, build_decline_modal, build_request_modal
from handlers.blocks.settings import build_settings_modal
from handlers.commands.mentor import help_entries
from playground.mrkdwn import mrkdwn_to_html
from playground.render import render_blocks, render_message, render_view
from playground.state import state_shape, state_values
from playground.viewer import Viewer
from storage.home import HomeData
from storage.models import (
    ActionItem,
    OfferedSlot,
    Request,
    RequestSource,
    Session,
    Topic,
    WorkspaceSettings,
)

TS = 1700000000  # 2023-11-14 22:13:20 UTC: 2:13 PM on the 14th in LA, 7:13 AM on the 15th in Tokyo
NOW = datetime(2023, 11, 14, 12, 0, tzinfo=UTC)
NAMES = {"U1": "dana", "U2": "bob"}
CHANNELS = {"C1": "general", "C2": "mentors"}
VIEWER = Viewer(tz="America/Los_Angeles", now=NOW, names=NAMES, channels=CHANNELS)
TOKYO = Viewer(tz="Asia/Tokyo", now=NOW, names=NAMES, channels=CHANNELS)
# What the renderer may ever emit; anything else would mean user text became markup.
ALLOWED_TAGS = {
    "a", "b", "i", "s", "code", "pre", "br", "blockquote", "span", "time", "div", "h2", "h3",
    "hr", "figure", "figcaption", "img", "button", "dialog", "details", "summary", "ul", "li",
    "select", "option", "optgroup", "input", "textarea", "label", "fieldset", "legend", "form",
    "header", "footer",
}  # fmt: skip


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with this tag, this class among their classes, and these attributes
        (data_action_id means data-action-id)."""
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (
                    (tag is None or child.tag == tag)
                    and (cls is None or cls in (child.attrs.get("class") or "").split())
                    and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
                ):
                    found.append(child)
                found += child.all(tag, cls, **attrs)
        return found

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, (tag, cls, attrs, len(found))
        return found[0]


class _TreeBuilder(HTMLParser):
    VOID = frozenset({"br", "hr", "img", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    """The HTML as a tree; fails on badly nested tags, unknown tags or on* attributes."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed tags"
    for node in builder.root.all():
        assert node.tag in ALLOWED_TAGS, node.tag
        assert not any(name.startswith("on") for name in node.attrs), node.attrs
        for name in ("href", "src"):
            if name in node.attrs:
                link = node.attrs[name] or ""
                assert link.startswith(("https://", "http://", "mailto:", "/files/")), link
    return builder.root


def md(text: str, viewer: Viewer = VIEWER) -> Node:
    return parse(
        mrkdwn_to_html(
            text, names=viewer.names, channels=viewer.channels, tz=viewer.tz, now=viewer.now
        )
    )


# --- mrkdwn ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag", "inner", "shown"),
    [
        ("say *hello* now", "b", "hello", "say hello now"),
        ("say _hello there_ now", "i", "hello there", "say hello there now"),
        ("say ~hello~ now", "s", "hello", "say hello now"),
        ("run `make check` now", "code", "make check", "run make check now"),
        ("(*bold*)", "b", "bold", "(bold)"),
    ],
)
def test_inline_formatting(text: str, tag: str, inner: str, shown: str) -> None:
    tree = md(text)
    assert tree.one(tag).text() == inner
    assert tree.text() == shown


@pytest.mark.parametrize("text", ["snake_case_name", "2*3*4", "a * b * c", "*open only", "**"])
def test_markers_inside_words_or_unpaired_stay_literal(text: str) -> None:
    tree = md(text)
    assert tree.all("b") == tree.all("i") == []
    assert tree.text() == text


def test_nested_and_crossed_markers_nest_properly() -> None:
    tree = md("_*both*_ and *a _b* c_")
    assert tree.one("i").one("b").text() == "both"
    assert [b.text() for b in tree.all("b")] == ["both", "a _b"]
    assert tree.text() == "both and a _b c_"


def test_code_is_never_formatted_and_code_blocks_keep_their_lines() -> None:
    tree = md("`*not bold* <@U1>`\n```\nline *one*\n  <https://x.test|two> &lt;b&gt;\n```\nafter")
    assert tree.all("b") == tree.all("a") == []
    assert tree.one("code").text() == "*not bold* <@U1>"
    assert tree.one("pre").text() == "line *one*\n  <https://x.test|two> <b>"
    assert tree.text().endswith("after")


def test_code_blocks_stand_apart_without_blank_lines() -> None:
    html = mrkdwn_to_html("\nlead\n```\ncode\n```\nmid```two```\n\ntail", names={})
    assert html == (
        '<br>lead<pre class="bk-code">code</pre>mid<pre class="bk-code">two</pre><br>tail'
    )


def test_quotes_and_line_breaks() -> None:
    tree = md("before\n&gt; quoted *line*\n> second\nafter\nlast")
    quote = tree.one("blockquote")
    assert quote.text() == "quoted linesecond"
    assert quote.one("b").text() == "line"
    assert len(quote.all("br")) == 1
    assert len(tree.all("br")) == 2  # inside the quote, and between "after" and "last"
    assert tree.text() == "beforequoted linesecondafterlast"


def test_links_open_outside_the_page() -> None:
    tree = md("<https://x.test/a?b=1&amp;c=2|the *docs*> <https://x.test/plain> <mailto:a@x.test>")
    links = tree.all("a")
    assert [a.attrs["href"] for a in links] == [
        "https://x.test/a?b=1&c=2",
        "https://x.test/plain",
        "mailto:a@x.test",
    ]
    assert [a.text() for a in links] == ["the *docs*", "https://x.test/plain", "a@x.test"]
    for a in links:
        assert a.attrs["rel"] == "noopener noreferrer"
        assert a.attrs["target"] == "_blank"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x", "x"],
)
def test_other_schemes_never_become_links(url: str) -> None:
    tree = md(f"<{url}|click me>")
    assert tree.all("a") == []
    assert tree.text() == "click me"


def test_mentions_channels_and_broadcasts() -> None:
    tree = md("<@U1> <@U9|ghost> <@U8> <#C2> <#C9|other> <!here> <!channel> <!subteam^S1>")
    mentions = tree.all("span", cls="bk-mention")
    assert [m.text() for m in mentions[:3]] == ["@dana", "@ghost", "@U8"]
    assert mentions[0].attrs["data-user-id"] == "U1"
    assert [c.text() for c in tree.all("span", cls="bk-channel")] == ["#mentors", "#other"]
    assert [m.text() for m in mentions[3:]] == ["@here", "@channel", "@S1"]


def test_hostile_markers_neither_nest_deeply_nor_exhaust_the_stack() -> None:
    text = "*_~" * 1000 + "x" + "~_*" * 1000
    tree = md(text)
    assert tree.text().count("x") == 1
    assert len(tree.all("b")) + len(tree.all("i")) + len(tree.all("s")) > 0
    deepest = tree.all("b")[0]
    assert len(deepest.all()) <= 3  # Slack's nesting stops after a few levels


def test_shortcodes_the_bot_writes_become_emoji() -> None:
    assert md(":warning: at 10:30:45 :not_a_known_one:").text() == (
        "⚠️ at 10:30:45 :not_a_known_one:"
    )


# --- escaping: user text never becomes HTML -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("\"onmouseover=alert(1) x='", "\"onmouseover=alert(1) x='"),
        ("&lt;img src=x onerror=alert(1)&gt;", "<img src=x onerror=alert(1)>"),
        ("&amp;lt;b&amp;gt; decoded once", "&lt;b&gt; decoded once"),
        ("<script>alert(1)</script>", "scriptalert(1)/script"),
        ("*&lt;b&gt;bold&lt;/b&gt;*", "<b>bold</b>"),
        ("\U000f0000 held-out marker", "\ufffd held-out marker"),
    ],
)
def test_user_text_is_escaped_exactly_once(text: str, shown: str) -> None:
    tree = md(text)
    assert tree.text() == shown
    assert tree.all("script") == []
    assert tree.all("img") == []


def test_attribute_breakouts_stay_inside_attributes() -> None:
    evil = '"><img src=x onerror=alert(1)>'
    viewer = Viewer(names={"U1": evil}, channels={"C1": evil})
    tree = md('<https://x.test/"onmouseover="alert(1)|label "x"> <@U1> <#C1>', viewer)
    (a,) = tree.all("a")
    assert a.attrs["href"] == 'https://x.test/"onmouseover="alert(1)'
    assert a.text() == 'label "x"'
    assert tree.text().endswith(f"@{evil} #{evil}")


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "template", "shown"),
    [
        (VIEWER, "{date_num}", "2023-11-14"),
        (VIEWER, "{date}", "November 14th, 2023"),
        (VIEWER, "{date_short}", "Nov 14, 2023"),
        (VIEWER, "{date_long}", "Tuesday, November 14th, 2023"),
        (VIEWER, "{date_pretty}", "Today"),
        (VIEWER, "{date_short_pretty} at {time}", "Today at 2:13 PM"),
        (VIEWER, "{date_long_pretty}", "Today"),
        (VIEWER, "{time_secs}", "2:13:20 PM"),
        (TOKYO, "{date_num}", "2023-11-15"),
        (TOKYO, "{date}", "November 15th, 2023"),
        (TOKYO, "{date_long}", "Wednesday, November 15th, 2023"),
        (TOKYO, "{date_short_pretty} at {time}", "Tomorrow at 7:13 AM"),
        (TOKYO, "{time_secs} {unknown}", "7:13:20 AM {unknown}"),
    ],
)
def test_dates_show_in_the_viewers_zone(viewer: Viewer, template: str, shown: str) -> None:
    tree = md(f"<!date^{TS}^{template}|2023-11-14 22:13 UTC>", viewer)
    assert tree.one("time").text() == shown


def test_pretty_dates_say_yesterday_and_otherwise_fall_back_to_the_date() -> None:
    later = Viewer(tz="America/Los_Angeles", now=NOW + timedelta(days=1))
    much_later = Viewer(tz="America/Los_Angeles", now=NOW + timedelta(days=5))
    no_clock = Viewer(tz="America/Los_Angeles")
    token = f"<!date^{TS}^{{date_pretty}}|fallback>"
    assert md(token, later).text() == "Yesterday"
    assert md(token, much_later).text() == "November 14th, 2023"
    assert md(token, no_clock).text() == "November 14th, 2023"


def test_bad_dates_show_their_fallback_and_date_links_are_checked() -> None:
    assert md("<!date^soon^{date}|&lt;whenever&gt;>").text() == "<whenever>"
    assert md("<!date^99999999999999999^{date}|far>").text() == "far"
    assert md("<!date^²^{date}|squared>").text() == "squared"
    linked = md(f"<!date^{TS}^{{date_num}}^https://x.test/cal|fb>")
    assert linked.one("a").one("time").text() == "2023-11-14"
    unlinked = md(f"<!date^{TS}^{{date_num}}^javascript:alert(1)|fb>")
    assert unlinked.all("a") == []


def test_viewer_rejects_a_naive_clock_and_an_unknown_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Viewer(now=datetime(2023, 1, 1))
    with pytest.raises(ZoneInfoNotFoundError):
        Viewer(tz="Mars/Olympus_Mons")


# --- blocks and elements --------------------------------------------------------------------


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def blocks_tree(blocks: list[Any], viewer: Viewer = VIEWER) -> Node:
    return parse(render_blocks(blocks, viewer=viewer))


def test_header_section_fields_context_and_divider() -> None:
    tree = blocks_tree(
        [
            {"type": "header", "text": plain("Hi <b> :wave:")},
            {
                "type": "section",
                "block_id": "intro",
                "text": {"type": "mrkdwn", "text": "*Topic* for <@U1>"},
                "fields": [{"type": "mrkdwn", "text": "_When_"}, plain("Later")],
            },
            {"type": "divider"},
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "small ~print~"},
                    {"type": "image", "image_url": "https://x.test/a.png", "alt_text": "logo"},
                    {"type": "image", "image_url": "javascript:alert(1)", "alt_text": "bad"},
                ],
            },
        ]
    )
    assert tree.one("h2").text() == "Hi <b> 👋"
    section = tree.one("div", data_block_id="intro")
    assert section.one(cls="bk-section-text").one("b").text() == "Topic"
    assert [f.text() for f in section.all(cls="bk-field")] == ["When", "Later"]
    assert section.all(cls="bk-field")[0].one("i").text() == "When"
    assert len(tree.all("hr")) == 1
    context = tree.one(cls="bk-context")
    assert context.one("s").text() == "print"
    assert context.one("img").attrs == {
        "class": "bk-image",
        "src": "https://x.test/a.png",
        "alt": "logo",
        "loading": "lazy",
    }
    assert context.one(cls="bk-image-missing").text() == "[image: bad]"


def test_buttons_carry_their_ids_style_and_confirm_dialog() -> None:
    confirm = {
        "title": plain("Sure?"),
        "text": plain("It <can't> be undone"),
        "confirm": plain("Cancel it"),
        "deny": plain("Keep it"),
    }
    tree = blocks_tree(
        [
            {
                "type": "actions",
                "block_id": "row",
                "elements": [
                    {"type": "button", "text": plain("Accept"), "action_id": "accept",
                     "value": "42", "style": "primary"},
                    {"type": "button", "text": plain("Cancel"), "action_id": "cancel",
                     "value": "7", "style": "danger", "confirm": confirm},
                    {"type": "button", "text": plain("Open"), "url": "javascript:alert(1)"},
                ],
            }
        ]
    )  # fmt: skip
    accept = tree.one("button", data_action_id="accept")
    assert accept.attrs["class"] == "bk-button bk-primary"
    assert accept.attrs["data-block-id"] == "row"
    assert accept.attrs["data-value"] == "42"
    assert accept.attrs["data-type"] == "button"
    assert "data-confirm" not in accept.attrs
    cancel = tree.one("button", data_action_id="cancel")
    assert cancel.attrs["class"] == "bk-button bk-danger"
    assert "data-confirm" in cancel.attrs
    dialog = tree.one("dialog")
    assert dialog.one("h3").text() == "Sure?"
    assert dialog.one(cls="bk-confirm-text").text() == "It <can't> be undone"
    assert dialog.one("button", data_role="confirm").text() == "Cancel it"
    assert dialog.one("button", data_role="deny").text() == "Keep it"
    # No action_id: one is made up, stable, as Slack does; an unsafe url is dropped.
    made_up = tree.one("button", data_action_id="row-2")
    assert "data-url" not in made_up.attrs


def test_overflow_and_selects_in_an_actions_block() -> None:
    tree = blocks_tree(
        [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "overflow",
                        "action_id": "more",
                        "options": [option("Snooze", "snooze:3"), option("Stop", "stop:3")],
                    },
                    {
                        "type": "static_select",
                        "action_id": "pick",
                        "placeholder": plain("Choose"),
                        "options": [option("One", "1"), option("Two", "2")],
                        "initial_option": option("Two", "2"),
                    },
                    {
                        "type": "static_select",
                        "action_id": "grouped",
                        "option_groups": [
                            {"label": plain("Group <A>"), "options": [option("Three", "3")]}
                        ],
                    },
                ],
            }
        ]
    )
    overflow = tree.one(data_action_id="more")
    assert overflow.tag == "details"
    assert overflow.attrs["data-block-id"] == "auto-0"
    assert [b.attrs["data-value"] for b in overflow.all("button")] == ["snooze:3", "stop:3"]
    first = overflow.all("button")[0]
    assert json.loads(first.attrs["data-option"] or "") == option("Snooze", "snooze:3")
    pick = tree.one("select", data_action_id="pick")
    assert pick.attrs["data-state-key"] == "selected_option"
    assert [(o.attrs["value"], o.text(), "selected" in o.attrs) for o in pick.all("option")] == [
        ("", "Choose", False),
        ("1", "One", False),
        ("2", "Two", True),
    ]
    grouped = tree.one("select", data_action_id="grouped")
    assert grouped.one("optgroup").attrs["label"] == "Group <A>"
    assert grouped.one("optgroup").one("option").text() == "Three"


def input_block(block_id: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    label = plain(block_id)
    return {"type": "input", "block_id": block_id, "label": label, "element": element, **extra}


BUSY_TUESDAY = {**option("Tue", "2"), "description": {"type": "mrkdwn", "text": "*busy*"}}
FORM: list[Any] = [
    input_block(
        "title",
        {
            "type": "plain_text_input",
            "action_id": "t",
            "initial_value": 'Hi "there" <b>',
            "max_length": 80,
            "min_length": 2,
            "placeholder": plain("Say <it>"),
        },
        hint=plain("Keep it short"),
    ),
    input_block(
        "details",
        {
            "type": "plain_text_input",
            "action_id": "d",
            "multiline": True,
            "initial_value": "</textarea><script>x</script>",
            "max_length": 1500,
        },
        optional=True,
    ),
    input_block(
        "minutes",
        {
            "type": "number_input",
            "action_id": "n",
            "is_decimal_allowed": False,
            "min_value": "15",
            "max_value": "120",
            "initial_value": "30",
        },
    ),
    input_block(
        "topics",
        {
            "type": "multi_static_select",
            "action_id": "ms",
            "max_selected_items": 2,
            "options": [option("Career", "career"), option("Code", "code")],
            "initial_options": [option("Code", "code")],
        },
    ),
    input_block("who", {"type": "users_select", "action_id": "u", "initial_user": "U2"}),
    input_block(
        "people", {"type": "multi_users_select", "action_id": "mu", "initial_users": ["U1", "U7"]}
    ),
    input_block(
        "pool", {"type": "conversations_select", "action_id": "c", "initial_conversation": "C2"}
    ),
    input_block(
        "days",
        {
            "type": "checkboxes",
            "action_id": "cb",
            "options": [option("Mon", "1"), BUSY_TUESDAY],
            "initial_options": [BUSY_TUESDAY],
        },
    ),
    input_block(
        "urgency",
        {
            "type": "radio_buttons",
            "action_id": "r",
            "options": [option("Today", "today"), option("Later", "later")],
            "initial_option": option("Later", "later"),
        },
    ),
    input_block("due", {"type": "datepicker", "action_id": "dp", "initial_date": "2023-11-20"}),
    input_block("at", {"type": "timepicker", "action_id": "tp", "initial_time": "09:30"}),
    input_block(
        "slot",
        {"type": "datetimepicker", "action_id": "dt", "initial_date_time": TS},
        optional=True,
    ),
]
NO_SUCH_TIME = input_block(
    "never", {"type": "datetimepicker", "action_id": "x", "initial_date_time": 10**20}
)  # fmt: skip


def test_every_input_element_shows_its_initial_value_and_limits() -> None:
    tree = blocks_tree(FORM)
    title = tree.one("div", data_block_id="title")
    assert title.one("legend").text() == "title"
    assert title.one(cls="bk-hint").text() == "Keep it short"
    text = title.one("input")
    assert text.attrs["type"] == "text"
    assert text.attrs["value"] == 'Hi "there" <b>'
    assert text.attrs["maxlength"] == "80"
    assert text.attrs["minlength"] == "2"
    assert text.attrs["placeholder"] == "Say <it>"
    assert "required" in text.attrs
    details = tree.one("div", data_block_id="details")
    assert details.one("legend").text() == "details (optional)"
    area = details.one("textarea")
    assert area.text() == "</textarea><script>x</script>"
    assert area.attrs["maxlength"] == "1500"
    assert "required" not in area.attrs
    number = tree.one("input", data_action_id="n")
    assert (number.attrs["type"], number.attrs["min"], number.attrs["max"]) == (
        "number",
        "15",
        "120",
    )
    assert (number.attrs["step"], number.attrs["value"]) == ("1", "30")
    multi = tree.one("select", data_action_id="ms")
    assert "multiple" in multi.attrs
    assert multi.attrs["data-max-selected"] == "2"
    assert [o.attrs["value"] for o in multi.all("option") if "selected" in o.attrs] == ["code"]
    who = tree.one("select", data_action_id="u")
    assert [(o.attrs["value"], o.text()) for o in who.all("option")] == [
        ("", "Select an item"),
        ("U2", "@bob"),
        ("U1", "@dana"),
    ]
    assert [o.attrs["value"] for o in who.all("option") if "selected" in o.attrs] == ["U2"]
    people = tree.one("select", data_action_id="mu")
    chosen = [o.text() for o in people.all("option") if "selected" in o.attrs]
    assert chosen == ["@dana", "@U7"]  # someone the viewer can't name still shows, by id
    pool = tree.one("select", data_action_id="c")
    assert [o.text() for o in pool.all("option") if "selected" in o.attrs] == ["#mentors"]
    days = tree.one("div", data_action_id="cb")
    boxes = days.all("input")
    assert [(b.attrs["type"], b.attrs["value"], "checked" in b.attrs) for b in boxes] == [
        ("checkbox", "1", False),
        ("checkbox", "2", True),
    ]
    assert days.one(cls="bk-description").one("b").text() == "busy"
    assert days.attrs["class"] == "bk-checkboxes"
    assert tree.one("div", data_action_id="r").attrs["class"] == "bk-radios"
    radios = tree.one("div", data_action_id="r").all("input")
    assert {r.attrs["name"] for r in radios} == {"urgency/r"}
    assert [r.attrs["value"] for r in radios if "checked" in r.attrs] == ["later"]
    assert tree.one("input", data_action_id="dp").attrs["value"] == "2023-11-20"
    assert tree.one("input", data_action_id="dp").attrs["type"] == "date"
    assert tree.one("input", data_action_id="tp").attrs["value"] == "09:30"
    slot = tree.one("input", data_action_id="dt")
    assert (slot.attrs["type"], slot.attrs["value"]) == ("datetime-local", "2023-11-14T14:13:20")
    assert slot.attrs["data-timezone"] == "America/Los_Angeles"
    tokyo = blocks_tree(FORM, TOKYO).one("input", data_action_id="dt")
    assert tokyo.attrs["value"] == "2023-11-15T07:13:20"


def test_channel_menus_and_typed_text_inputs() -> None:
    tree = blocks_tree(
        [
            {"type": "actions", "block_id": "row", "elements": [
                {"type": "channels_select", "action_id": "one", "initial_channel": "C1"},
                {"type": "multi_channels_select", "action_id": "many"},
            ]},
            input_block("mail", {"type": "email_text_input", "action_id": "e"}),
            input_block("site", {"type": "url_text_input", "action_id": "u"}),
        ]
    )  # fmt: skip
    one = tree.one("select", data_action_id="one")
    assert one.attrs["data-state-key"] == "selected_channel"
    assert [o.text() for o in one.all("option") if "selected" in o.attrs] == ["#general"]
    many = tree.one("select", data_action_id="many")
    assert many.attrs["data-state-key"] == "selected_channels"
    assert [o.text() for o in many.all("option")] == ["#general", "#mentors"]
    assert tree.one("input", data_action_id="e").attrs["type"] == "email"
    assert tree.one("input", data_action_id="u").attrs["type"] == "url"


def test_a_multiline_value_keeps_its_leading_newline_in_a_browser() -> None:
    element = {"type": "plain_text_input", "action_id": "d", "multiline": True}
    html = render_blocks(
        [input_block("b", {**element, "initial_value": "\nsecond line"})], viewer=VIEWER
    )
    # A browser drops the first newline after <textarea>, so one more is written.
    assert ">\n\nsecond line</textarea>" in html
    plain_html = render_blocks([input_block("b", {**element, "initial_value": "x"})], viewer=VIEWER)
    assert ">x</textarea>" in plain_html


def test_every_control_names_where_its_value_goes() -> None:
    tree = blocks_tree(FORM)
    roots = [n for n in tree.all() if "data-action-id" in n.attrs]
    assert len(roots) == len(FORM)
    shape = state_shape(FORM)
    assert {(r.attrs["data-block-id"], r.attrs["data-action-id"]) for r in roots} == {
        (block_id, action_id) for block_id, actions in shape.items() for action_id in actions
    }
    for root in roots:
        entry = shape[root.attrs["data-block-id"] or ""][root.attrs["data-action-id"] or ""]
        assert entry["type"] == root.attrs["data-type"]
        assert root.attrs["data-state-key"] in entry


def test_state_shape_is_what_slack_sends_before_anyone_types() -> None:
    shape = state_shape(
        [
            *FORM,
            {"type": "actions", "block_id": "row", "elements": [
                {"type": "button", "action_id": "go", "text": plain("Go")},
                {"type": "static_select", "action_id": "menu", "options": [option("A", "a")]},
            ]},
            {"type": "section", "text": plain("x"), "accessory": {
                "type": "users_select", "action_id": "acc"}},
            input_block("empty", {"type": "plain_text_input", "action_id": "e"}),
            "not a block",
        ]
    )  # fmt: skip
    assert shape["title"] == {"t": {"type": "plain_text_input", "value": 'Hi "there" <b>'}}
    assert shape["minutes"] == {"n": {"type": "number_input", "value": "30"}}
    assert shape["topics"]["ms"]["selected_options"] == [option("Code", "code")]
    assert shape["who"] == {"u": {"type": "users_select", "selected_user": "U2"}}
    assert shape["people"]["mu"]["selected_users"] == ["U1", "U7"]
    assert shape["pool"]["c"]["selected_conversation"] == "C2"
    assert shape["days"]["cb"]["selected_options"] == [BUSY_TUESDAY]
    assert shape["urgency"]["r"]["selected_option"] == option("Later", "later")
    assert shape["due"]["dp"] == {"type": "datepicker", "selected_date": "2023-11-20"}
    assert shape["at"]["tp"] == {"type": "timepicker", "selected_time": "09:30"}
    assert shape["slot"]["dt"] == {"type": "datetimepicker", "selected_date_time": TS}
    assert shape["row"] == {"menu": {"type": "static_select", "selected_option": None}}
    assert shape[f"auto-{len(FORM) + 1}"] == {
        "acc": {"type": "users_select", "selected_user": None}
    }
    assert shape["empty"] == {"e": {"type": "plain_text_input", "value": None}}


def browser_form(tree: Node) -> dict[str, list[str]]:
    """What a browser's FormData holds for the rendered controls, as getAll() would give it."""
    form: dict[str, list[str]] = {}
    for node in tree.all():
        name = node.attrs.get("name")
        if name is None:
            continue
        if node.tag == "input" and node.attrs.get("type") in ("checkbox", "radio"):
            sent = [node.attrs["value"] or ""] if "checked" in node.attrs else []
        elif node.tag == "input":
            sent = [node.attrs.get("value") or ""]
        elif node.tag == "textarea":
            sent = [node.text()]
        else:
            options = node.all("option")
            sent = [o.attrs["value"] or "" for o in options if "selected" in o.attrs]
            if not sent and "multiple" not in node.attrs:
                sent = [options[0].attrs["value"] or ""]
        form.setdefault(name, []).extend(sent)
    return form


@pytest.mark.parametrize("viewer", [VIEWER, TOKYO])
def test_an_untouched_form_reads_back_as_its_initial_state(viewer: Viewer) -> None:
    form = browser_form(blocks_tree(FORM, viewer))
    assert state_values(FORM, form, viewer=viewer) == state_shape(FORM)


def test_a_filled_in_form_reads_back_as_slack_would_send_it() -> None:
    form = {
        "title/t": ["New title"],
        "details/d": [""],
        "minutes/n": ["45"],
        "topics/ms": ["career", "code", "forged"],
        "who/u": ["U1"],
        "people/mu": [],
        "pool/c": [""],
        "days/cb": ["1", "2"],
        "urgency/r": ["today"],
        "due/dp": ["2023-12-01"],
        "at/tp": ["14:45"],
        "slot/dt": ["2023-11-14T14:13"],
    }
    values = state_values(FORM, form, viewer=VIEWER)
    assert values["title"]["t"] == {"type": "plain_text_input", "value": "New title"}
    assert values["details"]["d"] == {"type": "plain_text_input", "value": None}
    assert values["minutes"]["n"]["value"] == "45"
    # Only the options the bot offered come back, as the objects it sent.
    assert values["topics"]["ms"]["selected_options"] == [
        option("Career", "career"),
        option("Code", "code"),
    ]
    assert values["who"]["u"] == {"type": "users_select", "selected_user": "U1"}
    assert values["people"]["mu"]["selected_users"] == []
    assert values["pool"]["c"]["selected_conversation"] is None
    assert [o["value"] for o in values["days"]["cb"]["selected_options"]] == ["1", "2"]
    assert values["urgency"]["r"]["selected_option"] == option("Today", "today")
    assert values["due"]["dp"]["selected_date"] == "2023-12-01"
    assert values["at"]["tp"]["selected_time"] == "14:45"
    assert values["slot"]["dt"]["selected_date_time"] == TS - 20  # the minute, in LA
    tokyo = state_values(FORM, {"slot/dt": ["2023-11-15T07:13"]}, viewer=TOKYO)
    assert tokyo["slot"]["dt"]["selected_date_time"] == TS - 20
    broken = state_values(FORM, {"slot/dt": ["not a time"]}, viewer=VIEWER)
    assert broken["slot"]["dt"]["selected_date_time"] is None
    # A field the browser didn't send (an unticked box) is empty, never missing.
    assert state_values(FORM, {}, viewer=VIEWER)["days"]["cb"]["selected_options"] == []


def test_unknown_and_malformed_blocks_show_a_placeholder_and_never_raise() -> None:
    tree = blocks_tree(
        [
            {"type": "video", "title": plain("x")},
            {"type": "<script>alert(1)</script>"},
            {"type": "actions", "elements": [{"type": "workflow_button"}, "junk", None]},
            {"type": "section", "text": {"type": "rich", "text": "x"}},
            {"type": "section", "text": "not an object", "fields": "ignored"},
            {"type": "input", "label": None, "element": None},
            {"type": "context", "elements": None},
            NO_SUCH_TIME,
            42,
            {},
        ]
    )
    shown = [n.attrs["data-unsupported"] for n in tree.all(cls="bk-unsupported")]
    assert shown == [
        "video", "<script>alert(1)</script>", "workflow_button", "str", "NoneType", "rich",
        "str", "NoneType", "int", "missing",
    ]  # fmt: skip
    assert "[unsupported block: video]" in tree.text()
    assert tree.all("script") == []
    assert "value" not in tree.one("input", data_action_id="x").attrs
    assert blocks_tree("not a list").one(cls="bk-unsupported").text() == "[unsupported blocks: str]"  # type: ignore[arg-type]


# --- messages and views ---------------------------------------------------------------------


def test_a_message_without_blocks_shows_its_text() -> None:
    tree = parse(render_message({"channel": "C1", "text": "*Hi* <@U1>"}, viewer=VIEWER))
    form = tree.one("form")
    assert form.attrs["class"] == "bk-message"
    assert form.attrs["data-channel"] == "C1"
    assert form.one(cls="bk-text").one("b").text() == "Hi"
    assert form.text() == "Hi @dana"
    plain_message = parse(render_message({"text": "*Hi*", "mrkdwn": False}, viewer=VIEWER))
    assert plain_message.text() == "*Hi*"


def test_shared_files_are_escaped_links_that_carry_the_viewer() -> None:
    evil = '"><img src=x onerror=alert(1)>.ics'
    message = {
        "text": "Your calendar file",
        "files": [{"id": "F00000042", "name": evil}, "not a file"],
    }
    viewer = Viewer(tz="Europe/Berlin", user="U1&x=U2")
    tree = parse(render_message(message, viewer=viewer))
    link = tree.one("ul", cls="pg-files").one("a")
    assert link.text() == evil  # shown as text, never as markup
    assert link.attrs["href"] == (
        "/files/F00000042/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.ics?user=U1%26x%3DU2"
    )
    assert link.attrs["download"] == evil
    assert tree.all("img") == []
    assert parse(render_message({"text": "no files"}, viewer=viewer)).all("ul") == []


def test_blocks_win_over_text_and_ephemerals_say_so() -> None:
    message = {
        "channel": "C1",
        "user": "U1",
        "thread_ts": "1700000000.000100",
        "text": "fallback",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "the *blocks*"}}],
        "attachments": [{"text": "old"}],
    }
    tree = parse(render_message(message, viewer=VIEWER, ephemeral=True))
    form = tree.one("form")
    assert form.attrs["class"] == "bk-message bk-ephemeral"
    assert form.attrs["data-thread-ts"] == "1700000000.000100"
    assert form.one(cls="bk-ephemeral-note").text() == "Only visible to you"
    assert "fallback" not in form.text()
    assert form.one(cls="bk-section-text").text() == "the blocks"
    assert form.one(cls="bk-unsupported").attrs["data-unsupported"] == "attachments"
    assert parse(render_message(message, viewer=VIEWER)).all(cls="bk-ephemeral-note") == []
    reply = parse(render_message({"response_type": "ephemeral", "text": "hi"}, viewer=VIEWER))
    assert reply.one(cls="bk-ephemeral-note").text() == "Only visible to you"


def test_a_modal_shows_title_buttons_and_each_error_under_its_input() -> None:
    view = {
        "type": "modal",
        "callback_id": "request_modal",
        "private_metadata": '{"id": 3}',
        "title": plain("Ask for mentoring"),
        "submit": plain("Send"),
        "close": plain("Not now"),
        "blocks": FORM[:2],
    }
    errors = {"details": "Tell them a bit <more>", "gone": "A form-wide problem"}
    form = parse(render_view(view, viewer=VIEWER, errors=errors)).one("form")
    assert form.attrs["data-view-type"] == "modal"
    assert form.attrs["data-callback-id"] == "request_modal"
    assert form.attrs["data-private-metadata"] == '{"id": 3}'
    assert form.one("header").text() == "Ask for mentoring"
    assert form.one("button", data_role="submit").text() == "Send"
    assert form.one("button", data_role="submit").attrs["type"] == "submit"
    assert form.one("button", data_role="close").text() == "Not now"
    details = form.one("div", data_block_id="details")
    assert details.one(cls="bk-error").text() == "Tell them a bit <more>"
    assert form.one("div", data_block_id="title").all(cls="bk-error") == []
    # An error for a block that isn't there is still shown, at the top.
    assert form.one(cls="bk-blocks").children[0] == form.all(cls="bk-error")[0]
    assert form.all(cls="bk-error")[0].text() == "A form-wide problem"


def test_a_modal_without_submit_has_only_close_and_home_has_neither() -> None:
    modal = parse(
        render_view({"type": "modal", "title": plain("Info"), "blocks": []}, viewer=VIEWER)
    )
    assert [b.attrs["data-role"] for b in modal.all("button")] == ["close"]
    assert modal.one("button").text() == "Cancel"
    home = parse(
        render_view(
            {"type": "home", "blocks": [{"type": "header", "text": plain("Home")}]}, viewer=VIEWER
        )
    )
    assert home.one("form").attrs["data-view-type"] == "home"
    assert home.all("header") == home.all("button") == []
    assert home.one("h2").text() == "Home"
    broken = parse(render_view({"type": "modal", "blocks": "nope"}, viewer=VIEWER))
    assert broken.one(cls="bk-unsupported").text() == "[unsupported blocks: str]"


# --- what the bot really sends ----------------------------------------------------------------

BOOKED_AT = datetime(2023, 11, 15, 17, 0, tzinfo=UTC)  # 9:00 AM in LA, 2:00 AM next day in Tokyo
PEOPLE = Viewer(
    tz="America/Los_Angeles",
    now=NOW,
    names={"UMENTEE": "alice", "UMENTOR": "bob"},
    channels={"C0ORIGIN": "general", "CPOOL": "mentors"},
)


def a_request(**changes: Any) -> Request:
    fields: dict[str, Any] = {
        "id": 42,
        "team_id": "T1",
        "mentee_id": "UMENTEE",
        "mentor_id": "UMENTOR",
        "topic": Topic.CAREER_PATH,
        "details": "Moving into management? <script>alert(1)</script> & *not bold*",
        "source": RequestSource.COMMAND,
        "origin_channel_id": "C0ORIGIN",
        "origin_ts": "1700000000.000100",
        "origin_permalink": "https://acme.slack.com/archives/C0ORIGIN/p1700000000000100",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Request.from_row(fields | changes)


def a_session(**changes: Any) -> Session:
    fields: dict[str, Any] = {
        "id": 7,
        "team_id": "T1",
        "request_id": 42,
        "mentor_id": "UMENTOR",
        "mentee_id": "UMENTEE",
        "starts_at": BOOKED_AT,
        "duration_minutes": 30,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Session.from_row(fields | changes)


def an_item(position: int) -> ActionItem:
    return ActionItem(
        id=position,
        team_id="T1",
        note_id=3,
        mentor_id="UMENTOR",
        mentee_id="UMENTEE",
        owner_id="UMENTEE",
        position=position,
        text=f"Read chapter {position} <b>now</b>",
        due_date=date(2023, 11, 20),
        created_at=NOW,
        updated_at=NOW,
    )


def a_slot(index: int) -> OfferedSlot:
    return OfferedSlot(
        id=index,
        team_id="T1",
        request_id=42,
        starts_at=BOOKED_AT + timedelta(days=index),
        duration_minutes=30,
        created_at=NOW,
    )


def real_outputs() -> dict[str, dict[str, Any]]:
    request = a_request()
    home = HomeData(
        sessions=[a_session()],
        sessions_total=1,
        waiting=[a_request(id=43, mentor_id=None)],
        waiting_total=1,
        requests=[request],
        requests_total=1,
        items=[an_item(1)],
        items_total=1,
        relationships=[],
        relationships_total=0,
    )
    return {
        "settings": build_settings_modal(
            WorkspaceSettings(team_id="T1", pool_channel_id="CPOOL", coordinators=("UMENTOR",))
        ),
        "offer": build_offer_modal(
            42, mentee_id="UMENTEE", topic="Career path", duration_minutes=30, moving=False
        ),
        "propose": build_propose_modal(42, mentor_id="UMENTOR", topic="Career path"),
        "cancel": build_cancel_modal(7, other_id="UMENTEE"),
        "request": build_request_modal(
            RequestPrefill(mentor_id="UMENTOR", details="Got a minute? <@U1> &amp;")
        ),
        "decline": build_decline_modal(42, mentee_id="UMENTEE"),
        "notes": build_notes_modal(
            NotesTarget(other_id="UMENTEE", session_id=7),
            author_id="UMENTOR",
            items=[an_item(1), an_item(2)],
        ),
        "intro": build_intro_modal(
            IntroPrefill(mentee_id="UMENTEE", expert_id="UMENTOR", why="You both <3 Rust")
        ),
        "profile": build_profile_modal(None, known_tags=["python", "career"], tz_label="PST"),
        "forget": build_forget_modal(),
        "pick": build_pick_modal(),
        "home": build_home(home, "UMENTEE", first_visit=True, notice="Saved *your* <notes>"),
        "slots": build_slots_dm(
            [a_slot(0), a_slot(1)],
            request_id=42,
            from_id="UMENTOR",
            to_role="mentee",
            topic="Career path",
            duration_minutes=30,
            moving_from=None,
        ),
        "confirmation": build_confirmation(
            a_session(), role="mentee", topic="Career path", calendar_url="https://x.test/cal"
        ),
        "sessions": build_sessions_list([a_session()], user_id="UMENTEE", topics={42: "Career"}),
        "mentor_dm": build_mentor_dm(request),
        "pool_post": build_pool_post(a_request(mentor_id=None)),
        "nudge": build_unanswered_nudge(request, 5, NOW + timedelta(days=1)),
        "prompt": build_ask_prompt(
            target_id="UMENTOR",
            channel_id="C0ORIGIN",
            message_ts="1700000000.000100",
            thread_ts=None,
            asked_text="@bob do you have a few minutes?",
        ),
        "help": build_help(help_entries()),
    }


def clickables(blocks: list[dict[str, Any]]) -> set[str]:
    """The action_ids of every button and overflow menu the builder put in its blocks."""
    found = set()
    for block in blocks:
        parts = [*block.get("elements", []), block.get("accessory") or {}]
        found |= {p["action_id"] for p in parts if p.get("type") in ("button", "overflow")}
    return found


@pytest.mark.parametrize("name", sorted(real_outputs()))
def test_every_builders_real_output_renders_whole(name: str) -> None:
    built = real_outputs()[name]
    if built.get("type") in ("modal", "home"):
        html = render_view(built, viewer=PEOPLE)
    else:
        html = render_message(built, viewer=PEOPLE, ephemeral=name in ("prompt", "help"))
    tree = parse(html)
    # Every block and element the bot sends is understood: no placeholder anywhere.
    assert tree.all(cls="bk-unsupported") == []
    assert len(tree.all(cls="bk-block")) == len(built["blocks"])
    for action_id in clickables(built["blocks"]):
        roots = tree.all(data_action_id=action_id)
        assert roots
        assert {root.tag for root in roots} <= {"button", "details"}
    for block_id, actions in state_shape(built["blocks"]).items():
        for action_id in actions:
            assert tree.all(data_block_id=block_id, data_action_id=action_id)
    # Users' text, however it was written, stays text.
    assert tree.all("script") == []
    # The controls, untouched, read back as the state Slack would start the view with.
    assert state_values(built["blocks"], browser_form(tree), viewer=PEOPLE) == state_shape(
        built["blocks"]
    )


def test_real_builders_hold_buttons_inputs_and_dates_the_page_will_use() -> None:
    outputs = real_outputs()
    assert clickables(outputs["slots"]["blocks"])
    assert clickables(outputs["home"]["blocks"])
    assert state_shape(outputs["notes"]["blocks"])
    slots = parse(render_message(outputs["slots"], viewer=PEOPLE))
    assert [t.text() for t in slots.all("time")][:2] == [
        "Tomorrow at 9:00 AM",
        "Nov 16, 2023 at 9:00 AM",
    ]
    tokyo = Viewer(tz="Asia/Tokyo", now=NOW, names=PEOPLE.names)
    slots_in_tokyo = parse(render_message(outputs["slots"], viewer=tokyo))
    assert [t.text() for t in slots_in_tokyo.all("time")][:2] == [
        "Nov 16, 2023 at 2:00 AM",
        "Nov 17, 2023 at 2:00 AM",
    ]
    mentor_dm = parse(render_message(outputs["mentor_dm"], viewer=PEOPLE))
    # The bot escapes only & < > in users' text, so Slack (and the page) still format *this*.
    assert "<script>alert(1)</script> & not bold" in mentor_dm.text()
    assert mentor_dm.one("blockquote").one("b").text() == "not bold"
    assert "@alice" in mentor_dm.text()
