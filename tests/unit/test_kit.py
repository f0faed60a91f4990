"""The listener kit's readers and listener makers, without Slack: what a malformed payload
reads as, and the parameters Bolt will inject into a made listener."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt.util.utils import get_arg_names_of_callable

from handlers.kit import (
    Click,
    HomeClick,
    Pressed,
    Step,
    Submission,
    on_click,
    on_home_click,
    on_step,
    on_submit,
)
from handlers.kit.org import in_an_org
from handlers.kit.payloads import Interaction, interaction_of, metadata_id, read_pressed, submitter

BOLT_ARGS = ["ack", "body", "respond", "client", "store", "clock", "settings", "background"]


def _press(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "trigger_id": "trig",
        "actions": [{"action_id": "request_accept", "value": "42"}],
    }
    body.update(fields)
    return body


def test_a_good_press_reads_as_who_where_and_which_row() -> None:
    assert read_pressed(_press()) == Pressed(
        user_id="U1", team_id="T1", target_id=42, trigger_id="trig"
    )


def test_an_org_install_without_a_team_reads_the_users_team() -> None:
    pressed = read_pressed(_press(team=None))
    assert pressed is not None
    assert pressed.team_id == "T1"


@pytest.mark.parametrize(
    "fields",
    [
        {"actions": [{"action_id": "x", "value": "12ab"}]},  # not digits
        {"actions": [{"action_id": "x", "value": "9" * 19}]},  # past a SQLite integer
        {"actions": [{"action_id": "x", "value": 42}]},  # a number, not Slack's string
        {"actions": []},
        {"actions": ["request_accept"]},  # a list of strings, not objects
        {"user": "U1"},  # a string where an object belongs
        {"user": {"team_id": "T1"}},  # nobody pressed it
        {"user": {"id": "U1"}, "team": None},  # no workspace anywhere
        {"user": None},
        {"team": "T1"},  # a team of the wrong shape is not a left-out one
        {"team": {"id": 1}},
        {"trigger_id": 7},
        {"actions": {"action_id": "x", "value": "42"}},  # an object where a list belongs
        {"actions": [{"action_id": None, "value": "42"}]},
    ],
)
def test_a_malformed_press_reads_as_broken(fields: dict[str, Any]) -> None:
    assert read_pressed(_press(**fields)) is None


def test_fields_left_out_read_as_empty() -> None:
    assert interaction_of({}) == Interaction()
    read = interaction_of({"user": {"id": "U1"}, "team": None, "actions": [{}]})
    assert read is not None
    assert (read.user.id, read.team_id, read.trigger_id) == ("U1", "", "")
    assert [(action.action_id, action.value) for action in read.actions] == [("", None)]


def test_a_malformed_submission_has_no_submitter() -> None:
    assert submitter({"user": ["U1"], "team": {"id": "T1"}}) == ("", "")
    assert submitter({"user": {"id": "U1"}, "team": {"id": "T1"}}) == ("U1", "T1")
    broken = {"user": {"id": "U1"}, "team": {"id": "T1"}, "view": {"app_installed_team_id": 2}}
    assert submitter(broken) == ("", "")  # Socket Mode payloads skip the door's check


def test_a_view_is_served_in_the_workspace_that_installed_the_app_as_bolt_does() -> None:
    # A modal used from a Slack Connect channel: the submitter's team is another workspace.
    view = {"app_installed_team_id": "T2", "private_metadata": ""}
    assert submitter({"user": {"id": "U1"}, "team": {"id": "T1"}, "view": view}) == ("U1", "T2")
    assert read_pressed(_press(view=view)) == Pressed(
        user_id="U1", team_id="T2", target_id=42, trigger_id="trig"
    )
    # A view without the field (or a message's button) keeps the payload's team.
    assert submitter({"user": {"id": "U1"}, "team": {"id": "T1"}, "view": {}}) == ("U1", "T1")


def test_modal_metadata_is_an_id_only_when_it_is_one() -> None:
    assert metadata_id({"view": {"private_metadata": "7"}}) == 7
    assert metadata_id({"view": {"private_metadata": "7; DROP"}}) is None
    assert metadata_id({"view": "not a view"}) is None


async def _click(click: Click) -> None:
    """A click's docstring."""


async def _home(click: HomeClick) -> str | None:
    return None


async def _submit(submission: Submission) -> None:
    return None


@pytest.mark.parametrize(
    "listener", [on_click("request")(_click), on_home_click(_home), on_submit(_submit)]
)
def test_a_made_listener_asks_bolt_for_the_payload_and_the_services(listener: Any) -> None:
    # Bolt injects by parameter name, after unwrapping __wrapped__: the maker must not hide them.
    assert get_arg_names_of_callable(listener) == BOLT_ARGS


def test_a_made_listener_keeps_its_functions_name_and_docstring() -> None:
    listener = on_click()(_click)
    assert (listener.__name__, listener.__doc__) == ("_click", "A click's docstring.")


async def _step(step: Step) -> dict[str, Any]:
    """A step's docstring."""
    return {}


async def _resume(step: Step, subject_id: int) -> dict[str, Any]:
    return {}


def test_a_step_listener_asks_bolt_for_the_event_its_completion_and_the_services() -> None:
    listener = on_step("request_mentoring", resume=_resume)(_step)
    assert get_arg_names_of_callable(listener) == [
        "body",
        "event",
        "complete",
        "fail",
        "client",
        "store",
        "clock",
        "settings",
        "background",
    ]
    assert (listener.__name__, listener.__doc__) == ("_step", "A step's docstring.")


@pytest.mark.parametrize(
    ("extra", "in_org"),
    [
        ({"enterprise": None, "is_enterprise_install": False}, False),  # most workspaces
        ({}, False),  # an older payload without the fields
        ({"enterprise": {"id": "E0ACME", "name": "Acme"}, "is_enterprise_install": True}, True),
        ({"enterprise": {"id": "E0ACME", "name": "Acme"}, "is_enterprise_install": False}, True),
        ({"enterprise_id": "E0ACME"}, True),  # a command's form fields
        ({"team": {"id": "T1", "enterprise_id": "E0ACME"}, "enterprise": None}, True),
        ({"is_enterprise_install": True}, True),
    ],
)
def test_only_a_payload_from_an_org_looks_for_a_peer_workspace(
    extra: dict[str, Any], in_org: bool
) -> None:
    # Outside an org no row can be a peer's: the click skips the store's look-up.
    assert in_an_org(_press(**extra)) is in_org
