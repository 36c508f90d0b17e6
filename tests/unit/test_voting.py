"""Casting a secret vote in the browser's way (forms, no JavaScript), receipts, the bulletin board, the
count and its check, and every kind of bad input on the way."""

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from plaza.accounts.models import Role
from plaza.audit.models import AuditEntry
from plaza.eligibility.models import Eligibility, EligibilitySource
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.voting import board, receipts, services
from plaza.voting.models import Ballot, BallotKind, BallotState, BudgetInput, Participation, SealedVote, Vote
from tests.conftest import assert_refused_by_csrf, count, csrf_token, login, make_process, make_user, submit


def open_ballot(process, kind=BallotKind.SINGLE, options=("Park", "Library", "Pool"), **settings) -> Ballot:
    organiser = make_user(Role.ORGANISER)
    ballot = services.create_ballot(organiser, process, title="Which first?", kind=kind,
                                    options=[{"label": label, **({"cost": cost} if cost else {})}
                                             for label, cost in (o if isinstance(o, tuple) else (o, None)
                                                                 for o in options)],
                                    **settings)
    services.open_ballot(organiser, ballot)
    return ballot


@pytest.fixture
def voting_process(app):
    return make_process(PhaseKind.VOTING, title="Neighbourhood vote")


def url(ballot, step: str = "") -> str:
    """The ballot's address, also for an instance whose session has ended (after a request)."""
    ballot_id = sa.inspect(ballot).identity[0]
    return f"/processes/{db.session.get(Ballot, ballot_id).process.slug}/ballots/{ballot_id}{step}"


def vote(client, ballot, data: dict, step: str = "/cast"):
    return submit(client, url(ballot, step), data, form_url=url(ballot))


def option_ids(ballot) -> list[int]:
    return [option.id for option in db.session.get(Ballot, sa.inspect(ballot).identity[0]).options]


def receipt_code(html: str) -> str:
    found = re.search(r'class="receipt-code"[^>]*><strong>([^<]+)<', html)
    assert found, "no receipt code on the page"
    return found.group(1)


def counts() -> tuple[int, int]:
    """(participations, votes cast: sealed in the pool or published)."""
    return count(Participation), count(Vote) + count(SealedVote)


def close_and_count(ballot) -> Ballot:
    """Close the ballot (which publishes what waits in the mixing pool) and count it."""
    services.close_ballot(make_user(Role.ORGANISER), db.session.get(Ballot, sa.inspect(ballot).identity[0]))
    assert services.count_ballot(sa.inspect(ballot).identity[0]) is True
    db.session.expire_all()
    return db.session.get(Ballot, sa.inspect(ballot).identity[0])


# --- the happy path and the secret ---------------------------------------------------------------------------


def test_vote_is_checked_then_cast_and_the_receipt_finds_it(client, voting_process):
    ballot = open_ballot(voting_process)
    login(client, make_user())
    park = option_ids(ballot)[0]

    page = client.get(url(ballot))
    assert page.status_code == 200 and 'name="option"' in page.get_data(as_text=True)
    checked = vote(client, ballot, {"option": str(park)}, step="/check")
    assert checked.status_code == 303 and checked.headers["Location"].endswith(url(ballot, "/check"))
    check = client.get(url(ballot, "/check"))
    text = check.get_data(as_text=True)
    assert check.status_code == 200 and "Check your vote" in text and "Park" in text
    assert counts() == (0, 0), "checking records nothing"

    cast = vote(client, ballot, {"option": str(park)})
    assert cast.status_code == 303 and cast.headers["Location"].endswith(url(ballot, "/your-receipt"))
    shown = client.get(url(ballot, "/your-receipt"))
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    html = shown.get_data(as_text=True)
    code = receipts.normalise_code(receipt_code(html))
    assert code is not None and "shuffled order" in html
    assert counts() == (1, 1)
    assert count(Vote) == 0, "sealed until its batch"

    waiting = submit(client, url(ballot, "/receipt"), {"code": code})
    assert "1 vote is cast but not on the board yet" in waiting.get_data(as_text=True)

    close_and_count(ballot)
    stored = db.session.scalars(sa.select(Vote)).one()
    assert stored.receipt_hash == receipts.receipt_hash(ballot.id, code)
    assert json.loads(stored.choices) == [park]
    found = submit(client, url(ballot, "/receipt"), {"code": code.lower().replace("-", " ")})
    assert found.status_code == 200 and "Your vote is on the bulletin board" in found.get_data(as_text=True)
    other = receipts.new_receipt_code()
    missing = submit(client, url(ballot, "/receipt"), {"code": other})
    assert "No vote on the bulletin board has this receipt code" in missing.get_data(as_text=True)
    malformed = submit(client, url(ballot, "/receipt"), {"code": "not a code"})
    assert malformed.status_code == 400 and "20 letters and digits" in malformed.get_data(as_text=True)


def test_who_voted_and_what_was_voted_share_nothing(app):
    vote_columns = set(Vote.__table__.columns.keys())
    assert vote_columns == {"ballot_id", "position", "choices", "receipt_hash", "chain_hash"}
    assert not any(isinstance(column.type, sa.DateTime) for column in Participation.__table__.columns)
    assert set(Participation.__table__.columns.keys()) == {"ballot_id", "user_id"}


def test_second_vote_is_refused_and_changes_nothing(client, voting_process):
    ballot = open_ballot(voting_process)
    login(client, make_user())
    first, second = option_ids(ballot)[:2]
    assert vote(client, ballot, {"option": str(first)}).status_code == 303
    again = vote(client, ballot, {"option": str(second)})
    assert again.status_code == 409 and "already voted" in again.get_data(as_text=True)
    assert counts() == (1, 1)
    assert "You have voted on this ballot" in client.get(url(ballot)).get_data(as_text=True)


def test_change_my_choices_returns_to_the_filled_ballot(client, voting_process):
    ballot = open_ballot(voting_process, kind=BallotKind.APPROVAL, max_choices=2)
    login(client, make_user())
    first, _, third = option_ids(ballot)
    page = vote(client, ballot, {"option": [str(first), str(third)]}, step="")
    text = page.get_data(as_text=True)
    assert f'value="{first}" checked' in text and f'value="{third}" checked' in text


# --- bad, hostile and duplicate input ------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "settings", "data", "message"), [
    (BallotKind.SINGLE, {}, {}, "Choose one answer"),
    (BallotKind.SINGLE, {}, {"option": "999999"}, "not on the ballot"),
    (BallotKind.SINGLE, {}, {"option": "<script>"}, "not on the ballot"),
    (BallotKind.SINGLE, {}, {"option": ["FIRST", "SECOND"]}, "only one answer"),
    (BallotKind.APPROVAL, {"max_choices": 1}, {"option": ["FIRST", "SECOND"]}, "at most 1 option"),
    (BallotKind.APPROVAL, {"min_choices": 2}, {"option": ["FIRST"]}, "at least 2 options"),
    (BallotKind.SCORE, {"max_score": 5}, {"points-FIRST": "6"}, "at most 5 points"),
    (BallotKind.SCORE, {}, {"points-FIRST": "-1"}, "whole number"),
    (BallotKind.SCORE, {}, {"points-FIRST": "two"}, "whole number"),
    (BallotKind.SCORE, {}, {}, "at least one option"),
    (BallotKind.RANKED, {}, {"rank-1": "FIRST", "rank-2": "FIRST"}, "same option twice"),
    (BallotKind.RANKED, {}, {"rank-2": "FIRST"}, "choice 1 is empty"),
    (BallotKind.RANKED, {}, {}, "first choice"),
])
def test_bad_ballots_are_refused_clearly_and_store_nothing(client, voting_process, kind, settings, data, message):
    ballot = open_ballot(voting_process, kind=kind, **settings)
    first, second = option_ids(ballot)[:2]

    def real(value):
        return value.replace("FIRST", str(first)).replace("SECOND", str(second))

    data = {real(key): [real(v) for v in value] if isinstance(value, list) else real(value)
            for key, value in data.items()}
    login(client, make_user())
    for step in ("/check", "/cast"):
        response = vote(client, ballot, data, step=step)
        text = response.get_data(as_text=True)
        assert response.status_code == 400, text
        assert message in text and "There is a problem" in text
    assert counts() == (0, 0)


def test_budget_ballot_over_the_budget_is_refused(client, voting_process):
    ballot = open_ballot(voting_process, kind=BallotKind.BUDGET, budget=10_000, method="greedy",
                         options=(("Trees", 6_000), ("Benches", 5_000), ("Lights", 3_000)))
    login(client, make_user())
    trees, benches, lights = option_ids(ballot)
    refused = vote(client, ballot, {"option": [str(trees), str(benches)]})
    assert refused.status_code == 400 and "more than the budget" in refused.get_data(as_text=True)
    assert counts() == (0, 0)
    assert vote(client, ballot, {"option": [str(trees), str(lights)]}).status_code == 303


def test_cumulative_budget_ballot_limits_the_points(client, voting_process):
    ballot = open_ballot(voting_process, kind=BallotKind.BUDGET, budget=10_000, method="greedy",
                         budget_input=BudgetInput.CUMULATIVE, points=5,
                         options=(("Trees", 6_000), ("Benches", 5_000)))
    login(client, make_user())
    trees, benches = option_ids(ballot)
    refused = vote(client, ballot, {f"points-{trees}": "4", f"points-{benches}": "2"})
    assert refused.status_code == 400 and "you have 5 to give" in refused.get_data(as_text=True)
    assert vote(client, ballot, {f"points-{trees}": "4", f"points-{benches}": "1"}).status_code == 303
    close_and_count(ballot)
    assert json.loads(db.session.scalars(sa.select(Vote.choices)).one()) == {str(trees): 4, str(benches): 1}


def test_missing_csrf_and_forged_ballot_ids_are_refused(client, voting_process):
    ballot = open_ballot(voting_process)
    login(client, make_user())
    first = option_ids(ballot)[0]
    assert_refused_by_csrf(client.post(url(ballot, "/cast"), data={"option": str(first)}))
    token = csrf_token(client, url(ballot))
    forged = client.post(f"/processes/{voting_process.slug}/ballots/987654/cast",
                         data={"csrf_token": token, "option": str(first)})
    assert forged.status_code == 404
    other_process = make_process(PhaseKind.VOTING, title="Another vote")
    elsewhere = client.post(f"/processes/{other_process.slug}/ballots/{ballot.id}/cast",
                            data={"csrf_token": token, "option": str(first)})
    assert elsewhere.status_code == 404
    assert counts() == (0, 0)


def test_option_of_another_ballot_is_refused(client, voting_process):
    ballot = open_ballot(voting_process)
    other = open_ballot(voting_process, options=("Yes please", "No thanks"))
    login(client, make_user())
    response = vote(client, ballot, {"option": str(option_ids(other)[0])})
    assert response.status_code == 400 and "not on the ballot" in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_no_vote_after_close_in_a_draft_or_outside_the_voting_phase(client, app, voting_process):
    ballot = open_ballot(voting_process)
    resident = make_user()
    login(client, resident)
    first = option_ids(ballot)[0]
    token = csrf_token(client, url(ballot))
    services.close_ballot(make_user(Role.ORGANISER), ballot)
    closed = client.post(url(ballot, "/cast"), data={"csrf_token": token, "option": str(first)})
    assert closed.status_code == 409 and "not open for voting" in closed.get_data(as_text=True)

    draft = services.create_ballot(make_user(Role.ORGANISER), voting_process, title="Draft",
                                   kind=BallotKind.SINGLE, options=[{"label": "A"}, {"label": "B"}])
    assert client.post(f"/processes/{voting_process.slug}/ballots/{draft.id}/cast",
                       data={"csrf_token": token, "option": str(draft.options[0].id)}).status_code == 404

    proposals_phase = make_process(PhaseKind.PROPOSALS, title="Still proposing")
    early = open_ballot(proposals_phase)
    refused = client.post(url(early, "/cast"), data={"csrf_token": token, "option": str(early.options[0].id)})
    assert refused.status_code == 403 and "current phase" in refused.get_data(as_text=True)
    assert counts() == (0, 0)


def test_anonymous_visitors_are_asked_to_sign_in(client, voting_process):
    ballot = open_ballot(voting_process)
    page = client.get(url(ballot)).get_data(as_text=True)
    assert "Sign in to vote" in page and 'name="option"' not in page


# --- eligibility: residence and age, never citizenship -------------------------------------------------------


def test_eligibility_by_age_and_district(client, voting_process):
    from plaza.districts import District

    north, south = District(name="North"), District(name="South")
    db.session.add_all([north, south])
    db.session.commit()
    ballot = open_ballot(voting_process, min_age=16, district_id=north.id)
    resident = make_user()
    login(client, resident)
    first = option_ids(ballot)[0]

    unknown = vote(client, ballot, {"option": str(first)})
    assert unknown.status_code == 403 and "aged 16 or over" in unknown.get_data(as_text=True)

    today = date.today()
    db.session.add(Eligibility(user_id=resident.id, birth_date=today.replace(year=today.year - 15),
                               district_id=north.id, source=EligibilitySource.DESK))
    db.session.commit()
    assert vote(client, ballot, {"option": str(first)}).status_code == 403

    record = db.session.get(Eligibility, resident.id)
    record.birth_date, record.district_id = today.replace(year=today.year - 16), south.id
    db.session.commit()
    elsewhere = vote(client, ballot, {"option": str(first)})
    assert elsewhere.status_code == 403 and "residents of North" in elsewhere.get_data(as_text=True)

    record.district_id = north.id
    db.session.commit()
    assert vote(client, ballot, {"option": str(first)}).status_code == 303
    assert counts() == (1, 1)


# --- closing, counting, publishing, verifying ---------------------------------------------------------------


def cast_many(app, ballot, choices_list) -> None:
    """Votes by distinct residents, through the service (the web path is tested above)."""
    from plaza.voting import casting

    for choices in choices_list:
        casting.cast(make_user(), db.session.get(Ballot, ballot.id), choices)


def test_close_count_publish_and_verify(client, app, voting_process):
    ballot = open_ballot(voting_process, kind=BallotKind.APPROVAL, seats=2, max_choices=3)
    park, library, pool = option_ids(ballot)
    cast_many(app, ballot, [[park, library], [park], [pool, park], [library]])
    organiser = make_user(Role.ORGANISER)
    login(client, organiser)
    confirm = client.get(url(ballot, "/close"))
    assert confirm.status_code == 200 and "You cannot undo this" in confirm.get_data(as_text=True)
    assert submit(client, url(ballot, "/close"), {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).state is BallotState.CLOSED
    assert client.get(url(ballot, "/result")).status_code == 404, "no result before the count"

    assert services.count_ballot(ballot.id) is True
    assert services.count_ballot(ballot.id) is False, "a second count publishes nothing"
    counted = db.session.get(Ballot, ballot.id)
    assert counted.state is BallotState.COUNTED
    assert counted.result["winners"] == [str(park), str(library)]
    assert count(AuditEntry, AuditEntry.action == "ballot.counted") == 1

    html = client.get(url(ballot, "/result")).get_data(as_text=True)
    assert "Chosen" in html and "Park" in html
    csv_text = client.get(url(ballot, "/result.csv")).get_data(as_text=True)
    assert csv_text.startswith("\ufeffoption_id,option,cost,total,elected")
    assert f"{park},Park,,3,yes" in csv_text
    published = client.get(url(ballot, "/board.json")).get_json()
    assert published["count"] == 4 and len(published["votes"]) == 4
    assert board.verify(published).ok

    changed = json.loads(json.dumps(published))
    changed["votes"][1]["choices"] = [pool]
    assert not board.verify(changed).chain_valid
    removed = json.loads(json.dumps(published))
    del removed["votes"][2]
    assert not board.verify(removed).ok
    rewritten = json.loads(json.dumps(published))
    rewritten["result"]["winners"] = [str(pool)]
    verdict = board.verify(rewritten)
    assert verdict.chain_valid and verdict.result_matches is False


def test_verify_ballot_command(app, runner, voting_process, tmp_path):
    ballot = open_ballot(voting_process, kind=BallotKind.SCORE, max_score=3)
    park, library, pool = option_ids(ballot)
    cast_many(app, ballot, [{str(park): 3}, {str(library): 2, str(pool): 1}])
    services.close_ballot(make_user(Role.ORGANISER), ballot)
    services.count_ballot(ballot.id)

    result = runner.invoke(args=["plaza", "verify-ballot", str(ballot.id)])
    assert result.exit_code == 0 and "VERIFIED" in result.output and "matches the recount" in result.output

    published = board.export(db.session.get(Ballot, ballot.id))
    published["votes"][0]["choices"] = {str(pool): 3}
    tampered = tmp_path / "board.json"
    tampered.write_text(json.dumps(published))
    result = runner.invoke(args=["plaza", "verify-ballot", str(ballot.id), "--board", str(tampered)])
    assert result.exit_code == 1 and "BROKEN" in result.output and "NOT VERIFIED" in result.output

    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    result = runner.invoke(args=["plaza", "verify-ballot", str(ballot.id), "--board", str(garbage)])
    assert result.exit_code != 0 and "not a bulletin-board JSON file" in result.output
    assert runner.invoke(args=["plaza", "verify-ballot", "424242"]).exit_code != 0
    assert "Recompute" in runner.invoke(args=["plaza", "verify-ballot", "--help"]).output


def test_board_pages_and_referendum(client, app, voting_process):
    ballot = open_ballot(voting_process, kind=BallotKind.REFERENDUM)
    assert [o.label for o in ballot.options] == ["Yes", "No", "Abstain"]
    yes, no, abstain = option_ids(ballot)
    cast_many(app, ballot, [[yes], [no], [yes], [abstain]])
    waiting = client.get(url(ballot, "/board")).get_data(as_text=True)
    assert "No votes yet" in waiting and 'id="vote-1"' not in waiting, "four votes are too few to publish"
    result = close_and_count(ballot).result
    page = client.get(url(ballot, "/board"))
    assert page.status_code == 200 and 'id="vote-4"' in page.get_data(as_text=True)
    assert client.get(url(ballot, "/board?page=2")).status_code == 404
    assert result["winners"] == [str(yes)] and result["summary"] == {"valid": 3, "abstentions": 1}


# --- organisers ------------------------------------------------------------------------------------------


def test_organiser_creates_opens_and_residents_cannot(client, voting_process):
    resident = make_user()
    login(client, resident)
    assert client.get(f"/processes/{voting_process.slug}/ballots/new").status_code == 403
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/")})

    login(client, make_user(Role.ORGANISER))
    new = f"/processes/{voting_process.slug}/ballots/new"
    wrong = submit(client, new, {"title": "Budget", "kind": "budget", "method": "irv", "options": "A | 5\nB | 6",
                                 "seats": "1", "min_choices": "1", "max_score": "5", "budget": "10",
                                 "budget_input": "approval", "district": "0"})
    assert wrong.status_code == 400 and "does not fit this kind" in wrong.get_data(as_text=True)
    no_cost = submit(client, new, {"title": "Budget", "kind": "budget", "method": "greedy",
                                   "options": "Trees\nBenches | 5", "seats": "1", "min_choices": "1",
                                   "max_score": "5", "budget": "10", "budget_input": "approval", "district": "0"})
    assert no_cost.status_code == 400 and "Line 1" in no_cost.get_data(as_text=True)
    same = submit(client, new, {"title": "Pick", "kind": "single", "method": "plurality", "options": "A\na",
                                "seats": "1", "min_choices": "1", "max_score": "5", "budget_input": "approval",
                                "district": "0"})
    assert same.status_code == 400 and "same name" in same.get_data(as_text=True)
    assert count(Ballot) == 0

    created = submit(client, new, {"title": "Pick <b>one</b>", "kind": "single", "method": "plurality",
                                   "options": "Park\nLibrary\n\n", "seats": "1", "min_choices": "1",
                                   "max_score": "5", "budget_input": "approval", "district": "0"})
    assert created.status_code == 302
    ballot = db.session.scalars(sa.select(Ballot)).one()
    assert ballot.state is BallotState.DRAFT and [o.label for o in ballot.options] == ["Park", "Library"]
    assert "Pick &lt;b&gt;one&lt;/b&gt;" in client.get(url(ballot)).get_data(as_text=True)
    assert submit(client, url(ballot, "/open"), {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).state is BallotState.OPEN
    again = submit(client, url(ballot, "/open"), {}, form_url=url(ballot))
    assert again.status_code == 303 and again.headers["Location"].endswith(url(ballot)), "refused: back, as buttons do"
    assert "Only a ballot in preparation can be opened." in client.get(url(ballot)).get_data(as_text=True)
    assert count(AuditEntry, AuditEntry.action == "ballot.opened") == 1


def test_residents_declare_where_they_live_but_cannot_overwrite_a_desk_record(client, voting_process):
    from plaza.districts import District

    north = District(name="North")
    db.session.add(north)
    db.session.commit()
    resident = make_user()
    login(client, resident)
    future = submit(client, "/account/eligibility", {"district": str(north.id), "birth_date": "2999-01-01"})
    assert future.status_code == 400 and "in the past" in future.get_data(as_text=True)
    garbage = submit(client, "/account/eligibility", {"district": "99999", "birth_date": ""})
    assert garbage.status_code == 400 and "Not a valid choice" in garbage.get_data(as_text=True)
    assert db.session.get(Eligibility, resident.id) is None

    assert submit(client, "/account/eligibility", {"district": str(north.id),
                                                   "birth_date": "2000-02-29"}).status_code == 302
    db.session.expire_all()
    record = db.session.get(Eligibility, resident.id)
    assert (record.district_id, record.birth_date, record.source) == (north.id, date(2000, 2, 29),
                                                                      EligibilitySource.SELF)
    assert "North" in client.get("/account/").get_data(as_text=True)

    record.source = EligibilitySource.DESK
    db.session.commit()
    refused = submit(client, "/account/eligibility", {"district": "0", "birth_date": ""})
    assert refused.status_code == 400 and "participation desk" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Eligibility, resident.id).district_id == north.id


def test_ranked_ballot_is_counted_by_instant_runoff(app, voting_process):
    ballot = open_ballot(voting_process, kind=BallotKind.RANKED, method="irv")
    ana, bilal, chen = option_ids(ballot)
    cast_many(app, ballot, [[ana]] * 4 + [[bilal, ana]] * 3 + [[chen, bilal]] * 2)
    services.close_ballot(make_user(Role.ORGANISER), ballot)
    assert services.count_ballot(ballot.id)
    result = db.session.get(Ballot, ballot.id).result
    assert result["rule"] == "irv" and result["winners"] == [str(bilal)]  # plurality would elect Ana
    assert board.verify(board.export(db.session.get(Ballot, ballot.id))).ok


@pytest.mark.parametrize(("budget_input", "votes", "method", "winners"), [
    # 3 voters want Trees (6,000), 2 want Benches (5,000) and Lights (3,000): greedy takes Trees then Lights.
    (BudgetInput.APPROVAL, [["T"], ["T"], ["T"], ["B", "L"], ["B", "L"]], "greedy", {"T", "L"}),
    # Equal shares: the 3 pay for Trees with their 6,000 share; the other 2 hold 4,000, enough for Lights
    # but not Benches, and after both only 1,000 is left.
    (BudgetInput.APPROVAL, [["T"], ["T"], ["T"], ["B", "L"], ["B", "L"]], "mes-add1-greedy", {"T", "L"}),
    (BudgetInput.CUMULATIVE, [{"T": 1}, {"B": 3, "L": 2}, {"B": 2}], "greedy", {"B", "L"}),
    (BudgetInput.RANKED, [["L", "T"], ["L", "B"], ["T"]], "greedy", {"L", "T"}),
])
def test_budget_ballots_are_counted_by_the_chosen_rule(app, voting_process, budget_input, votes, method, winners):
    ballot = open_ballot(voting_process, kind=BallotKind.BUDGET, budget=10_000, method=method,
                         budget_input=budget_input, points=5,
                         options=(("Trees", 6_000), ("Benches", 5_000), ("Lights", 3_000)))
    ids = dict(zip("TBL", option_ids(ballot), strict=True))
    cast_many(app, ballot, [{str(ids[k]): v for k, v in vote.items()} if isinstance(vote, dict)
                            else [ids[k] for k in vote] for vote in votes])
    services.close_ballot(make_user(Role.ORGANISER), ballot)
    assert services.count_ballot(ballot.id)
    counted = db.session.get(Ballot, ballot.id)
    assert set(counted.result["winners"]) == {str(ids[k]) for k in winners}
    assert board.verify(board.export(counted)).ok
    support = {k: 0 for k in "TBL"}
    for vote in votes:  # approvals, points, or positional points (ballot length - position)
        for position, k in enumerate(vote):
            support[k] += vote[k] if isinstance(vote, dict) else (
                len(vote) - position if budget_input is BudgetInput.RANKED else 1)
    assert {row.option_id: row.total for row in board.result_rows(counted)} == {ids[k]: n for k, n in support.items()}


def test_closed_ballots_are_published_as_pabulib_and_preflib_files(client, app, voting_process, tmp_path):
    from plaza.voting.formats.pabulib import read_pabulib
    from plaza.voting.formats.preflib import read_preflib
    from plaza.voting.methods import budgeting, ranked

    chair = open_ballot(voting_process, kind=BallotKind.RANKED, method="irv")
    ana, bilal, chen = option_ids(chair)
    cast_many(app, chair, [[ana]] * 4 + [[bilal, ana]] * 3 + [[chen, bilal]] * 2)
    budget = open_ballot(voting_process, kind=BallotKind.BUDGET, budget=10_000, method="greedy",
                         options=(("Trees; big", 6_000), ("Benches", 5_000), ("Lights", 3_000)))
    trees, benches, lights = option_ids(budget)
    cast_many(app, budget, [[trees], [trees, lights], [benches]])
    assert client.get(url(chair, "/votes.soi")).status_code == 404, "not while voting is open"

    organiser = make_user(Role.ORGANISER)
    for ballot in (chair, budget):
        services.close_ballot(organiser, db.session.get(Ballot, sa.inspect(ballot).identity[0]))
    soi = client.get(url(chair, "/votes.soi"))
    assert soi.status_code == 200 and "attachment" in soi.headers["Content-Disposition"]
    (tmp_path / "chair.soi").write_bytes(soi.data)
    election = read_preflib(tmp_path / "chair.soi")
    assert election.num_voters == 9
    assert election.candidates[ranked.irv(election).winners[0]] == "Library"  # the second option

    pb = client.get(url(budget, "/votes.pb"))
    assert pb.status_code == 200
    (tmp_path / "budget.pb").write_bytes(pb.data)
    replayed = read_pabulib(tmp_path / "budget.pb")
    assert replayed.num_voters == 3 and replayed.budget == 10_000
    assert set(budgeting.greedy(replayed).winners) == {str(trees), str(lights)}
    assert client.get(url(budget, "/votes.soi")).status_code == 404
    assert client.get(url(chair, "/votes.pb")).status_code == 404


def test_result_page_tells_the_count_in_sentences(client, app, voting_process):
    ballot = open_ballot(voting_process, kind=BallotKind.RANKED, method="irv")
    ana, bilal, chen = option_ids(ballot)
    cast_many(app, ballot, [[ana]] * 4 + [[bilal, ana]] * 3 + [[chen, bilal]] * 2)
    services.close_ballot(make_user(Role.ORGANISER), ballot)
    services.count_ballot(ballot.id)
    page = client.get(url(ballot, "/result")).get_data(as_text=True)
    assert "Round 1: Pool has the fewest votes (2) and is out" in page
    assert "Round 2: Library elected" in page

    budget = open_ballot(voting_process, kind=BallotKind.BUDGET, budget=10_000, method="mes-add1-greedy",
                         options=(("Trees", 6_000), ("Benches", 5_000), ("Lights", 3_000)))
    trees, benches, lights = option_ids(budget)
    cast_many(app, budget, [[trees], [trees], [trees], [benches, lights], [benches, lights]])
    services.close_ballot(make_user(Role.ORGANISER), budget)
    services.count_ballot(budget.id)
    page = client.get(url(budget, "/result")).get_data(as_text=True)
    assert "Trees is funded (€6,000), paid for in equal shares by 3 supporters" in page
    assert "Equal shares with Add1" in page


@pytest.mark.parametrize(("kind", "settings", "options", "message"), [
    (BallotKind.SINGLE, {}, ["Only one"], "at least two options"),
    (BallotKind.SINGLE, {}, ["Park", " park "], "same name"),
    (BallotKind.SINGLE, {}, ["Park", "  "], "needs a name"),
    (BallotKind.SINGLE, {"method": "stv"}, ["Park", "Pool"], "does not fit"),
    (BallotKind.APPROVAL, {"min_choices": 3}, ["Park", "Pool"], "Nobody could vote"),
    (BallotKind.APPROVAL, {"min_choices": 2, "max_choices": 1}, ["Park", "Pool", "Pier"], "fewer than the fewest"),
    (BallotKind.RANKED, {"method": "stv", "seats": 2}, ["Park", "Pool"], "fewer winners"),
    (BallotKind.BUDGET, {"method": "greedy"}, [("Park", 5)], "at least two options"),
    (BallotKind.BUDGET, {"method": "greedy"}, [("Park", 5), ("Pool", 6)], "Enter the budget"),
    (BallotKind.BUDGET, {"method": "greedy", "budget": 10}, [("Park", 5), ("Pool", 0)], "above zero"),
    (BallotKind.BUDGET, {"method": "greedy", "budget": 10}, [("Park", 5), ("Pool", 11)], "more than the whole"),
    (BallotKind.BUDGET, {"method": "greedy", "budget": 10, "budget_input": BudgetInput.CUMULATIVE},
     [("Park", 5), ("Pool", 6)], "how many points"),
])
def test_ballots_that_could_not_work_are_refused_and_nothing_is_saved(app, voting_process, kind, settings,
                                                                       options, message):
    from plaza.errors import RuleBroken

    with pytest.raises(RuleBroken, match=message):
        services.create_ballot(make_user(Role.ORGANISER), voting_process, title="Bad", kind=kind,
                               options=[{"label": o[0], "cost": o[1]} if isinstance(o, tuple) else {"label": o}
                                        for o in options], **settings)
    db.session.rollback()
    assert count(Ballot) == 0


def test_a_resident_cannot_prepare_open_or_close_a_ballot(app, voting_process):
    from plaza.permissions import Forbidden

    ballot = open_ballot(voting_process)
    resident = make_user()
    with pytest.raises(Forbidden):
        services.create_ballot(resident, voting_process, title="Mine", kind=BallotKind.SINGLE,
                               options=[{"label": "A"}, {"label": "B"}])
    with pytest.raises(Forbidden):
        services.close_ballot(resident, db.session.get(Ballot, ballot.id))
    db.session.rollback()
    assert db.session.get(Ballot, ballot.id).state is BallotState.OPEN


# --- after a POST: reloads, language switches, leaving ------------------------------------------------------


def test_check_and_receipt_pages_survive_reloads_and_language_switches_until_the_voter_leaves(client,
                                                                                              voting_process):
    ballot = open_ballot(voting_process)
    login(client, make_user())
    park = option_ids(ballot)[0]
    assert client.get(url(ballot, "/check")).status_code == 302, "nothing to check yet: back to the ballot"

    vote(client, ballot, {"option": str(park)}, step="/check")
    for _ in range(2):
        assert "Park" in client.get(url(ballot, "/check")).get_data(as_text=True)
    switched = client.get(f"/language/ar?next={url(ballot, '/check')}")
    assert switched.status_code == 302 and switched.headers["Location"].endswith(url(ballot, "/check"))
    arabic = client.get(url(ballot, "/check")).get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "Park" in arabic
    client.get(f"/language/en?next={url(ballot, '/check')}")

    vote(client, ballot, {"option": str(park)})
    first = client.get(url(ballot, "/your-receipt")).get_data(as_text=True)
    code = receipt_code(first)
    assert code in client.get(url(ballot, "/your-receipt")).get_data(as_text=True), "a reload keeps it"
    client.get(f"/language/ar?next={url(ballot, '/your-receipt')}")
    arabic = client.get(url(ballot, "/your-receipt")).get_data(as_text=True)
    assert 'dir="rtl"' in arabic and code in arabic, "a language switch keeps it"
    receipt_page = url(ballot, "/your-receipt")
    submit(client, "/language", {"code": "en", "next": receipt_page}, form_url=receipt_page)
    assert code in client.get(url(ballot, "/your-receipt")).get_data(as_text=True), "the switcher's form too"
    client.get("/favicon.ico")  # a browser's own request is not leaving the page
    assert code in client.get(url(ballot, "/your-receipt")).get_data(as_text=True)

    client.get(url(ballot, "/board"))  # the voter moves on
    gone = client.get(url(ballot, "/your-receipt"), follow_redirects=True)
    assert gone.status_code == 200 and code not in gone.get_data(as_text=True)
    with client.session_transaction() as session:
        assert not any(key.startswith("voting.") for key in session)


def test_receipt_page_of_another_ballot_shows_no_code(client, voting_process):
    ballot = open_ballot(voting_process)
    other = open_ballot(voting_process, options=("Yes please", "No thanks"))
    login(client, make_user())
    vote(client, ballot, {"option": str(option_ids(ballot)[0])})
    elsewhere = client.get(url(other, "/your-receipt"))
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"].endswith(url(other))
