"""Every Flask extension instance, created once here and bound to an app by `create_app`."""
from flask_babel import Babel, lazy_gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from models import db  # noqa: F401  (the schema's own instance, bound here like the others)

csrf = CSRFProtect()
migrate = Migrate(compare_type=True, render_as_batch=True)
babel = Babel()
talisman = Talisman()

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Please log in to open the panel.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

limiter = Limiter(key_func=get_remote_address)  # storage and limits from the app's RATELIMIT_* settings
