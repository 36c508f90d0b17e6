from plaza import outbox


def deliver(event_id: int) -> bool:
    """Carry out one outbox event; harmless if it was already carried out."""
    return outbox.deliver(event_id)
