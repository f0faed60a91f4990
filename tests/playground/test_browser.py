"""The playground page in a real browser: headless Chromium from Debian's package, driven by
Playwright for Python (never its own downloaded browsers). A person's tour, step by step;
screenshots of each step go to the test's temporary folder so a failure can be seen."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from playground.server import Served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system chromium: apt-get install chromium (see .ci/run)"
)
async_api = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed: pip install -e '.[dev]'"
)
expect = async_api.expect
ALICE, BOB, CAROL = "U1", "U2", "U3"
# How the clock names each person's zone in March 2026.
ZONES = {ALICE: "CET", BOB: "EDT", CAROL: "IST"}
ASK = "@bob do you have a few minutes this week to talk about my career?"


@pytest.fixture
async def browser_page(served: Served) -> AsyncIterator[Any]:
    async with async_api.async_playwright() as driver:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 800})
            # Every step is quick: a failure should say so in seconds, not half a minute.
            page.set_default_timeout(5000)
            expect.set_options(timeout=5000)
            await page.goto(served.url)
            yield page
        finally:
            await browser.close()


class Tour:
    """A person at the page: who they are, where they look, what they click; a screenshot of
    each step goes to `folder`."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.steps = 0

    async def shot(self, name: str) -> None:
        """A screenshot of the page as it is now, numbered in the tour's order."""
        self.steps += 1
        await self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{name}.png"))

    async def docs_shot(self) -> None:
        """The README's picture of the playground, when MENTORBOT_DOCS_SCREENSHOT names a file
        (`docs/playground.png` was made this way)."""
        target = os.environ.get("MENTORBOT_DOCS_SCREENSHOT")
        if target:
            await self.page.screenshot(path=target)

    async def be(self, user_id: str) -> None:
        """Switch person with **You are**; the clock then shows their time zone."""
        await self.page.locator("#pg-who").select_option(user_id)
        await expect(self.page.locator("#pg-now")).to_contain_text(ZONES[user_id])

    async def open(self, name: str) -> None:
        """Open a conversation in the sidebar by its label: "# general", or "mentorbot" for
        the DM with the bot."""
        sidebar = self.page.locator("#pg-channels .pg-conv, #pg-dms .pg-conv")
        await sidebar.filter(has_text=re.compile(f"^{re.escape(name)}$")).click()

    async def dm(self) -> Any:
        """Open the DM with the bot; its messages."""
        await self.open("mentorbot")
        await expect(self.page.locator("#pg-title")).to_have_text("mentorbot")
        return self.page.locator("#pg-messages > .pg-item")

    async def say(self, text: str) -> None:
        """Type into the composer and press Enter."""
        await self.page.locator("#pg-text").fill(text)
        await self.page.locator("#pg-text").press("Enter")

    async def clock(self, step: str) -> None:
        """Press one of the clock's buttons and wait for the time to move."""
        before = await self.page.locator("#pg-now").text_content()
        await self.page.get_by_role("button", name=step, exact=True).click()
        await expect(self.page.locator("#pg-now")).not_to_have_text(before or "")

    @property
    def modal(self) -> Any:
        """The modal on top."""
        return self.page.locator(".pg-modal").last

    def field(self, label: str) -> Any:
        """An input block of the top modal, by its label."""
        named = re.compile(rf"^{re.escape(label)}( \(optional\))?$")
        return self.modal.get_by_role("group", name=named)


async def test_tour_one_ask_book_remind_notes_and_check_in(
    browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    tour = Tour(page, tmp_path)
    await expect(page.locator(".pg-banner")).to_contain_text("This is a simulation")
    await expect(page.locator("#pg-now")).to_have_text("Tue 10 Mar 2026, 16:00 CET")
    await expect(page.locator("#pg-title")).to_have_text("#general")

    # Alice asks Bob in #general and sees the private prompt.
    await tour.say(ASK)
    await expect(page.locator(".pg-human").first).to_contain_text(
        "@Bob Example do you have a few minutes"
    )
    prompt = page.locator(".pg-ephemeral")
    await expect(prompt).to_contain_text("Only visible to you")
    await tour.shot("prompt")

    # Create request opens the modal; she picks a topic and sends it.
    await prompt.get_by_role("button", name="Create request").click()
    await expect(tour.modal).to_contain_text("Ask for mentoring")
    await tour.field("What is it about?").locator("select").select_option("career_path")
    await tour.shot("request-modal")
    await tour.modal.get_by_role("button", name="Send request").click()
    await expect(page.locator(".pg-modal")).to_have_count(0)
    messages = await tour.dm()
    await expect(messages.last).to_contain_text("I sent your request to @Bob")

    # Bob sees it in his DM with the bot, accepts, and offers two times tomorrow.
    await tour.be(BOB)
    messages = await tour.dm()
    request = messages.first
    await expect(request).to_contain_text("@Alice Example would like some of your time")
    await request.get_by_role("button", name="Accept").click()
    await expect(request).to_contain_text("Accepted by @Bob Example Today at 11:00 AM")
    await expect(request.locator(".pg-edited")).to_have_text("(edited)")
    await tour.shot("accepted")
    await request.get_by_role("button", name="Offer times").click()
    await expect(tour.modal).to_contain_text("Offer times")
    await tour.field("Time 1").locator("input").fill("2026-03-11T12:15")
    await tour.field("Time 2").locator("input").fill("2026-03-12T10:00")
    await tour.shot("offer-times")
    await tour.modal.locator("[data-role=submit]").click()
    await expect(page.locator(".pg-modal")).to_have_count(0)

    # Alice gets the times in her own zone, and picks the first.
    await tour.be(ALICE)
    messages = await tour.dm()
    times = messages.last
    await expect(times).to_contain_text("Tomorrow at 5:15 PM")
    await tour.shot("times-offered")
    await times.get_by_role("button", name="Pick this time").first.click()
    booked = messages.filter(has_text="You're booked")
    await expect(booked).to_contain_text("Tomorrow at 5:15 PM · 30 minutes · Career path")
    await expect(booked.get_by_role("link", name="Add to Google Calendar")).to_be_visible()
    await tour.shot("booked")
    await tour.docs_shot()

    # The next day, a quarter of an hour before, the reminder arrives (Bob's 12:00).
    await tour.clock("+1 day")
    await expect(page.locator("#pg-now")).to_have_text("Wed 11 Mar 2026, 16:00 CET")
    await expect(messages.first).to_contain_text("Time booked Yesterday at 4:00 PM")
    await expect(messages.filter(has_text="In 15 minutes")).to_have_count(0)
    await tour.clock("+1 hour")
    reminder = messages.filter(has_text="In 15 minutes")
    await expect(reminder).to_contain_text(
        "In 15 minutes: your session with @Bob Example about Career path (Today at 5:15 PM"
    )
    await tour.shot("reminder")

    # After the session, Bob is asked whether they met, and logs notes with one step for Alice
    # and a check-in in two weeks.
    await tour.be(BOB)
    messages = await tour.dm()
    await expect(messages.filter(has_text="In 15 minutes")).to_contain_text("Today at 12:15 PM")
    await tour.clock("+1 hour")
    await tour.clock("+1 hour")
    asked = messages.filter(has_text="Did you meet @Alice Example")
    await expect(asked).to_contain_text("Career path")
    await tour.shot("did-you-meet")
    await asked.get_by_role("button", name="Yes — log notes").click()
    await expect(tour.modal).to_contain_text("About your chat with @Alice Example")
    await (
        tour.field("Private notes").locator("textarea").fill("Keen on a staff role; shy about it.")
    )
    await tour.field("Step 1").locator("input").fill("Write down three wins from last quarter")
    await tour.field("Step 1: who").locator("select").select_option("them")
    await tour.field("Step 1: due").locator("input").fill("2026-03-20")
    what_next = tour.field("What next?")
    await what_next.get_by_label("Check in with the mentee in 2 weeks").check()
    # One choice a line, as in Slack.
    tops = [(await box.bounding_box())["y"] for box in await what_next.locator("label").all()]
    assert len(set(tops)) == len(tops) == 7
    await tour.shot("notes")
    await tour.modal.locator("[data-role=submit]").click()
    await expect(page.locator(".pg-modal")).to_have_count(0)
    copy = messages.filter(has_text="Saved your notes")
    await expect(copy).to_contain_text("Write down three wins from last quarter")
    await expect(copy).not_to_contain_text("staff role")
    await tour.shot("notes-saved")

    # Alice gets the plan, never the notes.
    await tour.be(ALICE)
    messages = await tour.dm()
    plan = messages.filter(has_text="shared an action plan from your chat")
    await expect(plan).to_contain_text("Write down three wins from last quarter")
    await expect(plan).not_to_contain_text("staff role")
    await tour.shot("plan")

    # Two weeks on: the step's due date reminds her, then the check-in asks how it went.
    for _ in range(2):
        await tour.clock("next Monday 9:00")
    await expect(page.locator("#pg-now")).to_have_text("Mon 23 Mar 2026, 09:00 CET")
    await expect(messages.filter(has_text="A step from your action plan")).to_contain_text(
        "Write down three wins"
    )
    # Asked two weeks after the notes (Wednesday evening in Berlin), in her working hours.
    checkin = messages.filter(has_text="How is your action plan with @Bob Example going?")
    for _ in range(2):
        await tour.clock("+1 day")
    await expect(checkin).to_have_count(0)
    await tour.clock("+1 day")
    await expect(page.locator("#pg-now")).to_have_text("Thu 26 Mar 2026, 09:00 CET")
    # A long conversation scrolls inside its pane, kept at the newest message, as in Slack.
    await expect(checkin).to_be_in_viewport()
    await expect(page.locator("#pg-composer")).to_be_in_viewport()
    await tour.shot("check-in")
    await expect(checkin).to_contain_text("Write down three wins from last quarter · you")
    await checkin.get_by_role("button", name="All done").click()
    # The check-in becomes the answer (chat.update through its response_url).
    await expect(messages.last).to_contain_text("Wonderful. I've let your mentor know.")
    await expect(page.get_by_role("button", name="Still working on it")).to_have_count(0)
    await tour.shot("answered")

    # Bob hears how it went.
    await tour.be(BOB)
    messages = await tour.dm()
    await expect(messages.last).to_contain_text(
        "Check-in: @Alice Example is all done with the action plan"
    )
    await tour.shot("mentor-told")


async def test_tour_two_an_introduction_and_app_home(browser_page: Any, tmp_path: Path) -> None:
    page = browser_page
    tour = Tour(page, tmp_path)

    # Bob introduces Alice to Carol, typing the command in #general.
    await tour.be(BOB)
    await expect(page.locator("#pg-title")).to_have_text("#general")
    await tour.say("/mentor intro @alice @carol Carol has run our system design reviews for years")
    await expect(tour.modal).to_contain_text("Introduce people")
    await expect(tour.field("A note for them both")).to_have_accessible_name(
        "A note for them both (optional)"
    )
    await expect(tour.modal).to_contain_text("knows about: career growth, python")
    await tour.shot("intro-modal")
    await tour.modal.locator("[data-role=submit]").click()
    await expect(page.locator(".pg-modal")).to_have_count(0)
    messages = await tour.dm()
    await expect(messages.last).to_contain_text(
        "I asked @Carol Example whether they're happy to meet @Alice Example"
    )
    await tour.shot("intro-asked")

    # Alice hears nothing yet.
    await tour.be(ALICE)
    await tour.dm()
    await expect(page.locator("#pg-messages")).to_have_text("No messages yet.")
    await expect(page.locator("#pg-dms .pg-conv")).to_have_text(["mentorbot"])

    # Carol sees who and why, and says yes.
    await tour.be(CAROL)
    messages = await tour.dm()
    ask = messages.last
    await expect(ask).to_contain_text("@Bob Example would like to introduce you to @Alice Example")
    await expect(ask).to_contain_text("Carol has run our system design reviews for years")
    await tour.shot("expert-asked")
    await ask.get_by_role("button", name="Happy to help").click()
    await expect(ask).to_contain_text("You said yes Today at 8:30 PM. I started a group DM")
    await expect(ask.get_by_role("button", name="Happy to help")).to_have_count(0)

    # The group DM, the same for all three: who, why, and Book time.
    for person, others in ((CAROL, "alice, bob"), (BOB, "alice, carol"), (ALICE, "bob, carol")):
        await tour.be(person)
        await tour.open(others)
        intro = page.locator("#pg-messages > .pg-item").first
        await expect(intro).to_contain_text(
            "@Alice Example, meet @Carol Example. @Bob Example thought you two should talk"
        )
        await expect(intro.get_by_role("button", name="Book time")).to_be_visible()
    await tour.shot("group-dm")

    # Alice books: she suggests a time (in her zone) and Carol picks it.
    await intro.get_by_role("button", name="Book time").click()
    await expect(tour.modal).to_contain_text("Suggest times")
    await tour.field("Time 1").locator("input").fill("2026-03-11T11:00")
    await tour.shot("suggest-times")
    await tour.modal.locator("[data-role=submit]").click()
    await expect(page.locator(".pg-modal")).to_have_count(0)
    await tour.be(CAROL)
    messages = await tour.dm()
    times = messages.last
    await expect(times).to_contain_text("@Alice Example suggested some times")
    await expect(times).to_contain_text("Tomorrow at 3:30 PM")
    await times.get_by_role("button", name="Pick this time").click()
    booked = messages.filter(has_text="You're booked")
    await expect(booked).to_contain_text("Tomorrow at 3:30 PM · 30 minutes")
    await expect(booked).to_contain_text("with @Alice Example")
    await tour.shot("intro-booked")

    # App Home: Alice's shows the session; she asks Bob from there.
    await tour.be(ALICE)
    home = page.locator("#pg-home")
    await page.locator("#pg-home-tab").click()
    await expect(page.locator("#pg-title")).to_have_text("mentorbot · Home")
    await expect(home).to_contain_text("Your upcoming sessions")
    await expect(page.locator("#pg-composer")).to_be_hidden()  # Home has no composer
    await expect(home).to_contain_text("Tomorrow at 11:00 AM · 30 min with @Carol Example")
    await tour.shot("home")
    await home.get_by_role("button", name="Ask for mentoring").click()
    await expect(tour.modal).to_contain_text("Ask for mentoring")
    await tour.field("Who would you like to talk to?").locator("select").select_option(BOB)
    await tour.field("What is it about?").locator("select").select_option("career_path")
    await (
        tour.field("What's on your mind?")
        .locator("textarea")
        .fill("How do I make the case for a promotion?")
    )
    await tour.modal.locator("[data-role=submit]").click()
    await expect(page.locator(".pg-modal")).to_have_count(0)
    # Opening the tab again shows the request, waiting for Bob.
    await page.locator("#pg-home-tab").click()
    mine = home.locator(".bk-block", has_text="Career path · to @Bob Example")
    await expect(mine).to_contain_text("waiting for an answer")

    # Bob accepts it from his Home: the tab re-renders with the result on top.
    await tour.be(BOB)
    await expect(page.locator("#pg-title")).to_have_text("mentorbot · Home")
    waiting = home.locator(".bk-block", has_text="@Alice Example · Career path")
    await waiting.get_by_role("button", name="Accept").click()
    await expect(home.locator(".bk-block").first).to_contain_text(
        "You accepted @Alice Example's request. Use Offer times when you're ready."
    )
    await expect(waiting.get_by_role("button", name="Offer times")).to_be_visible()
    await tour.shot("home-accepted")

    # Alice no longer needs it: Cancel asks first, then the tab says it's done.
    await tour.be(ALICE)
    mine = home.locator(".bk-block", has_text="Career path · to @Bob Example")
    await expect(mine).to_contain_text("accepted")
    await mine.get_by_role("button", name="Cancel").click()
    dialog = page.locator("dialog.bk-confirm[open]")
    await expect(dialog).to_contain_text("Cancel this request?")
    await tour.shot("home-cancel-confirm")
    await dialog.get_by_role("button", name="Cancel request").click()
    await expect(home.locator(".bk-block").first).to_contain_text(
        "Request cancelled. Whoever had it has been told."
    )
    await expect(home.locator(".bk-block", has_text="to @Bob Example")).to_have_count(0)
    await tour.shot("home-cancelled")

    # Carol logs notes from her Home: whom first, then Next turns the form into Log notes.
    await tour.be(CAROL)
    await expect(page.locator("#pg-title")).to_have_text("mentorbot · Home")
    await home.get_by_role("button", name="Log notes").click()
    await expect(tour.modal).to_contain_text("Who did you meet with?")
    await tour.field("Who did you meet with?").locator("select").select_option(ALICE)
    await tour.modal.get_by_role("button", name="Next").click()
    await expect(tour.modal).to_contain_text("About your chat with @Alice Example")
    await expect(page.locator(".pg-modal")).to_have_count(1)
    await tour.field("Step 1").locator("input").fill("Send Alice the design review checklist")
    await tour.field("Step 1: who").locator("select").select_option("me")
    await tour.modal.get_by_role("button", name="Save").click()
    await expect(page.locator(".pg-modal")).to_have_count(0)

    # Her step shows on Home; Done ticks it and the tab says so.
    await page.locator("#pg-home-tab").click()
    step = home.locator(".bk-block", has_text="Send Alice the design review checklist")
    await expect(step).to_contain_text("with @Alice Example")
    await tour.shot("home-action-item")
    await step.get_by_role("button", name="Done").click()
    await expect(home.locator(".bk-block").first).to_contain_text(
        "Done: Send Alice the design review checklist"
    )
    await expect(home).to_contain_text("Nothing to do.")
    await tour.shot("home-done")
