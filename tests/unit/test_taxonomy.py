import os

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from plaza.accounts.models import Role
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.processes.models import Process
from plaza.proposals.models import Proposal
from plaza.taxonomy import services
from plaza.taxonomy.data import SDG_GOALS, UDHR_ARTICLES, TagScheme
from plaza.taxonomy.models import ProcessTag, ProposalTag, Tag
from tests.conftest import count, make_process, make_user, statements_run


def make_proposal(process, author=None, title="Rent cap for council flats"):
    proposal = Proposal(process_id=process.id, author_id=author.id if author else None, title=title,
                        body="<p>Cap rents.</p>", submission_key=os.urandom(16).hex())
    db.session.add(proposal)
    db.session.commit()
    return proposal


def tag(scheme: TagScheme, code: str) -> Tag:
    return db.session.scalar(sa.select(Tag).where(Tag.scheme == scheme, Tag.code == code))


@pytest.fixture
def tags(app):
    services.seed_tags()


# Seeding


def test_seeding_creates_all_udhr_articles_and_sdgs(app):
    assert services.seed_tags() == 47
    counts = dict(db.session.execute(sa.select(Tag.scheme, sa.func.count(Tag.id)).group_by(Tag.scheme)).all())
    assert counts == {TagScheme.UDHR: 30, TagScheme.SDG: 17}
    codes = set(db.session.scalars(sa.select(Tag.code).where(Tag.scheme == TagScheme.UDHR)))
    assert codes == {str(number) for number in range(1, 31)}
    codes = set(db.session.scalars(sa.select(Tag.code).where(Tag.scheme == TagScheme.SDG)))
    assert codes == {str(number) for number in range(1, 18)}


def test_seeding_twice_creates_nothing_more(app):
    services.seed_tags()
    assert services.seed_tags() == 0
    assert count(Tag) == 47


def test_seeding_adds_only_what_is_missing(tags):
    db.session.delete(tag(TagScheme.SDG, "11"))
    db.session.commit()
    assert services.seed_tags() == 1
    assert tag(TagScheme.SDG, "11") is not None


@pytest.mark.parametrize(("scheme", "code", "title"), [
    (TagScheme.UDHR, "1", "Right to equality"),
    (TagScheme.UDHR, "2", "Freedom from discrimination"),
    (TagScheme.UDHR, "19", "Freedom of opinion and information"),
    (TagScheme.UDHR, "25", "Right to adequate standard of living"),
    (TagScheme.UDHR, "26", "Right to education"),
    (TagScheme.UDHR, "30", "Freedom from state or personal interference in the above rights"),
    (TagScheme.SDG, "1", "No poverty"),
    (TagScheme.SDG, "11", "Sustainable cities and communities"),
    (TagScheme.SDG, "16", "Peace, justice and strong institutions"),
    (TagScheme.SDG, "17", "Partnerships for the goals"),
])
def test_seeded_tags_carry_their_short_titles(tags, scheme, code, title):
    assert tag(scheme, code).short_title == title
    assert tag(scheme, code).title == title


@pytest.mark.pure
def test_titles_are_marked_for_translation():
    for title in [*UDHR_ARTICLES.values(), *SDG_GOALS.values()]:
        assert type(title).__name__ == "LazyString"


def test_seeding_corrects_a_changed_title(tags):
    tag(TagScheme.SDG, "11").short_title = "Something else"
    db.session.commit()
    assert services.seed_tags() == 0
    assert tag(TagScheme.SDG, "11").short_title == "Sustainable cities and communities"


def test_a_scheme_and_code_exist_once(tags):
    db.session.add(Tag(scheme=TagScheme.UDHR, code="25", short_title="Duplicate"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


# Tagging processes


def test_organiser_tags_a_process_and_replaces_its_tags(tags):
    organiser = make_user(Role.ORGANISER)
    process = make_process()
    housing, cities = tag(TagScheme.UDHR, "25"), tag(TagScheme.SDG, "11")
    services.tag_process(organiser, process, [cities.id, housing.id])
    assert services.tags_for_processes([process.id]) == {process.id: [housing, cities]}

    services.tag_process(organiser, process, [str(cities.id)])
    assert services.tags_for_processes([process.id]) == {process.id: [cities]}
    services.tag_process(organiser, process, [])
    assert services.tags_for_processes([process.id]) == {process.id: []}


def test_unknown_tag_id_is_refused_and_nothing_changes(tags):
    organiser = make_user(Role.ORGANISER)
    process = make_process()
    housing = tag(TagScheme.UDHR, "25")
    services.tag_process(organiser, process, [housing.id])
    unknown = db.session.scalar(sa.select(sa.func.max(Tag.id))) + 1
    with pytest.raises(RuleBroken) as refused:
        services.tag_process(organiser, process, [tag(TagScheme.SDG, "11").id, unknown])
    assert f"There is no tag with the number {unknown}" in refused.value.message
    assert refused.value.field == "tags"
    db.session.rollback()
    assert db.session.scalars(sa.select(ProcessTag.tag_id)).all() == [housing.id]


def test_tag_id_that_is_not_a_number_is_refused(tags):
    process = make_process()
    with pytest.raises(RuleBroken):
        services.tag_process(make_user(Role.ORGANISER), process, ["twenty-five"])
    assert count(ProcessTag) == 0


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR, Role.COUNCIL_OFFICER])
def test_only_organisers_tag_a_process(tags, role):
    process = make_process()
    with pytest.raises(RuleBroken) as refused:
        services.tag_process(make_user(role), process, [tag(TagScheme.UDHR, "25").id])
    assert refused.value.status == 403  # Forbidden
    assert count(ProcessTag) == 0


def test_admin_tags_a_process(tags):
    process = make_process()
    services.tag_process(make_user(Role.ADMIN), process, [tag(TagScheme.UDHR, "25").id])
    assert count(ProcessTag) == 1


# Tagging proposals


def test_author_tags_their_proposal(tags):
    author = make_user(Role.RESIDENT)
    proposal = make_proposal(make_process(), author)
    housing = tag(TagScheme.UDHR, "25")
    assert services.tag_proposal(author, proposal, [housing.id, housing.id]) == [housing]
    assert services.tags_for_proposals([proposal.id]) == {proposal.id: [housing]}


def test_organiser_tags_someone_elses_proposal(tags):
    proposal = make_proposal(make_process(), make_user(Role.RESIDENT))
    services.tag_proposal(make_user(Role.ORGANISER), proposal, [tag(TagScheme.SDG, "11").id])
    assert services.tags_for_proposals([proposal.id]) == {proposal.id: [tag(TagScheme.SDG, "11")]}


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR])
def test_others_cannot_tag_a_proposal(tags, role):
    proposal = make_proposal(make_process(), make_user(Role.RESIDENT))
    with pytest.raises(RuleBroken) as refused:
        services.tag_proposal(make_user(role), proposal, [tag(TagScheme.SDG, "11").id])
    assert refused.value.status == 403
    assert "Only the author of a proposal or the organisers" in refused.value.message
    assert count(ProposalTag) == 0


def test_anonymous_visitor_cannot_tag_a_proposal_without_author(tags):
    proposal = make_proposal(make_process(), author=None)
    with pytest.raises(RuleBroken) as refused:
        services.tag_proposal(AnonymousUserMixin(), proposal, [tag(TagScheme.SDG, "11").id])
    assert refused.value.status == 403
    assert count(ProposalTag) == 0


def test_unknown_tag_id_on_a_proposal_is_refused_and_nothing_changes(tags):
    author = make_user(Role.RESIDENT)
    proposal = make_proposal(make_process(), author)
    services.tag_proposal(author, proposal, [tag(TagScheme.UDHR, "25").id])
    with pytest.raises(RuleBroken):
        services.tag_proposal(author, proposal, [999_999])
    db.session.rollback()
    assert db.session.scalars(sa.select(ProposalTag.tag_id)).all() == [tag(TagScheme.UDHR, "25").id]


def test_deleting_a_proposal_removes_its_tags(tags):
    author = make_user(Role.RESIDENT)
    proposal = make_proposal(make_process(), author)
    services.tag_proposal(author, proposal, [tag(TagScheme.UDHR, "25").id])
    db.session.execute(sa.delete(Proposal).where(Proposal.id == proposal.id))
    db.session.commit()
    assert count(ProposalTag) == 0


# Reading tags for lists


@pytest.mark.parametrize("how_many", [1, 12])
def test_tags_for_proposals_takes_one_query_however_many_proposals(tags, how_many):
    author = make_user(Role.RESIDENT)
    process = make_process()
    proposals = [make_proposal(process, author, title=f"Idea {number}") for number in range(how_many)]
    for number, proposal in enumerate(proposals):
        services.tag_proposal(author, proposal, [tag(TagScheme.UDHR, str(number % 30 + 1)).id,
                                                 tag(TagScheme.SDG, "11").id])
    ids = [proposal.id for proposal in proposals]
    db.session.expunge_all()  # nothing cached: every tag has to come from the database
    with statements_run() as statements:
        found = services.tags_for_proposals(ids)
        titles = {proposal_id: [(t.scheme, t.code, t.short_title) for t in found[proposal_id]] for proposal_id in ids}
    assert len(statements) == 1
    assert titles[ids[0]] == [(TagScheme.UDHR, "1", "Right to equality"),
                              (TagScheme.SDG, "11", "Sustainable cities and communities")]
    assert len(titles) == how_many


def test_tags_for_processes_takes_one_query_and_lists_untagged_ones(tags):
    organiser = make_user(Role.ORGANISER)
    tagged, untagged = make_process(title="Housing"), make_process(title="Parks")
    services.tag_process(organiser, tagged, [tag(TagScheme.SDG, "11").id])
    tagged_id, untagged_id = tagged.id, untagged.id
    db.session.expunge_all()
    with statements_run() as statements:
        found = services.tags_for_processes([tagged_id, untagged_id])
        codes = {process_id: [t.code for t in found_tags] for process_id, found_tags in found.items()}
    assert len(statements) == 1
    assert codes == {tagged_id: ["11"], untagged_id: []}


def test_no_ids_need_no_query(app):
    with statements_run() as statements:
        assert services.tags_for_proposals([]) == {}
    assert statements == []


def test_filter_by_tag_keeps_only_tagged_proposals(tags):
    author = make_user(Role.RESIDENT)
    process = make_process()
    housing, education = tag(TagScheme.UDHR, "25"), tag(TagScheme.UDHR, "26")
    rent_cap, library, untagged = (make_proposal(process, author, title=title)
                                   for title in ("Rent cap", "Library", "Benches"))
    services.tag_proposal(author, rent_cap, [housing.id, education.id])
    services.tag_proposal(author, library, [education.id])

    def titles(tag_or_id):
        select = sa.select(Proposal).where(Proposal.process_id == process.id).order_by(Proposal.title)
        return [proposal.title for proposal in db.session.scalars(services.filter_by_tag(select, Proposal, tag_or_id))]

    assert titles(housing) == ["Rent cap"]
    assert titles(education) == ["Library", "Rent cap"]
    assert titles(education.id) == ["Library", "Rent cap"]
    assert titles(tag(TagScheme.SDG, "1")) == []
    assert untagged.title not in titles(housing) + titles(education)


def test_filter_by_tag_works_for_processes_and_refuses_other_models(tags):
    tagged, _other = make_process(title="Housing"), make_process(title="Parks")
    services.tag_process(None, tagged, [tag(TagScheme.SDG, "11").id])
    select = services.filter_by_tag(sa.select(Process), Process, tag(TagScheme.SDG, "11"))
    assert [process.slug for process in db.session.scalars(select)] == ["housing"]
    with pytest.raises(TypeError):
        services.filter_by_tag(sa.select(Tag), Tag, tag(TagScheme.SDG, "11"))


# Pages


def test_tags_page_lists_both_schemes_with_links(client, tags):
    page = client.get("/tags/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Universal Declaration of Human Rights" in html
    assert "Sustainable Development Goals" in html
    assert 'href="/tags/udhr/25"' in html and "Right to adequate standard of living" in html
    assert 'href="/tags/sdg/11"' in html and "Sustainable cities and communities" in html
    assert html.count('href="/tags/udhr/') == 30
    assert html.count('href="/tags/sdg/') == 17


def test_tag_page_lists_the_processes_tagged_with_it(client, tags):
    housing, _parks = make_process(title="Housing"), make_process(title="Parks")
    services.tag_process(None, housing, [tag(TagScheme.UDHR, "25").id])
    page = client.get("/tags/udhr/25")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Right to adequate standard of living" in html
    assert 'href="/processes/housing"' in html
    assert "/processes/parks" not in html


def test_tag_page_without_processes_says_so(client, tags):
    page = client.get("/tags/sdg/14")
    assert page.status_code == 200
    assert "Life below water" in page.get_data(as_text=True)
    assert "No consultation is tagged with this yet." in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/tags/udhr/31", "/tags/sdg/18", "/tags/sdg/0", "/tags/icescr/1", "/tags/UDHR/1"])
def test_unknown_tag_pages_are_not_found(client, tags, path):
    assert client.get(path).status_code == 404
