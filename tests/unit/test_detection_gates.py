"""The ask detector's gate tables ship as a file: it must be exactly what the cues make.

bot/data/detection_gates.json is built from the cue patterns by bot/detection_gate_build.py
(`make gates`); the server loads it and never reads a parse tree. The soundness of the tables
themselves is checked in test_detection.py, against the gates the detector loaded.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import detection
from bot.detection_cues import GATED, TRIGGERS
from bot.detection_gate import Gate, GateTables
from bot.detection_gate_build import GATES_PATH, build, main
from bot.detection_gate_file import StaleGates, fingerprint, read_gates, to_json


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, GateTables], dict[str, int]]:
    """The tables the analysis makes from the cue patterns now."""
    return build(GATED, TRIGGERS)


def test_the_shipped_gate_tables_are_what_the_cues_make(
    built: tuple[dict[str, GateTables], dict[str, int]],
) -> None:
    """If this fails, a cue changed: run `make gates` and commit bot/data/detection_gates.json."""
    tables, with_trigger = built
    shipped = GATES_PATH.read_text(encoding="ascii")
    assert shipped == to_json(fingerprint(GATED, TRIGGERS), tables, with_trigger)
    assert read_gates(shipped, fingerprint(GATED, TRIGGERS)) == (tables, with_trigger)
    for name, gate in detection._GATES.items():
        loaded = GateTables(gate.spans, gate.vocabulary, gate.always, gate.under)
        assert loaded == tables[name]
        assert gate.listed == frozenset(tables[name].under)
    assert with_trigger == detection._WITH_TRIGGER


def test_the_build_makes_the_same_file_under_any_hash_seed(tmp_path: Path) -> None:
    out = tmp_path / "gates.json"
    code = f"from bot.detection_gate_build import main; main(['--out', {str(out)!r}])"
    env = os.environ | {"PYTHONHASHSEED": "7"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)  # noqa: S603 - our own program, fixed arguments
    assert out.read_text(encoding="ascii") == GATES_PATH.read_text(encoding="ascii")


def test_the_server_never_reads_a_parse_tree() -> None:
    code = (
        "import sys, bot.detection; "
        "print(*[m for m in sys.modules if m.startswith(('bot.detection_', 'bot.regex'))])"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # noqa: S603 - our own program, fixed arguments
    loaded = set(done.stdout.decode().split())
    assert "bot.detection_gate_file" in loaded
    assert not loaded & {"bot.detection_words", "bot.regex_tree", "bot.detection_gate_build"}


def test_tables_built_from_other_cues_fail_loudly() -> None:
    shipped = GATES_PATH.read_bytes()
    changed = {**TRIGGERS, "positive0": ("a new trigger",)}
    with pytest.raises(StaleGates, match=r"make gates"):
        read_gates(shipped, fingerprint(GATED, changed))
    edited = {**GATED, "rest": {**GATED["rest"], "negative0": re.compile("x|y")}}
    with pytest.raises(StaleGates, match=r"make gates"):
        read_gates(shipped, fingerprint(edited, TRIGGERS))


def test_a_gate_refuses_tables_for_patterns_with_other_alternatives(
    built: tuple[dict[str, GateTables], dict[str, int]],
) -> None:
    arms = built[0]["rest"].spans["negative0"][1] + 1
    edited = {**GATED["rest"], "negative0": re.compile("|".join(["x"] * arms))}
    with pytest.raises(ValueError, match=r"make gates"):
        Gate(edited, built[0]["rest"])


def test_the_build_command_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gates.json"
    assert main(["--out", str(out)]) == 0
    assert out.read_bytes() == GATES_PATH.read_bytes()
    assert out.read_bytes().isascii()
    assert "wrote" in capsys.readouterr().out
