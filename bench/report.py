"""Write docs/benchmarks.md from the results of bench/run.py (it reports, it never asserts)."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

KIND_TITLES = {
    "help": "(a) `/mentor help`",
    "message": "(b) channel messages that are not asks (the hot path)",
    "ask": "(c) messages that are asks, from distinct people",
}

# Throughput against the floor (issue 25: the floor makes the bot's Web API call on an ask).
TARGETS = (("message", 0.95), ("help", 0.7), ("ask", 0.8))
RSS_MB = 60


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, Python and library versions of this machine."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    ram = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "os": platform.platform(),
        "libraries": f"slack-bolt {version('slack-bolt')}, slack-sdk {version('slack-sdk')}, "
        f"aiohttp {version('aiohttp')}, SQLite {sqlite3.sqlite_version}",
    }


def _ok(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "**missed**")


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _targets(results: dict[str, Any]) -> list[str]:
    rows = ["| figure | target | measured | |", "|---|---|---|---|"]
    load = results.get("load")
    if load:
        medians = load["medians"]
        closed = [m for m in load["sizes"]["modes"] if m.startswith("c")]
        open_mode = next((m for m in load["sizes"]["modes"] if m.startswith("open")), None)
        for kind, floor in TARGETS:
            if kind not in medians:
                continue
            ratios = [medians[kind][m]["rps_ratio"] for m in closed]
            shown = ", ".join(f"{m}: {r:.2f}" for m, r in zip(closed, ratios, strict=True))
            label = KIND_TITLES[kind].split(" ", 1)[0] + " throughput"
            rows.append(
                f"| {label} | >= {floor} x floor | {shown} x floor | {_ok(min(ratios) >= floor)} |"
            )
        for kind in KIND_TITLES if open_mode else ():
            if kind not in medians:
                continue
            entry = medians[kind][open_mode]
            bot, floor = entry["bot"]["p99"], entry["floor"]["p99"]
            limit = 2 * floor + 10
            rows.append(
                f"| {KIND_TITLES[kind].split(' ', 1)[0]} p99 at {open_mode[4:]} req/s open-loop "
                f"| <= 2 x floor + 10 ms = {_f(limit)} ms | {_f(bot)} ms (floor {_f(floor)} ms) "
                f"| {_ok(bot <= limit)} |"
            )
    classifier = results.get("classifier")
    if classifier and "skipped" not in classifier:
        rate = classifier["rate_best"]
        rows.append(
            f"| classifier | >= 100,000 msgs/s | {_f(rate, 0)} msgs/s | {_ok(rate >= 100_000)} |"
        )
    elif classifier:
        rows.append(f"| classifier | >= 100,000 msgs/s | skipped: {classifier['skipped']} | n/a |")
    outbox = results.get("outbox")
    if outbox:
        met = outbox["ratio_to_bound"] <= 1.05 and not outbox["lost"] and not outbox["duplicated"]
        rows.append(
            f"| outbox | <= 1.05 x rate-limit bound, 0 lost, 0 duplicated | "
            f"{outbox['ratio_to_bound']:.3f} x bound, {outbox['lost']} lost, "
            f"{outbox['duplicated']} duplicated | {_ok(met)} |"
        )
    storage = results.get("storage") or {}
    for query in storage.get("queries", []):
        target = query.get("target_p95_ms")
        if target is not None:
            rows.append(
                f"| {query['name']} at scale | <= {target:g} ms p95 | "
                f"{query['p95_ms']:.2f} ms p95 | {_ok(query['p95_ms'] <= target)} |"
            )
    playground = results.get("playground")
    if playground:
        start, limit = playground["start_median_s"], playground["start_limit_s"]
        rows.append(
            f"| playground start-up | < {limit:g} s | {start:.2f} s median | {_ok(start < limit)} |"
        )
    if load:
        peak = load["memory"]["bot"]["peak_rss_kb"] / 1024
        rows.append(
            f"| RSS under load | <= {RSS_MB} MB | {_f(peak)} MB (peak, VmHWM) "
            f"| {_ok(peak <= RSS_MB)} |"
        )
    return rows


def _load_section(load: dict[str, Any]) -> list[str]:
    sizes = load["sizes"]
    lines = [
        "## 1. Load on the running bot, against the floor",
        "",
        f"Each scenario ran {sizes['duration_s']:g} s on the bot (A), then on the floor (B), "
        f"A B A B over {sizes['rounds']} rounds; the figures are the medians over the rounds. "
        "Latency is measured from the moment a request was (or, open-loop, was planned to be) "
        "sent until the whole answer was read. An error is a non-2xx answer or no answer "
        "within 3 s (Slack's timeout). CPU is the server's user + system time per answered "
        "request (from /proc, 10 ms ticks, so rough at 200 req/s).",
        "",
    ]
    for kind, title in KIND_TITLES.items():
        if kind not in load["medians"]:
            continue
        lines += [
            f"### {title}",
            "",
            "| mode | app | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | CPU ms/req "
            "| bot/floor |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for mode in sizes["modes"]:
            entry = load["medians"][kind][mode]
            for app in ("bot", "floor"):
                m = entry[app]
                ratio = (
                    f"req/s {entry['rps_ratio']:.2f}, p99 {entry['p99_ratio']:.2f}"
                    if app == "bot"
                    else ""
                )
                lines.append(
                    f"| {mode} | {app} | {_f(m['rps'], 0)} | {_f(m['p50'], 2)} | {_f(m['p95'], 2)} "
                    f"| {_f(m['p99'], 2)} | {_f(m['max'], 2)} | {m['errors']:.0f} "
                    f"| {m['cpu_ms_per_request']:.2f} | {ratio} |"
                )
        lines.append("")
    prompts = load["prompts"]
    lines += [
        f"Every answered ask on the bot posted its private prompt: {prompts['prompts_posted']:,} "
        f"`chat.postEphemeral` calls for {prompts['asks_answered']:,} answered asks; the floor "
        f"made {prompts.get('floor_prompts', 0):,} for {prompts.get('floor_asks', 0):,}.",
        "",
    ]
    return lines


ASK_PARTS = {
    "classify": "classify the text (`bot.detection.classify`)",
    "claim": "claim the prompt in SQLite (`Store.claim_prompt`, one statement)",
    "prompt_blocks": "build the prompt's blocks",
    "post_fast": "`chat.postEphemeral` as the bot posts it (`post_once_fast`, one aiohttp POST)",
}


def _ask_section(parts: dict[str, Any], load: dict[str, Any] | None) -> list[str]:
    cpu = parts["cpu_us"]
    lines = [
        "## 1b. What one ask costs, part by part",
        "",
        f"Each part of an ask run alone, {parts['count']:,} times, one at a time, in a process "
        "pinned to the server core (SQLite file and fake Web API as above); CPU µs per call, "
        "all threads.",
        "",
        "| part | CPU µs |",
        "|---|---|",
        *(f"| {title} | {cpu[key]:.0f} |" for key, title in ASK_PARTS.items()),
        f"| **sum** | **{sum(cpu[key] for key in ASK_PARTS):.0f}** |",
        "| for comparison: the same call through slack_sdk's AsyncWebClient | "
        f"{cpu['post_slack_sdk']:.0f} |",
        f"| for comparison: the same POST with bare aiohttp | {cpu['post_aiohttp']:.0f} |",
    ]
    if load and "c16" in load["medians"].get("ask", {}):
        floor = load["medians"]["ask"]["c16"]["floor"]["cpu_ms_per_request"] * 1000
        bot = load["medians"]["ask"]["c16"]["bot"]["cpu_ms_per_request"] * 1000
        lines += [
            f"| for comparison: the floor's whole request (c16, step 1) | {floor:.0f} |",
            f"| for comparison: the bot's whole ask (c16, step 1) | {bot:.0f} |",
        ]
    return [*lines, ""]


def _memory_section(load: dict[str, Any]) -> list[str]:
    lines = [
        "## 5. Memory",
        "",
        "| app | RSS idle (started, no load) | peak RSS over the whole load (VmHWM) "
        "| RSS after the load |",
        "|---|---|---|---|",
    ]
    for app in ("bot", "floor"):
        mem = load["memory"][app]
        lines.append(
            f"| {app} | {_f(mem['idle_rss_kb'] / 1024)} MB | {_f(mem['peak_rss_kb'] / 1024)} MB "
            f"| {_f(mem['final_rss_kb'] / 1024)} MB |"
        )
    return [*lines, ""]


def _classifier_section(result: dict[str, Any]) -> list[str]:
    lines = ["## 2. The classifier alone", ""]
    if "skipped" in result:
        return [*lines, f"Skipped: {result['skipped']}.", ""]
    return [
        *lines,
        f"`bot.detection.classify` over {result['messages']:,} messages drawn from "
        f"`{Path(result['source']).name}` ({result['ask_share']:.0%} asks, "
        f"{result['avg_chars']:.0f} characters on average), CPU time of one thread: "
        f"**{_f(result['rate_best'], 0)} msgs/s** (best of 3 passes; median "
        f"{_f(result['rate_median'], 0)}), i.e. {1e6 / result['rate_best']:.1f} µs a message. "
        f"It flagged {result['flagged_share']:.1%} of them as asks.",
        "",
    ]


def _outbox_section(result: dict[str, Any], strict: dict[str, Any] | None) -> list[str]:
    bounds = result["bounds"]
    lines = [
        "## 3. Outbox at scale",
        "",
        f"{result['rows']:,} check-in-like rows (a bench-only kind, not held for quiet hours), "
        f"due now, for {result['recipients']:,} recipients (round-robin, "
        f"{result['rows'] // result['recipients']} each), sent as DMs by bot/outbox.py's "
        "Dispatcher in the bench process against the fake Web API in its own process. The fake "
        "answers `chat.postMessage` with 429 and `Retry-After` past "
        f"{result['channel_per_second']:g} "
        "msg/s per channel (bucket of 1) and past the workspace rate below.",
        "",
        f"- Workspace rate: the Dispatcher got `Pacing(workspace_per_second="
        f"{result['workspace_per_second']:g}, workspace_burst={result['workspace_burst']:g})` "
        f"instead of the default 20/s, which would make this run last "
        f"{result['rows'] / 20:,.0f} s; the fake enforces the same "
        f"{result['workspace_per_second']:g} msg/s "
        f"with a bucket of {result['fake_workspace_burst']:g}. bot/outbox.py's defaults are "
        "unchanged.",
        "- Lower bound: the larger of the per-channel bound, (messages per recipient - 1) / "
        f"1 msg/s = {bounds['channel']:.2f} s, and the workspace bound, (messages - burst) / "
        f"rate = ({result['rows']:,} - {result['workspace_burst']:g}) / "
        f"{result['workspace_per_second']:g} = {bounds['workspace']:.2f} s. "
        "`conversations.open` (once per recipient) is not rate-limited by the fake.",
        "",
        *OUTBOX_HEAD,
        _outbox_row(result),
        "",
        "Lost and duplicated are counted on the fake (each text carries its row id); the "
        f"database agrees: {result['db_statuses']}. CPU per message is `time.process_time()` of "
        "the bench process (the Dispatcher, aiosqlite's thread and the HTTP client) over the "
        "dispatch, divided by the messages sent.",
        "",
    ]
    if strict:
        lines += [
            "**The same with no slack between the two buckets.** Here the fake's workspace bucket "
            f"is exactly as deep as the Dispatcher's ({strict['workspace_burst']:g}), "
            f"{strict['rows']:,} rows for {strict['recipients']:,} recipients:",
            "",
            *OUTBOX_HEAD,
            _outbox_row(strict),
            "",
            "The Dispatcher spends its token when it decides to send, and the request reaches "
            "Slack a little later (after `conversations.open` for a first DM), so arrivals "
            "bunch; once the first burst is spent a bucket of equal depth has no room for that, "
            "and every 429 pauses `chat.postMessage` for the whole workspace for the Retry-After "
            "(at least 1 s) and defers every claimed row. Pacing a little under Slack's real "
            "limit (or a shallower Dispatcher burst than Slack's) avoids it.",
            "",
        ]
    return lines


OUTBOX_HEAD = (
    "| wall time | bound | ratio | sent | lost | duplicated | 429s | deferrals "
    "| CPU ms/message | enqueue |",
    "|---|---|---|---|---|---|---|---|---|---|",
)


def _outbox_row(result: dict[str, Any]) -> str:
    return (
        f"| {result['wall_seconds']:.2f} s | {result['bound_seconds']:.2f} s "
        f"| {result['ratio_to_bound']:.3f} | {result['report'].get('sent', 0):,} "
        f"| {result['lost']} | {result['duplicated']} | {result['ratelimited']} "
        f"| {result['report'].get('deferred', 0):,} | {result['cpu_ms_per_message']:.2f} "
        f"| {result['enqueue_seconds']:.2f} s |"
    )


def _storage_section(result: dict[str, Any]) -> list[str]:
    scale, seed = result["scale"], result["seed"]
    lines = [
        "## 4. Storage at scale",
        "",
        f"A real SQLite file made by the migrations, then seeded in one transaction with "
        f"executemany (foreign keys on): {scale['people']:,} people, {scale['requests']:,} "
        f"requests, {scale['notes']:,} notes and {scale['outbox']:,} outbox rows (a tenth due "
        f"now, a tenth due later, the rest sent), then ANALYZE. Seeding took "
        f"{seed['seed_seconds']:.1f} s; the file is {seed['file_mb']:.0f} MB. Each query runs "
        "through the Store (aiosqlite, WAL, synchronous=NORMAL) exactly as the bot runs it.",
        "",
        "| query | p50 ms | p95 ms | max ms | samples |",
        "|---|---|---|---|---|",
    ]
    for query in result["queries"]:
        lines.append(
            f"| {query['name']} | {query['p50_ms']:.2f} | {query['p95_ms']:.2f} "
            f"| {query['max_ms']:.2f} | {query['samples']} |"
        )
    lines.append("")
    for query in result["queries"]:
        plan = "\n".join(query["plan"]) or "(no plan: a single-row insert)"
        lines += [
            f"`EXPLAIN QUERY PLAN` for *{query['name']}*:",
            "",
            "```sql",
            query["sql"],
            "```",
            "",
            "```",
            plan,
            "```",
            "",
        ]
    return lines


STATEMENTS = {
    "claim_prompt": "claim the prompt (`Store.claim_prompt`)",
    "mark_event_processed": "record an event id (`Store.mark_event_processed`)",
    "get_person": "read a person (`Store.get_person`)",
}


def _ratio(new: float, old: float) -> str:
    return f"{new / old:.2f}" if old else "-"


def _postgres_section(pg: dict[str, Any], results: dict[str, Any]) -> list[str]:
    lines = ["## 6. PostgreSQL beside SQLite", ""]
    if pg.get("skipped"):
        return [*lines, f"Skipped: {pg['skipped']}", ""]
    lines += [
        f"PostgreSQL {pg['server_version']}, started as tests/postgres.py starts it (initdb in "
        "a temporary folder, fsync off, on 127.0.0.1) and pinned with the bot to the server "
        "core, so its work counts against the bot as SQLite's does inside the bot's process. "
        "Each part below ran on a fresh database, in the same run as the SQLite figures above.",
        "",
    ]
    statements = pg.get("statements")
    if statements:
        lines += [
            f"**Single statements** ({statements['count']:,} calls each, one at a time, through "
            "the Store; CPU of the calling process, all threads, and wall time per call):",
            "",
            "| statement | SQLite CPU µs | SQLite wall µs | PostgreSQL CPU µs "
            "| PostgreSQL wall µs | wall, PostgreSQL / SQLite |",
            "|---|---|---|---|---|---|",
        ]
        for key, title in STATEMENTS.items():
            lite, post = statements["sqlite"][key], statements["postgresql"][key]
            lines.append(
                f"| {title} | {lite['cpu_us']:.0f} | {lite['wall_us']:.0f} "
                f"| {post['cpu_us']:.0f} | {post['wall_us']:.0f} "
                f"| {_ratio(post['wall_us'], lite['wall_us'])} |"
            )
        lines.append("")
    load, lite_load = pg.get("load"), results.get("load")
    if load:
        lines += [
            "**Load** (step 1's scenarios and rounds, `mentorbot run` on PostgreSQL against "
            "the same floor; medians over the rounds):",
            "",
            "| scenario | mode | SQLite: bot req/s, x floor | PostgreSQL: bot req/s, x floor "
            "| PostgreSQL p99 ms | PostgreSQL CPU ms/req |",
            "|---|---|---|---|---|---|",
        ]
        for kind, title in KIND_TITLES.items():
            for mode in load["sizes"]["modes"]:
                entry = load["medians"][kind][mode]
                lite = (
                    f"{lite_load['medians'][kind][mode]['bot']['rps']:,.0f}, "
                    f"{lite_load['medians'][kind][mode]['rps_ratio']:.2f}"
                    if lite_load
                    else "-"
                )
                lines.append(
                    f"| {title.split(' ', 1)[0]} | {mode} | {lite} "
                    f"| {entry['bot']['rps']:,.0f}, {entry['rps_ratio']:.2f} "
                    f"| {entry['bot']['p99']:.2f} | {entry['bot']['cpu_ms_per_request']:.2f} |"
                )
        memory = load["memory"]["bot"]
        lite_idle = (
            f" (SQLite: {lite_load['memory']['bot']['idle_rss_kb'] / 1024:.1f} MB)"
            if lite_load
            else ""
        )
        lines += [
            "",
            f"Bot RSS on PostgreSQL: {memory['idle_rss_kb'] / 1024:.1f} MB idle{lite_idle}, "
            f"{memory['peak_rss_kb'] / 1024:.1f} MB peak; psycopg, libpq and SQLAlchemy are "
            "loaded only for PostgreSQL.",
            "",
        ]
    outbox = pg.get("outbox")
    if outbox:
        lite_outbox = results.get("outbox")
        lines += [
            f"**Outbox with {outbox['replicas']} replicas on one database**: step 3's "
            f"{outbox['rows']:,} rows, pacing and fake, with {outbox['replicas']} Dispatchers "
            "in the bench process, each on its own Store (its own pool and leader connection), "
            "ticking side by side; the one holding the leader's lock sends, the other asks "
            "again every second. The leader waits one channel interval (1 s) after taking the "
            "lead before its first post (bot/outbox.py), which is in the wall time.",
            "",
            "| engine | " + OUTBOX_HEAD[0].removeprefix("| "),
            "|---" + OUTBOX_HEAD[1],
        ]
        if lite_outbox:
            lines.append("| SQLite, 1 process " + _outbox_row(lite_outbox))
        lines += [
            f"| PostgreSQL, {outbox['replicas']} replicas " + _outbox_row(outbox),
            "",
            f"The database agrees: {outbox['db_statuses']}.",
            "",
        ]
    storage = pg.get("storage")
    if storage:
        lite_queries = {q["name"]: q for q in (results.get("storage") or {}).get("queries", [])}
        seed = storage["seed"]
        lines += [
            f"**Storage at scale**: step 4's rows, copied in with COPY in one transaction, then "
            f"ANALYZE ({seed['seed_seconds']:.1f} s, {seed['file_mb']:.0f} MB); each query "
            "through the Store, as the bot runs it:",
            "",
            "| query | SQLite p50 / p95 ms | PostgreSQL p50 / p95 ms | p50, PostgreSQL / SQLite |",
            "|---|---|---|---|",
        ]
        for query in storage["queries"]:
            lite = lite_queries.get(query["name"])
            lite_cell = f"{lite['p50_ms']:.2f} / {lite['p95_ms']:.2f}" if lite else "-"
            ratio = _ratio(query["p50_ms"], lite["p50_ms"]) if lite else "-"
            lines.append(
                f"| {query['name']} | {lite_cell} | {query['p50_ms']:.2f} / "
                f"{query['p95_ms']:.2f} | {ratio} |"
            )
        lines.append("")
    return lines


def _playground_section(result: dict[str, Any]) -> list[str]:
    starts = ", ".join(f"{value:.2f}" for value in result["start_s"])
    lines = [
        "## 7. The playground",
        "",
        f"`mentorbot playground` from spawning the process to its first page state (the bot "
        f"started, the workspace seeded): **{result['start_median_s']:.2f} s** median of "
        f"{len(result['start_s'])} starts ({starts} s); the target is under "
        f"{result['start_limit_s']:.0f} s.",
        "",
    ]
    page = result.get("page") or {}
    if "skipped" in page:
        return [*lines, f"The page: skipped: {page['skipped']}.", ""]
    empty = result["page_empty"]
    lines += [
        f"Then {result['messages']:,} messages were sent into #general from the composer's "
        f"API by the five people in turn ({result['fill_ms_per_message']:.1f} ms each, the "
        f"ask detection and the bot's prompts included). Alice's page state for #general "
        f"({result['state_messages']:,} items, {result['state_bytes'] / 1024:.0f} KB of JSON "
        f"with the HTML rendered) took **{result['state_median_ms']:.1f} ms** median to "
        "serve. In headless Chromium, milliseconds, medians:",
        "",
        "| step | empty #general | with the messages |",
        "|---|---|---|",
        f"| open the page until every message is drawn | {empty['first_draw_ms']:.0f} "
        f"| {page['first_draw_ms']:.0f} |",
        f"| send a message until it shows | {statistics.median(empty['send_ms']):.0f} "
        f"| {statistics.median(page['send_ms']):.0f} |",
        f"| **+1 hour** until the clock shows it | {statistics.median(empty['clock_ms']):.0f} "
        f"| {statistics.median(page['clock_ms']):.0f} |",
        "",
    ]
    return lines


def write_report(results: dict[str, Any], path: Path, command: str) -> None:
    """Render every section we have results for into `path`."""
    info = machine()
    run = results["run"]
    note = f"; {run['note']}" if run.get("note") else ""
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by bench/report.py: run `make bench` to regenerate. -->",
        "",
        "How fast, how big and how lean mentorbot is, against a bare-Bolt floor measured in "
        "the same run on the same machine: the floor acks, and answers the bench's ask with "
        "the bot's one `chat.postEphemeral`. The benchmark reports; it does not assert.",
        "",
        "`make bench` runs everything (about 14 minutes here, 6 of them on PostgreSQL); "
        "`make bench BENCH_QUICK=1` runs "
        "small sizes in about two minutes. BENCH_DURATION, BENCH_ROUNDS, BENCH_KINDS, "
        "BENCH_CONCURRENCIES, BENCH_OPEN_RATE, BENCH_ASK_CALLS, BENCH_OUTBOX_ROWS, "
        "BENCH_OUTBOX_RECIPIENTS, BENCH_OUTBOX_RATE and BENCH_STORAGE_DIVISOR set one size each "
        "(bench/run.py). The last section is hand-written in bench/findings.md.",
        "",
        f"- **Command:** `{command}` ({run['kind']} run{note})",
        f"- **Date:** {run.get('date') or f'{datetime.now(UTC):%Y-%m-%d %H:%M} UTC'}, "
        f"{run['seconds'] / 60:.1f} minutes",
        f"- **Machine:** {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; "
        f"Python {info['python']} on {info['os']}; {info['libraries']}",
        f"- **Placement:** {run['placement']}",
        *([f"- **Machine load:** {run['load_average']}"] if run.get("load_average") else []),
        "",
        "## Targets",
        "",
        *_targets(results),
        "",
    ]
    if results.get("load"):
        lines += _load_section(results["load"])
    if results.get("ask"):
        lines += _ask_section(results["ask"], results.get("load"))
    if results.get("classifier"):
        lines += _classifier_section(results["classifier"])
    if results.get("outbox"):
        lines += _outbox_section(results["outbox"], results.get("outbox_strict"))
    if results.get("storage"):
        lines += _storage_section(results["storage"])
    if results.get("load"):
        lines += _memory_section(results["load"])
    if results.get("postgres"):
        lines += _postgres_section(results["postgres"], results)
    if results.get("playground"):
        lines += _playground_section(results["playground"])
    if results.get("findings"):
        lines += ["## What the numbers say", "", *results["findings"], ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
