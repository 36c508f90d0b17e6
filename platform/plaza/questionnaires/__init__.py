from flask import Blueprint

bp = Blueprint("questionnaires", __name__, template_folder="templates")

from plaza.questionnaires import views  # noqa: E402,F401
