"""Voting: ballots, secret-ballot storage, receipts, the bulletin board and counting.

This package's ``__init__`` imports nothing, so that ``plaza.voting.methods`` and
``plaza.voting.formats`` stay usable without Flask or a database (``plaza-tally`` relies on it).
"""
