from plaza.audit.models import AuditEntry
from plaza.extensions import db


def record(action: str, actor=None, **details) -> AuditEntry:
    """Add an entry to the current transaction; it commits with the change it describes."""
    entry = AuditEntry(action=action, actor_id=actor.id if actor else None, details=details)
    db.session.add(entry)
    return entry
