from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from plaza.admin import views  # noqa: E402,F401
