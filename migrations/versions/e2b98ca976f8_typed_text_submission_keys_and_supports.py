"""typed text, submission keys and supports after merges

Questionnaire answers become plain text as typed (they were sanitised HTML, which lost "x<y").

Revision ID: e2b98ca976f8
Revises: 0746b08fd805
Create Date: 2026-12-05 09:00:00.000000

"""
import html
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2b98ca976f8'
down_revision = '0746b08fd805'
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


def upgrade():
    _convert_answers(_html_to_text)


def downgrade():
    _convert_answers(_text_to_html)
