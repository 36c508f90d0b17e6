"""Counting methods: pure functions, ballots in, a `Result` with its explanation out.

No Flask and no database here: the same code counts a Plaza ballot, replays a Pabulib or PrefLib
file from the command line (``plaza-tally``) and runs in the benchmarks.
"""
