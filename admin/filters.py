"""List filters that treat any value as a value: one that is not a valid choice is refused with a message.

A state filter offers the states by their labels, in the user's language (the value stays the name).
"""
from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.model import filters
from flask_babel import lazy_gettext


class ValidatedChoice:
    """A choice filter whose `validate` says no to an unknown choice (instead of failing the page)."""

    def validate(self, value) -> bool:
        try:
            return super().validate(value)
        except LookupError:  # Flask-Admin looks the enum member up by name: `Status["' OR 1=1"]`
            return False


class DeskFilterConverter(FilterConverter):
    """Flask-Admin's filters, with enum filters that validate their value and show the states' labels."""

    enum = tuple(type(f.__name__, (ValidatedChoice, f), {}) for f in FilterConverter.enum)

    @filters.convert("enum")
    def conv_enum(self, column, name, options=None, **kwargs):
        enum_class = getattr(column.type, "enum_class", None)
        if not options and enum_class is not None and all(hasattr(m, "label") for m in enum_class):
            options = [(member.name, lazy_gettext(member.label)) for member in enum_class]
        return super().conv_enum(column, name, options, **kwargs)
