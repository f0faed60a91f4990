"""The ask classifier's view of a message: its normalised text, and the words it can have.

`normalise` turns raw Slack text into what the cues read (code and quotes dropped, markup
turned into UPPERCASE tokens, casual spellings spelled out). `raw_words` reads, off the raw
text alone, every whole word the normalised text can have: the prefilter's input. The two
sit together because the prefilter is sound only while normalising keeps the promise the
comment above `raw_words` states (docs/detection.md, "The prefilter").
"""

from __future__ import annotations

import re
from functools import partial

from bot.detection_gate import lowered_words_in, words_in

__all__ = ["MAX_RAW_CHARS", "MAX_SCAN_CHARS", "normalise", "raw_words"]

# Slack allows 40k characters; an ask sits near the top, and pasted logs must not cost us.
MAX_RAW_CHARS = 6000
MAX_SCAN_CHARS = 1000

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


def normalise(text: str, bot_user_id: str | None, slang: bool = True) -> tuple[str, list[str]]:
    """Lowercase text with markup replaced by UPPERCASE tokens, and the user ids mentioned.
    Each step runs only if the text has the character it starts from; `slang=False` says the
    caller knows no casual spelling is there (`raw_words`)."""
    text = _strip_code_and_quotes(text[:MAX_RAW_CHARS])[:MAX_SCAN_CHARS].lower()
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


def raw_words(text: str) -> tuple[list[bytes], bool]:
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
