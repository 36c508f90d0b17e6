"""WSGI entry point for production servers: `gunicorn wsgi:app`.

It uses the production configuration unless PLAZA_ENV says otherwise (`plaza.config.config_name`), so a
server started without configuration refuses to run instead of running with development secrets.
"""

from plaza.app import create_app

app = create_app()
