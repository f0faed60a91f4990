"""Smoke tests of the benchmark harness (bench/) at tiny sizes: the pieces work, nothing leaks.

They never assert speed: `make bench` measures; these only keep it from rotting.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.apps import LoadSizes, run_load
from bench.ask_parts import run_ask_parts
from bench.classifier import DEV_SET, run_classifier
from bench.load import ASK_TEXT, KINDS, NON_ASKS
from bench.outbox_scale import OutboxSizes, run_outbox
from bench.playground import run_playground
from bench.postgres import run_statements
from bench.procs import LOAD_CORE, SERVER_CORE, can_pin
from bench.report import ASK_PARTS, write_report
from bench.rows import ROWS, measure
from bench.storage_scale import Scale, run_storage
from bot.detection import classify

ASK_PART_KEYS = {*ASK_PARTS, "post_slack_sdk", "post_aiohttp"}


def test_the_load_texts_are_what_they_claim_to_be() -> None:
    assert classify(ASK_TEXT).is_ask
    assert not any(classify(text).is_ask for text in NON_ASKS)


async def test_a_signed_load_on_the_bot_and_the_floor_has_no_errors(tmp_path: Path) -> None:
    sizes = LoadSizes(
        duration=0.25, rounds=1, concurrencies=(4,), warmup=0.1, limit=20, idle_settle=0.1
    )
    result = await run_load(sizes, tmp_path)

    for kind in KINDS:
        for mode in sizes.modes():
            for app in ("bot", "floor"):
                (run,) = result["runs"][kind][mode][app]
                assert run["sent"] == 20, (kind, mode, app)
                assert run["errors"] == 0, (kind, mode, app)
                assert run["rps"] > 0
    assert result["prompts"]["asks_answered"] == 40  # closed and open loop, 20 each
    assert result["prompts"]["prompts_posted"] == 40
    assert result["prompts"]["floor_asks"] == result["prompts"]["floor_prompts"] == 40
    for app in ("bot", "floor"):
        memory = result["memory"][app]
        assert 0 < memory["idle_rss_kb"] <= memory["peak_rss_kb"]
    if can_pin():  # the servers on theirs, the load generator on its own: never one core
        assert result["cores"] == {
            "bot": [SERVER_CORE],
            "floor": [SERVER_CORE],
            "load": [LOAD_CORE],
        }


async def test_the_ask_parts_bench_times_every_part(tmp_path: Path) -> None:
    result = await run_ask_parts(20, tmp_path)

    assert result["count"] == 20
    assert set(result["cpu_us"]) == ASK_PART_KEYS
    assert all(cpu > 0 for cpu in result["cpu_us"].values())


def test_the_classifier_bench_reports_a_rate() -> None:
    if not DEV_SET.exists():
        pytest.skip(f"{DEV_SET} is absent")
    result = run_classifier(min_seconds=0.05, size=200)
    assert result["rate_best"] > 0
    assert result["flagged_share"] > 0


def test_the_classifier_bench_skips_without_its_data(tmp_path: Path) -> None:
    result = run_classifier(path=tmp_path / "missing.tsv")
    assert "absent" in result["skipped"]


async def test_the_outbox_bench_delivers_each_row_once(tmp_path: Path) -> None:
    result = await run_outbox(OutboxSizes(rows=50, recipients=25), tmp_path)

    assert result["finished"]
    assert result["lost"] == 0
    assert result["duplicated"] == 0
    assert result["unexpected"] == 0
    assert result["db_statuses"] == {"sent": 50}
    assert result["bound_seconds"] == 1.0  # two messages per channel at 1 msg/s


def test_the_row_bench_reads_every_model() -> None:
    timings = measure(number=3, repeat=1)
    assert set(timings) == {model.__name__ for model in ROWS} | {"Request + total"}
    assert all(micros > 0 for micros in timings.values())


async def test_storage_bench_seeds_and_explains_the_claim(tmp_path: Path) -> None:
    scale = Scale(people=200, requests=200, notes=1_000, outbox=2_000, samples=5)
    result = await run_storage(scale, tmp_path)

    claim = result["queries"][0]
    assert claim["samples"] == 1  # 200 rows due now: one full batch of 100, then half
    assert any("outbox" in line for line in claim["plan"])
    assert all(query["p95_ms"] > 0 for query in result["queries"])


async def test_the_report_names_the_command_and_the_machine(tmp_path: Path) -> None:
    storage = await run_storage(
        Scale(people=100, requests=100, notes=100, outbox=2_000, samples=3), tmp_path
    )
    results = {
        "storage": storage,
        "classifier": run_classifier(path=tmp_path / "missing.tsv"),
        "ask": {"count": 5, "cpu_us": dict.fromkeys(ASK_PART_KEYS, 100.0)},
        "run": {"kind": "quick", "seconds": 1.0, "placement": "not pinned"},
    }
    out = tmp_path / "benchmarks.md"
    write_report(results, out, "make bench BENCH_QUICK=1")

    text = out.read_text()
    assert "`make bench BENCH_QUICK=1`" in text
    assert "## Targets" in text
    assert "EXPLAIN QUERY PLAN" in text
    assert "cores" in text
    assert "| **sum** | **400** |" in text  # the four parts of an ask, not the comparison


async def test_the_postgresql_figures_run_and_are_reported(pg_url: str, tmp_path: Path) -> None:
    """Step 6's parts on one database: statements, the outbox with two replicas, storage."""
    statements = await run_statements(10, pg_url)
    outbox = await run_outbox(
        OutboxSizes(rows=50, recipients=25), tmp_path / "outbox", db=pg_url, replicas=2
    )
    storage = await run_storage(
        Scale(people=100, requests=100, notes=100, outbox=2_000, samples=3),
        tmp_path / "storage",
        db=pg_url,
    )

    assert set(statements) == {"claim_prompt", "mark_event_processed", "get_person"}
    assert all(figures["wall_us"] > 0 for figures in statements.values())
    assert (outbox["finished"], outbox["lost"], outbox["duplicated"]) == (True, 0, 0)
    assert outbox["db_statuses"] == {"sent": 50}
    assert storage["queries"][0]["samples"] == 1
    assert all(query["plan"] == [] for query in storage["queries"])  # plans: SQLite only

    results = {
        "postgres": {
            "server_version": "16.4",
            "statements": {"count": 10, "sqlite": statements, "postgresql": statements},
            "outbox": outbox,
            "storage": storage,
        },
        "run": {"kind": "quick", "seconds": 1.0, "placement": "not pinned"},
    }
    out = tmp_path / "benchmarks.md"
    write_report(results, out, "make bench BENCH_QUICK=1")
    text = out.read_text()
    assert "## 6. PostgreSQL beside SQLite" in text
    assert "| PostgreSQL, 2 replicas |" in text


async def test_the_playground_bench_starts_it_and_reports_the_page(tmp_path: Path) -> None:
    """Step 7 at a tiny size: the command starts, the messages land, the report has them."""
    result = await run_playground(messages=20, rounds=1, workdir=tmp_path / "playground")

    assert len(result["start_s"]) == 1
    assert result["start_s"][0] > 0
    if not DEV_SET.exists():
        assert "skipped" in result["page"]
        return
    assert result["state_messages"] >= 20  # each sent message, and the prompts asks got
    page = result["page"]
    if "skipped" not in page:
        assert len(page["send_ms"]) == len(page["clock_ms"]) == 1
    out = tmp_path / "benchmarks.md"
    write_report(
        {"playground": result, "run": {"kind": "quick", "seconds": 1.0, "placement": "-"}},
        out,
        "make bench BENCH_QUICK=1",
    )
    text = out.read_text()
    assert "| playground start-up | < 3 s |" in text
    assert "## 7. The playground" in text


async def test_the_storage_bench_times_the_weekly_digest(tmp_path: Path) -> None:
    scale = Scale(people=200, requests=200, notes=1_000, outbox=2_000, samples=5)
    result = await run_storage(scale, tmp_path)

    [digest] = [q for q in result["queries"] if q["name"].startswith("weekly digest")]
    assert digest["samples"] == 5
    assert digest["target_p95_ms"] == 2000.0
    assert digest["p95_ms"] > 0
    plans = "\n".join(digest["plan"])
    assert "feedback_by_rated" in plans  # the ratings, by when they were given
    assert "relationships_one_active" in plans  # mentors at capacity: their 1:1s
