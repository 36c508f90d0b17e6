from flask import Blueprint

bp = Blueprint("taxonomy", __name__, template_folder="templates")
