from flask import Blueprint

bp = Blueprint("questionnaires", __name__, template_folder="templates")
