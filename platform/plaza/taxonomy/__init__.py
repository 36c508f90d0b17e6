from flask import Blueprint

bp = Blueprint("taxonomy", __name__, template_folder="templates")

from plaza.taxonomy import views  # noqa: E402,F401
