"""`flask create-user`: make a user from the command line."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

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
    if len(password) < 8:
        raise click.ClickException("The password must have at least 8 characters.")
    user = User(email=email, name=name.strip(), role=Role(role), team=team, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")
