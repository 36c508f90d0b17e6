"""Receipt codes and the hash chain of a ballot's votes. Pure functions: the bulletin-board check
(`flask plaza verify-ballot`) uses them on published data alone.

- A voter's receipt code is 20 random base-32 characters (100 bits) shown once, in groups of four. Only
  its hash is stored and published: sha256("plaza-receipt:<ballot id>:<code>").
- Each vote's chain hash is sha256 of the previous one, the vote's position, its receipt hash and its
  canonical choices, one per line. The chain starts from sha256("plaza-ballot:<ballot id>"). Removing,
  changing or reordering any vote changes every later hash and the head published with the result.
"""

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U to misread
CODE_LENGTH = 20
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str | None:
    """The code as issued, from what a person typed (any case, spaces or dashes, O for 0, I or L for 1);
    None if it cannot be a receipt code."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(raw) != CODE_LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def receipt_hash(ballot_id: int, code: str) -> str:
    return hashlib.sha256(f"plaza-receipt:{ballot_id}:{code}".encode()).hexdigest()


def canonical(choices) -> str:
    """One spelling for one set of choices, so that equal votes hash alike."""
    return json.dumps(choices, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def genesis(ballot_id: int) -> str:
    return hashlib.sha256(f"plaza-ballot:{ballot_id}".encode()).hexdigest()


def chain_hash(previous: str, position: int, receipt: str, choices: str) -> str:
    return hashlib.sha256(f"{previous}\n{position}\n{receipt}\n{choices}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    valid: bool
    head: str
    count: int
    problem: str | None = None


def check_chain(ballot_id: int, entries: Iterable[dict]) -> ChainCheck:
    """Recompute the chain over published entries ({position, receipt_hash, choices, chain_hash}, in
    order) and say where it first breaks."""
    head, count = genesis(ballot_id), 0
    for expected_position, entry in enumerate(entries, start=1):
        if entry.get("position") != expected_position:
            return ChainCheck(False, head, count, f"vote {expected_position} is missing or out of order")
        choices = entry["choices"] if isinstance(entry["choices"], str) else canonical(entry["choices"])
        head = chain_hash(head, expected_position, entry["receipt_hash"], choices)
        if head != entry.get("chain_hash"):
            return ChainCheck(False, head, count, f"vote {expected_position}: its chain hash does not match")
        count = expected_position
    return ChainCheck(True, head, count)
