"""The RQ side of Plaza. Job functions live in modules here and are enqueued by dotted name.

Jobs are thin: they reload what they need by id and call a service in `plaza`. They run inside the
app context that `python -m workers` pushes once at start; no module here builds the app on import.
"""
