"""Questionnaires of a consultation: questions, their options, and the anonymous responses residents give.

A response carries no user id: `respondent_key` is an HMAC of the user id (keyed with the app's SECRET_KEY),
enough to refuse a second response from the same person, useless for linking answers to accounts in exports.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plaza.clock import utcnow
from plaza.extensions import db


class QuestionKind(enum.Enum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    FREE_TEXT = "free_text"


class Questionnaire(db.Model):
    """At most one questionnaire per consultation; residents answer it while a phase enables the component."""

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    intro: Mapped[str] = mapped_column(sa.Text, default="")  # plain text, shown as paragraphs
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    process = relationship("Process")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="questionnaire", order_by="Question.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("process_id", name="uq_questionnaire_per_process"),)


class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[QuestionKind]
    text: Mapped[str] = mapped_column(sa.String(500))
    required: Mapped[bool] = mapped_column(default=True)
    max_choices: Mapped[int | None]  # multiple choice only; None: as many as there are options

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
    options: Mapped[list["QuestionOption"]] = relationship(
        back_populates="question", order_by="QuestionOption.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("questionnaire_id", "position", name="uq_question_position"),
        sa.CheckConstraint("position > 0", name="question_position_positive"),
        sa.CheckConstraint("max_choices IS NULL OR (kind = 'MULTIPLE_CHOICE' AND max_choices > 0)",
                           name="max_choices_only_for_multiple_choice"),
    )

    @property
    def is_choice(self) -> bool:
        return self.kind is not QuestionKind.FREE_TEXT


class QuestionOption(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.String(300))

    question: Mapped[Question] = relationship(back_populates="options")

    __table_args__ = (
        sa.UniqueConstraint("question_id", "position", name="uq_option_position"),
        # Target of Answer's composite foreign key: an answer's option belongs to the answer's question.
        sa.UniqueConstraint("question_id", "id", name="uq_option_of_question"),
        sa.CheckConstraint("position > 0", name="option_position_positive"),
    )


class Response(db.Model):
    """One resident's answers to one questionnaire; the unique key lets each person answer once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire.id", ondelete="CASCADE"))
    respondent_key: Mapped[str] = mapped_column(sa.String(64))  # hex HMAC-SHA256, see services.respondent_key
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "respondent_key", name="uq_response_once"),)


class Answer(db.Model):
    """A chosen option (one row per option chosen) or the text written for a free-text question."""

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int | None]  # its foreign key is the composite one below
    text: Mapped[str | None] = mapped_column(sa.Text)  # plain text, as typed

    response: Mapped[Response] = relationship(back_populates="answers")

    __table_args__ = (
        sa.ForeignKeyConstraint(["question_id", "option_id"], ["question_option.question_id", "question_option.id"],
                                name="fk_answer_option_of_its_question", ondelete="CASCADE"),
        sa.CheckConstraint("(option_id IS NULL) <> (text IS NULL)", name="option_or_text"),
        sa.UniqueConstraint("response_id", "question_id", "option_id", name="uq_answer_option_once"),
        sa.Index("uq_answer_text_once", "response_id", "question_id", unique=True,
                 sqlite_where=sa.text("option_id IS NULL"), postgresql_where=sa.text("option_id IS NULL")),
    )
