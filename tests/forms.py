"""Read an HTML form's fields and values the way a browser would submit them."""
from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """Fields of the page's forms, or only of forms whose class includes `within`."""

    def __init__(self, within: str | None = None):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._within = within
        self._in_form = within is None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self._within and self._within in (attrs.get("class") or "").split():
            self._in_form = True
        if not self._in_form:
            return
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
        elif tag == "form" and self._within:
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            first = not self.values[self._textarea]  # browsers drop the newline that opens a textarea
            self.values[self._textarea] += data.removeprefix("\r\n").removeprefix("\n") if first else data


def form_values(html: str, *, within: str | None = None, leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """The name → value of every field of the page's forms (first occurrence wins), without the
    buttons (`_continue_editing`…); `within`: only forms of that class; `leave_out`: names to drop."""
    reader = _FormReader(within)
    reader.feed(html)
    return {name: value for name, value in reader.values.items()
            if not name.startswith("_") and name not in leave_out}
