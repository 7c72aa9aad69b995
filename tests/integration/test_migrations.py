"""The migrations build exactly the schema the models declare, on whichever database runs the tests."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import db
from models.search import objects_of


def test_models_and_migrations_agree(app):
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "include_object": objects_of(connection.dialect.name)})
    diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_database_is_at_the_latest_revision(app):
    from alembic.script import ScriptDirectory
    migrate = app.extensions["migrate"]
    script = ScriptDirectory(migrate.directory)
    current = MigrationContext.configure(db.session.connection()).get_current_revision()
    assert current == script.get_current_head()
