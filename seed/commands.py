"""`flask seed`: demo data for trying the panel, bulk data for benchmarks."""
from __future__ import annotations

import secrets
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from admin.passwords import password_problem
from models import db


@click.command("seed")
@click.option("--demo", is_flag=True, help="Realistic demo data across about six months.")
@click.option("--password", default=None,
              help="Password of the demo users (default: DEMO_PASSWORD, else a generated one).")
@click.option("--scale", type=click.IntRange(min=1), default=None, metavar="N",
              help="Bulk data for benchmarks: N sales orders and proportional related rows.")
@with_appcontext
def seed(demo: bool, password: str | None, scale: int | None) -> None:
    """Fill the database with data."""
    if not demo and not scale:
        raise click.UsageError("Say what to seed: --demo and/or --scale N.")
    if demo or (scale and not demo_data_present()):
        seed_demo_data(password)
    if scale:
        seed_scale_data(scale)


def demo_data_present() -> bool:
    from seed.demo import MARKER_EMAIL
    from models import User

    return db.session.scalar(select(User.id).where(User.email == MARKER_EMAIL)) is not None


def seed_scale_data(orders: int) -> None:
    """Seed bulk data with a progress bar, then print the rows per table and the time taken."""
    from seed.scale import seed_scale, total_rows

    started = time.perf_counter()
    with click.progressbar(length=total_rows(orders), label=f"Seeding {orders:,} orders") as bar:
        counts = seed_scale(db.session, orders, progress=bar.update)
    elapsed = time.perf_counter() - started
    click.echo(f"Added {sum(counts.values()):,} rows in {elapsed:.1f} s:")
    for table, count in counts.items():
        click.echo(f"  {table:<22} {count:>10,}")


def seed_demo_data(password: str | None) -> None:
    """Seed the demo data and print what was added and how to log in."""
    from seed.demo import DEMO_USERS, MARKER_EMAIL, seed_demo

    generated = not password and not current_app.config.get("DEMO_PASSWORD")
    password = password or current_app.config.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
    problem = None if generated else password_problem(password)
    if problem:  # a chosen demo password meets the policy like any other (the demo users are real logins)
        raise click.ClickException(f"Password refused: {problem}")
    started = time.perf_counter()
    counts = seed_demo(db.session, password)
    elapsed = time.perf_counter() - started
    if not any(counts.values()):
        click.echo(f"Demo data is already there ({MARKER_EMAIL} exists): nothing was added.")
        return
    click.echo(f"Added {sum(counts.values())} rows in {elapsed:.1f} s:")
    for table, count in counts.items():
        click.echo(f"  {table:<22} {count:>5}")
    click.echo("Demo logins:")
    for user in DEMO_USERS:
        click.echo(f"  {user.email:<32} {user.role.value:<12} {user.team or '-'}")
    click.echo(f"Password for all of them: {password}" + (" (generated; shown only now)" if generated else ""))
