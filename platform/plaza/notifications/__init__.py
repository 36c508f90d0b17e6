"""Notifications: following consultations and proposals; see `component.py`."""
