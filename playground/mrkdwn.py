"""Slack mrkdwn to HTML, as Slack shows it. Pure: no I/O.

Slack sends `&`, `<` and `>` escaped as `&amp; &lt; &gt;` in text, and a literal `<…>` is
always a token (mention, channel, link, date). Those entities are decoded exactly once and
every character of user text is HTML-escaped exactly once; markup only ever comes from here.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from playground.dates import format_date

_CODE_BLOCK = re.compile(r"```(.+?)```", re.DOTALL)
_INLINE = re.compile(r"`([^`\n]+)`|<([^<>\n]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_QUOTE = re.compile(r"^(?:>|&gt;) ?")
_SAFE_URL = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
# Held-out pieces of finished HTML wait in Unicode's last private-use plane while the
# surrounding text is formatted; any such character in the input is replaced first.
_HOLD = 0xF0000
_HELD = re.compile("[\U000f0000-\U000ffffd]")
_EMPHASIS = {"*": "b", "_": "i", "~": "s"}
_NESTING_MAX = 3
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
# The shortcodes the bot writes, and a few common ones; unknown ones stay as typed.
EMOJI = {
    "arrow_forward": "▶️",
    "bell": "🔔",
    "calendar": "📆",
    "eyes": "👀",
    "gear": "⚙️",
    "no_entry_sign": "🚫",
    "package": "📦",
    "pause_button": "⏸️",
    "rotating_light": "🚨",
    "seedling": "🌱",
    "spiral_note_pad": "🗒️",
    "tada": "🎉",
    "warning": "⚠️",
    "wastebasket": "🗑️",
    "wave": "👋",
    "white_check_mark": "✅",
    "x": "❌",
    "zzz": "💤",
}


def decode(text: str) -> str:
    """Undo Slack's three entities, once: `&amp;lt;` becomes the text `&lt;`, not `<`."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def emojize(escaped: str) -> str:
    """Known `:shortcode:`s as emoji characters."""
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), escaped)


def safe_url(url: str) -> bool:
    """Whether a link may become an <a>: http, https and mailto only (never javascript:)."""
    return _SAFE_URL.match(url) is not None


def link(url: str, label_html: str) -> str:
    """An <a> that opens outside the page and can't reach back into it."""
    href = escape(url, quote=True)
    return f'<a href="{href}" rel="noopener noreferrer" target="_blank">{label_html}</a>'


@dataclass(frozen=True)
class _Context:
    names: Mapping[str, str]
    channels: Mapping[str, str]
    zone: ZoneInfo
    now: datetime | None


def mrkdwn_to_html(
    text: str,
    *,
    names: Mapping[str, str],
    channels: Mapping[str, str] | None = None,
    tz: str = "UTC",
    now: datetime | None = None,
) -> str:
    """Slack mrkdwn as HTML; dates in `tz`, "Today"/"Yesterday" relative to `now` if given."""
    context = _Context(names, channels or {}, ZoneInfo(tz), now)
    text = _HELD.sub("\ufffd", text)
    out: list[str] = []
    last = 0
    # A <pre> is a block of its own: the newlines that set it apart would be blank lines.
    for match in _CODE_BLOCK.finditer(text):
        before = text[last : match.start()]
        before = before.removeprefix("\n") if last else before
        out.append(_lines(before.removesuffix("\n"), context))
        code = match.group(1).removeprefix("\n").removesuffix("\n")
        out.append(f'<pre class="bk-code">{escape(decode(code))}</pre>')
        last = match.end()
    tail = text[last:]
    out.append(_lines(tail.removeprefix("\n") if last else tail, context))
    return "".join(out)


def _lines(text: str, context: _Context) -> str:
    if not text:
        return ""
    out: list[str] = []
    quoted: list[str] = []
    plain: list[str] = []

    def flush_plain() -> None:
        if plain:
            out.append("<br>".join(plain))
            plain.clear()

    def flush_quote() -> None:
        if quoted:
            out.append(f'<blockquote class="bk-quote">{"<br>".join(quoted)}</blockquote>')
            quoted.clear()

    for line in text.split("\n"):
        marker = _QUOTE.match(line)
        if marker:
            flush_plain()
            quoted.append(_inline(line[marker.end() :], context))
        else:
            flush_quote()
            plain.append(_inline(line, context))
    flush_plain()
    flush_quote()
    return "".join(out)


def _inline(line: str, context: _Context) -> str:
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        code, token = match.group(1), match.group(2)
        if code is not None:
            held.append(f'<code class="bk-code">{escape(decode(code))}</code>')
        else:
            held.append(_token(token, context))
        return chr(_HOLD + len(held) - 1)

    formatted = _emphasis(emojize(escape(decode(_INLINE.sub(hold, line)))))
    return _HELD.sub(lambda m: held[ord(m.group()) - _HOLD], formatted)


def _opens(text: str, at: int) -> bool:
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    return not before.isalnum() and not after.isspace() and after != text[at]


def _closes(text: str, at: int) -> bool:
    after = text[at + 1] if at + 1 < len(text) else " "
    return not text[at - 1].isspace() and not after.isalnum()


def _emphasis(text: str) -> str:
    # Every closer is found once up front, so a line full of lone markers stays linear-ish.
    closers = {
        char: [at for at in range(1, len(text)) if text[at] == char and _closes(text, at)]
        for char in _EMPHASIS
    }
    return _pairs(text, 0, len(text), closers, 0)


def _pairs(text: str, start: int, end: int, closers: dict[str, list[int]], depth: int) -> str:
    # Pairs are matched left to right and their insides formatted recursively, so the tags
    # always nest properly, even for crossed markers like "*a _b* c_". Slack nests only a
    # few levels; the cap keeps hostile text from exhausting the stack.
    out: list[str] = []
    at = start
    while at < end:
        char = text[at]
        if char in _EMPHASIS and depth < _NESTING_MAX and _opens(text, at):
            found = closers[char]
            index = bisect_left(found, at + 2)
            if index < len(found) and found[index] < end:
                close = found[index]
                tag = _EMPHASIS[char]
                out.append(f"<{tag}>{_pairs(text, at + 1, close, closers, depth + 1)}</{tag}>")
                at = close + 1
                continue
        out.append(char)
        at += 1
    return "".join(out)


def _token(token: str, context: _Context) -> str:
    target, _, label = token.partition("|")
    label = decode(label)
    if target.startswith("@"):
        user = target[1:]
        name = context.names.get(user) or label or user
        attr = escape(user, quote=True)
        return f'<span class="bk-mention" data-user-id="{attr}">@{escape(name)}</span>'
    if target.startswith("#"):
        channel = target[1:]
        name = context.channels.get(channel) or label or channel
        attr = escape(channel, quote=True)
        return f'<span class="bk-channel" data-channel-id="{attr}">#{escape(name)}</span>'
    if target.startswith("!"):
        return _special(target[1:], label, context)
    url = decode(target)
    shown = escape(label or url.removeprefix("mailto:"))
    if safe_url(url):
        return link(url, shown)
    return f'<span class="bk-unsafe-link">{shown}</span>'


def _special(command: str, label: str, context: _Context) -> str:
    if command in ("here", "channel", "everyone"):
        return f'<span class="bk-mention bk-broadcast">@{command}</span>'
    if command.startswith("subteam^"):
        shown = label or f"@{command.removeprefix('subteam^')}"
        return f'<span class="bk-mention bk-subteam">{escape(shown)}</span>'
    if command.startswith("date^"):
        return _date(command.split("^")[1:], label, context)
    return f'<span class="bk-unknown-token">{escape(label or "<!" + decode(command) + ">")}</span>'


def _date(parts: list[str], fallback: str, context: _Context) -> str:
    # <!date^1700000000^{date_short} at {time}^optional-link|fallback>
    shown = None
    if len(parts) >= 2 and parts[0].isascii() and parts[0].isdigit():  # int() takes "²" too
        shown = format_date(int(parts[0]), decode(parts[1]), context.zone, context.now)
    if shown is None:
        return f'<span class="bk-date">{escape(fallback)}</span>'
    stamp = escape(parts[0], quote=True)
    html = f'<time class="bk-date" data-ts="{stamp}">{escape(shown)}</time>'
    url = decode(parts[2]) if len(parts) >= 3 else ""
    return link(url, html) if safe_url(url) else html
