"""What every counting method returns: the winners and how they were found."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Round:
    """One step of a count, in words a person can follow and in data a program can check.

    `kind` names the step ("select", "skip", "eliminate", "elect", "transfer", "budget", ...);
    `detail` holds its numbers (JSON-serialisable: str, int, float, lists and dicts of those).
    """

    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """Winners in the order the method chose them, plus the rounds that explain the choice."""

    rule: str
    winners: list[str]
    rounds: list[Round] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "winners": list(self.winners),
            "rounds": [asdict(r) for r in self.rounds],
            **({"summary": self.summary} if self.summary else {}),
        }


class FormatError(ValueError):
    """A file could not be read; the message names the line and says what is wrong."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)
