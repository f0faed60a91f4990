"""Every reach into a library's private internals, each behind one small function.

Each one buys a measured saving (docs/benchmarks.md) or fills a gap the public API leaves.
tests/unit/test_internals.py fails loudly, naming the function here, if an upgrade of the pinned
library moves what it reaches for; the fallback then is the public way, slower but correct.
The one reach into the standard library's regex parser is in bot/regex_tree.py, apart, so that
the ask detector stays free of Slack's libraries.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.response import BoltResponse


def set_ack_response(ack: AsyncAck, response: BoltResponse) -> None:
    """Answer with a ready-made BoltResponse, skipping ack()'s building and JSON encoding of
    the same body each time. Bolt's listener runner returns `ack.response` once set."""
    ack.response = response


def cache_auth_test(app: AsyncApp, identity: Any) -> bool:
    """Hand a startup auth.test result to Bolt's single-team authorization, which otherwise
    calls auth.test again on the first request (Bolt keeps no public setter for this).
    False if no such middleware is installed."""
    cached = False
    for middleware in app._async_middleware_list:
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = identity
            cached = True
    return cached


def skip_caller_lookup() -> None:
    """Stop logging from finding each record's source file and line, which our log format never
    prints (the logging HOWTO's "Optimization" section names `logging._srcfile`)."""
    logging._srcfile = None


def context_of(body: dict[str, Any]) -> AsyncBoltContext:
    """The context AsyncBoltRequest builds from a body (the team, enterprise, user, channel
    ids), without its parsing the body a second time and normalising every header: the short
    way for channel messages (bot/app.py) needs only this, with Bolt's own reading of the ids."""
    return build_async_context(AsyncBoltContext(), body)
