"""Alembic revision scripts for the web app's database, oldest first."""
