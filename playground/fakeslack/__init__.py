"""A Slack-faithful test harness: a fake Web API server, signed requests, and finders.

async with FakeSlack() as fake:                      # or the `fake_slack` fixture
    client = AsyncWebClient(token=TOKEN, base_url=fake.url)
    sender = SlackSender(bot_url, secret, response_url_base=fake.response_url_base)
    await sender.command("help")
    call = fake.calls_to("chat.postMessage")[-1]
    await sender.click(find_button(call, "Accept"), call)
"""

from playground.fakeslack.blockkit import Rejection, check_message, check_view
from playground.fakeslack.find import (
    all_buttons,
    block_texts,
    blocks_of,
    button_labels,
    find_button,
    find_input,
)
from playground.fakeslack.functions import FunctionRun
from playground.fakeslack.oauth import CLIENT_ID, CLIENT_SECRET
from playground.fakeslack.sender import Reply, SlackSender
from playground.fakeslack.server import TOKEN, Call, FakeSlack, serve_in_thread
from playground.fakeslack.signing import sign
from playground.fakeslack.state import state_values
from playground.fakeslack.workspace import (
    ALICE,
    APP_ID,
    BOB,
    BOT_ID,
    BOT_USER_ID,
    CAROL,
    GENERAL,
    TEAM_DOMAIN,
    TEAM_ID,
)

__all__ = [
    "ALICE",
    "APP_ID",
    "BOB",
    "BOT_ID",
    "BOT_USER_ID",
    "CAROL",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "GENERAL",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "TOKEN",
    "Call",
    "FakeSlack",
    "FunctionRun",
    "Rejection",
    "Reply",
    "SlackSender",
    "all_buttons",
    "block_texts",
    "blocks_of",
    "button_labels",
    "check_message",
    "check_view",
    "find_button",
    "find_input",
    "serve_in_thread",
    "sign",
    "state_values",
]
