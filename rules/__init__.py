"""The business actions. `rules.core` is the machinery (no Flask); `rules.<area>` declares actions.

Importing `rules` imports every area, so `rules.core.ACTIONS` holds every declared action.
"""
from rules import finance, leads, orders, quotes, service, shipments, staff, targets  # noqa: F401
from rules.core import ACTIONS, ActionInputError, ActionResult, actions_for, run_action  # noqa: F401
