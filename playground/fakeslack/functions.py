"""Workflow Builder's custom steps in the fake: an execution Slack starts (with the short-lived
bot token its `function_executed` event carries) and `functions.completeSuccess` /
`functions.completeError`, which end it.

As Slack does, an execution completes once: a second completion answers
`execution_not_in_running_state` (and is still recorded as a call). Outputs are checked
against the output parameters the execution was started with, when it was given them.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from playground.fakeslack.workspace import SlackError, Workspace

# The JSON types Slack checks an output against, for the parameter types our steps use.
_CHECKS: dict[str, type | tuple[type, ...]] = {
    "integer": int,
    "number": (int, float),
    "string": str,
    "boolean": bool,
    "slack#/types/user_id": str,
}


@dataclass
class FunctionRun:
    """One execution of an app's custom step."""

    execution_id: str
    callback_id: str
    inputs: dict[str, Any]
    token: str
    workflow_execution_id: str
    output_parameters: dict[str, dict[str, Any]] | None = None
    state: str = "running"  # then "completed" or "failed"
    outputs: dict[str, Any] | None = None
    error: str | None = None
    completions: list[str] = field(default_factory=list)  # "success"/"error", each call


def new_function_run(
    ws: Workspace,
    callback_id: str,
    inputs: Mapping[str, Any],
    output_parameters: Mapping[str, dict[str, Any]] | None = None,
) -> FunctionRun:
    """Start an execution in `ws`: its id, and the bot token that acts for it."""
    run = FunctionRun(
        execution_id=ws.new_id("Fx"),
        callback_id=callback_id,
        inputs=dict(inputs),
        token="xwfp-" + secrets.token_hex(12),
        workflow_execution_id=ws.new_id("Wx"),
        output_parameters=dict(output_parameters) if output_parameters is not None else None,
    )
    ws.function_runs[run.execution_id] = run
    return run


def _running(ws: Workspace, args: Mapping[str, Any], kind: str) -> FunctionRun:
    execution_id = args.get("function_execution_id")
    if not execution_id:
        raise SlackError("invalid_arguments")
    run = ws.function_runs.get(str(execution_id))
    if run is None:
        raise SlackError("function_execution_not_found")
    run.completions.append(kind)
    if run.state != "running":
        raise SlackError("execution_not_in_running_state")
    return run


def _check_outputs(run: FunctionRun, outputs: Any) -> dict[str, Any]:
    if not isinstance(outputs, dict):
        raise SlackError("invalid_arguments")
    if run.output_parameters is None:
        return outputs
    problems = []
    for name, value in outputs.items():
        spec = run.output_parameters.get(name)
        wanted = _CHECKS.get(str((spec or {}).get("type")))
        if spec is None or (wanted is not None and not isinstance(value, wanted)):
            problems.append(name)
    for name, spec in run.output_parameters.items():
        if spec.get("is_required") and name not in outputs:
            problems.append(name)
    if problems:
        raise SlackError("parameter_validation_failed", errors=sorted(problems))
    return outputs


def functions_complete_success(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """functions.completeSuccess: the step is done, with these outputs."""
    run = _running(ws, args, "success")
    run.outputs = _check_outputs(run, args.get("outputs"))
    run.state = "completed"
    return {"ok": True}


def functions_complete_error(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """functions.completeError: the step failed; Slack shows `error` to the workflow's users."""
    run = _running(ws, args, "error")
    error = args.get("error")
    if not isinstance(error, str) or not error:
        raise SlackError("invalid_arguments")
    run.error = error
    run.state = "failed"
    return {"ok": True}
