"""The ask classifier's view of a message: its normalised text.

`normalise` turns raw Slack text into what the cues and the model read: code and quoted
lines dropped, short quoted phrases turned into QUOTE, markup turned into UPPERCASE tokens,
casual spellings spelled out (docs/detection.md, "How it works").
"""

from __future__ import annotations

import re
from functools import partial

from bot.detection_gate import words_in

__all__ = ["MAX_RAW_CHARS", "MAX_SCAN_CHARS", "normalise"]

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
    "u": "you", "ya": "you", "yu": "you", "r": "are", "ur": "your", "pls": "please",
    "plz": "please", "plss": "please", "min": "minute", "mins": "minutes", "sec": "second",
    "secs": "seconds", "hr": "hour", "hrs": "hours", "2day": "today", "tmrw": "tomorrow",
    "tmr": "tomorrow", "tmrow": "tomorrow", "tomoz": "tomorrow", "2moro": "tomorrow",
    "2mrw": "tomorrow", "2nite": "tonight", "tonite": "tonight", "lmk": "let me know",
    "q": "question", "qs": "questions", "q's": "questions", "thx": "thanks", "ty": "thanks",
    "thnx": "thanks", "thanx": "thanks", "tnx": "thanks", "wanna": "want to",
    "gonna": "going to", "gotta": "got to", "lemme": "let me", "gimme": "give me",
    "kinda": "kind of", "sorta": "sort of", "dunno": "don't know", "im": "i'm", "ive": "i've",
    "dont": "don't", "cant": "can't", "1-on-1": "1:1", "1on1": "1:1", "one-on-one": "1:1",
    "1:1s": "1:1", "convo": "conversation", "abt": "about", "bout": "about", "w/": "with",
    "cn": "can", "cud": "could", "cld": "could", "wud": "would", "wld": "would",
    "shud": "should", "shld": "should", "tlk": "talk", "tym": "time", "sometym": "sometime",
    "wk": "week", "nxt": "next", "msg": "message", "gr8": "great", "l8r": "later",
    "ltr": "later", "b4": "before", "bc": "because", "coz": "because", "cuz": "because",
    "bcoz": "because", "bcz": "because", "rn": "right now", "ppl": "people",
    "sth": "something", "smth": "something", "smthg": "something", "sumthing": "something",
    "any1": "anyone", "some1": "someone", "ne1": "anyone", "luv": "love", "hv": "have",
    "hav": "have", "wat": "what", "wht": "what", "hw": "how", "whn": "when", "abit": "a bit",
    "ystrdy": "yesterday", "yday": "yesterday", "mtg": "meeting", "intrvw": "interview",
    "guidence": "guidance", "thru": "through", "tho": "though", "ofc": "of course",
    "idk": "i don't know", "tbh": "to be honest", "btw": "by the way",
}  # fmt: skip
_SLANG_WORD = re.compile(
    r"(?<![\w'/-])(?:" + "|".join(sorted(map(re.escape, _SLANG), key=len, reverse=True)) + r")"
    r"(?![\w'/-])"
)
# A short quoted phrase is someone else's words ("my manager's 'got a min?' scares me"). A
# single quote opens at the start or after a space or "(", and closes before a non-letter, so
# "manager's" and "don't" are not quotes.
_QUOTED = re.compile(r""""[^"]{1,80}"|(?:^|(?<=[\s(]))'(?=\w)[^\n]{1,80}?(?<=[^\s'])'(?!\w)""")
# The words a slang spelling starts with, and the spellings that start with a digit: the
# slang pass runs only when one of them is there.
_SLANG_FIRST = frozenset(
    first.encode()
    for key in _SLANG
    if (first := re.match("[a-z]*", key).group())  # type: ignore[union-attr]
)
_DIGIT_KEYS = tuple(key for key in _SLANG if key[0].isdigit())  # each starts "1" or "2"
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


def normalise(text: str, bot_user_id: str | None) -> tuple[str, list[str]]:
    """Lowercase text with markup replaced by UPPERCASE tokens, and the user ids mentioned.
    Each step runs only if the text has the character or word it starts from."""
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
    if '"' in text or " '" in text or "('" in text or text.startswith("'"):
        text = _QUOTED.sub(" QUOTE ", text)
    if not _SLANG_FIRST.isdisjoint(words_in(text)) or (
        ("1" in text or "2" in text) and any(key in text for key in _DIGIT_KEYS)
    ):
        text = _SLANG_WORD.sub(lambda m: _SLANG[m.group(0)], text)
    if _PUNCT_PAIR.search(text):
        text = _PUNCT_RUN.sub(lambda m: "?" if "?" in m.group(0) else m.group(0)[0], text)
    return " ".join(text.split()), mentions
