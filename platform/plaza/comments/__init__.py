from flask import Blueprint

bp = Blueprint("comments", __name__, template_folder="templates")

from plaza.comments import views  # noqa: E402,F401
