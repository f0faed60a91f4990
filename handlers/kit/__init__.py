"""The listener kit: what every feature's listeners share, so no feature imports another's helpers.

Features import these names from `handlers.kit`; the modules behind it are:
- listeners.py: `on_click`, `on_home_click` and `on_submit` turn a function of one `Click`,
  `HomeClick` or `Submission` into a Bolt listener; the kit acks, reads who pressed what and
  answers a broken button, and the argument carries the services (`click.store`).
- payloads.py: `read_pressed`, `submitter`, `metadata_id`, `parse_id`, over frozen dataclasses
  of the fields they read.
- replies.py: `tell`, `send_dm`, `try_dm`, `try_update`, the refusals (`NOT_YOURS`, `BROKEN`),
  and rewriting a request's own messages after it moves.
- steps.py: `on_step` makes a Workflow Builder step's listener from a function of one `Step`.
- commands.py: what a `/mentor` subcommand gets (`SubcommandCall`) and the people it names.
"""

from handlers.kit.commands import (
    BadArguments,
    SubcommandCall,
    leading_mention,
    mentor_facts,
)
from handlers.kit.listeners import (
    Click,
    HomeClick,
    Services,
    Submission,
    on_click,
    on_home_click,
    on_submit,
)
from handlers.kit.payloads import (
    Pressed,
    metadata_id,
    parse_id,
    submitter,
)
from handlers.kit.replies import (
    AUDIENCES,
    BROKEN,
    NO_ANSWER,
    NOT_YOURS,
    message_of,
    refresh_request_messages,
    send_dm,
    session_topic,
    tell,
    topic_of,
    try_dm,
    try_update,
)
from handlers.kit.steps import AlreadyRunning, Step, StepFailed, Unfinished, on_step

__all__ = [
    "AUDIENCES",
    "BROKEN",
    "NOT_YOURS",
    "NO_ANSWER",
    "AlreadyRunning",
    "BadArguments",
    "Click",
    "HomeClick",
    "Pressed",
    "Services",
    "Step",
    "StepFailed",
    "SubcommandCall",
    "Submission",
    "Unfinished",
    "leading_mention",
    "mentor_facts",
    "message_of",
    "metadata_id",
    "on_click",
    "on_home_click",
    "on_step",
    "on_submit",
    "parse_id",
    "refresh_request_messages",
    "send_dm",
    "session_topic",
    "submitter",
    "tell",
    "topic_of",
    "try_dm",
    "try_update",
]
