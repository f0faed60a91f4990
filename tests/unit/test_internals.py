"""Guards for bot/internals.py: each fails loudly, by name, if an upgrade moves what it reaches."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.internals import cache_auth_test, context_of, set_ack_response, skip_caller_lookup
from bot.regex_tree import REGEX_OPCODES, regex_parse_tree

FORM = {"content-type": ["application/x-www-form-urlencoded"]}
JSON = {"content-type": ["application/json"]}


async def _authorize(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_user_id="UB")


async def test_set_ack_response_is_the_answer_bolt_returns() -> None:
    app = AsyncApp(
        signing_secret="secret",
        request_verification_enabled=False,
        authorize=_authorize,
        process_before_response=True,
    )

    async def listener(ack: AsyncAck) -> None:
        set_ack_response(ack, BoltResponse(status=200, body='{"text": "ready-made"}'))

    app.command("/guard")(listener)
    body = "command=%2Fguard&text=&team_id=T1&user_id=U1&channel_id=C1&trigger_id=1.2"
    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=FORM))
    assert (response.status, response.body) == (200, '{"text": "ready-made"}'), (
        "slack_bolt no longer answers with AsyncAck.response: fix set_ack_response"
    )


def test_cache_auth_test_reaches_the_single_team_authorization() -> None:
    app = AsyncApp(token="xoxb-1", signing_secret="secret")
    identity = {"ok": True, "user_id": "UB", "team_id": "T1"}
    assert cache_auth_test(app, identity), (
        "slack_bolt no longer keeps AsyncSingleTeamAuthorization in _async_middleware_list: "
        "fix cache_auth_test"
    )
    installed = [
        m for m in app._async_middleware_list if isinstance(m, AsyncSingleTeamAuthorization)
    ]
    assert [m.auth_test_result for m in installed] == [identity]


def test_skip_caller_lookup_stops_the_source_file_lookup() -> None:
    assert hasattr(logging, "_srcfile"), "logging._srcfile is gone: fix skip_caller_lookup"
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("mentorbot.tests.internals")
    logger.addHandler(handler)
    saved = logging._srcfile
    try:
        skip_caller_lookup()
        logger.warning("where am I")
    finally:
        logging._srcfile = saved
        logger.removeHandler(handler)
    assert [r.pathname for r in records] == ["(unknown file)"]


def test_regex_parse_tree_gives_the_opcodes_the_detector_reads() -> None:
    tree = list(regex_parse_tree(r"(?:ab|c)\s+d"))
    ops = [op for op, _ in tree]
    assert ops == [REGEX_OPCODES.BRANCH, REGEX_OPCODES.MAX_REPEAT, REGEX_OPCODES.LITERAL], (
        "re's parser changed shape: fix bot/regex_tree.py and bot/detection_words.py"
    )
    arms = tree[0][1][1]  # a BRANCH's argument is (None, [arm, ...])
    assert [[op for op, _ in arm] for arm in arms] == [
        [REGEX_OPCODES.LITERAL, REGEX_OPCODES.LITERAL],
        [REGEX_OPCODES.LITERAL],
    ], "re's parser changed shape: fix bot/regex_tree.py and bot/detection_words.py"


def test_context_of_reads_the_ids_as_bolts_own_request_does() -> None:
    message = {"type": "message", "user": "U1", "text": "hi", "channel": "C1", "ts": "1.2"}
    bodies: list[dict[str, Any]] = [
        {"type": "event_callback", "team_id": "T1", "event": message},
        {
            "type": "event_callback",
            "team_id": "T1",
            "enterprise_id": "E1",
            "is_ext_shared_channel": True,
            "authorizations": [{"team_id": "T2", "enterprise_id": "E2", "user_id": "UB"}],
            "event": {**message, "thread_ts": "1.1"},
        },
        {"type": "event_callback", "event": {**message, "team": "T3"}},
    ]
    for body in bodies:
        bolt = AsyncBoltRequest(body=json.dumps(body), headers=JSON).context
        assert dict(context_of(body)) == dict(bolt), (
            "slack_bolt builds a request's context differently now: fix context_of"
        )
