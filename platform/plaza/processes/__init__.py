from flask import Blueprint

bp = Blueprint("processes", __name__, template_folder="templates")

from plaza.processes import manage, views  # noqa: E402,F401
