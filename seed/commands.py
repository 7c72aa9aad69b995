"""`flask seed`: demo data for trying the panel, bulk data for benchmarks."""
import click


@click.command("seed")
@click.option("--demo", is_flag=True, help="Realistic demo data across about six months.")
@click.option("--password", default=None, help="Password of the demo users.")
def seed(demo: bool, password: str | None) -> None:
    """Fill the database with data."""
    raise click.ClickException("not yet")
