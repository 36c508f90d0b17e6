"""typed text, submission keys and supports after merges

Questionnaire answers become plain text as typed (they were sanitised HTML, which lost "x<y").
Submission keys get one table for every kind of form (who used a key, for what and where), filled from the
keys of existing proposals, amendments and comments.
Supports left on merged proposals move to the proposal they were merged into (once per resident; extra ones
are given back), and supports_count and support_quota.used are recounted from the supports.

Revision ID: e2b98ca976f8
Revises: 727ffd75b2e4
Create Date: 2026-12-05 09:00:00.000000

"""
import html
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2b98ca976f8'
down_revision = '727ffd75b2e4'
branch_labels = None
depends_on = None


answer = sa.table("answer", sa.column("id", sa.Integer), sa.column("text", sa.Text))


def _html_to_text(markup: str) -> str:
    text = re.sub(r"</p>\s*<p>", "\n\n", markup)
    text = re.sub(r"<br\s*/?>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _text_to_html(text: str) -> str:
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    return "".join(f"<p>{html.escape(part, quote=False).replace(chr(10), '<br>')}</p>" for part in paragraphs)


def _convert_answers(convert) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(answer.c.id, answer.c.text).where(answer.c.text.is_not(None))).all()
    for answer_id, text in rows:
        connection.execute(sa.update(answer).where(answer.c.id == answer_id).values(text=convert(text)))


# (table, kind, column holding the scope: the process of a proposal, the proposal of an amendment or comment)
KEYED = [("proposal", "proposal", "process_id"), ("amendment", "amendment", "proposal_id"),
         ("comment", "comment", "proposal_id")]


proposal = sa.table("proposal", sa.column("id", sa.Integer), sa.column("state", sa.String),
                    sa.column("merged_into_id", sa.Integer))
support = sa.table("support", sa.column("proposal_id", sa.Integer), sa.column("user_id", sa.Integer))


def _move_supports_of_merged_proposals() -> None:
    connection = op.get_bind()
    merged_into = dict(connection.execute(sa.select(proposal.c.id, proposal.c.merged_into_id)
                                          .where(proposal.c.state == "MERGED",
                                                 proposal.c.merged_into_id.is_not(None))).all())

    def final(proposal_id: int) -> int:
        seen = {proposal_id}
        while proposal_id in merged_into and merged_into[proposal_id] not in seen:
            proposal_id = merged_into[proposal_id]
            seen.add(proposal_id)
        return proposal_id

    rows = connection.execute(sa.select(support.c.proposal_id, support.c.user_id)
                              .where(support.c.proposal_id.in_(list(merged_into)))).all() if merged_into else []
    for proposal_id, user_id in sorted(rows):
        target = final(proposal_id)
        supported = connection.execute(sa.select(sa.func.count()).select_from(support).where(
            support.c.proposal_id == target, support.c.user_id == user_id)).scalar()
        where = sa.and_(support.c.proposal_id == proposal_id, support.c.user_id == user_id)
        if supported:
            connection.execute(sa.delete(support).where(where))
        else:
            connection.execute(sa.update(support).where(where).values(proposal_id=target))
    op.execute("UPDATE proposal SET supports_count = "
               "(SELECT count(*) FROM support WHERE support.proposal_id = proposal.id)")
    op.execute("UPDATE support_quota SET used = (SELECT count(*) FROM support WHERE "
               "support.user_id = support_quota.user_id AND support.process_id = support_quota.process_id)")


def upgrade():
    _convert_answers(_html_to_text)
    _move_supports_of_merged_proposals()
    op.create_table('submission',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_submission_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_submission'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_user_id'), ['user_id'], unique=False)
    for table, kind, scope in KEYED:
        # The first use of a key wins where one was used in two tables (the bug this table ends).
        op.execute(
            f"INSERT INTO submission (key, user_id, kind, scope_id, object_id, created_at) "
            f"SELECT t.submission_key, t.author_id, '{kind}', t.{scope}, t.id, t.created_at FROM {table} t "
            f"WHERE t.author_id IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM submission s WHERE s.key = t.submission_key)"
        )


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_user_id'))
    op.drop_table('submission')
    _convert_answers(_text_to_html)
