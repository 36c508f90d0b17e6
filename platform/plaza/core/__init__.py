from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")

from plaza.core import views  # noqa: E402,F401
