"""Consultations (participatory processes) with phases; see `component.py`."""
