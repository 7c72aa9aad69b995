"""Fixtures for the rules tests: a small team of users and a frozen clock."""
from __future__ import annotations

from datetime import datetime

import pytest

import rules  # noqa: F401  (registers every action)
from models import Role
from rules import core
from tests import factories as make
from tests.unit.support import FROZEN_AT, Crew


@pytest.fixture
def crew() -> Crew:
    """A fresh team (supervisor, two coordinators), a manager, an admin; supervisors approve ≤ 15%, 50,000."""
    team = make.team()
    supervisor = make.user(Role.supervisor, team)
    make.policy(Role.supervisor, 15, 50000)
    return Crew(team=team, supervisor=supervisor, member=make.user(Role.coordinator, team),
                colleague=make.user(Role.coordinator, team), manager=make.user(Role.manager),
                admin=make.user(Role.admin))


@pytest.fixture
def frozen_clock(monkeypatch) -> datetime:
    """Freeze the rules' clock (`rules.core.clock`) at FROZEN_AT."""
    monkeypatch.setattr(core, "clock", lambda: FROZEN_AT)
    return FROZEN_AT
