"""The playground end to end: started in-process on a free port and driven through its JSON API
the way the page drives it, each step checked in what each person's page would show."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import PlaygroundSettings, SettingsError
from playground.server import Served
from playground.typed import as_typed
from tests.playground.pagehtml import PageHtml

ALICE, BOB, CAROL = "U1", "U2", "U3"
GENERAL = "C1"
ASK = "@bob do you have a few minutes this week to talk about my career?"


class Page:
    """One browser tab's view of the API: read a person's state, post what they do."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url

    async def state(self, user: str, channel: str | None = None, tab: str = "") -> Any:
        query = {"user": user, "tab": tab, **({"channel": channel} if channel else {})}
        async with self.session.get(f"{self.url}api/state", params=query) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, action: str, **body: Any) -> Any:
        async with self.session.post(f"{self.url}api/{action}", json=body) as response:
            answer = await response.json()
            assert response.status == 200, answer
            return answer

    async def dm(self, user: str) -> Any:
        state = await self.state(user)
        [dm] = [c["id"] for c in state["conversations"] if c["kind"] == "dm"]
        return await self.state(user, dm)

    async def click(self, user: str, item: dict[str, Any], label: str) -> None:
        button = PageHtml(item["html"]).button(label)
        await self.post(
            "action",
            user=user,
            surface=item["surface"],
            block_id=button["data-block-id"],
            action_id=button["data-action-id"],
            form={},
        )


def text_of(item: dict[str, Any]) -> str:
    """What a person reads in a message: its HTML without tags, spaces squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", item["html"]).split())


@pytest.fixture
async def page(served: Served) -> AsyncIterator[Page]:
    async with aiohttp.ClientSession() as session:
        yield Page(session, served.url)


async def test_ask_accept_and_a_day_later(page: Page, served: Served, tmp_path: Path) -> None:
    async with page.session.get(served.url) as response:
        html = await response.text()
    assert response.status == 200
    assert "simulation" in html.lower()

    alice = await page.state(ALICE, GENERAL)
    assert [c["name"] for c in alice["conversations"]] == [
        "general",
        "mentors",
        "random",
        "mentorbot",
    ]
    assert len(alice["people"]) == 5
    assert alice["messages"] == []
    assert alice["now_label"] == "Tue 10 Mar 2026, 16:00 CET"

    # Alice asks Bob in #general: she alone sees the bot's private prompt.
    await page.post("send", user=ALICE, channel=GENERAL, text=ASK)
    alice = await page.state(ALICE, GENERAL)
    mine, prompt = alice["messages"]
    assert mine["kind"] == "human"
    assert (
        text_of(mine) == "@Bob Example do you have a few minutes this week to talk about my career?"
    )
    assert prompt["kind"] == "ephemeral"
    assert "Only visible to you" in text_of(prompt)
    assert [label for _, label in PageHtml(prompt["html"]).buttons] == [
        "Create request",
        "Not now",
        "Don't ask again",
    ]
    bob = await page.state(BOB, GENERAL)
    assert [m["kind"] for m in bob["messages"]] == ["human"]

    # Create request opens the modal, prefilled with Bob and the message.
    await page.click(ALICE, prompt, "Create request")
    alice = await page.state(ALICE, GENERAL)
    [modal] = alice["modals"]
    assert "Ask for mentoring" in modal["html"]
    form = PageHtml(modal["html"])
    assert form.form["request_mentor/request_mentor_select"] == [BOB]
    assert (await page.state(BOB))["modals"] == []

    # Submitting without a topic: Slack's client refuses; the bot would too. With one, it goes.
    answers = form.answered({"What is it about?": "career_path"})
    await page.post("submit", user=ALICE, view_id=modal["view_id"], form=answers)
    assert (await page.state(ALICE))["modals"] == []
    [sent] = (await page.dm(ALICE))["messages"]
    assert "I sent your request to @Bob Example" in text_of(sent)

    # Bob finds it in his DM with the bot, and accepts.
    [request] = (await page.dm(BOB))["messages"]
    assert "@Alice Example would like some of your time" in text_of(request)
    await page.click(BOB, request, "Accept")
    [request] = (await page.dm(BOB))["messages"]
    assert request["edited"] is True  # chat.update
    assert "Accepted by @Bob Example Today at 11:00 AM" in text_of(request)
    assert "Offer times" in [label for _, label in PageHtml(request["html"]).buttons]
    sent, news = (await page.dm(ALICE))["messages"]
    assert "accepted your request Today at 4:00 PM" in text_of(sent)
    assert "Good news: @Bob Example accepted your request" in text_of(news)
    carol = await page.state(CAROL)
    assert [c["kind"] for c in carol["conversations"]].count("dm") == 1
    assert (await page.dm(CAROL))["messages"] == []

    # A day later, the same messages read "Yesterday", in each person's zone.
    await page.post("clock", user=ALICE, step="day")
    alice = await page.dm(ALICE)
    assert alice["now_label"] == "Wed 11 Mar 2026, 16:00 CET"
    assert "accepted your request Yesterday at 4:00 PM" in text_of(alice["messages"][0])
    bob = await page.dm(BOB)
    assert bob["now_label"] == "Wed 11 Mar 2026, 11:00 EDT"
    assert "Accepted by @Bob Example Yesterday at 11:00 AM" in text_of(bob["messages"][0])
    assert (tmp_path / "play" / "mentorbot.db").exists()


async def test_commands_home_and_the_clock(page: Page) -> None:
    await page.post("send", user=BOB, channel=GENERAL, text="/mentor help")
    [help_reply] = (await page.state(BOB, GENERAL))["messages"]
    assert help_reply["kind"] == "ephemeral"
    assert "/mentor ask" in text_of(help_reply)
    assert (await page.state(ALICE, GENERAL))["messages"] == []

    await page.post("home", user=BOB)
    home = (await page.state(BOB, tab="home"))["home"]
    assert home is not None
    assert home["view_id"]

    # Next Monday 9:00 in Bob's zone (New York), from Tuesday.
    await page.post("clock", user=BOB, step="monday")
    assert (await page.state(BOB))["now_label"] == "Mon 16 Mar 2026, 09:00 EDT"
    await page.post("clock", user=BOB, step="hour")
    assert (await page.state(ALICE))["now_label"] == "Mon 16 Mar 2026, 15:00 CET"


async def test_the_api_refuses_what_the_page_cannot_do(page: Page) -> None:
    async with page.session.post(
        f"{page.url}api/send", json={"user": "U9", "channel": GENERAL, "text": "hi"}
    ) as response:
        assert response.status == 400
    async with page.session.post(
        f"{page.url}api/send", json={"user": ALICE, "channel": "D999", "text": "hi"}
    ) as response:
        assert response.status == 400  # not a conversation Alice is in
    async with page.session.get(f"{page.url}api/state", params={"user": "U9"}) as response:
        assert response.status == 400


async def test_a_group_dm_is_named_by_the_others_in_it(page: Page, served: Served) -> None:
    served.playground.fake.open_conversation([ALICE, BOB, CAROL])
    groups = {
        user: [c["name"] for c in (await page.state(user))["conversations"] if c["kind"] == "group"]
        for user in (ALICE, CAROL)
    }
    assert groups == {ALICE: ["bob, carol"], CAROL: ["alice, bob"]}


def test_the_page_is_local_unless_told() -> None:
    quiet = PlaygroundSettings(_env_file=None)
    assert (quiet.host, quiet.port, quiet.log_level) == ("127.0.0.1", 3000, "WARNING")
    told = PlaygroundSettings(_env_file=None, MENTORBOT_HOST="::1", MENTORBOT_PORT="8080")
    assert (told.host, told.port) == ("::1", 8080)
    # Read as `mentorbot run` reads them: a bad value is named, not a traceback.
    for name, value in (
        ("MENTORBOT_PORT", "abc"),
        ("MENTORBOT_PORT", "99999"),
        ("MENTORBOT_LOG_LEVEL", "verbose"),
    ):
        with pytest.raises(SettingsError, match=name):
            PlaygroundSettings(_env_file=None, **{name: value})


def test_typed_text_is_sent_as_slack_sends_it() -> None:
    assert as_typed("@bob, got a minute?") == "<@U2>, got a minute?"
    assert as_typed("<@Bob> and <@U3> and @mentorbot") == "<@U2> and <@U3> and <@U0BOT>"
    assert as_typed("@nobody <b>&</b> mail@bob.example") == (
        "@nobody &lt;b&gt;&amp;&lt;/b&gt; mail@bob.example"
    )


async def test_what_people_type_never_becomes_markup(page: Page) -> None:
    await page.post("send", user=CAROL, channel=GENERAL, text='<img src=x onerror="alert(1)"> & hi')
    [message] = (await page.state(ALICE, GENERAL))["messages"]
    assert "<img" not in message["html"]
    assert "&lt;img src=x" in message["html"]
    assert message["author"] == "Carol Example"  # data: the page sets it as text


async def test_modal_errors_inline_and_the_message_shortcut(page: Page) -> None:
    await page.post("send", user=ALICE, channel=GENERAL, text="/mentor ask")
    [modal] = (await page.state(ALICE))["modals"]
    form = PageHtml(modal["html"])
    answers = {
        "Who would you like to talk to?": ALICE,
        "What is it about?": "skills",
        "What's on your mind?": "How do I get better at system design reviews?",
    }
    await page.post("submit", user=ALICE, view_id=modal["view_id"], form=form.answered(answers))
    [modal] = (await page.state(ALICE))["modals"]  # still open, with the error under the input
    assert "You can&#x27;t send a request to yourself" in modal["html"]
    assert 'role="alert"' in modal["html"]
    answers["Who would you like to talk to?"] = CAROL
    await page.post("submit", user=ALICE, view_id=modal["view_id"], form=form.answered(answers))
    assert (await page.state(ALICE))["modals"] == []
    [request] = (await page.dm(CAROL))["messages"]
    assert "system design reviews" in text_of(request)

    # ⋯ Ask for mentoring on Carol's message opens the request modal, prefilled with it.
    await page.post("send", user=CAROL, channel=GENERAL, text="Happy to review anyone's design doc")
    carols = (await page.state(ALICE, GENERAL))["messages"][-1]
    assert carols["kind"] == "human"
    await page.post("shortcut", user=ALICE, channel=GENERAL, ts=carols["surface"]["ts"])
    [modal] = (await page.state(ALICE))["modals"]
    assert "Happy to review anyone" in modal["html"]
    await page.post("close", user=ALICE, view_id=modal["view_id"])
    assert (await page.state(ALICE))["modals"] == []


def file_links(item: dict[str, Any]) -> list[str]:
    """The hrefs of the files shared in a message, as the page links them."""
    return re.findall(r'<a href="(/files/[^"]+)"', item["html"])


async def test_a_booked_session_shares_its_ics_with_the_two_people_only(page: Page) -> None:
    await page.post("send", user=ALICE, channel=GENERAL, text="/mentor ask")
    [modal] = (await page.state(ALICE))["modals"]
    answers = {
        "Who would you like to talk to?": BOB,
        "What is it about?": "skills",
        "What's on your mind?": "How do I get better at system design reviews?",
    }
    form = PageHtml(modal["html"]).answered(answers)
    await page.post("submit", user=ALICE, view_id=modal["view_id"], form=form)
    [request] = (await page.dm(BOB))["messages"]
    await page.click(BOB, request, "Accept")
    [request] = (await page.dm(BOB))["messages"]
    await page.click(BOB, request, "Offer times")
    [modal] = (await page.state(BOB))["modals"]
    form = PageHtml(modal["html"]).answered({"Time 1": "2026-03-11T10:00"})  # Bob's New York
    await page.post("submit", user=BOB, view_id=modal["view_id"], form=form)
    slots = (await page.dm(ALICE))["messages"][-1]
    await page.click(ALICE, slots, "Pick this time")

    [href] = [link for item in (await page.dm(ALICE))["messages"] for link in file_links(item)]
    assert href.endswith("/mentoring-session.ics?user=U1")
    async with page.session.get(page.url.rstrip("/") + href) as response:
        body = await response.text()
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="mentoring-session.ics"'
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "DTSTART:20260311T140000Z" in body  # 10:00 in New York

    # Alice's copy is in her DM: to Carol, and to Bob asking for it, it isn't there.
    for user in (CAROL, BOB, "U9"):
        other = page.url.rstrip("/") + href.replace("user=U1", f"user={user}")
        async with page.session.get(other) as response:
            assert response.status == 404
    [bobs] = [link for item in (await page.dm(BOB))["messages"] for link in file_links(item)]
    assert bobs != href
    async with page.session.get(page.url.rstrip("/") + bobs) as response:
        assert response.status == 200


async def test_an_export_downloads_as_json_for_its_owner_alone(page: Page) -> None:
    await page.post("send", user=BOB, channel=GENERAL, text="/mentor export")
    [href] = [link for item in (await page.dm(BOB))["messages"] for link in file_links(item)]
    assert href.endswith(".json?user=U2")
    async with page.session.get(page.url.rstrip("/") + href) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        exported = json.loads(await response.read())
    assert isinstance(exported, dict)
    async with page.session.get(page.url.rstrip("/") + href[:-2] + "U1") as response:
        assert response.status == 404
    async with page.session.get(page.url.rstrip("/") + href.replace("?", "x?")) as response:
        assert response.status == 404  # the name must match too
