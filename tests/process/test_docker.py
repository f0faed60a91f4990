"""Dockerfile, docker-compose.yml and .dockerignore, checked by reading them (no engine here)."""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROOT_USERS = {"root", "0", "0:0", "root:root"}


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction with its continuation lines joined."""

    keyword: str
    args: str


def parse_dockerfile(text: str) -> list[list[Instruction]]:
    """Split a Dockerfile into stages, each a list of instructions starting at its FROM."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        # Comment lines are dropped even inside a continuation, as Docker does.
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continuation line"
    stages: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, f"{instruction.keyword} comes before the first FROM"
        stages[-1].append(instruction)
    return stages


def _args(instruction: Instruction) -> list[str]:
    """The arguments of an exec-form (JSON) or space-separated instruction."""
    if instruction.args.startswith("["):
        parsed = json.loads(instruction.args)
        assert isinstance(parsed, list)
        return [str(item) for item in parsed]
    return shlex.split(instruction.args)


def _env(stage: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in stage:
        if instruction.keyword == "ENV":
            for pair in shlex.split(instruction.args):
                key, sep, value = pair.partition("=")
                assert sep, f"use the ENV key=value form: {pair!r}"
                env[key] = value
    return env


def _only(stage: list[Instruction], keyword: str) -> Instruction:
    found = [i for i in stage if i.keyword == keyword]
    assert len(found) == 1, f"expected one {keyword} in the final stage, found {len(found)}"
    return found[0]


def _healthcheck_argv(stage: list[Instruction]) -> list[str]:
    """The command HEALTHCHECK runs, as an argv list (shell form goes through /bin/sh -c)."""
    options, sep, command = _only(stage, "HEALTHCHECK").args.partition(" CMD ")
    assert sep, "HEALTHCHECK needs a CMD (and must not be NONE)"
    assert all(option.startswith("--") for option in options.split())
    command = command.strip()
    if command.startswith("["):
        argv = json.loads(command)
        assert isinstance(argv, list)
        return [str(item) for item in argv]
    return ["/bin/sh", "-c", command]


def _context_sources(stages: list[list[Instruction]]) -> list[str]:
    """Every path COPY or ADD takes from the build context (not from another stage)."""
    sources: list[str] = []
    for stage in stages:
        for i in stage:
            if i.keyword not in {"COPY", "ADD"}:
                continue
            args = _args(i)
            if any(arg.startswith("--from=") for arg in args):
                continue
            sources += [arg.rstrip("/") for arg in args[:-1] if not arg.startswith("--")]
    return sources


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps `path` out of the build context (last match wins)."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            ignored = not negate
    return ignored


@pytest.fixture(scope="module")
def stages() -> list[list[Instruction]]:
    return parse_dockerfile((REPO / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def final(stages: list[list[Instruction]]) -> list[Instruction]:
    return stages[-1]


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    with (REPO / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


@pytest.fixture(scope="module")
def compose_service() -> dict[str, Any]:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert list(compose["services"]) == ["mentorbot"]
    assert "mentorbot-data" in compose["volumes"]
    service = compose["services"]["mentorbot"]
    assert isinstance(service, dict)
    return service


@pytest.fixture(scope="module")
def dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_parser_joins_continuations_and_skips_comments() -> None:
    stages = parse_dockerfile('FROM a AS one\nRUN x \\\n  # note\n  && y\nFROM b\nCMD ["z"]\n')
    assert stages == [
        [Instruction("FROM", "a AS one"), Instruction("RUN", "x && y")],
        [Instruction("FROM", "b"), Instruction("CMD", '["z"]')],
    ]


def test_build_is_multi_stage_on_slim_python(stages: list[list[Instruction]]) -> None:
    assert len(stages) >= 2
    images = [_args(stage[0])[0] for stage in stages]
    assert all(image.startswith("python:3.11") and image.endswith("-slim") for image in images)
    build_names = [_args(stage[0])[-1] for stage in stages[:-1]]
    copied_from = [
        arg.removeprefix("--from=")
        for i in stages[-1]
        if i.keyword == "COPY"
        for arg in _args(i)
        if arg.startswith("--from=")
    ]
    assert copied_from, "the final stage copies nothing from a build stage"
    assert set(copied_from) <= set(build_names)


def _created_users(stage: list[Instruction]) -> dict[str, str]:
    """{name: uid} for every `useradd --uid N … name` that a RUN in the stage performs."""
    users: dict[str, str] = {}
    for i in stage:
        if i.keyword != "RUN":
            continue
        for command in i.args.split("&&"):
            words = shlex.split(command)
            if words[:1] == ["useradd"] and "--uid" in words:
                users[words[-1]] = words[words.index("--uid") + 1]
    return users


def test_final_stage_runs_as_a_created_non_root_user(final: list[Instruction]) -> None:
    users = [i.args for i in final if i.keyword == "USER"]
    assert users, "the final stage never leaves root"
    user = users[-1].split(":")[0]
    assert user not in ROOT_USERS
    created = _created_users(final)
    assert user in {*created, *created.values()}, f"no RUN creates the user {user}"
    assert created.get("mentorbot") == "10001"


def test_database_lives_on_a_volume_the_user_owns(final: list[Instruction]) -> None:
    volumes = [path for i in final if i.keyword == "VOLUME" for path in _args(i)]
    assert "/data" in volumes
    database = Path(_env(final)["MENTORBOT_DB"])
    assert database.is_absolute()
    assert Path("/data") in database.parents
    user = [i.args for i in final if i.keyword == "USER"][-1]
    assert any(i.keyword == "RUN" and f"chown {user} /data" in i.args for i in final), (
        "/data must belong to the runtime user, or SQLite can't write there"
    )


def test_port_is_consistent(final: list[Instruction]) -> None:
    env = _env(final)
    assert env["MENTORBOT_HOST"] == "0.0.0.0"  # noqa: S104 - the server must be reachable from outside
    assert [p.split("/")[0] for i in final if i.keyword == "EXPOSE" for p in _args(i)] == [
        env["MENTORBOT_PORT"]
    ]
    assert env["PATH"].split(":")[0] == "/opt/venv/bin"


def test_healthcheck_probes_healthz_on_mentorbot_port(final: list[Instruction]) -> None:
    argv = _healthcheck_argv(final)
    command = " ".join(argv)
    assert "/healthz" in command
    assert "MENTORBOT_PORT" in command
    assert "127.0.0.1" in command
    assert "curl" not in command  # slim images have none


def test_cmd_is_exec_form_so_the_bot_gets_sigterm(final: list[Instruction]) -> None:
    cmd = _only(final, "CMD")
    assert json.loads(cmd.args) == ["mentorbot", "run"]
    assert _only(final, "STOPSIGNAL").args == "SIGTERM"
    # A shell-form ENTRYPOINT would become PID 1 and swallow the signal.
    assert not [i for i in final if i.keyword == "ENTRYPOINT"]


def test_every_copied_path_exists(stages: list[list[Instruction]]) -> None:
    sources = _context_sources(stages)
    assert sources
    assert [source for source in sources if not (REPO / source).exists()] == []


def test_build_context_covers_every_packaged_file(
    stages: list[list[Instruction]], pyproject: dict[str, Any], dockerignore: list[str]
) -> None:
    packages = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    needed = {"pyproject.toml", pyproject["project"]["readme"]}
    needed |= {pattern.rstrip("*") for pattern in packages}
    assert needed <= set(_context_sources(stages))
    # .dockerignore must not hide what the wheel is built from, migrations included.
    for top in sorted(needed):
        assert (REPO / top).exists(), top
        files = [REPO / top] if (REPO / top).is_file() else (REPO / top).rglob("*")
        hidden = [
            rel
            for path in files
            if path.suffix in {".py", ".sql", ".toml", ".md"}
            and _ignored(rel := str(path.relative_to(REPO)), dockerignore)
        ]
        assert hidden == [], f"{top}: .dockerignore hides files the wheel needs"


def test_console_script_runs_bot_main(pyproject: dict[str, Any]) -> None:
    assert pyproject["project"]["scripts"]["mentorbot"] == "bot.__main__:main"
    tree = ast.parse((REPO / "bot" / "__main__.py").read_text(encoding="utf-8"))
    assert "main" in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_compose_persists_data_and_reads_env_file(compose_service: dict[str, Any]) -> None:
    build = compose_service["build"]
    assert (build if isinstance(build, str) else build["context"]) == "."
    env_file = compose_service["env_file"]
    assert ".env" in ([env_file] if isinstance(env_file, str) else env_file)
    assert "mentorbot-data:/data" in compose_service["volumes"]
    assert "3000:3000" in compose_service["ports"]
    assert compose_service["restart"] == "unless-stopped"
    # .env.example's relative MENTORBOT_DB is for local runs; the container pins the volume.
    assert compose_service["environment"]["MENTORBOT_DB"].startswith("/data/")
    assert str(compose_service["environment"]["MENTORBOT_PORT"]) == "3000"
    assert "healthcheck" not in compose_service, "the image's HEALTHCHECK should apply"


def test_compose_waits_for_the_bot_to_drain(compose_service: dict[str, Any]) -> None:
    # Imported here so the file-reading tests don't depend on the whole bot importing.
    from bot.lifecycle import DRAIN_SECONDS

    grace = str(compose_service["stop_grace_period"])
    units = {"s": 1, "m": 60}
    seconds = int(grace[:-1]) * units[grace[-1]]
    assert seconds > DRAIN_SECONDS, "Docker would SIGKILL the bot mid-drain"


def test_dockerignore_keeps_secrets_and_local_state_out(dockerignore: list[str]) -> None:
    for path in [".env", ".venv/bin/python", ".git/HEAD", "data/mentorbot.db", "mentorbot.db"]:
        assert _ignored(path, dockerignore), path
    for path in ["mentorbot.db-wal", "tests/process/test_docker.py", "bench/run.py", ".env.local"]:
        assert _ignored(path, dockerignore), path
    for path in ["pyproject.toml", "README.md", "bot/__main__.py", "handlers/__init__.py"]:
        assert not _ignored(path, dockerignore), path


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        code = self.status if self.path == "/healthz" else 404
        body = json.dumps({"status": "ok" if code == 200 else "unavailable"}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def health_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _run_healthcheck(final: list[Instruction], port: int) -> subprocess.CompletedProcess[str]:
    argv = _healthcheck_argv(final)
    # In the image `python` is /opt/venv/bin/python; here the test's own interpreter stands in.
    if argv[0] in {"python", "python3"}:
        argv = [sys.executable, *argv[1:]]
    env = {**os.environ, "MENTORBOT_PORT": str(port)}
    # argv is the Dockerfile's own HEALTHCHECK, aimed at a server on 127.0.0.1.
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_healthcheck_exit_code_follows_healthz(
    final: list[Instruction],
    health_server: ThreadingHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    healthy: bool,
) -> None:
    monkeypatch.setattr(_Health, "status", status)
    result = _run_healthcheck(final, health_server.server_address[1])
    assert (result.returncode == 0) is healthy, result.stderr


def test_healthcheck_fails_when_nothing_listens(final: list[Instruction]) -> None:
    # A bound socket that never listens: connections to its port are refused.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        result = _run_healthcheck(final, closed.getsockname()[1])
    assert result.returncode != 0
