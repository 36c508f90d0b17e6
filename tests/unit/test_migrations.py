import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from plaza import search
from plaza.extensions import db
from tests.conftest import drop_everything


def pending_changes(connection) -> list:
    context = MigrationContext.configure(connection, opts={
        "compare_type": True,
        "include_object": lambda obj, name, *rest: not search.is_backend_index(name),
    })
    return compare_metadata(context, db.metadata)


def test_migrations_build_exactly_the_schema_the_models_describe(app):
    drop_everything(db.engine)
    upgrade()
    with db.engine.connect() as connection:
        assert pending_changes(connection) == []


def test_migrations_downgrade_to_an_empty_database(app):
    drop_everything(db.engine)
    upgrade()
    downgrade(revision="base")
    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()


def test_migrated_schema_has_the_backend_search_index(app):
    drop_everything(db.engine)
    upgrade()
    inspector = sa.inspect(db.engine)
    if db.engine.dialect.name == "sqlite":
        assert search.FTS_TABLE in inspector.get_table_names()
    else:
        assert search.PG_INDEX in {index["name"] for index in inspector.get_indexes("search_document")}
    matches = search.matching_proposal_ids("crossing", db.engine.dialect.name)
    db.session.execute(sa.select(matches.c.proposal_id)).all()
