"""Eligibility: where a resident lives and when they were born, and the rule that turns them into who may
vote on what (residence and age, never citizenship)."""
