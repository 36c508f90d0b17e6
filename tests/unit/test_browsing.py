"""The proposal list: filters, search on both backends, stable random order, pagination, query count."""

import pytest

from plaza.districts import District
from plaza.extensions import db
from plaza.proposals import listing, services
from plaza.proposals.models import AnswerState, Category, Proposal
from plaza.proposals.services import ProposalDraft
from tests.conftest import count, make_process, make_user, statements_run

BODY = "A proposal body that is long enough to be accepted by the rules."


@pytest.fixture
def process(app):
    return make_process()


def publish(process, title, body=BODY, **draft):
    author = make_user()
    return services.create_proposal(author, process, ProposalDraft(title, body, **draft), f"key-{title}")


def titles(page) -> list[str]:
    return [proposal.title for proposal in page.items]


def test_search_finds_words_in_title_or_body_in_any_language(client, process):
    publish(process, "Benches in the park", "Más bancos en el parque, por favor, para descansar.")
    publish(process, "Wider pavements", "Make the pavements on Station Road wider for wheelchairs.")
    page = listing.page_of_proposals(process.id, listing.Filters(query="wheelchairs"))
    assert titles(page) == ["Wider pavements"]
    page = listing.page_of_proposals(process.id, listing.Filters(query="parque bancos"))
    assert titles(page) == ["Benches in the park"]
    response = client.get(f"/processes/{process.slug}?q=pavements")
    assert "Wider pavements" in response.get_data(as_text=True)
    assert "Benches in the park" not in response.get_data(as_text=True)


@pytest.mark.parametrize("hostile", ['"unbalanced', "a AND (", "NEAR(x y", "*", "'; DROP TABLE proposal; --",
                                     "title:secret", "\x00"])
def test_hostile_search_text_is_only_words(client, process, hostile):
    publish(process, "Wider pavements")
    response = client.get(f"/processes/{process.slug}", query_string={"q": hostile})
    assert response.status_code in (200, 400)
    assert count(Proposal) == 1


def test_filters_by_category_district_and_status(app, process):
    roads, parks = Category(name="Roads"), Category(name="Parks")
    north = District(name="North")
    db.session.add_all([roads, parks, north])
    db.session.commit()
    publish(process, "Road one", category_id=roads.id, district_id=north.id)
    answered = publish(process, "Park one", category_id=parks.id)
    services.answer(make_user(__import__("plaza.accounts.models", fromlist=["Role"]).Role.ORGANISER), answered,
                    AnswerState.ACCEPTED, "We will do it this year.")
    assert titles(listing.page_of_proposals(process.id, listing.Filters(category_id=roads.id))) == ["Road one"]
    assert titles(listing.page_of_proposals(process.id, listing.Filters(district_id=north.id))) == ["Road one"]
    accepted = listing.Filters(status=listing.Status.ACCEPTED)
    assert titles(listing.page_of_proposals(process.id, accepted)) == ["Park one"]
    assert titles(listing.page_of_proposals(process.id, listing.Filters(status=listing.Status.OPEN))) == ["Road one"]


def test_unknown_filter_values_get_a_clear_400(client, process):
    for query in ({"sort": "sideways"}, {"category": "999"}, {"status": "lost"}, {"page": "-3"},
                  {"category": "abc"}):
        response = client.get(f"/processes/{process.slug}", query_string=query)
        assert response.status_code == 400, query
        assert "There is a problem" in response.get_data(as_text=True)


def test_page_numbers_out_of_range_are_404(client, process):
    publish(process, "Only one")
    assert client.get(f"/processes/{process.slug}?page=2").status_code == 404
    assert client.get(f"/processes/{process.slug}?page=1").status_code == 200


def test_random_order_is_stable_for_a_visitor_and_differs_between_seeds(app, process):
    for number in range(30):
        publish(process, f"Proposal number {number}")
    first = titles(listing.page_of_proposals(process.id, listing.Filters(sort=listing.Sort.RANDOM, seed=11)))
    again = titles(listing.page_of_proposals(process.id, listing.Filters(sort=listing.Sort.RANDOM, seed=11)))
    other = titles(listing.page_of_proposals(process.id, listing.Filters(sort=listing.Sort.RANDOM, seed=12)))
    recent = titles(listing.page_of_proposals(process.id, listing.Filters()))
    assert first == again
    assert first != other and first != recent
    second_page = titles(listing.page_of_proposals(process.id, listing.Filters(sort=listing.Sort.RANDOM, seed=11), 2))
    assert not set(first) & set(second_page)


def test_most_supported_first(app, process):
    low, high = publish(process, "Low support"), publish(process, "High support")
    services.support(make_user(), high)
    assert titles(listing.page_of_proposals(process.id, listing.Filters(sort=listing.Sort.SUPPORTED)))[0] == \
        "High support"
    assert low.supports_count == 0


def test_list_page_query_count_does_not_grow_with_proposals(client, process):
    roads = Category(name="Roads")
    db.session.add(roads)
    db.session.commit()
    for number in range(3):
        publish(process, f"Early proposal {number}", category_id=roads.id)
    with statements_run() as statements:
        assert client.get(f"/processes/{process.slug}").status_code == 200
    few = len(statements)
    for number in range(40):
        publish(process, f"Later proposal {number}", category_id=roads.id)
    with statements_run() as statements:
        assert client.get(f"/processes/{process.slug}").status_code == 200
    many = len(statements)
    assert many == few


def test_search_finds_proposals_by_their_comments_but_not_hidden_ones(app, process):
    from plaza.accounts.models import Role
    from plaza.comments import moderation
    from plaza.comments import services as comments

    proposal = publish(process, "Wider pavements")
    publish(process, "Benches in the park")
    comment = comments.add_comment(make_user(), proposal, "The kerb near the bakery is dangerous.", "for",
                                   submission_key="c1")
    assert titles(listing.page_of_proposals(process.id, listing.Filters(query="bakery"))) == ["Wider pavements"]
    moderation.hide(make_user(Role.MODERATOR), comment, "Personal data about a neighbour.")
    assert titles(listing.page_of_proposals(process.id, listing.Filters(query="bakery"))) == []


def test_proposal_page_query_count_does_not_grow_with_comments(client, process):
    from plaza.comments import services as comments

    proposal = publish(process, "Wider pavements")
    viewer = make_user()
    from tests.conftest import login

    login(client, viewer)
    url = f"/processes/{process.slug}/proposals/{proposal.id}"
    for number in range(2):
        comments.add_comment(make_user(), proposal, f"Early comment number {number}.", "for",
                             submission_key=f"early-{number}")
    with statements_run() as statements:
        assert client.get(url).status_code == 200
    few = len(statements)
    first = None
    for number in range(30):
        made = comments.add_comment(make_user(), proposal, f"Later comment number {number}.", "against",
                                    parent=first, submission_key=f"later-{number}")
        first = first or made
    with statements_run() as statements:
        assert client.get(url).status_code == 200
    many = len(statements)
    assert many == few


def test_counting_stops_at_the_limit_and_later_pages_still_work(app, process, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 25)
    for number in range(50):
        publish(process, f"Proposal number {number}")
    first = listing.page_of_proposals(process.id, listing.Filters())
    assert first.total_is_capped and first.total == 25 and first.pages == 2
    third = listing.page_of_proposals(process.id, listing.Filters(), 3)
    assert len(third.items) == 10 and not third.total_is_capped and third.pages == 3
    with pytest.raises(listing.PageOutOfRange):
        listing.page_of_proposals(process.id, listing.Filters(), 4)
