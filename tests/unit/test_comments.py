import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from plaza import submissions
from plaza.accounts.models import Role, User
from plaza.audit.models import AuditEntry
from plaza.clock import utcnow
from plaza.comments import moderation, services
from plaza.comments.models import Comment, CommentReport, CommentRevision, CommentVote, ReportReason, Stance
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.outbox import OutboxEvent
from plaza.permissions import Forbidden
from plaza.phases import PhaseKind
from plaza.processes.services import PhasePlan, create_process
from plaza.proposals.models import Proposal, ProposalState
from tests.conftest import count, login, make_user, statements_run, submit

NASTY = ('<p onclick="steal()">Trees, please.</p><script>alert("x")</script>'
         '<img src="x" onerror="alert(1)"><a href="javascript:alert(2)">click</a>'
         '<a href="https://example.org/trees">a study</a>')


@dataclass
class World:
    proposal: Proposal
    alice: User  # wrote the proposal's first comments
    bob: User
    carol: User
    moderator: User

    def reload(self) -> None:
        """Fetch the rows again after db.session.remove() (which detaches them)."""
        for name, model in (("proposal", Proposal), ("alice", User), ("bob", User), ("carol", User),
                            ("moderator", User)):
            setattr(self, name, db.session.get(model, sa.inspect(getattr(self, name)).identity[0]))

    @property
    def base(self) -> str:
        return f"/processes/{self.proposal.process.slug}/proposals/{self.proposal.id}"

    @property
    def discussion(self) -> str:
        return f"{self.base}/comments"

    def comment_url(self, comment: Comment, action: str) -> str:
        return f"{self.base}/comments/{comment.id}/{action}"


def make_proposal(kind: PhaseKind = PhaseKind.PROPOSALS, title: str = "Green streets") -> Proposal:
    now = utcnow()
    process = create_process(None, title, "Make the streets greener.", "", [
        PhasePlan(kind=kind, title="Now", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))])
    author = make_user(name="Proposer")
    proposal = Proposal(process_id=process.id, author_id=author.id, title="More trees on Main Street",
                        body="<p>Plant twenty trees.</p>", submission_key=uuid.uuid4().hex)
    db.session.add(proposal)
    db.session.commit()
    return proposal


@pytest.fixture
def world(app) -> World:
    return World(proposal=make_proposal(), alice=make_user(name="Alice"), bob=make_user(name="Bob"),
                 carol=make_user(name="Carol"), moderator=make_user(Role.MODERATOR, name="Mo"))


def fresh(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def new_key() -> str:
    return uuid.uuid4().hex


def post_comment(client, world: World, body: str, stance: str = "neutral", key: str | None = None):
    return submit(client, world.discussion, {"body": body, "stance": stance, "submission_key": key or new_key()})


# --- threads -------------------------------------------------------------------------------------------


def test_replies_nest_three_levels_deep(world):
    top = services.add_comment(world.alice, world.proposal, "Good idea.", Stance.FOR)
    middle = services.add_comment(world.bob, world.proposal, "Too expensive.", Stance.AGAINST, parent=top)
    bottom = services.add_comment(world.alice, world.proposal, "Not with volunteers.", Stance.FOR, parent=middle)
    assert [top.depth, middle.depth, bottom.depth] == [0, 1, 2]
    page = services.thread(world.proposal, 1)
    [node] = page.nodes
    assert node.comment.id == top.id
    assert node.replies[0].comment.id == middle.id
    assert node.replies[0].replies[0].comment.id == bottom.id
    assert fresh(world.proposal).comments_count == 3


def test_three_levels_through_the_pages(client, world):
    login(client, world.alice)
    assert post_comment(client, world, "Good idea.").status_code == 302
    top = db.session.scalar(sa.select(Comment))
    response = submit(client, world.comment_url(top, "reply"), {"body": "And cheap.", "stance": "for",
                                                                "submission_key": new_key()})
    assert response.status_code == 302
    middle = db.session.scalar(sa.select(Comment).where(Comment.parent_id == top.id))
    response = submit(client, world.comment_url(middle, "reply"), {"body": "Really cheap.", "stance": "for",
                                                                   "submission_key": new_key()})
    assert response.status_code == 302
    bottom = db.session.scalar(sa.select(Comment).where(Comment.parent_id == middle.id))
    assert bottom.depth == 2
    html = client.get(world.discussion).get_data(as_text=True)
    # Nested lists: the bottom reply sits inside the middle one's <li>, which sits inside the top one's.
    nesting = re.search(rf'<li id="comment-{top.id}">.*<ol class="comment-replies".*<li id="comment-{middle.id}">'
                        rf'.*<ol class="comment-replies".*<li id="comment-{bottom.id}">', html, re.S)
    assert nesting, html


def test_reply_to_the_deepest_level_is_refused_with_a_way_on(client, world):
    top = services.add_comment(world.alice, world.proposal, "One.", Stance.FOR)
    middle = services.add_comment(world.bob, world.proposal, "Two.", Stance.FOR, parent=top)
    bottom = services.add_comment(world.alice, world.proposal, "Three.", Stance.FOR, parent=middle)
    with pytest.raises(RuleBroken, match="three levels deep") as refused:
        services.add_comment(world.bob, world.proposal, "Four.", Stance.FOR, parent=bottom)
    assert refused.value.status == 409
    assert count(Comment) == 3

    login(client, world.bob)
    page = client.get(world.comment_url(bottom, "reply"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "three levels deep" in html and "<textarea" not in html
    assert f"/comments/{middle.id}/reply" in html  # reply to the comment it answers instead
    discussion = client.get(world.discussion).get_data(as_text=True)
    assert f"/comments/{bottom.id}/reply" not in discussion and f"/comments/{middle.id}/reply" in discussion
    response = submit(client, world.comment_url(bottom, "reply"),
                      {"body": "Four.", "stance": "for", "submission_key": new_key()}, form_url=world.discussion)
    assert response.status_code == 409
    assert count(Comment) == 3


def test_reply_must_answer_a_comment_of_the_same_proposal(world):
    other = make_proposal(title="Quiet streets")
    elsewhere = services.add_comment(world.alice, other, "Elsewhere.", Stance.FOR)
    with pytest.raises(RuleBroken, match="same proposal"):
        services.add_comment(world.bob, world.proposal, "Here.", Stance.FOR, parent=elsewhere)
    assert count(Comment, Comment.proposal_id == world.proposal.id) == 0


def test_stance_is_stored_and_shown_in_words(client, world):
    comment = services.add_comment(world.alice, world.proposal, "No.", Stance.AGAINST)
    assert fresh(comment).stance is Stance.AGAINST
    login(client, world.bob)
    assert post_comment(client, world, "Yes!", stance="for").status_code == 302
    assert db.session.scalar(sa.select(Comment.stance).where(Comment.author_id == world.bob.id)) is Stance.FOR
    html = client.get(world.discussion).get_data(as_text=True)
    assert "Against</span>" in html and "In favour</span>" in html


def test_unknown_stance_is_refused(client, world):
    login(client, world.alice)
    response = post_comment(client, world, "Hmm.", stance="maybe")
    assert response.status_code == 400
    assert "Choose your position" in response.get_data(as_text=True)
    assert count(Comment) == 0


def test_script_and_html_injection_are_removed(client, world):
    comment = services.add_comment(world.alice, world.proposal, NASTY, Stance.FOR)
    stored = fresh(comment).body
    login(client, world.bob)
    assert post_comment(client, world, NASTY).status_code == 302
    html = client.get(world.discussion).get_data(as_text=True)
    for text in (stored, html):
        assert "<script" not in text.lower()
        assert "onerror" not in text.lower()
        assert "onclick" not in text.lower()
        assert "javascript:" not in text.lower()
    assert "Trees, please." in stored and 'href="https://example.org/trees"' in stored
    assert html.count('href="https://example.org/trees"') == 2
    moderation.hide(world.moderator, comment, '<script>alert(3)</script> Spam')
    html = client.get(world.discussion).get_data(as_text=True)
    assert "<script" not in html and "&lt;script&gt;alert(3)&lt;/script&gt; Spam" in html


def test_body_that_is_too_long_or_empty_is_refused(client, world):
    with pytest.raises(RuleBroken, match="at most 5000"):
        services.add_comment(world.alice, world.proposal, "x" * 5001, Stance.FOR)
    with pytest.raises(RuleBroken, match="Write your comment"):
        services.add_comment(world.alice, world.proposal, "<script>only()</script>", Stance.FOR)
    login(client, world.alice)
    response = post_comment(client, world, "y" * 5001)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and 'href="#body"' in html and "<title>Error:" in html
    assert count(Comment) == 0


def test_same_submission_key_twice_makes_one_comment(client, world):
    key = new_key()
    first = services.add_comment(world.alice, world.proposal, "Once.", Stance.FOR, submission_key=key)
    again = services.add_comment(world.alice, world.proposal, "Once.", Stance.FOR, submission_key=key)
    assert first.id == again.id
    login(client, world.bob)
    key = new_key()
    responses = [post_comment(client, world, "Double click.", key=key) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    assert count(Comment) == 2
    assert fresh(world.proposal).comments_count == 2


def test_double_submission_race_rolls_back_and_returns_the_first(world, monkeypatch):
    key = new_key()
    first = services.add_comment(world.alice, world.proposal, "Once.", Stance.FOR, submission_key=key)
    real_lookup = submissions._row
    calls = []

    def missed_the_first(submission_key):  # the second request looked before the first one committed
        calls.append(submission_key)
        return None if len(calls) == 1 else real_lookup(submission_key)

    monkeypatch.setattr(submissions, "_row", missed_the_first)
    second = services.add_comment(world.alice, world.proposal, "Once.", Stance.FOR, submission_key=key)
    assert second.id == first.id and len(calls) == 2
    assert count(Comment) == 1
    assert fresh(world.proposal).comments_count == 1


def test_someone_elses_submission_key_is_not_theirs_to_reuse(world):
    key = new_key()
    services.add_comment(world.alice, world.proposal, "Mine.", Stance.FOR, submission_key=key)
    with pytest.raises(RuleBroken, match="already used"):
        services.add_comment(world.bob, world.proposal, "Mine now.", Stance.FOR, submission_key=key)
    assert count(Comment) == 1


def test_comments_outside_a_phase_with_comments_are_forbidden(client, app):
    proposal = make_proposal(PhaseKind.VOTING, title="Voting time")
    resident = make_user()
    with pytest.raises(Forbidden) as refused:
        services.add_comment(resident, proposal, "Late.", Stance.FOR)
    assert refused.value.status == 403
    login(client, resident)
    url = f"/processes/{proposal.process.slug}/proposals/{proposal.id}/comments"
    page = client.get(url).get_data(as_text=True)
    assert "Comments are not open in the current phase" in page and "<textarea" not in page
    response = submit(client, url, {"body": "Late.", "stance": "for", "submission_key": new_key()})
    assert response.status_code == 403
    assert count(Comment) == 0


def test_withdrawn_proposal_gets_no_new_comments(world):
    world.proposal.state = ProposalState.WITHDRAWN
    db.session.commit()
    with pytest.raises(RuleBroken, match="withdrawn"):
        services.add_comment(world.alice, world.proposal, "Too late.", Stance.FOR)
    assert count(Comment) == 0


def test_anonymous_visitor_reads_but_must_sign_in_to_comment(client, world):
    services.add_comment(world.alice, world.proposal, "Readable by all.", Stance.FOR)
    html = client.get(world.discussion).get_data(as_text=True)
    assert "Readable by all." in html and "Sign in</a> to take part" in html
    response = client.post(world.discussion, data={"body": "Hi", "stance": "for"})
    assert response.status_code in (302, 400)
    assert count(Comment) == 1


def test_success_redirects_to_the_comment_on_the_proposal_page(client, world):
    login(client, world.alice)
    response = post_comment(client, world, "Where does this go?")
    comment = db.session.scalar(sa.select(Comment))
    location = response.headers["Location"]
    assert location.startswith(world.base) and location.endswith(f"#comment-{comment.id}")


# --- replies tell the parent's author ------------------------------------------------------------------


def test_reply_to_someone_else_records_a_comment_replied_event(world):
    top = services.add_comment(world.alice, world.proposal, "Question?", Stance.NEUTRAL)
    own_reply = services.add_comment(world.alice, world.proposal, "Answering myself.", Stance.NEUTRAL, parent=top)
    assert count(OutboxEvent, OutboxEvent.kind == "comment.replied") == 0
    reply = services.add_comment(world.bob, world.proposal, "Answer.", Stance.NEUTRAL, parent=top)
    event = db.session.scalar(sa.select(OutboxEvent).where(OutboxEvent.kind == "comment.replied"))
    assert event.payload["comment_id"] == reply.id
    assert event.payload["parent_author_id"] == world.alice.id
    assert own_reply.id != reply.id


# --- editing -------------------------------------------------------------------------------------------


def test_edit_keeps_the_earlier_text_as_history(client, world):
    comment = services.add_comment(world.alice, world.proposal, "First thought.", Stance.FOR)
    services.edit_comment(world.alice, comment, "Second thought.")
    login(client, world.alice)
    response = submit(client, world.comment_url(comment, "edit"), {"body": "Third thought."})
    assert response.status_code == 302
    comment = fresh(comment)
    assert comment.body == "<p>Third thought.</p>" and comment.edited_at is not None
    history = db.session.scalars(sa.select(CommentRevision).order_by(CommentRevision.number)).all()
    assert [(r.number, r.body) for r in history] == [(1, "<p>First thought.</p>"), (2, "<p>Second thought.</p>")]
    page = client.get(world.comment_url(comment, "edit")).get_data(as_text=True)
    assert "Earlier versions" in page and "First thought." in page


def test_edit_is_refused_after_the_window(client, world):
    comment = services.add_comment(world.alice, world.proposal, "Hasty words.", Stance.FOR)
    db.session.execute(sa.update(Comment).values(created_at=utcnow() - timedelta(minutes=61)))
    db.session.commit()
    comment = fresh(comment)
    with pytest.raises(RuleBroken, match="That time is over") as refused:
        services.edit_comment(world.alice, comment, "Better words.")
    assert refused.value.status == 409
    login(client, world.alice)
    assert f"/comments/{comment.id}/edit" not in client.get(world.discussion).get_data(as_text=True)
    response = submit(client, world.comment_url(comment, "edit"), {"body": "Better words."},
                      form_url=world.discussion)
    assert response.status_code == 409
    assert fresh(comment).body == "<p>Hasty words.</p>"
    assert count(CommentRevision) == 0


def test_only_the_author_edits(client, world):
    comment = services.add_comment(world.alice, world.proposal, "Mine.", Stance.FOR)
    with pytest.raises(RuleBroken, match="Only the author") as refused:
        services.edit_comment(world.bob, comment, "Yours.")
    assert refused.value.status == 403
    login(client, world.bob)
    response = submit(client, world.comment_url(comment, "edit"), {"body": "Yours."}, form_url=world.discussion)
    assert response.status_code == 403
    assert fresh(comment).body == "<p>Mine.</p>"


# --- upvotes -------------------------------------------------------------------------------------------


def test_own_comment_cannot_be_upvoted(world):
    comment = services.add_comment(world.alice, world.proposal, "Vote for me.", Stance.FOR)
    with pytest.raises(RuleBroken, match="your own comment"):
        services.upvote(world.alice, comment)
    assert count(CommentVote) == 0 and fresh(comment).upvotes_count == 0


def test_second_upvote_by_the_same_person_is_refused_and_counted_once(client, world):
    comment = services.add_comment(world.alice, world.proposal, "Worth it.", Stance.FOR)
    services.upvote(world.bob, comment)
    with pytest.raises(RuleBroken, match="You already upvoted"):
        services.upvote(world.bob, comment)
    assert count(CommentVote) == 1 and fresh(comment).upvotes_count == 1

    login(client, world.carol)
    url = world.comment_url(comment, "upvote")
    assert submit(client, url, {}, form_url=world.discussion).status_code == 302
    html = client.get(world.discussion).get_data(as_text=True)
    assert "You upvoted this comment" in html and "2 upvotes" in html
    again = submit(client, url, {}, form_url=world.discussion)
    assert again.status_code == 409 and "You already upvoted" in again.get_data(as_text=True)
    assert count(CommentVote) == 2 and fresh(comment).upvotes_count == 2


# --- reports and moderation ----------------------------------------------------------------------------


def test_second_report_by_the_same_person_makes_one_row(client, world):
    comment = services.add_comment(world.alice, world.proposal, "Buy cheap watches!", Stance.FOR)
    services.report(world.bob, comment, ReportReason.SPAM, None)
    with pytest.raises(RuleBroken, match="already reported"):
        services.report(world.bob, comment, ReportReason.OFFENSIVE, "Really.")
    assert count(CommentReport) == 1

    login(client, world.carol)
    url = world.comment_url(comment, "report")
    page = client.get(url).get_data(as_text=True)
    assert "<fieldset" in page and "<legend>What is wrong with this comment?</legend>" in page
    assert submit(client, url, {"reason": "spam", "details": ""}).status_code == 302
    again = submit(client, url, {"reason": "spam", "details": ""})
    assert again.status_code == 409 and "already reported" in again.get_data(as_text=True)
    assert count(CommentReport) == 2


def test_report_for_something_else_needs_details(client, world):
    comment = services.add_comment(world.alice, world.proposal, "Hmm.", Stance.FOR)
    login(client, world.bob)
    response = submit(client, world.comment_url(comment, "report"), {"reason": "other", "details": " "})
    assert response.status_code == 400 and "Tell the moderators what is wrong" in response.get_data(as_text=True)
    response = submit(client, world.comment_url(comment, "report"), {"details": "no reason"})
    assert response.status_code == 400 and "Choose what is wrong" in response.get_data(as_text=True)
    assert count(CommentReport) == 0


def test_residents_cannot_open_the_moderation_queue(client, world):
    assert client.get("/processes/moderation").status_code == 302  # to sign in
    login(client, world.alice)
    assert client.get("/processes/moderation").status_code == 403
    comment = services.add_comment(world.bob, world.proposal, "Hide me if you can.", Stance.FOR)
    response = submit(client, f"/processes/moderation/comments/{comment.id}/hide", {"reason": "No."},
                      form_url=world.discussion)
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        moderation.hide(world.alice, comment, "No.")
    assert fresh(comment).hidden_at is None


def test_moderator_hides_a_comment_with_a_public_reason(client, world):
    comment = services.add_comment(world.alice, world.proposal, "You are all idiots.", Stance.AGAINST)
    reply = services.add_comment(world.bob, world.proposal, "Please be kind.", Stance.NEUTRAL, parent=comment)
    services.report(world.bob, comment, ReportReason.OFFENSIVE, "Insults <b>everyone</b>")
    services.report(world.carol, comment, ReportReason.OFFENSIVE, None)

    login(client, world.moderator)
    queue = client.get("/processes/moderation").get_data(as_text=True)
    assert "You are all idiots." in queue and "2 open reports" in queue
    assert "Insults &lt;b&gt;everyone&lt;/b&gt;" in queue
    hide_url = f"/processes/moderation/comments/{comment.id}/hide"
    empty = submit(client, hide_url, {"reason": "  "})
    assert empty.status_code == 400 and "Write the reason" in empty.get_data(as_text=True)
    assert fresh(comment).hidden_at is None
    assert submit(client, hide_url, {"reason": "Insults other residents."}).status_code == 302

    comment = fresh(comment)
    assert comment.hidden_by_id == world.moderator.id and comment.hidden_reason == "Insults other residents."
    assert count(CommentReport, CommentReport.resolved_at.is_(None)) == 0
    assert "comment.hidden" in db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "No reported comments are waiting" in client.get("/processes/moderation").get_data(as_text=True)

    visitor = client.application.test_client()
    html = visitor.get(world.discussion).get_data(as_text=True)
    assert "This comment was hidden by a moderator: Insults other residents." in html
    assert "You are all idiots." not in html
    assert "Please be kind." in html and f'id="comment-{reply.id}"' in html  # replies keep their context
    with pytest.raises(RuleBroken, match="cannot get new replies"):
        services.add_comment(world.carol, world.proposal, "Reply.", Stance.FOR, parent=comment)
    with pytest.raises(RuleBroken, match="already hidden"):
        moderation.hide(world.moderator, comment, "Again.")


def test_moderator_shows_a_hidden_comment_again(client, world):
    comment = services.add_comment(world.alice, world.proposal, "Borderline.", Stance.FOR)
    moderation.hide(world.moderator, comment, "Too harsh.")
    login(client, world.moderator)
    response = submit(client, f"/processes/moderation/comments/{comment.id}/unhide", {}, form_url=world.discussion)
    assert response.status_code == 302
    comment = fresh(comment)
    assert comment.hidden_at is None and comment.hidden_reason is None
    assert "Borderline." in client.get(world.discussion).get_data(as_text=True)


def test_dismissing_reports_keeps_the_comment_and_empties_the_queue(client, world):
    comment = services.add_comment(world.alice, world.proposal, "Unpopular but fair.", Stance.AGAINST)
    services.report(world.bob, comment, ReportReason.OFF_TOPIC, None)
    login(client, world.moderator)
    response = submit(client, f"/processes/moderation/comments/{comment.id}/dismiss", {},
                      form_url="/processes/moderation")
    assert response.status_code == 302
    assert fresh(comment).hidden_at is None
    assert moderation.moderation_queue() == []
    with pytest.raises(RuleBroken, match="no open reports"):
        moderation.dismiss_reports(world.moderator, comment)


def test_queue_puts_the_most_reported_first_then_the_longest_waiting(world):
    reporters = [make_user() for _ in range(3)]
    once_early, thrice, once_late, hidden = (
        services.add_comment(world.alice, world.proposal, text, Stance.FOR)
        for text in ("Early.", "Thrice.", "Late.", "Hidden."))
    services.report(reporters[0], once_early, ReportReason.SPAM, None)
    for reporter in reporters:
        services.report(reporter, thrice, ReportReason.SPAM, None)
    services.report(reporters[1], once_late, ReportReason.SPAM, None)
    services.report(reporters[1], hidden, ReportReason.SPAM, None)
    moderation.hide(world.moderator, hidden, "Spam.")
    queue = moderation.moderation_queue()
    assert [(item.comment.id, item.open_reports) for item in queue] == [
        (thrice.id, 3), (once_early.id, 1), (once_late.id, 1)]
    assert len(queue[0].reports) == 3


def test_queue_loads_in_a_constant_number_of_statements(world):
    def queue_statements(comments: int) -> int:
        for number in range(comments):
            comment = services.add_comment(world.alice, world.proposal, f"Comment {number}.", Stance.FOR)
            services.report(world.bob, comment, ReportReason.SPAM, "Spam")
            services.report(world.carol, comment, ReportReason.OFF_TOPIC, None)
        db.session.remove()
        with statements_run() as statements:
            shown = [(item.comment.author.display_name, item.comment.proposal.process.slug,
                      [r.reason for r in item.reports]) for item in moderation.moderation_queue()]
        assert len(shown) == count(Comment)
        world.reload()
        return len(statements)

    small = queue_statements(2)
    large = queue_statements(10)
    assert small == large, (small, large)


# --- reading: pages and statements ---------------------------------------------------------------------


def make_thread(world: World, comments: int) -> None:
    """Comments in groups of five: one top-level, two replies, two replies to the second reply. Each by a
    different author, so loading authors one by one would show in the number of statements."""
    authors = [User(email=f"author-{uuid.uuid4().hex[:12]}@example.org", display_name=f"Author {number}",
                    password_hash="no password: never signs in") for number in range(comments)]
    db.session.add_all(authors)
    db.session.commit()
    top = middle = None
    for number, author in enumerate(authors):
        step = number % 5
        parent = None if step == 0 else top if step in (1, 2) else middle
        comment = services.add_comment(author, world.proposal, f"Comment {number}.", Stance.FOR, parent=parent)
        if step == 0:
            top = comment
        elif step == 2:
            middle = comment
        if number % 2:
            services.upvote(world.carol, comment)
        if number == 3:
            moderation.hide(world.moderator, comment, "Off topic.")


@pytest.mark.parametrize("through", ["service", "page"])
def test_thread_loads_in_a_constant_number_of_statements(client, world, through):
    if through == "page":
        login(client, world.carol)
    url, proposal_id, viewer_id = world.discussion, world.proposal.id, world.carol.id

    def statements_for(comments: int) -> int:
        make_thread(world, comments)
        expected = count(Comment)
        db.session.remove()  # start cold, as a request does
        with statements_run() as statements:
            if through == "service":
                proposal = db.session.get(Proposal, proposal_id)
                context = services.thread_context(proposal, db.session.get(User, viewer_id), 1)
                stack, shown = list(context["comments"]), []
                while stack:  # touch everything the macro shows
                    node = stack.pop()
                    shown.append((node.comment.author.display_name, node.comment.body, node.comment.stance))
                    stack.extend(node.replies)
            else:
                response = client.get(url)
                assert response.status_code == 200
        if through == "service":
            assert len(shown) == expected
        else:
            assert response.get_data(as_text=True).count('<article class="comment') == expected
        world.reload()
        return len(statements)

    with_5 = statements_for(5)
    with_50 = statements_for(45)  # 50 in all
    assert count(Comment) == 50
    assert with_5 == with_50, (with_5, with_50)
    if through == "service":  # proposal, viewer, process and phases (3), count, comments with authors, upvotes
        assert with_50 <= 8, with_50


def test_pages_hold_twenty_top_level_comments_and_the_rest_is_404(client, world):
    assert services.thread(world.proposal, 1).nodes == []
    for number in range(25):
        services.add_comment(world.alice, world.proposal, f"Top {number}.", Stance.FOR)
    first = services.thread(world.proposal, 1)
    second = services.thread(world.proposal, 2)
    assert (len(first.nodes), len(second.nodes), second.pages) == (20, 5, 2)
    assert second.nodes[-1].comment.body == "<p>Top 24.</p>"
    for page in (0, 3):
        assert services.thread(world.proposal, page) is None  # the page answers 404
    html = client.get(f"{world.discussion}?comments_page=2").get_data(as_text=True)
    assert "Page 2 of 2" in html and "Top 24." in html and "Top 0." not in html
    assert client.get(f"{world.discussion}?comments_page=3").status_code == 404
    assert client.get(f"{world.discussion}?comments_page=0").status_code == 404


def test_reply_on_a_later_page_redirects_to_that_page(client, world):
    for number in range(21):
        last = services.add_comment(world.alice, world.proposal, f"Top {number}.", Stance.FOR)
    login(client, world.bob)
    response = submit(client, world.comment_url(last, "reply"), {"body": "Late reply.", "stance": "neutral",
                                                                 "submission_key": new_key()})
    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == last.id))
    assert response.headers["Location"].endswith(f"comments_page=2#comment-{reply.id}")


def test_thread_context_gives_what_the_macro_needs(app, world):
    comment = services.add_comment(world.alice, world.proposal, "Hello.", Stance.FOR)
    services.upvote(world.bob, comment)
    context = services.thread_context(world.proposal, world.bob, 1)
    assert set(context) == {"proposal", "comments", "user_votes", "can_comment"}  # the page adds the form
    assert context["user_votes"] == {comment.id} and context["can_comment"] is True
    assert services.thread_context(world.proposal, world.bob, 2) is None  # past the end
    anonymous = services.thread_context(world.proposal, None, 1)
    assert anonymous["user_votes"] == set() and anonymous["can_comment"] is False
