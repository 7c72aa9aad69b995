"""List filters that treat any value as a value: one that is not a valid choice is refused with a message."""
from flask_admin.contrib.sqla.filters import FilterConverter


class ValidatedChoice:
    """A choice filter whose `validate` says no to an unknown choice (instead of failing the page)."""

    def validate(self, value) -> bool:
        try:
            return super().validate(value)
        except LookupError:  # Flask-Admin looks the enum member up by name: `Status["' OR 1=1"]`
            return False


class DeskFilterConverter(FilterConverter):
    """Flask-Admin's filters, with enum filters that validate their value."""

    enum = tuple(type(f.__name__, (ValidatedChoice, f), {}) for f in FilterConverter.enum)
