"""The ask detector: measured precision/recall on the corpus, and the rules users rely on."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import time
from collections import Counter
from functools import partial

import pytest

from bot import detection, detection_text
from bot.detection import DEFAULT_THRESHOLD, Detection, classify
from bot.detection_gate import Shape, words_in
from bot.detection_model import features, tokens
from bot.detection_train import (
    CORPUS_BOT_ID,
    DEV_SET,
    WEIGHTS_PATH,
    Row,
    is_held_out,
    load_corpus,
    load_tsv,
)

BOT = "UBOT00001"
ALICE, BOB = "U0ALICE01", "U0BOB0002"
# Measured when the shipped weights were trained (bot/data/detection_weights.json, "report");
# the assertions sit a little below, so a retrain that loses ground fails.
HELD_OUT_FLOOR = {"precision": 0.94, "recall": 0.94}
DEV_FLOOR = 0.95


@pytest.fixture(scope="module")
def corpus() -> list[Row]:
    return load_corpus()


def figures(rows: list[Row]) -> tuple[float, float, list[str]]:
    """Precision, recall and the misclassified texts, to print when tuning."""
    tp = fp = fn = 0
    misses = []
    for row in rows:
        predicted = classify(row.text, bot_user_id=CORPUS_BOT_ID).is_ask
        tp += predicted and row.is_ask
        fp += predicted and not row.is_ask
        fn += row.is_ask and not predicted
        if predicted != row.is_ask:
            misses.append(f"{'FN' if row.is_ask else 'FP'} [{row.kind}]: {row.text!r}")
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), misses


# --- measured quality ------------------------------------------------------------------------


def test_held_out_precision_and_recall(corpus: list[Row]) -> None:
    """The held-out fifth was never used to choose a feature, a setting or the threshold (session
    21's fourth round of data was written after it was read: docs/detection.md)."""
    held_out = [row for row in corpus if is_held_out(row)]
    precision, recall, misses = figures(held_out)
    print(f"held out: n={len(held_out)} precision={precision:.3f} recall={recall:.3f}")
    print(*misses, sep="\n  ")
    report = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))["report"]
    print(f"cross-validated when trained: {report['cross_validation']}")
    assert (round(precision, 6), round(recall, 6)) == (
        round(report["held_out"]["precision"], 6),
        round(report["held_out"]["recall"], 6),
    ), "the shipped model is not the one the report measured"
    assert precision >= HELD_OUT_FLOOR["precision"]
    assert recall >= HELD_OUT_FLOOR["recall"]


def test_held_out_figures_by_kind(corpus: list[Row]) -> None:
    """Printed for reading: where the detector is weak. Every kind must be held out somewhere."""
    held_out = [row for row in corpus if is_held_out(row)]
    kinds = Counter(row.kind for row in held_out)
    for kind in sorted(kinds):
        rows = [row for row in held_out if row.kind == kind]
        right = sum(
            classify(row.text, bot_user_id=CORPUS_BOT_ID).is_ask == row.is_ask for row in rows
        )
        print(f"  {kind:20} {right}/{len(rows)} right")
    assert len(kinds) >= 30


def test_dev_set_precision_and_recall() -> None:
    if not DEV_SET.exists():
        pytest.skip(f"dev set not found at {DEV_SET} (the repo normally sits beside shared/)")
    rows = load_tsv(DEV_SET)
    precision, recall, misses = figures(rows)
    print(f"dev (trained on): precision={precision:.3f} recall={recall:.3f}", *misses)
    assert precision >= DEV_FLOOR
    assert recall >= DEV_FLOOR


# The kinds of message the detector must hold on (terse, polite, offering something back,
# to the channel, about a document, coaching, shorthand; and quoted, offers, tasks), each with
# cases of its own in the corpus.
CORPUS_KINDS = {
    "terse_time", "shorthand", "emoji", "dm", "thread_reply", "polite_wrapped", "regional",
    "offer_back", "task_request", "formal_email_style", "channel_experience", "mentor_seeking",
    "open_channel", "offer_help", "announcement", "community", "doc_feedback", "coaching",
    "advice_specific", "work_time", "link", "quoted_reported", "third_party", "negation",
    "code_quote", "long_message", "bot_dm", "ops_incident", "hidden_ask", "lookalike",
    "mixed_intent", "work_time_noartifact", "third_party_direct", "incident_chat", "polite_task",
    "answer_ack", "wordless_ask", "wordless_trap", "story_then_ask", "nonnative",
    "work_time_task", "own_growth_time", "advice_on_self", "self_with_context",
    "incident_then_self", "offers_and_answers", "group_asks", "for_someone_else",
    "for_myself_with_others_named", "relays_and_scheduling", "group_for_someone", "group_for_me",
    "feedback_on_mine", "approve_or_do", "job_meeting", "growth_meeting",
}  # fmt: skip


def test_corpus_is_large_varied_and_clean(corpus: list[Row]) -> None:
    assert len(corpus) >= 1000
    asks = sum(row.is_ask for row in corpus)
    assert 0.3 <= asks / len(corpus) <= 0.55
    kinds = Counter((row.kind, row.is_ask) for row in corpus)
    for kind in CORPUS_KINDS:
        assert kinds[kind, True] + kinds[kind, False] >= 20, kind
    if DEV_SET.exists():
        dev = {row.text for row in load_tsv(DEV_SET)}
        assert not dev & {row.text for row in corpus}, "the dev set is kept apart"
    held = sum(is_held_out(row) for row in corpus)
    assert 0.15 <= held / len(corpus) <= 0.25


@pytest.mark.parametrize(
    ("text", "is_ask"),
    [
        # terse time asks
        ("<@U0ALICE01> 5 min later?", True),
        ("<@U0ALICE01> have a sec today?", True),
        ("<@U0ALICE01> free after lunch? 10 mins", True),
        # politeness, and something offered back
        ("<@U0ALICE01> Trust you are well! Might you spare some time this week?", True),
        ("<@U0ALICE01> once you're out of meetings, could I steal a moment?", True),
        ("lunch on me if you'll share how you got promoted", True),
        # to the channel, for someone's experience
        ("has anyone moved from support to engineering here? would love half an hour", True),
        # a document, slides or a résumé to look at
        (
            "<@U0ALICE01> could you look at my résumé and tell me what you think? "
            "<https://docs.google.com/document/d/1x|resume>",
            True,
        ),
        ("<@U0ALICE01> mind looking at my slides and telling me what's not landing?", True),
        # coaching and a sounding board
        ("<@U0ALICE01> could you help me prep for my first board demo?", True),
        ("<@U0ALICE01> fancy a whiteboard session on my idea?", True),
        ("<@U0ALICE01> would you run a practice interview with me?", True),
        # shorthand and typos
        pytest.param(
            "<@U0ALICE01> cn u spare 10 to tlk abt my goals",
            True,
            marks=pytest.mark.xfail(
                reason="0.47 after session 21's retrains: '@x can you …' with no '?' reads like "
                "a work request, in full spelling too (docs/detection.md, Known weaknesses)",
                strict=True,
            ),
        ),
        ("u free 2moro for a quick call? need ur advice on an offer", True),
        # the phrase quoted, reported or joked about
        ("my manager's 'got a minute?' gives me chills", False),
        ('she said "can we talk?" and I panicked lol', False),
        ("we had a great chat about my promo yesterday", False),
        # offers of help
        ("ping me any time if you want to talk", False),
        ("Happy to review résumés this week, just DM me", False),
        # a task, a number or an errand
        ("<@U0ALICE01> can you cover on-call tonight?", False),
        ("<@U0ALICE01> do you have a rough sizing for the migration?", False),
        ("<@U0ALICE01> got a sec to approve my PR?", False),
    ],
)
def test_the_kinds_of_ask_and_of_trap(text: str, is_ask: bool) -> None:
    assert classify(text).is_ask is is_ask


# --- the result object -----------------------------------------------------------------------


def test_detection_is_frozen_and_slotted() -> None:
    result = classify("<@U0ALICE01> got a minute?")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.is_ask = False  # type: ignore[misc]
    assert not hasattr(result, "__dict__")


def test_scores_stay_in_range_and_reasons_are_cue_names(corpus: list[Row]) -> None:
    for row in corpus:
        result = classify(row.text)
        assert 0.0 <= result.score <= 1.0, row.text
        assert result.is_ask == (result.score >= DEFAULT_THRESHOLD), row.text
        assert all(r and len(r) < 40 and " " not in r for r in result.reasons), result.reasons
        if not result.is_ask:
            assert result.target is None, row.text


def test_threshold_moves_the_verdict() -> None:
    text = "<@U0ALICE01> got a minute?"
    assert classify(text).is_ask
    assert classify(text, threshold=0.2).is_ask
    assert not classify(text, threshold=0.9999).is_ask


def test_reasons_never_echo_message_text() -> None:
    secret = "zebracornflakes"
    result = classify(f"<@U0ALICE01> can I pick your brain about {secret}?")
    assert result.is_ask
    assert all(secret not in reason for reason in result.reasons)


# --- target ----------------------------------------------------------------------------------


def test_target_is_the_first_mentioned_user() -> None:
    result = classify(f"<@{ALICE}> or <@{BOB}>, do you have a few minutes?")
    assert result == Detection(True, result.score, ALICE, result.reasons)


def test_target_reads_the_labelled_mention_form_and_w_ids() -> None:
    assert classify(f"<@{ALICE}|alice> can we talk?").target == ALICE
    assert classify("<@W012ABCDE|sam> could I pick your brain?").target == "W012ABCDE"


def test_target_skips_the_bot_itself() -> None:
    text = f"<@{BOT}> can you help? <@{BOB}> would you be willing to mentor me?"
    assert classify(text, bot_user_id=BOT).target == BOB
    only_bot = classify(f"<@{BOT}> would you be willing to mentor me?", bot_user_id=BOT)
    assert only_bot.is_ask
    assert only_bot.target is None


def test_looking_for_a_mentor_in_a_field_is_an_ask() -> None:
    assert classify(f"<@{BOT}> I'm looking for a mentor in data eng", bot_user_id=BOT).is_ask


def test_asking_the_bot_for_a_mentor_is_an_ask() -> None:
    for text in (
        f"<@{BOT}> find me a mentor for public speaking",
        f"<@{BOT}> I want a mentor who knows kubernetes",
        f"<@{BOT}> hi! I'm looking for a mentor in frontend dev",
    ):
        assert classify(text, bot_user_id=BOT).is_ask, text


def test_target_falls_back_to_the_thread_parent() -> None:
    result = classify("could we chat more about this sometime?", thread_parent_user=ALICE)
    assert result.is_ask
    assert result.target == ALICE
    mention_wins = classify(f"<@{BOB}> could we chat?", thread_parent_user=ALICE)
    assert mention_wins.target == BOB


def test_bot_as_thread_parent_is_not_a_target() -> None:
    result = classify("can we talk about my career?", thread_parent_user=BOT, bot_user_id=BOT)
    assert result.is_ask
    assert result.target is None


def test_open_ask_has_no_target() -> None:
    result = classify("Anyone have 15 min to help me think through a career move?")
    assert result.is_ask
    assert result.target is None


def test_mentions_inside_quotes_or_code_are_not_targets() -> None:
    text = f"&gt; <@{ALICE}> said hi\n`<@{BOB}>`\ncould we chat about my career sometime?"
    result = classify(text, thread_parent_user="U0PARENT1")
    assert result.is_ask
    assert result.target == "U0PARENT1"


# --- Slack markup ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "```do you have a minute```",
        "```\ndef ask():\n    return 'can we talk?'\n```",
        "here's the fixture: ```could you mentor me?``` it fails",
        "the greeting is `got a minute?` by default",
        "```\nunclosed paste\ncan I pick your brain?",
        "&gt; do you have a few minutes to chat?\nthis got flagged, false positive?",
        "&gt;&gt;&gt; Would you be willing to mentor me?\nforwarding from the survey",
    ],
)
def test_code_and_quoted_text_never_trigger(text: str) -> None:
    assert not classify(text).is_ask


def test_an_ask_after_a_quote_or_code_still_counts() -> None:
    assert classify("&gt; we should all think about growth\ncan we talk about mine?").is_ask
    assert classify("my plan is in `plan.md`, could I get your thoughts on it?").is_ask


@pytest.mark.parametrize(
    "text",
    [
        "<@U0ALICE01> saw your talk <https://example.com/talk|here>, could I pick your brain?",
        "<@U0ALICE01> <https://example.com/x> do you have a few minutes? :pray:",
        "<@U0ALICE01> sorry to bother!! do you have a minute??? :sweat_smile:",
        "<@U0ALICE01> Do you have a few minutes to chat &amp; give me some advice?",
        "<@U0ALICE01> _if you have time_ I\u2019d love your advice on moving teams",
        "<@U0ALICE01> *quick question* \u2013 do you have a couple of minutes to talk?",
        "<!here> does anyone have a few minutes to talk through a tricky situation?",
        "<!subteam^S012AB3CD|@leads> anyone free for a quick chat? need career advice",
        "Is anyone in <#C01ABCDEF|data-eng> willing to mentor me on dbt?",
        "r u free for a quick call? need ur advice",
        "pls lmk if u have a min to talk",
        "quick q, u got a sec?",
        "got a few mins to talk through an offer I received?",
    ],
)
def test_markup_and_casual_spelling_do_not_hide_an_ask(text: str) -> None:
    assert classify(text).is_ask


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t ", "<@U0ALICE01>", ":wave:", "<@U0A1BCDEF> :+1:"]
)
def test_empty_or_markup_only_is_not_an_ask(text: str) -> None:
    result = classify(text)
    assert not result.is_ask
    assert (result.target, result.reasons) == (None, ())


# --- where the line is -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Do you have the minutes from the meeting?",
        "the build takes a few minutes",
        "I have a few minutes if you need me",
        "give me a sec",
        "wait a minute",
        "meeting in 5 minutes",
        "<@U0ALICE01> can you review my PR?",
        "does anyone have the link?",
        "can someone restart the server",
        "Shipped the new onboarding flow :tada:",
        "<!channel> Reminder: performance reviews are due Friday",
        "what's the career ladder doc link again?",
        "we talked for a few minutes yesterday",
        "he asked if I had a minute",
        "no need to chat, I figured it out",
        "don't have time for a call today",
        "<@U0ALICE01> do you have a sec to approve the deploy?",
        "<@U0ALICE01> you around? prod is on fire",
        "Any tips on getting the VPN client to work on Linux?",
        "Happy to mentor anyone interested in backend, just ping me",
        "thanks for the advice yesterday, it really helped!",
    ],
)
def test_traps_are_not_asks(text: str) -> None:
    assert not classify(text).is_ask


@pytest.mark.parametrize(
    "text",
    [
        "<@U0ALICE01> do you have a few minutes?",
        "<@U0ALICE01> can I run something by you?",
        "<@U0ALICE01> could I pick your brain sometime?",
        "<@U0ALICE01> would you mentor me?",
        "<@U0ALICE01> are you free to chat?",
        "<@U0ALICE01> quick chat when you have a minute?",
        "could I get your advice on a situation with my manager?",
        "anyone have 15 min to help me think through a career move?",
        "looking for a mentor in data eng",  # 0.68 (session 21); 0.48 before the cut to 21,845
        "any advice on negotiating an offer?",
    ],
)
def test_asks_for_time_or_advice_are_asks(text: str) -> None:
    assert classify(text).is_ask


def test_a_thank_you_is_not_an_ask() -> None:
    assert not classify("thanks for the chat today!").is_ask
    assert classify("thanks for the chat today! could I run one more idea by you?").is_ask


def test_a_thank_you_does_not_cancel_an_ask_in_the_next_sentence() -> None:
    assert classify("thanks for the chat today! could we talk again next week?").is_ask


def test_a_bare_do_you_have_a_few_minutes_to_chat_is_an_ask() -> None:
    assert classify("do you have a few minutes to chat?").is_ask


# --- speed -----------------------------------------------------------------------------------


def test_very_long_messages_stay_fast_and_read_only_the_top() -> None:
    filler = "lorem ipsum dolor sit amet " * 4000
    start = time.perf_counter()
    head_ask = classify("<@U0ALICE01> do you have a few minutes? " + filler)
    tail_ask = classify(filler + " do you have a few minutes?")
    huge_code = classify("```" + "x = 1\n" * 20000 + "```\ncan we talk about my career?")
    elapsed = time.perf_counter() - start
    assert head_ask.is_ask
    assert head_ask.target == ALICE
    assert not tail_ask.is_ask  # beyond the scanned prefix, by design
    assert not huge_code.is_ask  # the paste fills the raw-size cap before the ask
    assert elapsed < 0.25, f"{elapsed:.3f}s for three ~100k-char messages"


def test_throughput_is_in_the_right_league(corpus: list[Row]) -> None:
    texts = [row.text for row in corpus]
    start = time.perf_counter()
    for text in texts:
        classify(text)
    rate = len(texts) / (time.perf_counter() - start)
    print(f"throughput on the corpus: {rate:,.0f} msgs/s")
    assert rate > 2_000  # a catastrophic-regression guard, not the benchmark (docs/detection.md)


# --- internal invariant that keeps the fast path honest --------------------------------------


def test_every_cue_match_contains_one_of_its_trigger_words(corpus: list[Row]) -> None:
    """A cue only runs when a trigger word is present, so each match must contain one."""
    texts = [row.text for row in corpus]
    if DEV_SET.exists():
        texts += [row.text for row in load_tsv(DEV_SET)]
    normalised = [detection._normalise(text, None)[0] for text in texts]
    cues = [(name, triggers, pattern) for name, _, triggers, pattern in detection.POSITIVE]
    for name, triggers, pattern in cues:
        assert triggers, name
        for text in normalised:
            for match in pattern.finditer(text):
                assert any(word in match.group(0) for word in triggers), (name, match.group(0))


# --- the gates are sound (docs/detection.md, "The gates") -------------------------------------
# A gate may only ever skip work that finds nothing: every cue alternative that matches the
# normalised text must be among those the gate keeps for its words. Checked on the corpus and
# on texts spliced from it with slang, markup, code, quotes and emoji.

_DECOR = [
    "u", "ur", "r", "ya", "pls", "min", "mins", "sec", "hrs", "lmk", "q", "q\u2019s", "w/",
    "1-on-1", "1on1", "one-on-one", "1:1s", "2day", "wanna", "im", "ive", "dont", "convo", "abt",
    "<@U0ALICE01>", "<@W012ABCDE|sam>", "<@UBOT00001>", "<@u0alice01>", "`<@U0ALICE01>",
    "<!here>", "<#C01ABCDEF|data-eng>", "<https://x.io|a>",
    ":wave:", ":+1:", "`got a minute?`", "```x```", "&gt; ", "&amp;", "&lt;", "_", "*", "~",
    "\u2014", "\u2019", "??", "!!!", "...", "\n", "\t", "MENTION",
]  # fmt: skip


def _spliced_corpus(corpus: list[Row], size: int = 1500) -> list[str]:
    texts = [row.text for row in corpus]
    if DEV_SET.exists():
        texts += [row.text for row in load_tsv(DEV_SET)]
    words = sorted({word for text in texts for word in text.split()})
    rng = random.Random(11)
    out = list(texts)
    for _ in range(size):
        first, second = rng.choice(texts).split(), rng.choice(texts).split()
        parts = first[: rng.randint(0, len(first))] + second[rng.randint(0, len(second)) :]
        for _ in range(rng.randint(0, 4)):
            parts.insert(rng.randint(0, len(parts)), rng.choice(_DECOR + words))
        text = rng.choice([" ", " ", " ", "", "_", "\n"]).join(parts)
        out.append(text.upper() if rng.random() < 0.05 else text)
    return out


@pytest.fixture(scope="module")
def spliced(corpus: list[Row]) -> list[tuple[str, str, list[bytes]]]:
    """(raw text, normalised text, its words) for the corpus and texts spliced from it."""
    rows = []
    for text in _spliced_corpus(corpus):
        normalised = detection._normalise(text, BOT)[0]
        rows.append((text, normalised, words_in(normalised)))
    return rows


def test_gates_keep_every_alternative_that_matches(
    spliced: list[tuple[str, str, list[bytes]]],
) -> None:
    for gate in (detection._ASK_GATE, detection._REST_GATE):
        alternatives = {
            name: (shape.full, [re.compile(shape.only([i])) for i in range(count)], first)
            for name, shape in gate.shapes.items()
            for first, count in [gate.spans[name]]
        }
        for text, normalised, words in spliced:
            hits = gate.hits(words)
            for name, (full, arms, first) in alternatives.items():
                if not full.search(normalised):
                    continue
                for i, arm in enumerate(arms):
                    if arm.search(normalised):
                        assert hits >> (first + i) & 1, (name, i, text)


def test_reduced_patterns_find_exactly_what_the_full_patterns_find(
    spliced: list[tuple[str, str, list[bytes]]],
) -> None:
    for gate in (detection._ASK_GATE, detection._REST_GATE):
        for text, normalised, words in spliced[::3]:
            hits = gate.hits(words)
            for name, shape in gate.shapes.items():
                reduced = gate.reduced(name, hits)
                found = [m.span() for m in reduced.finditer(normalised)] if reduced else []
                assert found == [m.span() for m in shape.full.finditer(normalised)], (name, text)


def test_leaving_the_cues_out_never_changes_a_verdict(
    spliced: list[tuple[str, str, list[bytes]]],
) -> None:
    """`classify` skips the cues when they can't change the verdict; the verdict must be the
    one the full reading gives, and the score too whenever the cues ran."""
    skipped = 0
    for text, _, _ in spliced:
        reading = detection.read(text, BOT)
        names = features(tokens(reading.normalised), reading.cues)
        full = detection.MODEL.probability(names)
        result = classify(text, bot_user_id=BOT)
        assert result.is_ask == (full >= DEFAULT_THRESHOLD), text
        if result.reasons:
            assert result.score == pytest.approx(full, abs=1e-12), text
        skipped += bool(reading.cues) and not result.reasons
    assert skipped > 0  # the bounds do their job on some texts with cues


def test_ascii_twins_find_what_the_patterns_find_in_ascii_text(
    spliced: list[tuple[str, str, list[bytes]]],
) -> None:
    checked = 0
    for gate in (detection._ASK_GATE, detection._REST_GATE):
        for text, normalised, words in spliced[1::3]:
            if not normalised.isascii():
                continue
            checked += 1
            hits = gate.hits(words)
            for name, shape in gate.shapes.items():
                full = [m.span() for m in shape.full.finditer(normalised)]
                assert [m.span() for m in shape.full_ascii.finditer(normalised)] == full, text
                twin = gate.reduced(name, hits, gate.ascii)
                found = [m.span() for m in twin.finditer(normalised)] if twin else []
                assert found == full, text
    assert checked > 500


def test_alternatives_said_to_hold_a_trigger_word_hold_one_in_every_match(
    spliced: list[tuple[str, str, list[bytes]]],
) -> None:
    gate, marked = detection._ASK_GATE, 0
    for _, _, triggers, key, bits, unsure in detection._POSITIVE:
        first, count = gate.spans[key]
        arms = [i for i in range(count) if (bits & ~unsure) >> (first + i) & 1]
        marked += len(arms)
        for arm in [re.compile(gate.shapes[key].only([i])) for i in arms]:
            for _, normalised, _ in spliced:
                for match in arm.finditer(normalised):
                    assert triggers.search(match.group()), (key, match.group())
    assert marked > 20  # so most trigger searches are skipped


def test_one_sentence_ends_are_found_as_the_regex_finds_them(
    spliced: list[tuple[str, str, list[bytes]]],
) -> None:
    rng = random.Random(5)
    texts = [normalised for _, normalised, _ in spliced]
    texts += ["".join(rng.choice("ab .?!") for _ in range(rng.randint(0, 6))) for _ in range(3000)]
    for text in texts:
        regex = [m.end() for m in detection._SENTENCE_END.finditer(text)]
        assert detection._sentence_ends(text) == regex, text


def test_slang_spellings_that_start_with_a_digit_start_with_the_digits_normalise_looks_for() -> (
    None
):
    assert {key[0] for key in detection_text._DIGIT_KEYS} <= {"1", "2"}


def test_the_shortcuts_in_normalising_agree_with_the_general_rules(
    spliced: list[tuple[str, str, list[bytes]]],
) -> None:
    fast = 0
    for text, _, _ in spliced:
        low = text.lower()
        users = detection_text._USER_MENTION.findall(low)
        if "<" in low and len(users) == low.count("<"):
            fast += 1
            mentions: list[str] = []
            general = detection_text._MARKUP.sub(
                partial(detection_text._markup, mentions, None), low
            )
            assert detection_text._USER_MENTION.sub(" MENTION ", low) == general, text
            assert mentions == [user.upper() for user in users]
        if "\n" not in text:
            quoted = bool(detection_text._QUOTE_LINE.search(text))
            assert text.lstrip().startswith((">", "&gt;")) == quoted, text
    assert fast > 50


@pytest.mark.parametrize(
    ("pattern", "alternatives"),
    [
        (r"a|[^]|]|b", ["a", "[^]|]", "b"]),  # a "|" inside a class is no alternation
        (r"(?:x|[]|])|y", ["x", "[]|]", "y"]),  # (?:a|b)|c is a|b|c
        (r"\b(?:can|could)\s+you\b", ["can", "could"]),  # the middle group holds the arms
        (r"\bpick\s+your\s+brain", [r"\bpick\s+your\s+brain"]),
    ],
)
def test_gated_patterns_split_into_their_alternatives(
    pattern: str, alternatives: list[str]
) -> None:
    shape = Shape(re.compile(pattern))
    assert shape.alternatives == alternatives
    for text in ["could you", "can you", "x", "]", "|", "b", "pick your brain"]:
        full = [m.span() for m in shape.full.finditer(text)]
        assert [m.span() for m in re.finditer(shape.only(range(len(alternatives))), text)] == full


def test_gated_patterns_have_no_groups_or_flags() -> None:
    with pytest.raises(ValueError, match="no groups or flags"):
        Shape(re.compile(r"(a)|b"))
    with pytest.raises(ValueError, match="no groups or flags"):
        Shape(re.compile(r"a|b", re.IGNORECASE))
