"""Threaded comments on proposals and their moderation; see `component.py`."""

from flask import Blueprint

bp = Blueprint("comments", __name__, template_folder="templates")  # under /processes/<slug>/
moderation_bp = Blueprint("moderation", __name__, template_folder="templates")  # /processes/moderation
