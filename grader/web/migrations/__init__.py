"""Alembic migrations for the web app's database, run programmatically by ``grader.web.db.migrate``."""
