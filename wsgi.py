"""WSGI entry point: `gunicorn wsgi:app`."""

from plaza import create_app

app = create_app()
