"""Alembic migrations of the store's schema (package data: shipped in the wheel and run on open)."""
