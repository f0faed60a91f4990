"""`python -m bench.run` (what `make bench` runs): every benchmark, then docs/benchmarks.md.

Sizes: the full run by default; `--quick` (or BENCH_QUICK=1) for about a minute. Any size can
be set on its own with an environment variable:
  BENCH_DURATION (s per load phase), BENCH_ROUNDS, BENCH_KINDS (of the load: help,message,ask),
  BENCH_CONCURRENCIES (16,64), BENCH_OPEN_RATE (req/s; 0 skips open loop), BENCH_ASK_CALLS,
  BENCH_OUTBOX_ROWS, BENCH_OUTBOX_RECIPIENTS, BENCH_OUTBOX_RATE (workspace msg/s),
  BENCH_STORAGE_DIVISOR (1 = full scale).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.apps import LoadSizes, run_load
from bench.ask_parts import run_ask_parts
from bench.classifier import run_classifier
from bench.load import KINDS
from bench.outbox_scale import OutboxSizes, run_outbox
from bench.playground import run_playground
from bench.postgres import run_postgres
from bench.procs import LOAD_CORE, ROOT, SERVER_CORE, can_pin
from bench.report import write_report
from bench.storage_scale import Scale, run_storage

STEPS = ("load", "ask", "classifier", "outbox", "storage", "postgres", "playground")
FINDINGS = Path(__file__).with_name("findings.md")


def _env(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _names(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = os.environ.get(name)
    return tuple(part.strip() for part in value.split(",") if part.strip()) if value else default


def plan(quick: bool) -> dict[str, Any]:
    """The sizes of every step, full or quick, with BENCH_* overrides applied."""
    load = LoadSizes(
        duration=_env("BENCH_DURATION", 0.5 if quick else 5.0),
        rounds=int(_env("BENCH_ROUNDS", 5)),
        warmup=0.3 if quick else 1.0,
        kinds=_names("BENCH_KINDS", KINDS),
        concurrencies=tuple(int(c) for c in _names("BENCH_CONCURRENCIES", ("16", "64"))),
        open_rate=_env("BENCH_OPEN_RATE", 200.0),
    )
    rows = int(_env("BENCH_OUTBOX_ROWS", 1_000 if quick else 10_000))
    outbox = OutboxSizes(
        rows=rows,
        recipients=int(_env("BENCH_OUTBOX_RECIPIENTS", 500 if quick else 2_000)),
        workspace_per_second=_env("BENCH_OUTBOX_RATE", 200.0),
    )
    strict_rows = 200 if quick else 500
    strict = OutboxSizes(
        rows=strict_rows,
        recipients=strict_rows // 2,
        workspace_per_second=outbox.workspace_per_second,
        fake_workspace_burst=outbox.workspace_burst,
    )
    divisor = int(_env("BENCH_STORAGE_DIVISOR", 10 if quick else 1))
    scale = Scale() if divisor <= 1 else Scale().divided(divisor)
    return {
        "load": load,
        "ask": int(_env("BENCH_ASK_CALLS", 200 if quick else 2_000)),
        "classifier": 1.0 if quick else 3.0,
        "outbox": outbox,
        "outbox_strict": strict,
        "storage": scale,
        "playground": (300, 3) if quick else (1_000, 5),
    }


async def run(steps: list[str], quick: bool, workdir: Path) -> dict[str, Any]:
    """Run the chosen steps in order; each step's result goes under its name."""
    sizes = plan(quick)
    results: dict[str, Any] = {}
    for step in steps:
        began = time.perf_counter()
        print(f"bench: {step} ...", file=sys.stderr, flush=True)
        if step == "load":
            results["load"] = await run_load(sizes["load"], workdir / "load")
        elif step == "ask":
            results["ask"] = await run_ask_parts(sizes["ask"], workdir / "ask")
        elif step == "classifier":
            results["classifier"] = run_classifier(sizes["classifier"])
        elif step == "outbox":
            results["outbox"] = await run_outbox(sizes["outbox"], workdir / "outbox")
            results["outbox_strict"] = await run_outbox(
                sizes["outbox_strict"], workdir / "outbox-strict"
            )
        elif step == "storage":
            results["storage"] = await run_storage(sizes["storage"], workdir / "storage")
        elif step == "postgres":
            results["postgres"] = await run_postgres(sizes, workdir / "postgres")
        elif step == "playground":
            messages, rounds = sizes["playground"]
            results["playground"] = await run_playground(messages, rounds, workdir / "playground")
        print(f"bench: {step} took {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run mentorbot's benchmarks.")
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1"
    )
    parser.add_argument(
        "--only", default=",".join(STEPS), help=f"comma-separated: {','.join(STEPS)}"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--from-json", type=Path, help="only re-render the report from results")
    args = parser.parse_args(argv)
    # The strict outbox run trips 429s on purpose: keep their warnings out of the output.
    logging.basicConfig(level=logging.ERROR)
    steps = [step.strip() for step in args.only.split(",") if step.strip()]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
        _report(results, args.out, results["run"]["kind"] == "quick")
        return 0
    began = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as tmp:
        results = asyncio.run(run(steps, args.quick, Path(tmp)))
    load_after = os.getloadavg()
    placement = (
        f"servers (bot, floor) pinned to core {SERVER_CORE}; load generator and fake Web API "
        f"to core {LOAD_CORE}"
        if can_pin()
        else "not pinned (fewer than two usable cores)"
    )
    cores = results.get("load", {}).get("cores")
    if cores:  # what the load step's processes really ran on, read from them
        placement += " (read back: " + ", ".join(f"{k} {v}" for k, v in cores.items()) + ")"
    results["run"] = {
        "kind": "quick" if args.quick else "full",
        "seconds": time.perf_counter() - began,
        "placement": placement,
        "note": os.environ.get("BENCH_NOTE", ""),
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "load_average": (
            f"load average (1, 5, 15 min) {_loads(load_before)} before the run, "
            f"{_loads(load_after)} after it"
        ),
    }
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    _report(results, args.out, args.quick)
    return 0


def _loads(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in values)


def _report(results: dict[str, Any], out: Path, quick: bool) -> None:
    if FINDINGS.exists():
        results["findings"] = FINDINGS.read_text(encoding="utf-8").strip().splitlines()
    write_report(results, out, "make bench BENCH_QUICK=1" if quick else "make bench")
    print(f"bench: wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
