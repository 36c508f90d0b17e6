from flask import Blueprint

bp = Blueprint("processes", __name__, template_folder="templates")
