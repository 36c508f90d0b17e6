from plaza import outbox


def sweep_outbox() -> int:
    """Re-enqueue outbox events that were not delivered in time (Redis or a worker was down)."""
    return outbox.sweep()
