"""`flask seed --scale N`: proportional bulk rows, consistent totals, the same rows every time.

Runs on a database file of its own (the bulk writer commits on its own connection).
"""
import flask_migrate
import pytest

pytestmark = pytest.mark.committing  # its own database file; the shared test database is untouched
from sqlalchemy import func, select

from app import create_app
from config import TestConfig
from models import OrderLine, Quote, QuoteLine, SalesOrder, db


def scaled_app(tmp_path, name):
    class ScaleConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / name}"

    app = create_app(ScaleConfig)
    with app.app_context():
        flask_migrate.upgrade()
    return app


def seeded(tmp_path, name, orders):
    app = scaled_app(tmp_path, name)
    with app.app_context():  # pytest-flask has the shared test app's context pushed; the command uses this one
        result = app.test_cli_runner().invoke(args=["seed", "--scale", str(orders)])
    assert result.exit_code == 0, result.output
    return app, result.output


def test_scale_seed_adds_proportional_rows_on_top_of_the_demo_data(tmp_path):
    app, output = seeded(tmp_path, "a.sqlite", 400)
    assert "Seeding 400 orders" in output
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        demo_orders = db.session.scalar(select(func.count()).where(~SalesOrder.number.like("SO-____-_______")))
        assert demo_orders > 0, output  # the demo data was seeded first
        assert count(SalesOrder) == demo_orders + 400
        assert db.session.scalar(select(func.count()).where(OrderLine.order_id.in_(
            select(SalesOrder.id).where(SalesOrder.number.like("SO-____-_______"))))) == 800


@pytest.mark.parametrize("chunk", [50_000, 7], ids=["one chunk", "many chunks"])
def test_scale_seed_totals_match_their_lines(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr("seed.scale.CHUNK", chunk)  # lines are written in chunks of their own
    app, _output = seeded(tmp_path, "b.sqlite", 300)
    with app.app_context():
        for document, line, key in ((SalesOrder, OrderLine, OrderLine.order_id),
                                    (Quote, QuoteLine, QuoteLine.quote_id)):
            sums = select(key, func.sum(line.quantity * line.unit_price).label("net")).group_by(key).subquery()
            wrong = db.session.scalar(select(func.count()).select_from(document).join(sums, sums.c[key.key] == document.id)
                                      .where(func.abs(document.total - sums.c.net) > 0.001,
                                             document.number.like("%-____-_______")))
            checked = db.session.scalar(select(func.count()).where(document.number.like("%-____-_______")))
            assert checked > 0 and wrong == 0, document.__tablename__


def test_scale_seed_is_deterministic(tmp_path):
    first, _ = seeded(tmp_path, "c.sqlite", 200)
    second, _ = seeded(tmp_path, "d.sqlite", 200)
    rows = []
    for app in (first, second):
        with app.app_context():
            rows.append(db.session.execute(
                select(SalesOrder.number, SalesOrder.account_id, SalesOrder.status, SalesOrder.total)
                .order_by(SalesOrder.id)).all())
    assert rows[0] == rows[1]


def test_scale_needs_a_positive_number(tmp_path):
    app = scaled_app(tmp_path, "e.sqlite")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed", "--scale", "0"])
    assert result.exit_code != 0
    assert "0 is not in the range" in result.output
