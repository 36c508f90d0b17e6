import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from plaza.accounts.models import Role
from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.notifications.models import Follow
from plaza.outbox import OutboxEvent
from plaza.proposals import services
from plaza.proposals.models import (
    Amendment,
    AnswerState,
    Attachment,
    Proposal,
    ProposalRevision,
    ProposalState,
    Support,
)
from plaza.proposals.services import ProposalDraft
from tests.conftest import count, csrf_token, login, make_process, make_user, submit

BODY = "Paint a zebra crossing in front of the school on River Street."


def publish(author, process, title="Zebra crossing at the school", key=None, body=BODY):
    return services.create_proposal(author, process, ProposalDraft(title, body), key or f"k-{title}-{author.id}")


def test_resident_publishes_a_proposal_through_the_form(client):
    process = make_process()
    login(client, make_user())
    response = submit(client, f"/processes/{process.slug}/proposals/new",
                      {"title": "Zebra crossing at the school", "body": BODY, "submission_key": "abc123"})
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert proposal.title == "Zebra crossing at the school"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Zebra crossing at the school" in page
    assert db.session.scalar(sa.select(OutboxEvent.kind)) == "proposal.created"
    assert count(Follow) == 1  # the author follows their own proposal


def test_the_form_as_a_browser_sends_it_with_no_category_or_district_is_accepted(client):
    process = make_process()
    login(client, make_user())
    response = submit(client, f"/processes/{process.slug}/proposals/new",
                      {"title": "Zebra crossing at the school", "body": BODY, "category_id": "None",
                       "district_id": "None", "language": "en"})
    assert response.status_code == 302, response.get_data(as_text=True)
    proposal = db.session.scalar(sa.select(Proposal))
    assert (proposal.category_id, proposal.district_id) == (None, None)


def test_double_submission_creates_one_proposal(client):
    process = make_process()
    login(client, make_user())
    data = {"title": "Zebra crossing at the school", "body": BODY, "submission_key": "same-key"}
    first = submit(client, f"/processes/{process.slug}/proposals/new", data)
    second = submit(client, f"/processes/{process.slug}/proposals/new", data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Proposal) == 1


@pytest.mark.parametrize("hostile", ['<script>alert(1)</script>Paint the crossing please, it is urgent',
                                     '<img src=x onerror=alert(1)>Paint the crossing please, it is urgent',
                                     '<a href="javascript:alert(1)">Paint</a> the crossing please, it is urgent'])
def test_script_and_html_injection_is_removed(app, hostile):
    proposal = publish(make_user(), make_process(), body=hostile)
    assert "<script" not in proposal.body and "onerror" not in proposal.body and "javascript:" not in proposal.body
    assert "Paint" in proposal.body


def test_too_short_or_missing_text_is_refused_and_nothing_written(client):
    process = make_process()
    login(client, make_user())
    response = submit(client, f"/processes/{process.slug}/proposals/new",
                      {"title": "Hi", "body": "short", "submission_key": "k1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give your proposal a title of at least 5 characters." in page
    assert count(Proposal) == 0


def test_attachments_are_checked_by_content_and_size(client, app):
    process = make_process()
    login(client, make_user())
    url = f"/processes/{process.slug}/proposals/new"
    fake_pdf = (io.BytesIO(b"MZ this is an executable"), "plan.pdf")
    response = submit(client, url, {"title": "Zebra crossing", "body": BODY, "submission_key": "k1",
                                    "attachments": fake_pdf}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not really a PDF" in response.get_data(as_text=True)
    huge = (io.BytesIO(b"%PDF-" + b"0" * (5 * 1024 * 1024)), "big.pdf")
    response = submit(client, url, {"title": "Zebra crossing", "body": BODY, "submission_key": "k2",
                                    "attachments": huge}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Each file must be at most 5 MB." in response.get_data(as_text=True)
    exe = (io.BytesIO(b"anything"), "run.exe")
    response = submit(client, url, {"title": "Zebra crossing", "body": BODY, "submission_key": "k3",
                                    "attachments": exe}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Attach PDF, PNG or JPEG files only." in response.get_data(as_text=True)
    assert count(Proposal) == 0 and count(Attachment) == 0
    good = (io.BytesIO(b"%PDF-1.7 a small plan"), "plan.pdf")
    response = submit(client, url, {"title": "Zebra crossing", "body": BODY, "submission_key": "k4",
                                    "attachments": good}, content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    download = client.get(f"{response.headers['Location']}/attachments/{attachment.id}")
    assert download.data == b"%PDF-1.7 a small plan"


def test_edit_within_the_window_keeps_history_and_is_refused_after(app):
    author = make_user()
    proposal = publish(author, make_process(edit_window_minutes=30))
    services.edit_proposal(author, proposal, ProposalDraft("Zebra crossing and a light", BODY + " And a light."))
    [revision] = db.session.scalars(sa.select(ProposalRevision)).all()
    assert revision.title == "Zebra crossing at the school"
    proposal.created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    with pytest.raises(RuleBroken, match="That time is over"):
        services.edit_proposal(author, proposal, ProposalDraft("Late change to the title", BODY))
    assert count(ProposalRevision) == 1


def test_only_the_author_edits_or_withdraws(app):
    proposal = publish(make_user(), make_process())
    other = make_user()
    with pytest.raises(RuleBroken, match="Only the author"):
        services.withdraw(other, proposal)
    with pytest.raises(RuleBroken, match="Only the author"):
        services.edit_proposal(other, proposal, ProposalDraft("Taken over proposal", BODY))


def test_the_edit_page_and_the_tagging_page_refuse_a_stranger_with_403(client):
    process = make_process()
    author, stranger = make_user(), make_user()
    proposal = publish(author, process)
    login(client, stranger)
    assert client.get(f"/processes/{process.slug}/proposals/{proposal.id}/edit").status_code == 403
    assert client.get(f"/tags/proposal/{proposal.id}").status_code == 403
    assert client.get(f"/processes/{process.slug}/proposals/{proposal.id + 1000}/edit").status_code == 404
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/logout")})
    login(client, author)
    assert client.get(f"/processes/{process.slug}/proposals/{proposal.id}/edit").status_code == 200
    assert client.get(f"/tags/proposal/{proposal.id}").status_code == 200


def test_support_once_and_the_threshold_makes_it_eligible(app):
    process = make_process(support_threshold=2)
    proposal = publish(make_user(), process)
    first, second = make_user(), make_user()
    services.support(first, proposal)
    with pytest.raises(RuleBroken, match="already support"):
        services.support(first, proposal)
    assert not services.is_eligible_for_vote(proposal)
    services.support(second, proposal)
    db.session.refresh(proposal)
    assert proposal.supports_count == 2 == count(Support)
    assert services.is_eligible_for_vote(proposal)


def test_support_limit_per_resident(app):
    process = make_process(supports_per_resident=1)
    resident = make_user()
    one, two = publish(make_user(), process, "First proposal here"), publish(make_user(), process, "Second one here")
    services.support(resident, one)
    with pytest.raises(RuleBroken, match="used all 1"):
        services.support(resident, two)
    services.withdraw_support(resident, one)
    services.support(resident, two)
    assert count(Support) == 1


def test_support_after_the_phase_closed_is_refused(app):
    process = make_process()
    proposal = publish(make_user(), process)
    phase = process.phases[0]
    phase.ends_at = utcnow() - timedelta(minutes=1)
    phase.starts_at = utcnow() - timedelta(days=2)
    db.session.commit()
    with pytest.raises(RuleBroken) as refused:
        services.support(make_user(), proposal)
    assert refused.value.status == 403
    assert count(Support) == 0


def test_support_button_twice_shows_a_clear_message(client):
    process = make_process()
    proposal = publish(make_user(), process)
    login(client, make_user())
    url = f"/processes/{process.slug}/proposals/{proposal.id}"
    assert submit(client, f"{url}/support", {}, form_url=url).status_code == 302
    again = submit(client, f"{url}/support", {}, form_url=url, follow_redirects=True)
    assert "You already support this proposal." in again.get_data(as_text=True)
    assert count(Support) == 1


def test_amendment_accepted_by_the_author_changes_the_text(app):
    author, other = make_user(), make_user()
    proposal = publish(author, make_process())
    amendment = services.propose_amendment(other, proposal, ProposalDraft("Zebra crossing and speed bump",
                                                                          BODY + " Add a speed bump."), "a1")
    services.decide_amendment(author, amendment, accept=True)
    db.session.refresh(proposal)
    assert proposal.title == "Zebra crossing and speed bump"
    with pytest.raises(RuleBroken, match="already decided"):
        services.decide_amendment(author, amendment, accept=False)


def test_amendment_on_a_withdrawn_proposal_is_refused(app):
    author = make_user()
    proposal = publish(author, make_process())
    services.withdraw(author, proposal)
    with pytest.raises(RuleBroken, match="withdrawn"):
        services.propose_amendment(make_user(), proposal, ProposalDraft("Change of a withdrawn one", BODY), "a1")
    assert count(Amendment) == 0


def test_official_answer_by_an_organiser_is_recorded_and_audited(app):
    proposal = publish(make_user(), make_process())
    with pytest.raises(RuleBroken):
        services.answer(make_user(Role.RESIDENT), proposal, AnswerState.ACCEPTED, "Because it is a good idea")
    services.answer(make_user(Role.COUNCIL_OFFICER), proposal, AnswerState.ACCEPTED, "Funded in the 2027 budget.")
    assert proposal.answer_state is AnswerState.ACCEPTED
    assert "proposal.answered" in db.session.scalars(sa.select(OutboxEvent.kind)).all()


def test_merge_moves_supporters_once(app):
    process = make_process()
    target, duplicate = publish(make_user(), process, "Crossing at school"), publish(make_user(), process, "Same idea")
    both, only_duplicate = make_user(), make_user()
    services.support(both, target)
    services.support(both, duplicate)
    services.support(only_duplicate, duplicate)
    services.merge(make_user(Role.ORGANISER), [duplicate], target)
    target = db.session.get(Proposal, target.id)
    assert target.supports_count == 2
    assert db.session.get(Proposal, duplicate.id).state is ProposalState.MERGED


def test_proposal_page_of_another_process_is_404(client):
    proposal = publish(make_user(), make_process())
    other = make_process(title="Another consultation")
    assert client.get(f"/processes/{other.slug}/proposals/{proposal.id}").status_code == 404


def _upload(client, process, name: str, content: bytes, key: str):
    return submit(client, f"/processes/{process.slug}/proposals/new",
                  {"title": "Zebra crossing", "body": BODY, "submission_key": key,
                   "attachments": (io.BytesIO(content), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "shown", "encoded"), [
    ("تقرير.pdf", "تقرير.pdf", "%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.pdf"),
    ("보고서.png", "보고서.png", "%EB%B3%B4%EA%B3%A0%EC%84%9C.png"),
])
def test_files_named_in_any_script_are_kept_and_downloaded_under_their_name(client, app, name, shown, encoded):
    process = make_process()
    login(client, make_user())
    content = b"%PDF-1.7 a plan" if name.endswith(".pdf") else b"\x89PNG\r\n\x1a\n a map"
    response = _upload(client, process, name, content, "k-script")
    assert response.status_code == 302, response.get_data(as_text=True)
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.filename == shown
    assert attachment.stored_name.isalnum() and shown not in attachment.stored_name
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f">{shown}</a>" in page
    download = client.get(f"{response.headers['Location']}/attachments/{attachment.id}")
    assert download.data == content
    assert f"filename*=UTF-8''{encoded}" in download.headers["Content-Disposition"]


@pytest.mark.parametrize(("name", "kept"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
    ("photo\u202egpj.pdf", "photogpj.pdf"),  # the override would show it as "photofdp.jpg"
    ("\u2067plan\u2069\u200f.pdf", "plan.pdf"),
    (".pdf", "file.pdf"),
    ("보" * 300 + ".pdf", "보" * 116 + ".pdf"),
])
def test_hostile_file_names_are_cleaned_and_the_file_stays_in_the_upload_folder(client, app, name, kept):
    process = make_process()
    login(client, make_user())
    response = _upload(client, process, name, b"%PDF-1.7 a plan", "k-hostile")
    assert response.status_code == 302, response.get_data(as_text=True)
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.filename == kept
    assert [path.name for path in services.upload_folder().iterdir()] == [attachment.stored_name]
    download = client.get(f"{response.headers['Location']}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.7 a plan"
    disposition = download.headers["Content-Disposition"]
    assert "/" not in disposition and "\\" not in disposition and "\u202e" not in disposition


def test_a_nul_byte_or_an_override_cannot_disguise_a_file_type(app):
    from werkzeug.datastructures import FileStorage

    process = make_process()
    author = make_user()
    for index, name in enumerate(["plan.pdf\x00.exe", "report\u202efdp.exe"]):
        upload = FileStorage(io.BytesIO(b"%PDF-1.7 a plan"), filename=name)
        with pytest.raises(RuleBroken, match="PDF, PNG or JPEG"):
            services.create_proposal(author, process, ProposalDraft("Zebra crossing", BODY), f"k{index}", [upload])
    upload = FileStorage(io.BytesIO(b"%PDF-1.7 a plan"), filename="plan\x00.pdf")
    proposal = services.create_proposal(author, process, ProposalDraft("Zebra crossing", BODY), "k-nul", [upload])
    assert [attachment.filename for attachment in proposal.attachments] == ["plan.pdf"]


def live_supports(resident, process) -> set[int]:
    return set(db.session.scalars(sa.select(Support.proposal_id).where(Support.user_id == resident.id,
                                                                       Support.process_id == process.id)))


def quota_used(resident, process) -> int:
    from plaza.proposals.models import SupportQuota

    return db.session.get(SupportQuota, (resident.id, process.id)).used


def proposals_of(process, count: int) -> list[Proposal]:
    return [publish(make_user(), process, f"Proposal number {number}") for number in range(count)]


def test_a_merge_cannot_lift_the_support_limit(app):
    process = make_process(supports_per_resident=2)
    nine, ten, eleven, thirteen = proposals_of(process, 4)
    resident = make_user()
    services.support(resident, ten)
    services.support(resident, thirteen)
    services.merge(make_user(Role.ORGANISER), [db.session.get(Proposal, ten.id)], db.session.get(Proposal, nine.id))
    assert live_supports(resident, process) == {nine.id, thirteen.id}  # the support moved with the proposal
    with pytest.raises(RuleBroken, match="do not support"):
        services.withdraw_support(resident, db.session.get(Proposal, ten.id))
    with pytest.raises(RuleBroken, match="used all 2"):
        services.support(resident, db.session.get(Proposal, eleven.id))
    assert live_supports(resident, process) == {nine.id, thirteen.id} and quota_used(resident, process) == 2
    assert [db.session.get(Proposal, p.id).supports_count for p in (nine, ten, eleven, thirteen)] == [1, 0, 0, 1]


def test_a_merge_gives_back_the_support_of_a_resident_who_supported_both(app):
    process = make_process(supports_per_resident=2)
    nine, ten, eleven = proposals_of(process, 3)
    resident, other = make_user(), make_user()
    services.support(resident, nine)
    services.support(resident, ten)
    services.support(other, ten)
    services.merge(make_user(Role.ORGANISER), [db.session.get(Proposal, ten.id)], db.session.get(Proposal, nine.id))
    assert live_supports(resident, process) == {nine.id} and quota_used(resident, process) == 1
    services.support(resident, db.session.get(Proposal, eleven.id))  # the freed support can be used again
    assert quota_used(resident, process) == 2
    with pytest.raises(RuleBroken, match="used all 2"):
        services.support(resident, publish(make_user(), process, "One more proposal"))
    assert db.session.get(Proposal, nine.id).supports_count == 2 == len(
        db.session.scalars(sa.select(Support).where(Support.proposal_id == nine.id)).all())


def test_merging_two_duplicates_a_resident_supports_keeps_one_support(app):
    process = make_process(supports_per_resident=3)
    nine, ten, twelve = proposals_of(process, 3)
    resident = make_user()
    services.support(resident, ten)
    services.support(resident, twelve)
    services.merge(make_user(Role.ORGANISER), [db.session.get(Proposal, ten.id), db.session.get(Proposal, twelve.id)],
                   db.session.get(Proposal, nine.id))
    assert live_supports(resident, process) == {nine.id} and quota_used(resident, process) == 1
    assert db.session.get(Proposal, nine.id).supports_count == 1


def test_supporting_a_proposal_merged_meanwhile_is_refused(app):
    process = make_process(supports_per_resident=2)
    nine, ten = proposals_of(process, 2)
    resident = make_user()
    stale = db.session.get(Proposal, ten.id)
    assert stale.state is ProposalState.PUBLISHED  # what this request read before the merge
    with db.engine.begin() as other_request:
        other_request.execute(sa.update(Proposal).where(Proposal.id == ten.id)
                              .values(state=ProposalState.MERGED, merged_into_id=nine.id))
    with pytest.raises(RuleBroken, match="withdrawn or merged"):
        services.support(resident, stale)
    db.session.rollback()
    assert live_supports(resident, process) == set()


def test_the_quota_counts_supports_given_before_the_limit_was_set(app):
    process = make_process()
    first, second, third = proposals_of(process, 3)
    resident = make_user()
    services.support(resident, first)
    services.support(resident, second)
    db.session.get(type(process), process.id).supports_per_resident = 2
    db.session.commit()
    with pytest.raises(RuleBroken, match="used all 2"):
        services.support(resident, db.session.get(Proposal, third.id))


def test_the_merge_sequence_through_the_pages(client):
    process = make_process(supports_per_resident=2)
    nine, ten, eleven, thirteen = proposals_of(process, 4)
    resident = make_user()
    login(client, resident)
    base = f"/processes/{process.slug}/proposals"
    for proposal in (ten, thirteen):
        assert submit(client, f"{base}/{proposal.id}/support", {}, form_url=f"{base}/{proposal.id}").status_code == 302
    services.merge(make_user(Role.ORGANISER), [db.session.get(Proposal, ten.id)], db.session.get(Proposal, nine.id))
    assert "Withdraw my support" in client.get(f"{base}/{nine.id}").get_data(as_text=True)
    refused = submit(client, f"{base}/{ten.id}/unsupport", {}, form_url=f"{base}/{eleven.id}")
    assert refused.status_code == 303
    refused = submit(client, f"{base}/{eleven.id}/support", {}, form_url=f"{base}/{eleven.id}",
                     follow_redirects=True)
    assert "You have used all 2 of your supports" in refused.get_data(as_text=True)
    assert live_supports(resident, process) == {nine.id, thirteen.id}
