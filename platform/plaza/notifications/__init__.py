"""Side effects of domain changes: the outbox, e-mail delivery and (later) inboxes and digests."""
