"""Every Flask extension instance, created once here and bound to an app by `create_app`."""
from flask_babel import Babel
from flask_migrate import Migrate
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from models import db  # noqa: F401  (the schema's own instance, bound here like the others)

csrf = CSRFProtect()
migrate = Migrate(compare_type=True, render_as_batch=True)
babel = Babel()
talisman = Talisman()
