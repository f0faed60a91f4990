"""A Slack message's text turned into what a person reads, for the request form's details."""

from __future__ import annotations

import pytest

from handlers.blocks.text import plain_text_of


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("R&amp;D &lt;3 &gt; QA", "R&D <3 > QA"),
        ("ask <@U2|bob> or <@W3ABC|sam>", "ask @bob or @sam"),
        ("ask <@U2>", "ask <@U2>"),  # Slack sent no name: nothing better to show
        ("in <#C1|general>", "in #general"),
        ("<https://x.y/doc|my doc> and <https://a.b>", "my doc (https://x.y/doc) and https://a.b"),
        ("<mailto:a@b.c|a@b.c>", "a@b.c (mailto:a@b.c)"),
        ("<!here> <!channel> <!subteam^S1|@mentors>", "@here @channel @mentors"),
        ("&amp;lt;b&amp;gt;", "&lt;b&gt;"),  # decoded once: typed entities stay typed
    ],
)
def test_slack_markup_reads_as_plain_text(slack: str, plain: str) -> None:
    assert plain_text_of(slack) == plain
