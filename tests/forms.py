"""Read an HTML form's fields and values the way a browser would submit them."""
from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "checkbox"}:
            self.values.setdefault(name, attrs.get("value") or "")
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.values[name] = attrs.get("value") or "y"
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            first = not self.values[self._textarea]  # browsers drop the newline that opens a textarea
            self.values[self._textarea] += data.removeprefix("\r\n").removeprefix("\n") if first else data


def form_values(html: str) -> dict[str, str]:
    """The name → value of every field of the page's forms (first occurrence wins)."""
    reader = _FormReader()
    reader.feed(html)
    return {name: value for name, value in reader.values.items() if not name.startswith("_")}
