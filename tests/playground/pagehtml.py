"""Read the playground page's HTML the way a browser would: buttons by label, and a form's
controls as FormData would send them (name -> values), found by their input's label."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class PageHtml(HTMLParser):
    """Buttons (data attributes and label) and form fields (label -> name, name -> values)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.buttons: list[tuple[dict[str, str], str]] = []
        self.labels: dict[str, str] = {}
        self.form: dict[str, list[str]] = {}
        self._text: list[str] | None = None
        self._button: dict[str, str] | None = None
        self._legend = ""
        self._select: tuple[str, list[str]] | None = None  # name, option values in order
        self._textarea: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        name = attrs.get("name")
        if tag == "button" and "data-action-id" in attrs:
            self._button, self._text = attrs, []
        elif tag == "legend":
            self._text = []
        elif tag == "select" and name:
            self._select = (name, [])
            self.form[name] = []
            self.labels.setdefault(self._legend, name)
        elif tag == "option" and self._select is not None:
            self._select[1].append(attrs.get("value", ""))
            if "selected" in attrs:
                self.form[self._select[0]].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
            self.labels.setdefault(self._legend, name)
        elif tag == "input" and name:
            self.labels.setdefault(self._legend, name)
            kind = attrs.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self.form.setdefault(name, []).append(attrs.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self._text is not None:
            self.buttons.append((self._button, "".join(self._text).strip()))
            self._button = self._text = None
        elif tag == "legend" and self._text is not None:
            self._legend = "".join(self._text).replace("(optional)", "").strip()
            self._text = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            if not self.form[name] and options:
                self.form[name] = [options[0]]  # a browser submits the first option
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._text is not None:
            self.form[self._textarea] = ["".join(self._text)]
            self._textarea = self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def button(self, label: str) -> dict[str, str]:
        """The data attributes of the button with this label."""
        found = [attrs for attrs, text in self.buttons if text == label]
        assert found, f"no button {label!r} in {[text for _, text in self.buttons]}"
        return found[0]

    def answered(self, answers: dict[str, Any]) -> dict[str, list[str]]:
        """The form as a person sends it after answering some inputs (by label)."""
        form = dict(self.form)
        for label, value in answers.items():
            form[self.labels[label]] = value if isinstance(value, list) else [str(value)]
        return form
