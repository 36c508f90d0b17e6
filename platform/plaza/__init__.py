"""Plaza: participatory decision-making for Human Rights Cities.

Nothing is imported here, so that ``import plaza.voting.methods`` loads no Flask or SQLAlchemy; the web
application is built by ``plaza.app.create_app``.
"""
