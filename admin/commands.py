"""`flask create-user`: make a user from the command line."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from admin.passwords import password_problem
from models import Role, Team, User, db


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), prompt=True)
@click.option("--team", "team_name", default=None, help="Name of an existing team.")
@click.password_option("--password", help="Prompted for (twice) when not given.")
@with_appcontext
def create_user(email: str, name: str, role: str, team_name: str | None, password: str) -> None:
    """Create a user who can log in to the panel."""
    email = email.strip().lower()
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"A user with e-mail {email} already exists.")
    team = None
    if team_name:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            raise click.ClickException(f"No team named {team_name!r}.")
    problem = password_problem(password, user_inputs=(email, name))
    if problem:
        raise click.ClickException(f"Password refused: {problem}")
    user = User(email=email, name=name.strip(), role=Role(role), team=team, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--password", default=None, help="Password of the demo users (else DEMO_PASSWORD, else random).")
@with_appcontext
def demo(host: str, port: int, password: str | None) -> None:
    """Migrate the database, load the demo data once, and serve the panel (development server)."""
    import flask_migrate
    from flask import current_app
    from werkzeug.serving import run_simple

    from seed.commands import seed_demo_data

    flask_migrate.upgrade()
    seed_demo_data(password)
    url = f"http://{host}:{port}/"
    click.secho(f"\nSales Support Desk is running at {url}  (Ctrl+C to stop)\n", bold=True)
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)


@click.command("mark-overdue")
@with_appcontext
def mark_overdue() -> None:
    """Mark issued invoices past their due date overdue (safe to run daily, e.g. from cron)."""
    from rules.finance import mark_overdue_invoices

    count = mark_overdue_invoices(db.session)
    click.echo(f"{count} invoice(s) marked overdue.")


@click.command("roll-up")
@click.argument("month", type=click.DateTime(formats=["%Y-%m"]))
@with_appcontext
def roll_up(month) -> None:
    """Recompute the actuals of the targets of MONTH (YYYY-MM) from orders, leads, activities, quotes."""
    from rules.targets import month_bounds, roll_up_targets

    start, end = month_bounds(month.date())
    count = roll_up_targets(db.session, start, end)
    click.echo(f"{count} target(s) of {start:%Y-%m} rolled up.")
