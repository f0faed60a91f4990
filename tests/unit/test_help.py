"""The help builder and /mentor's argument parsing, as pure functions."""

from __future__ import annotations

import re

from handlers.blocks.help import build_help
from handlers.blocks.home import build_home
from handlers.blocks.text import escape, truncate
from handlers.commands.mentor import SUBCOMMANDS, help_entries, split_command
from storage.home import HomeData


def texts(blocks: list[dict[str, object]]) -> str:
    return repr(blocks)


def test_split_command() -> None:
    assert split_command("") == ("help", "")
    assert split_command("  HELP  ") == ("help", "")
    assert split_command("ask <@U1> can we talk?") == ("ask", "<@U1> can we talk?")
    # Shift-Enter after the name: a newline, not a space, ends it.
    assert split_command("ask\n<@U1> can we talk?") == ("ask", "<@U1> can we talk?")
    assert split_command("notes\t<@U2>") == ("notes", "<@U2>")


def test_help_lists_every_subcommand_that_exists_and_nothing_else() -> None:
    reply = build_help(help_entries())
    assert reply["response_type"] == "ephemeral"
    shown = texts(reply["blocks"])
    for sub in SUBCOMMANDS.values():
        assert sub.help.usage in shown
        assert sub.help.example in shown
    listed = set(re.findall(r"\*`(/mentor[^`]*)`\*", shown))
    assert listed == {sub.help.usage for sub in SUBCOMMANDS.values()}


def test_unknown_subcommand_is_escaped_and_named() -> None:
    reply = build_help(help_entries(), unknown="<!channel>")
    first = reply["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt;" in first
    assert "<!channel>" not in texts(reply["blocks"])
    assert "<!channel>" not in reply["text"]


def test_escape_and_truncate() -> None:
    assert escape("a & <b> > c") == "a &amp; &lt;b&gt; &gt; c"
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


def test_home_view_is_a_home_view_within_limits() -> None:
    empty = HomeData([], 0, [], 0, [], 0, [], 0, [], 0)
    view = build_home(empty, "U1", first_visit=True, notice="hello")
    assert view["type"] == "home"
    assert 0 < len(view["blocks"]) <= 100
