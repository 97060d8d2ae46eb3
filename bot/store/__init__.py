"""Persistence behind the engine's Repository Protocol: SQLite by default, portable SQL."""
