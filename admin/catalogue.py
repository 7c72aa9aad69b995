"""Strings the panel shows that are not literals in the code: entity and menu names, column labels,
state labels, and the business actions' labels, confirmations and form labels.

`babel.cfg` runs `extract_declared_strings` so they land in the catalogue beside the literal ones.
"""
from __future__ import annotations

from sqlalchemy.orm import configure_mappers


def declared_strings() -> list[str]:
    """Every declared (not literal) string the panel may show, in a stable order."""
    import rules  # noqa: F401  (declares the actions)
    from admin.generate import MENU_ORDER, ModelShape, plural_for
    from models import Choice, db
    from rules.core import ACTIONS

    configure_mappers()
    found: list[str] = list(MENU_ORDER)
    # By table name, not in the registry's (set) order: the catalogue comes out the same on every run.
    for model in sorted((m.class_ for m in db.Model.registry.mappers), key=lambda m: m.__tablename__):
        found.append(plural_for(model))
        found.extend(ModelShape(model).labels().values())
    for choice in _subclasses(Choice):
        found.extend(member.label for member in choice)
    for action in ACTIONS.values():
        found.extend(filter(None, (action.label, action.confirm)))
        if action.form is not None:
            found.extend(str(field.label.text) for field in action.form())
    for action in ACTIONS.values():
        if action.target is not None:
            found.append(action.target.value.replace("_", " "))  # the verb of "3 approved"
    found.append("done")
    return list(dict.fromkeys(found))


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def extract_declared_strings(fileobj, keywords, comment_tags, options):
    """Babel extractor: yields the declared strings (the file it is pointed at only anchors them)."""
    for text in declared_strings():
        yield 1, "gettext", text, []
