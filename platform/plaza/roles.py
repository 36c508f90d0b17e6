"""The roles a person can hold. A kernel enum, so that permission rules need no feature's models."""

import enum


class Role(enum.Enum):
    RESIDENT = "resident"
    MODERATOR = "moderator"
    ORGANISER = "organiser"
    COUNCIL_OFFICER = "council_officer"
    ADMIN = "admin"
