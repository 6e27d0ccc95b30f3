"""Conflict review: records in (`data.py`), a Textual app (`app.py`), typer commands (`cli.py`).

Nothing is imported here so that `factcheck --help` does not pay for Textual.
"""
