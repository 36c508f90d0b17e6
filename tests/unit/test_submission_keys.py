"""A form's submission key belongs to the person, the kind of thing and the place it was used for: sending the
same form twice gives the first result, anyone else's use of the key is refused with a message."""

import threading

import pytest

from plaza.comments import services as comments
from plaza.comments.models import Comment, Stance
from plaza.extensions import db
from plaza.proposals import services as proposals
from plaza.proposals.models import Amendment, Proposal
from plaza.proposals.services import ProposalDraft
from plaza.submissions import KeyAlreadyUsed, Submission
from tests.conftest import count, login, make_process, make_user, submit

BODY = "Paint a zebra crossing in front of the school on River Street."


def publish(author, process, key: str, title: str = "Zebra crossing at the school") -> Proposal:
    return proposals.create_proposal(author, process, ProposalDraft(title, BODY), key)


def new_proposal(client, process, key: str, title: str = "Crossing near the park"):
    return submit(client, f"/processes/{process.slug}/proposals/new",
                  {"title": title, "body": BODY, "submission_key": key})


def amend(client, proposal, key: str, title: str = "Crossing and a light"):
    url = f"/processes/{proposal.process.slug}/proposals/{proposal.id}/amend"
    return submit(client, url, {"title": title, "body": BODY + " And a light.", "submission_key": key})


def comment(client, proposal, key: str, body: str = "A good idea."):
    url = f"/processes/{proposal.process.slug}/proposals/{proposal.id}"
    return submit(client, f"{url}/comments", {"body": body, "stance": "for", "submission_key": key}, form_url=url)


REFUSAL = "This form was already used for something else."


def assert_refused(response):
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert REFUSAL in page
    assert 'name="submission_key" type="hidden" value="' in page and "value=\"taken-key\"" not in page


def test_another_persons_proposal_key_is_refused_not_a_server_error(client, app):
    process = make_process()
    publish(make_user(), process, "taken-key")
    login(client, make_user())
    assert_refused(new_proposal(client, process, "taken-key"))
    assert count(Proposal) == 1


def test_another_persons_amendment_key_is_refused_and_nothing_is_claimed_as_sent(client, app):
    process = make_process()
    proposal = publish(make_user(), process, "p1")
    proposals.propose_amendment(make_user(), proposal, ProposalDraft("Crossing and a bump", BODY), "taken-key")
    login(client, make_user())
    response = amend(client, proposal, "taken-key")
    assert_refused(response)
    assert "Your amendment is sent" not in response.get_data(as_text=True)
    assert count(Amendment) == 1


def test_another_persons_comment_key_is_refused(client, app):
    proposal = publish(make_user(), make_process(), "p1")
    comments.add_comment(make_user(), proposal, "Mine.", Stance.FOR, submission_key="taken-key")
    login(client, make_user())
    assert_refused(comment(client, proposal, "taken-key"))
    assert count(Comment) == 1


# A proposal's place is its process: reusing its key in another process is the next test.
@pytest.mark.parametrize(("first", "then"), [(first, then) for first in ("proposal", "amendment", "comment")
                                             for then in ("proposal", "amendment", "comment")
                                             if (first, then) != ("proposal", "proposal")])
def test_a_key_used_for_another_kind_or_place_is_refused_even_for_its_owner(client, app, first, then):
    process = make_process()
    resident = make_user()
    target = publish(make_user(), process, "p-target")
    other = publish(make_user(), process, "p-other", title="Another crossing idea")
    use = {"proposal": lambda where: new_proposal(client, process, "mine-key"),
           "amendment": lambda where: amend(client, where, "mine-key"),
           "comment": lambda where: comment(client, where, "mine-key")}
    login(client, resident)
    assert use[first](target).status_code == 302
    before = (count(Proposal), count(Amendment), count(Comment))
    response = use[then](other if first == then else target)  # the same kind: on another proposal
    assert_refused(response)
    assert (count(Proposal), count(Amendment), count(Comment)) == before


def test_a_proposal_key_reused_in_another_process_is_refused(client, app):
    first, second = make_process(), make_process(title="Greener streets")
    login(client, make_user())
    assert new_proposal(client, first, "mine-key").status_code == 302
    assert_refused(new_proposal(client, second, "mine-key"))
    assert count(Proposal) == 1


def test_the_owner_sending_the_same_form_again_gets_the_first_result(client, app):
    process = make_process()
    target = publish(make_user(), process, "p-target")
    login(client, make_user())
    for send in (lambda: new_proposal(client, process, "k-proposal"), lambda: amend(client, target, "k-amend"),
                 lambda: comment(client, target, "k-comment")):
        first, again = send(), send()
        assert first.status_code == again.status_code == 302
        assert first.headers["Location"] == again.headers["Location"]
    assert (count(Proposal), count(Amendment), count(Comment)) == (2, 1, 1)
    assert count(Submission) == 4


def test_a_refused_form_comes_back_with_a_fresh_key_that_works(client, app):
    process = make_process()
    publish(make_user(), process, "taken-key")
    login(client, make_user())
    page = new_proposal(client, process, "taken-key").get_data(as_text=True)
    fresh = page.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    assert fresh != "taken-key"
    assert new_proposal(client, process, fresh).status_code == 302
    assert count(Proposal) == 2


def test_services_refuse_foreign_keys_too(app):
    process = make_process()
    proposal = publish(make_user(), process, "taken-key")
    with pytest.raises(KeyAlreadyUsed):
        publish(make_user(), process, "taken-key")
    with pytest.raises(KeyAlreadyUsed):
        proposals.propose_amendment(make_user(), proposal, ProposalDraft("Crossing and a bump", BODY), "taken-key")
    with pytest.raises(KeyAlreadyUsed):
        comments.add_comment(make_user(), proposal, "Mine.", Stance.FOR, submission_key="taken-key")


@pytest.mark.parametrize("kind", ["proposal", "amendment", "comment"])
def test_the_same_form_sent_twice_at_once_makes_one_thing(app, kind):
    process = make_process()
    author = make_user()
    target = publish(make_user(), process, "p-target")
    ids = {"author": author.id, "process": process.id, "target": target.id}
    made, errors = [], []
    barrier = threading.Barrier(2)

    def send():
        with app.app_context():
            try:
                from plaza.accounts.models import User
                from plaza.processes.models import Process

                user = db.session.get(User, ids["author"])
                where = db.session.get(Proposal, ids["target"])
                barrier.wait()
                if kind == "proposal":
                    row = publish(user, db.session.get(Process, ids["process"]), "race", title="Crossing race")
                elif kind == "amendment":
                    row = proposals.propose_amendment(user, where, ProposalDraft("Crossing race", BODY), "race")
                else:
                    row = comments.add_comment(user, where, "Race.", Stance.FOR, submission_key="race")
                made.append(row.id)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(made) == 2 and made[0] == made[1]
    model = {"proposal": Proposal, "amendment": Amendment, "comment": Comment}[kind]
    assert count(model) == (2 if kind == "proposal" else 1)
