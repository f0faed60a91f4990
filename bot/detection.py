"""Decide whether a Slack message asks a person for their time or advice.

Pure, dependency-free and fast: normalise the Slack markup (code and quotes dropped, mentions
and links turned into tokens), then score hand-written cues sentence by sentence: phrase cues
("got a min?", "pick your brain"), a request-frame + requested-object fallback, negative cues
(offers, durations, work tasks, reported speech) and message-wide context. See
docs/detection.md for the reasoning, the measured precision/recall and how to tune it.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import partial

from bot.detection_cues import (
    CONTEXT,
    FRAME,
    NEGATIVE,
    OBJECTS,
    POSITIVE,
    W_COMPOSITE,
    W_EXTRA,
)
from bot.detection_gate import Gate, lowered_words_in, words_in

__all__ = ["DEFAULT_THRESHOLD", "Detection", "classify"]

DEFAULT_THRESHOLD = 0.5
# Points needed for score 0.5: one strong cue (3.0) clears it alone, a medium cue needs support.
_BIAS = 2.8
# Slack allows 40k characters; an ask sits near the top, and pasted logs must not cost us.
_MAX_RAW_CHARS = 6000
_MAX_SCAN_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Detection:
    """Verdict for one message: is it an ask, how sure, whom it targets and why."""

    is_ask: bool
    score: float
    target: str | None
    reasons: tuple[str, ...]


# --- normalisation ---------------------------------------------------------------------------

_CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
# Slack escapes user text, so markup is the only place a raw "<" appears; lowercase input.
_MARKUP = re.compile(r"<([@#!])?([^<>|\s]*)(?:\|[^<>]*)?>")
_USER_ID = re.compile(r"[uw][a-z0-9]+")
_USER_MENTION = re.compile(r"<@([uw][a-z0-9]+)>")  # the commonest markup, read faster
_EMOJI = re.compile(r":[a-z0-9_+'-]+:")
_FOLD = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": " - ",
     "\u2013": " - ", "*": " ", "_": " ", "~": " ", "\t": " ", "\n": " . "}
)  # fmt: skip
# Casual spellings folded to one canonical word, so the cue patterns stay readable.
_SLANG = {
    "u": "you", "ya": "you", "r": "are", "ur": "your", "pls": "please", "plz": "please",
    "min": "minute", "mins": "minutes", "sec": "second", "secs": "seconds", "hr": "hour",
    "hrs": "hours", "2day": "today", "tmrw": "tomorrow", "tmr": "tomorrow",
    "lmk": "let me know", "q": "question", "qs": "questions", "q's": "questions",
    "thx": "thanks", "ty": "thanks", "wanna": "want to", "im": "i'm", "ive": "i've",
    "dont": "don't", "cant": "can't", "1-on-1": "1:1", "1on1": "1:1", "one-on-one": "1:1",
    "1:1s": "1:1", "convo": "conversation", "abt": "about", "w/": "with",
}  # fmt: skip
_SLANG_WORD = re.compile(
    r"(?<![\w'/-])(?:" + "|".join(sorted(map(re.escape, _SLANG), key=len, reverse=True)) + r")"
    r"(?![\w'/-])"
)
_PUNCT_RUN = re.compile(r"[?!.]{2,}")
_PUNCT_PAIR = re.compile(r"[?!.][?!.]")  # a cheaper first look for a run
# A line whose first non-space is ">" or "&gt;" (str.lstrip and \s agree on what a space is).
_QUOTE_LINE = re.compile(r"^[^\S\n]*(?:>|&gt;)", re.MULTILINE)
_FOLDED = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def _strip_code_and_quotes(text: str) -> str:
    """Text without code (never an ask) and without quoted lines (someone else's words)."""
    if "`" in text:
        text = _CODE_BLOCK.sub(" ", text)
        fence = text.find("```")
        if fence >= 0:  # an unclosed fence: treat the rest as code too
            text = text[:fence]
        text = _INLINE_CODE.sub(" ", text)
    if "&gt;" not in text and ">" not in text:
        return text
    if "\n" in text and not _QUOTE_LINE.search(text):
        return text  # no line starts with a quote marker (a mention's ">" is none)
    if "\n" not in text and not text.lstrip().startswith((">", "&gt;")):
        return text  # the same test for a single line, without the regex
    kept: list[str] = []
    for line in text.split("\n"):
        head = line.lstrip()
        if head.startswith(("&gt;&gt;&gt;", ">>>")):
            break  # ">>>" quotes everything after it
        if not head.startswith(("&gt;", ">")):
            kept.append(line)
    return "\n".join(kept)


def _markup(mentions: list[str], bot_user_id: str | None, match: re.Match[str]) -> str:
    """The UPPERCASE token for one piece of markup; user mentions are noted in `mentions`."""
    sigil, body = match.group(1), match.group(2)
    if sigil == "@" and _USER_ID.fullmatch(body):
        if bot_user_id and body == bot_user_id.lower():
            return " BOT "
        mentions.append(body.upper())
        return " MENTION "
    if sigil == "#":
        return " CHANNEL "
    if sigil == "!":
        return " DATE " if body.startswith("date") else " GROUP "
    return " LINK "


def _normalise(text: str, bot_user_id: str | None, slang: bool = True) -> tuple[str, list[str]]:
    """Lowercase text with markup replaced by UPPERCASE tokens, and the user ids mentioned.
    Each step runs only if the text has the character it starts from; `slang=False` says the
    caller knows no casual spelling is there (`_raw_words`)."""
    text = _strip_code_and_quotes(text[:_MAX_RAW_CHARS])[:_MAX_SCAN_CHARS].lower()
    mentions: list[str] = []
    if "<" in text:
        users = _USER_MENTION.findall(text)
        if len(users) == text.count("<") and not (bot_user_id and bot_user_id.lower() in users):
            # Only user mentions, none the bot's: what _markup makes of them, without a call each.
            text = _USER_MENTION.sub(" MENTION ", text)
            mentions = [user.upper() for user in users]
        else:
            text = _MARKUP.sub(partial(_markup, mentions, bot_user_id), text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if ":" in text:
        text = _EMOJI.sub(" ", text)
    if _FOLDED.search(text):
        text = text.translate(_FOLD)
    if slang:
        text = _SLANG_WORD.sub(lambda m: _SLANG[m.group(0)], text)
    if _PUNCT_PAIR.search(text):
        text = _PUNCT_RUN.sub(lambda m: "?" if "?" in m.group(0) else m.group(0)[0], text)
    return " ".join(text.split()), mentions


# The cues' trigger words, compiled: one C-level search per cue instead of a Python loop over
# its words.
def _words(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)) if ordered else "(?!)")


# Each pattern is known to a gate by a key; the gates say which of its alternatives can match.
_ASK_GATE = Gate(
    {f"positive{i}": cue[3] for i, cue in enumerate(POSITIVE)}
    | {f"object{i}": cue[3] for i, cue in enumerate(OBJECTS)}
    | {"frame": FRAME}
)
_REST_GATE = Gate(
    {f"negative{i}": cue[3] for i, cue in enumerate(NEGATIVE)}
    | {f"context{i}": context[0] for i, context in enumerate(CONTEXT)}
)
# The last item: the bits of the alternatives that may match without a trigger word. When the
# gate keeps none of those, looking for a trigger first is no use: a match would contain one.
_POSITIVE = tuple(
    (name, weight, _words(triggers), key, bits, bits & ~_ASK_GATE.containing(key, triggers))
    for i, (name, weight, triggers, _) in enumerate(POSITIVE)
    if (bits := _ASK_GATE.bits_of(key := f"positive{i}"))
)
_OBJECTS = tuple(
    (name, weight, _words(triggers), key, bits, bits & ~_ASK_GATE.containing(key, triggers))
    for i, (name, weight, triggers, _) in enumerate(OBJECTS)
    if (bits := _ASK_GATE.bits_of(key := f"object{i}"))
)
_NEGATIVE = tuple(
    (name, weight, key, _REST_GATE.bits_of(key))
    for i, (name, weight, _, _) in enumerate(NEGATIVE)
    if (key := f"negative{i}")
)
_CONTEXT = tuple(
    (key, weight, reason, _REST_GATE.bits_of(key))
    for i, (_, weight, reason) in enumerate(CONTEXT)
    if (key := f"context{i}")
)
_PHRASE_BITS = sum(cue[4] for cue in _POSITIVE)
_OBJECT_BITS = sum(cue[4] for cue in _OBJECTS)
_FRAME_BITS = _ASK_GATE.bits_of("frame")


def _composite(
    text: str, ends: list[int], skip: set[int], hits: int, ascii: int
) -> dict[int, dict[str, float]]:
    """Frame + requested objects per sentence, for sentences no phrase cue already explained."""
    if not (hits & _FRAME_BITS and hits & _OBJECT_BITS):
        return {}  # no frame or nothing requested can match
    if skip and skip.issuperset(range(len(ends) + (not ends or ends[-1] < len(text)))):
        return {}  # every sentence already has a phrase cue
    # The frame first: its reduced pattern is mostly a word or two, and it often rules out all.
    compiled = _ASK_GATE.compiled
    frame = compiled.get(hits & _FRAME_BITS | ascii) or _ASK_GATE.pattern("frame", hits, ascii)
    framed = {bisect_right(ends, m.start()) for m in frame.finditer(text)} - skip if frame else None
    if not framed:
        return {}
    objects = [
        (kind, sentences)
        for kind, _, triggers, key, bits, unsure in _OBJECTS
        if hits & bits
        and (pattern := compiled.get(hits & bits | ascii) or _ASK_GATE.pattern(key, hits, ascii))
        and (not hits & unsure or triggers.search(text))
        and (sentences := {bisect_right(ends, m.start()) for m in pattern.finditer(text)} - skip)
    ]
    found: dict[int, list[str]] = {}
    for kind, sentences in objects:
        for index in sentences & framed:
            found.setdefault(index, []).append(kind)
    return {
        index: {f"asks_for_{'+'.join(kinds)}": W_COMPOSITE + W_EXTRA * (len(kinds) - 1)}
        for index, kinds in found.items()
    }


def _sentence_ends(text: str) -> list[int]:
    """Where each sentence ends: after a ".", "!" or "?" that a space or the end follows."""
    last = len(text) - 1
    if text.find("?", 0, last) < 0 and text.find(".", 0, last) < 0 and text.find("!", 0, last) < 0:
        return [last + 1] if text[last:] in ("?", ".", "!") else []  # one sentence: most texts
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def _score(text: str, words: Collection[bytes], hits: int) -> tuple[float, list[str]]:
    """Points and reasons. Each sentence nets its own cues, so a negative ("thanks for the chat!")
    can't cancel an ask in the next sentence; question, address and topic count once per message.
    `words` holds at least the text's words and `hits` what `_ASK_GATE` makes of them.
    """
    ends = _sentence_ends(text)
    ascii = text.isascii()  # then each gate gives the ASCII twins of its patterns
    flag = _ASK_GATE.ascii if ascii else 0
    sentences: dict[int, dict[str, float]] = {}
    compiled = _ASK_GATE.compiled
    for name, weight, triggers, key, bits, unsure in _POSITIVE if hits & _PHRASE_BITS else ():
        if not hits & bits:
            continue
        pattern = compiled.get(hits & bits | flag) or _ASK_GATE.pattern(key, hits, flag)
        if pattern is not None and (not hits & unsure or triggers.search(text)):
            for match in pattern.finditer(text):
                sentences.setdefault(bisect_right(ends, match.start()), {})[name] = weight
    sentences.update(_composite(text, ends, set(sentences), hits, flag))
    if not sentences:
        return 0.0, []  # negatives only ever cancel positives, so most messages stop here
    rest = _REST_GATE.hits(words)  # the same for negatives and context
    compiled = _REST_GATE.compiled
    flag = _REST_GATE.ascii if ascii else 0
    for name, weight, key, bits in _NEGATIVE:
        if not rest & bits:
            continue
        pattern = compiled.get(rest & bits | flag) or _REST_GATE.pattern(key, rest, flag)
        for match in pattern.finditer(text) if pattern is not None else ():
            if (index := bisect_right(ends, match.start())) in sentences:
                sentences[index][name] = weight
    points, reasons = 0.0, []
    for index in sorted(sentences):
        cues = sentences[index]
        positive: list[tuple[float, str]] = []
        negative, against = 0.0, []
        for name, weight in cues.items():  # in the order the cues were found, as sum() adds
            if weight > 0:
                positive.append((weight, name))
            elif weight < 0:
                negative += weight
                against.append(f"not_{name}")
        positive.sort()
        # The strongest cue carries the sentence; more cues agreeing add a little.
        net = positive[-1][0] + W_EXTRA * min(len(positive) - 1, 2)
        net += negative
        if net > 0:
            points += net
            reasons += [name for _, name in reversed(positive)]
        reasons += against
    if points > 0:
        for key, weight, reason, bits in _CONTEXT:
            if not rest & bits:
                continue
            pattern = compiled.get(rest & bits | flag) or _REST_GATE.pattern(key, rest, flag)
            if pattern is not None and pattern.search(text):
                points += weight
                reasons.append(reason)
    return points, reasons


# --- the prefilter on the raw text -----------------------------------------------------------
# Normalising only removes text, puts non-letters around what it inserts, and spells slang
# out, so every whole word of the normalised text is a whole word of the lowercased raw text
# or of the expansion of a slang spelling found there (docs/detection.md, "The prefilter").
# A slang spelling counts where normalising may expand it: "_" may turn into a space there.
_EDGE = "a-z0-9'/-"


def _spelled(keys: list[str]) -> tuple[re.Pattern[str], set[bytes]]:
    """Where any of these slang keys stands in the raw text, and the words it may become."""
    # The key first, then the look back past it: a literal start makes the search fast.
    spelled = "|".join(
        re.escape(key).replace("'", "['\u2018\u2019]") + f"(?<![{_EDGE}][\\s\\S]{{{len(key)}}})"
        for key in keys
    )
    pattern = re.compile(f"(?:{spelled})(?![{_EDGE}])")
    return pattern, set().union(*(words_in(_SLANG[key]) for key in keys))


def _first_word(key: str) -> str:
    return re.match("[a-z]*", key).group()  # type: ignore[union-attr]


# Keys by their first word (a whole word of the raw text where the key is), and those that
# start with a digit ("1-on-1", "1on1", "2day"), looked for directly.
_SLANG_AT = {
    first.encode(): _spelled([key for key in _SLANG if _first_word(key) == first])
    for first in {_first_word(key) for key in _SLANG} - {""}
}
_SLANG_FIRST = frozenset(_SLANG_AT)
_DIGIT_SLANG = _spelled([key for key in _SLANG if not _first_word(key)])
# Normalising turns each of these into MENTION or BOT: no code fence, quote line or cut can
# split one (no backtick or newline inside, and the prefilter reads <= 1,000 characters), and
# no other markup can take its "<".
_RAW_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")
_NOT_AN_ASK = Detection(is_ask=False, score=0.0, target=None, reasons=())


def _raw_words(text: str) -> tuple[list[bytes], bool]:
    """Every whole word the normalised text can have, read off the raw text (<= 1000 chars),
    and whether a casual spelling may be there to expand."""
    if "<@" in text:  # a user mention becomes MENTION or BOT: its letters are no words
        text = _RAW_MENTION.sub(" ", text)
    words = lowered_words_in(text)
    slang = False
    low = None  # text.lower(), made when a spelling is looked for
    for first in () if _SLANG_FIRST.isdisjoint(words) else _SLANG_FIRST.intersection(words):
        found, expansions = _SLANG_AT[first]
        if found.search(low := low or text.lower()):
            words += expansions
            slang = True
    # Each digit spelling has a "1" or a "2", and lowercasing makes no digit.
    if "1" in text or "2" in text:
        low = low or text.lower()
        if ("on1" in low or "on-1" in low or "2day" in low or "1:1s" in low) and _DIGIT_SLANG[
            0
        ].search(low):
            words += _DIGIT_SLANG[1]
            slang = True
    return words, slang


def classify(
    text: str,
    *,
    thread_parent_user: str | None = None,
    bot_user_id: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Detection:
    """Classify one Slack message (raw event text) as an ask for time or advice, or not."""
    words, hits, slang = None, 0, True
    if len(text) <= _MAX_SCAN_CHARS:  # longer texts are cut while normalised: no raw prefilter
        words, slang = _raw_words(text)
        hits = _ASK_GATE.hits(words)
        if not (hits & _PHRASE_BITS or (hits & _FRAME_BITS and hits & _OBJECT_BITS)):
            return _NOT_AN_ASK  # the verdict the full path gives a text no positive cue matches
    normalised, mentions = _normalise(text, bot_user_id, slang)
    if words is None:
        words = words_in(normalised)
        hits = _ASK_GATE.hits(words)
    points, reasons = _score(normalised, words, hits) if normalised else (0.0, [])
    score = 1.0 / (1.0 + math.exp(_BIAS - points)) if points > 0 else 0.0
    if points <= 0 or score < threshold:
        return Detection(False, score, None, tuple(reasons))  # positional: a little cheaper
    target = mentions[0] if mentions else None
    if target is None and thread_parent_user and thread_parent_user != bot_user_id:
        target = thread_parent_user
    return Detection(True, score, target, tuple(dict.fromkeys(reasons)))
