"""Append-only record of what organisers, council officers and admins did."""
