from flask import Blueprint

bp = Blueprint("proposals", __name__, template_folder="templates")

from plaza.proposals import views  # noqa: E402,F401
