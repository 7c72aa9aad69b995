"""Fixtures for the rules tests: a small team of users (the frozen `clock` is in tests/conftest.py)."""
from __future__ import annotations

import pytest

import rules  # noqa: F401  (registers every action)
from models import Role
from tests import factories as make
from tests.unit.support import Crew


@pytest.fixture
def crew() -> Crew:
    """A fresh team (supervisor, two coordinators), a manager, an admin; supervisors approve ≤ 15%, 50,000."""
    team = make.team()
    supervisor = make.user(Role.supervisor, team)
    make.policy(Role.supervisor, 15, 50000)
    return Crew(team=team, supervisor=supervisor, member=make.user(Role.coordinator, team),
                colleague=make.user(Role.coordinator, team), manager=make.user(Role.manager),
                admin=make.user(Role.admin))

