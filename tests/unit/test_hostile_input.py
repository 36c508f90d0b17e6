"""What a hostile visitor sends: ids and numbers the database cannot hold, digits that are not ASCII,
redirect targets with line breaks, NUL bytes, huge bodies, and the wrong HTTP method. Every one gets a
clear 4xx on the styled page in the visitor's language, and nothing is stored."""

import re

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from werkzeug.test import EnvironBuilder, run_wsgi_app

from plaza.accounts.models import Role, User
from plaza.comments.models import Comment
from plaza.errors import RuleBroken
from plaza.meetings.models import Meeting
from plaza.navigation import local_path
from plaza.numbers import MAX_ID
from plaza.phases import PhaseKind
from plaza.processes.models import Process
from plaza.proposals import services as proposals
from plaza.proposals.models import Proposal
from plaza.proposals.services import ProposalDraft
from plaza.voting import services as voting
from plaza.voting.models import Ballot, BallotKind, BudgetInput
from plaza.web.routing import IdConverter, numbers_up_to
from tests.conftest import count, login, make_process, make_user, submit
from tests.unit.test_languages import translated

HUGE_IDS = [str(2**31), str(2**63), str(10**30)]  # ids are INTEGER columns: 2**31 - 1 is the largest
NOT_IDS = ["0", "007", "\u0663", "\u00b2", "-1", "1e3"]  # leading zero, Arabic-Indic three, superscript two
PARAMETER = re.compile(r"<(?:(\w+)(?:\((.*?)\))?:)?(\w+)>")


def text(response) -> str:
    return response.get_data(as_text=True)


def a_proposal(process) -> Proposal:
    return proposals.create_proposal(make_user(), process, ProposalDraft("Benches", "Along the river bank, please."),
                                     "key-1")


def id_routes(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if any(isinstance(converter, IdConverter)
                                                             for converter in rule._converters.values())]


def path_with(rule, slug: str, number: str) -> str:
    def fill(match):
        converter, arguments, _name = match.groups()
        if converter == "id":
            return number
        if converter == "any":
            return arguments.split(",")[0].strip()
        return slug

    return PARAMETER.sub(fill, rule.rule)


# --- ids in addresses ----------------------------------------------------------------------------------------


def test_every_route_with_a_number_in_its_address_uses_the_id_converter(app):
    untyped = [rule.rule for rule in app.url_map.iter_rules()
               if any(type(converter).__name__ in {"IntegerConverter", "NumberConverter", "FloatConverter"}
                      for converter in rule._converters.values())]
    assert untyped == []
    assert len(id_routes(app)) >= 35


@pytest.mark.parametrize("number", HUGE_IDS + NOT_IDS)
def test_ids_the_database_cannot_hold_are_404_on_every_route(client, app, number):
    process = make_process(PhaseKind.VOTING)
    login(client, make_user(Role.ADMIN))
    answers = {}
    for rule in id_routes(app):
        path = path_with(rule, process.slug, number)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answers[method, path] = client.open(path, method=method).status_code
    wrong = {key: code for key, code in answers.items() if code != 404}
    # A POST may meet a GET page of another shape first: /tags/proposal/<huge> is also /tags/<scheme>/<code>.
    assert answers and wrong == {key: 405 for key in wrong if key[0] == "POST"
                                 and key[1].startswith("/tags/proposal/")}, wrong


@pytest.mark.parametrize("limit", [MAX_ID, 2**63 - 1, 2**31 - 1, 1000, 909, 10, 9, 1])
@pytest.mark.pure
def test_the_id_pattern_matches_exactly_the_numbers_up_to_its_limit(limit):
    pattern = re.compile(numbers_up_to(limit))
    written = [str(number) for number in range(2000)] + [str(limit + step) for step in range(-50, 50)]
    for text_ in [*written, "01", "007", "\u0663", "\u00b2", "+1", "1_0", " 1"]:
        expected = text_.isascii() and text_.isdigit() and text_ == str(int(text_)) and 1 <= int(text_) <= limit
        assert bool(pattern.fullmatch(text_)) == expected, text_


def test_the_largest_id_is_a_plain_404_and_real_ids_still_work(client):
    process = make_process()
    proposal = a_proposal(process)
    assert client.get(f"/processes/{process.slug}/proposals/{MAX_ID}").status_code == 404
    assert client.get(f"/processes/{process.slug}/proposals/{MAX_ID + 1}").status_code == 404
    assert client.get(f"/processes/{process.slug}/proposals/{proposal.id}").status_code == 200
    assert client.get(f"/tags/proposal/{2**63}").status_code == 404


# --- numbers in forms ----------------------------------------------------------------------------------------

BALLOT = {"title": "Budget", "kind": "budget", "method": "greedy", "options": "Trees | 500\nBenches | 300",
          "seats": "1", "min_choices": "1", "max_score": "5", "budget": "1000", "budget_input": "approval",
          "district": "0"}
BAD_NUMBERS = ["99999999999999999999999", str(2**63), "-1", "\u00b2", "\u0663", "1e3", "9" * 5000]


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize("field", ["budget", "points", "seats", "min_choices", "max_choices", "max_score",
                                   "min_age"])
def test_ballot_numbers_out_of_range_are_refused_with_a_message(client, field, value):
    process = make_process(PhaseKind.VOTING)
    login(client, make_user(Role.ORGANISER))
    response = submit(client, f"/processes/{process.slug}/ballots/new", {**BALLOT, field: value})
    assert response.status_code == 400
    assert "Enter a whole number from " in text(response)
    assert count(Ballot) == 0


@pytest.mark.parametrize("cost", ["99999999999999999999999", "1000000001", "0", "-5", "\u00b2\u00b2",
                                  "\u0665\u0660\u0660"])
def test_project_costs_out_of_range_are_refused_with_the_line(client, cost):
    process = make_process(PhaseKind.VOTING)
    login(client, make_user(Role.ORGANISER))
    response = submit(client, f"/processes/{process.slug}/ballots/new",
                      {**BALLOT, "options": f"Trees | 500\nBenches | {cost}"})
    assert response.status_code == 400
    assert "Line 2: the cost must be a whole number from 1 to 1000000000." in text(response)
    assert count(Ballot) == 0


def test_zero_where_it_makes_no_sense_is_refused(client):
    process = make_process(PhaseKind.VOTING)
    login(client, make_user(Role.ORGANISER))
    for field in ("budget", "seats", "max_score", "points", "max_choices"):
        response = submit(client, f"/processes/{process.slug}/ballots/new", {**BALLOT, field: "0"})
        assert response.status_code == 400, field
        assert "Enter a whole number from 1 to " in text(response), field
    assert count(Ballot) == 0


@pytest.mark.parametrize("value", BAD_NUMBERS + ["0"])
def test_meeting_capacity_out_of_range_is_refused(client, value):
    from tests.unit.test_meetings import BASE, form_data, riverside_park

    riverside_park()
    login(client, make_user(Role.ORGANISER))
    response = submit(client, f"{BASE}/new", form_data(capacity=value))
    assert response.status_code == 400
    assert "Enter a number of places from 1 to 1000000, or leave it empty for no limit." in text(response)
    assert count(Meeting) == 0


@pytest.mark.parametrize("field", ["support_threshold", "supports_per_resident", "edit_window_minutes"])
@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_consultation_numbers_out_of_range_are_refused(client, field, value):
    from tests.unit.test_process_management import process_fields

    login(client, make_user(Role.ORGANISER))
    response = submit(client, "/processes/new", process_fields(**{field: value}))
    assert response.status_code == 400
    assert re.search(r"Enter a (whole )?number (of minutes )?from \d+ to \d+", text(response))
    assert count(Process) == 0


@pytest.mark.parametrize("value", BAD_NUMBERS + ["0"])
def test_invitation_numbers_out_of_range_are_refused(client, value):
    login(client, make_user(Role.ADMIN))
    for field, message in (("count", "Enter a number from 1 to 1000."),
                           ("valid_days", "Enter a number of days from 1 to 365.")):
        data = {"count": "10", "valid_days": "90", "note": "", field: value}
        response = submit(client, "/admin/invitations", data)
        assert response.status_code == 400, field
        assert message in text(response)


# --- numbers read by hand ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, settings", [(BallotKind.SCORE, {"max_score": 5}),
                                            (BallotKind.BUDGET, {"method": "greedy", "budget": 1000,
                                                                 "budget_input": BudgetInput.CUMULATIVE,
                                                                 "points": 10})])
@pytest.mark.parametrize("points", ["\u00b2", "\u0663", "9" * 5000, "1_0", "+3", "-1"])
def test_points_that_are_not_ascii_digits_are_refused_on_the_check_step(client, kind, settings, points):
    process = make_process(PhaseKind.VOTING)
    organiser = make_user(Role.ORGANISER)
    options = [{"label": "Park", "cost": 500}, {"label": "Pool", "cost": 400}]
    if kind is BallotKind.SCORE:
        options = [{"label": "Park"}, {"label": "Pool"}]
        settings = {"method": "score", **settings}
    ballot = voting.create_ballot(organiser, process, title="Which first?", kind=kind, options=options, **settings)
    voting.open_ballot(organiser, ballot)
    base = f"/processes/{process.slug}/ballots/{ballot.id}"
    park = ballot.options[0].id
    login(client, make_user())
    response = submit(client, f"{base}/check", {f"points-{park}": points}, form_url=base)
    assert response.status_code == 400
    assert "Enter a whole number of points for “Park”." in text(response)


@pytest.mark.parametrize("page", ["99999999999999999999", str(2**63), "-1", "0", "\u00b2", "\u0663", "abc"])
def test_page_numbers_that_are_not_pages_are_404_or_400(client, page):
    process = make_process()
    proposal = a_proposal(process)
    organiser = make_user(Role.ORGANISER)
    vote_on = make_process(PhaseKind.VOTING, title="The vote")
    ballot = voting.create_ballot(organiser, vote_on, title="Which?", kind=BallotKind.SINGLE,
                                  options=[{"label": "Park"}, {"label": "Pool"}])
    voting.open_ballot(organiser, ballot)
    base = f"/processes/{process.slug}"
    assert client.get(base, query_string={"page": page}).status_code in (400, 404)
    for path, name in ((f"{base}/proposals/{proposal.id}", "comments_page"),
                       (f"{base}/proposals/{proposal.id}/comments", "comments_page"),
                       (f"/processes/{vote_on.slug}/ballots/{ballot.id}/board", "page")):
        assert client.get(path, query_string={name: page}).status_code == 404, path


def test_merge_numbers_must_be_ascii_and_fit(client):
    process = make_process()
    proposal = a_proposal(process)
    login(client, make_user(Role.ORGANISER))
    url = f"/processes/{process.slug}/proposals/{proposal.id}/merge"
    for numbers in (str(2**63), "99999999999999999999999", "\u00b2", "\u0663"):
        response = submit(client, url, {"duplicates": numbers})
        assert response.status_code == 400, numbers
        assert "Enter proposal numbers separated by commas" in text(response)
    for numbers in (str(MAX_ID + 1), str(10**17)):  # numbers, but no proposal can have them
        response = submit(client, url, {"duplicates": numbers})
        assert response.status_code == 400, numbers
        assert "There is no proposal with one of these numbers." in text(response)


@pytest.mark.parametrize("tag_id", [str(MAX_ID + 1), str(10**17), str(2**63), "\u0663", "\u00b2"])
def test_tag_numbers_the_database_cannot_hold_are_refused(client, tag_id):
    from plaza.taxonomy.services import tag_proposal

    process = make_process()
    author = make_user()
    proposal = proposals.create_proposal(author, process, ProposalDraft("Benches", "Along the river bank, please."),
                                         "key-1")
    with pytest.raises(RuleBroken, match="There is no tag with the number"):
        tag_proposal(author, proposal, [tag_id])


# --- redirect targets ----------------------------------------------------------------------------------------

HOSTILE_TARGETS = ["/\r\nSet-Cookie:x=1", "/%0d%0a", "/\nx", "/\tx", "/\x00x", "/\x7fx", "/\u2028x", "/\u200bx",
                   "//evil.example", "/\\evil.example", "/\\/evil.example", "\\\\evil.example", "/\t/evil.example",
                   "javascript:alert(1)", "JavaScript:alert(1)", "https://evil.example/", "http:/evil.example",
                   " /x", "", None, "/" + "a" * 3000]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
@pytest.mark.pure
def test_local_path_refuses_hostile_targets(target):
    expected = "/home" if target != "/%0d%0a" else target  # percent-escapes are harmless text in a path
    assert local_path(target, "/home") == expected


@pytest.mark.pure
def test_local_path_keeps_real_paths():
    for target in ("/processes/", "/processes/river-park?page=2#list", "/tags/udhr/25", "/caf%C3%A9", "/café"):
        assert local_path(target, "/home") == target


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie:x=1", "/\nx", "//evil.example", "/\t/evil.example",
                                    "javascript:alert(1)"])
def test_language_switch_with_a_hostile_next_goes_home(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie:x=1", "//evil.example", "javascript:alert(1)"])
def test_login_page_when_signed_in_with_a_hostile_next_goes_home(client, target):
    login(client, make_user())
    response = client.get("/account/login", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- request size --------------------------------------------------------------------------------------------


class CountingStream:
    """A request body that says how much of it was read."""

    def __init__(self, size: int):
        self.size = size
        self.read_bytes = 0

    def read(self, amount: int = -1) -> bytes:
        amount = self.size - self.read_bytes if amount is None or amount < 0 else amount
        chunk = b"a" * min(amount, self.size - self.read_bytes, 1 << 16)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, limit: int = -1) -> bytes:
        return self.read(limit)

    def tell(self) -> int:
        return self.read_bytes


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_huge_body_is_refused_unread_on_a_styled_page(app, language):
    body = CountingStream(300 * 2**20)
    environ = EnvironBuilder("/account/login", method="POST", headers={"Accept-Language": language}).get_environ()
    environ.update({"wsgi.input": body, "CONTENT_LENGTH": str(body.size),
                    "CONTENT_TYPE": "application/x-www-form-urlencoded"})
    chunks, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert body.read_bytes < 2**20
    page = b"".join(chunks).decode()
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in page
    with app.test_request_context(), force_locale(language):
        assert f"<h1>{escape(gettext('What you sent is too large'))}</h1>" in page


def test_limits_leave_room_for_the_largest_proposal_upload(app):
    largest = proposals.MAX_ATTACHMENTS * proposals.MAX_ATTACHMENT_BYTES
    assert app.config["MAX_CONTENT_LENGTH"] >= largest + 2**20
    assert app.config["MAX_FORM_MEMORY_SIZE"] >= 4 * 3 * 20000  # 20,000 characters, percent-encoded


def test_a_long_text_field_gets_a_clear_4xx(client):
    multipart = submit(client, "/account/signup", {"display_name": "x" * (2 * 2**20), "email": "a@example.org"},
                       content_type="multipart/form-data")
    assert multipart.status_code == 413
    assert "<h1>What you sent is too large</h1>" in text(multipart)
    urlencoded = submit(client, "/account/signup", {"display_name": "x" * (2 * 2**20), "email": "a@example.org"})
    assert urlencoded.status_code == 400 and "Use at most 80 characters." in text(urlencoded)
    assert count(User) == 0


# --- error pages ---------------------------------------------------------------------------------------------


def error_responses(client) -> dict[int, object]:
    """One response of each status, as a visitor meets them."""
    process = make_process()
    proposal = a_proposal(process)
    responses = {404: client.get("/no/such/page"),
                 405: client.get(f"/processes/{process.slug}/proposals/{proposal.id}/support"),
                 400: client.post("/account/login", data={"login": "x", "password": "y"})}
    responses[4050] = client.post("/healthz")  # a GET page sent a form
    resident = make_user()
    login(client, resident)
    responses[403] = client.get("/admin/")
    return responses


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_error_status_has_the_styled_page_in_the_visitors_language(client, app, language):
    client.get(f"/language/{language}")
    titles = {400: "This form has expired", 403: "You cannot open this page", 404: "Page not found",
              405: "This page cannot be opened this way", 4050: "This page cannot be opened this way"}
    direction = "rtl" if language == "ar" else "ltr"
    for status, response in error_responses(client).items():
        page = text(response)
        assert response.status_code == (405 if status == 4050 else status)
        assert f'<html lang="{language}" dir="{direction}">' in page, status
        assert 'href="/static/' in page, status  # the site's own stylesheet: the styled page
        with app.test_request_context(), force_locale(language):
            assert f"<h1>{escape(gettext(titles[status]))}</h1>" in page, status
        if language == "ar":
            assert translated("ar", "Go to the home page") in page


def test_405_keeps_its_allow_header(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" not in response.headers["Allow"]
    assert "<h1>This page cannot be opened this way</h1>" in text(response)
    assert response.headers["Content-Type"].startswith("text/html")


def test_429_has_the_styled_page_in_arabic(app, client):
    from werkzeug.exceptions import TooManyRequests

    @app.route("/too-many")
    def too_many():
        raise TooManyRequests(retry_after=60)

    client.get("/language/ar")
    response = client.get("/too-many")
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert '<html lang="ar" dir="rtl">' in text(response)
    assert f"<h1>{translated('ar', 'Too many attempts')}</h1>" in text(response)


def test_other_error_statuses_get_the_page_too(app, client):
    from werkzeug.exceptions import Gone

    @app.route("/gone")
    def gone():
        raise Gone()

    response = client.get("/gone")
    assert response.status_code == 410
    assert "<h1>We could not do what you asked</h1>" in text(response)


# --- NUL bytes -----------------------------------------------------------------------------------------------


def nul_refused(response) -> bool:
    return response.status_code == 400 and "<h1>Your text contains a character we cannot save</h1>" in text(response)


def test_nul_in_a_proposal_title_is_refused_and_nothing_stored(client):
    process = make_process()
    login(client, make_user())
    url = f"/processes/{process.slug}/proposals/new"
    response = submit(client, url, {"title": "Benches\x00", "body": "By the river.", "language": "en",
                                    "category_id": "", "district_id": ""})
    assert nul_refused(response)
    assert count(Proposal) == 0


def test_nul_in_a_comment_is_refused_and_nothing_stored(client):
    process = make_process()
    proposal = a_proposal(process)
    login(client, make_user())
    base = f"/processes/{process.slug}/proposals/{proposal.id}"
    response = submit(client, f"{base}/comments", {"body": "I agree\x00", "stance": "neutral",
                                                   "submission_key": "0123456789abcdef"}, form_url=base)
    assert nul_refused(response)
    assert count(Comment) == 0


def test_nul_in_a_sign_up_name_is_refused_and_nothing_stored(client):
    response = submit(client, "/account/signup", {"display_name": "Ana\x00", "email": "ana@example.org",
                                                  "password": "a long enough passphrase", "confirm":
                                                  "a long enough passphrase"})
    assert nul_refused(response)
    assert count(User) == 0


@pytest.mark.parametrize("query", [{"q": "park\x00"}, {"sort\x00": "recent"}])
def test_nul_in_a_search_or_an_address_is_refused(client, query):
    process = make_process()
    assert nul_refused(client.get(f"/processes/{process.slug}", query_string=query))
    assert nul_refused(client.get("/processes/river%00park"))


def test_nul_refusal_speaks_arabic(client, app):
    client.get("/language/ar")
    response = client.get("/processes/", query_string={"q": "\x00"})
    assert response.status_code == 400 and '<html lang="ar" dir="rtl">' in text(response)
    with app.test_request_context(), force_locale("ar"):
        assert str(escape(gettext("Your text contains a character we cannot save"))) in text(response)

