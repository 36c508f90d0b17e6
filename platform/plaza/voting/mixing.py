"""The mixing pool: how a cast vote reaches the bulletin board without a trace of who cast it.

Rows written in one transaction are linked by the storage (SQLite rowids, PostgreSQL `xmin` and `ctid`,
insertion order, the WAL). So the casting transaction writes, beside the participation, only a *sealed*
vote: receipt hash and choices encrypted with AES-GCM under a key derived from the application's secret
key, which is not in the database, and padded to one length per ballot so that its size says nothing.

`publish` moves sealed votes to the board in batches. While the ballot is open it waits until 2k votes are
waiting and publishes the oldest of them, leaving k in the pool; at close it publishes everything left.
So every batch holds at least k votes (k = `BALLOT_MIX_SIZE`, never below 10), or all the ballot's votes
when fewer were cast, and within a batch the positions on the board follow a shuffle drawn from the
operating system's cryptographic random source. A copy of the database tells which batch a participation
belongs to, never which vote of the batch is theirs.

Publishing is one transaction that first takes the ballot's row lock (as casting does), so it is safe to
run twice or concurrently: the second run finds nothing to do. If a worker dies or Redis is down, nothing
is lost: the sealed rows stay in the pool until the periodic job or the count publishes them.
"""

import json
import logging
import os
import secrets

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from plaza.extensions import db
from plaza.voting import receipts
from plaza.voting.models import Ballot, BallotState, SealedVote, Vote

log = logging.getLogger(__name__)

MINIMUM_MIX_SIZE = 10
_NONCE_BYTES = 12
_ENVELOPE_SLACK = 128  # {"c":…,"r":"<64 hex>"} around the choices, with room to spare
_PAD_TO = 256


class SealBroken(RuntimeError):
    """A sealed vote that no configured key opens: the secret key changed and the old one is not among
    SECRET_KEY_FALLBACKS. The vote stays in the pool; nothing is published until the key is back."""


def mix_size() -> int:
    return max(MINIMUM_MIX_SIZE, int(current_app.config.get("BALLOT_MIX_SIZE", MINIMUM_MIX_SIZE)))


def _keys() -> list[bytes]:
    secrets_in_use = [current_app.config["SECRET_KEY"], *current_app.config.get("SECRET_KEY_FALLBACKS", [])]
    return [HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"plaza vote pool v1")
            .derive(secret.encode() if isinstance(secret, str) else secret) for secret in secrets_in_use if secret]


def _associated_data(ballot_id: int) -> bytes:
    return f"plaza-vote-pool:{ballot_id}".encode()  # a sealed vote opens only on its own ballot


def sealed_length(ballot: Ballot) -> int:
    """The one plaintext length of every sealed vote of `ballot`: the longest choices it allows, rounded up.

    Choices are a list of option ids or a dict {option id: points}, held as a JSON string in the envelope;
    each option takes at most its id, its points, two escaped quotes, a colon and a comma."""
    most_points = max(ballot.max_score or 0, ballot.points or 0, len(ballot.options))
    longest = 2 + sum(len(str(option.id)) + len(str(most_points)) + 6 for option in ballot.options)
    return -(-(longest + _ENVELOPE_SLACK) // _PAD_TO) * _PAD_TO


def seal(ballot: Ballot, receipt_hash: str, choices: str) -> bytes:
    plain = json.dumps({"r": receipt_hash, "c": choices}, separators=(",", ":")).encode()
    size = sealed_length(ballot)
    if len(plain) > size:  # read_choices keeps choices within the ballot's options, so this is a bug
        raise ValueError(f"choices longer than the ballot allows ({len(plain)} > {size} bytes)")
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(_keys()[0]).encrypt(nonce, plain.ljust(size), _associated_data(ballot.id))


def unseal(ballot_id: int, sealed: bytes) -> tuple[str, str]:
    """(receipt hash, canonical choices) of a sealed vote."""
    nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    for key in _keys():
        try:
            opened = json.loads(AESGCM(key).decrypt(nonce, body, _associated_data(ballot_id)))
        except InvalidTag:
            continue
        return opened["r"], opened["c"]
    raise SealBroken(f"a sealed vote of ballot {ballot_id} opens with none of the configured keys")


def needs_publishing(ballot: Ballot) -> bool:
    """Whether `publish` has something to do (a cheap check made after each vote)."""
    if ballot.state is BallotState.OPEN:
        return ballot.waiting_count >= 2 * mix_size()
    return ballot.state is BallotState.CLOSED and ballot.waiting_count > 0


def publish(ballot_id: int) -> int:
    """Publish what the pool of `ballot_id` may release now; return how many votes reached the board."""
    k = mix_size()
    locked = db.session.execute(  # the ballot's row lock: casting and other publishers wait for us
        sa.update(Ballot).where(Ballot.id == ballot_id)
        .values(published_count=Ballot.published_count)
        .returning(Ballot.state, Ballot.published_count, Ballot.chain_head)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if locked is None:
        db.session.rollback()
        return 0
    state, published, head = locked
    pool = db.session.execute(sa.select(SealedVote.id, SealedVote.sealed)
                              .where(SealedVote.ballot_id == ballot_id).order_by(SealedVote.id)).all()
    if state is BallotState.OPEN and len(pool) >= 2 * k:
        batch = pool[:len(pool) - k]  # the oldest; k stay behind, so the batch at close has k too
    elif state is BallotState.CLOSED:
        batch = pool
    else:
        batch = []
    if not batch:
        db.session.rollback()
        return 0
    votes = [unseal(ballot_id, row.sealed) for row in batch]
    secrets.SystemRandom().shuffle(votes)
    rows = []
    for position, (receipt, choices) in enumerate(votes, start=published + 1):
        head = receipts.chain_hash(head, position, receipt, choices)
        rows.append({"ballot_id": ballot_id, "position": position, "choices": choices,
                     "receipt_hash": receipt, "chain_hash": head})
    db.session.execute(sa.insert(Vote), rows)
    db.session.execute(sa.delete(SealedVote).where(SealedVote.id.in_([row.id for row in batch])))
    db.session.execute(sa.update(Ballot).where(Ballot.id == ballot_id)
                       .values(published_count=published + len(rows), chain_head=head)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    log.info("ballot %s: published a shuffled batch of %d votes", ballot_id, len(rows))
    return len(rows)


def waiting_ballots() -> list[int]:
    """Ballots whose pool has something to publish: open with at least 2k waiting, or closed with any."""
    waiting = Ballot.vote_count - Ballot.published_count
    return list(db.session.scalars(sa.select(Ballot.id).where(sa.or_(
        sa.and_(Ballot.state == BallotState.OPEN, waiting >= 2 * mix_size()),
        sa.and_(Ballot.state == BallotState.CLOSED, waiting > 0),
    ))))

