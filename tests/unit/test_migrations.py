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


def test_content_migration_fixes_merged_supports_keys_and_answers(app):
    from plaza.accounts.models import Role
    from plaza.phases import PhaseKind
    from plaza.proposals import services as proposals
    from plaza.proposals.models import Proposal, Support, SupportQuota
    from plaza.proposals.services import ProposalDraft
    from plaza.questionnaires import services as questionnaires
    from plaza.questionnaires.models import Answer
    from plaza.submissions import Submission
    from tests.conftest import make_process, make_user

    drop_everything(db.engine)
    upgrade()
    process = make_process(supports_per_resident=3)
    body = "Paint a zebra crossing in front of the school."
    nine, ten = (proposals.create_proposal(make_user(), process, ProposalDraft(f"Crossing {n}", body), f"key-{n}")
                 for n in (9, 10))
    only_ten, both = make_user(), make_user()
    for resident, supported in ((only_ten, [ten]), (both, [nine, ten])):
        for proposal in supported:
            proposals.support(resident, proposal)
    survey = make_process(PhaseKind.DELIBERATION, title="Views")
    questionnaire = questionnaires.create_questionnaire(make_user(Role.ORGANISER), survey, "Views", "",
                                                        questionnaires.parse_questions("? Else? [text]"))
    questionnaires.submit_response(only_ten, questionnaire, {questionnaire.questions[0].id: "If x<y and y>z"})
    # What a merge did before this migration: the duplicate kept its supports.
    db.session.execute(sa.update(Proposal).where(Proposal.id == ten.id).values(state="MERGED", merged_into_id=nine.id))
    db.session.commit()
    nine, ten, only_ten, both = nine.id, ten.id, only_ten.id, both.id
    db.session.remove()
    downgrade(revision="727ffd75b2e4")
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT text FROM answer")).scalar() == "<p>If x&lt;y and y&gt;z</p>"
    upgrade()
    supports = set(db.session.execute(sa.select(Support.proposal_id, Support.user_id)).all())
    assert supports == {(nine, only_ten), (nine, both)}
    assert [db.session.get(Proposal, p).supports_count for p in (nine, ten)] == [2, 0]
    assert {q.user_id: q.used for q in db.session.scalars(sa.select(SupportQuota))} == {only_ten: 1, both: 1}
    assert db.session.scalar(sa.select(Answer.text)) == "If x<y and y>z"
    assert set(db.session.scalars(sa.select(Submission.key))) == {"key-9", "key-10"}
