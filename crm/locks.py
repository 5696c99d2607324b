"""Locks held for one transaction, by name: a beat task or command that two workers may run at once
takes one, so that the second finds the work done (PostgreSQL's advisory locks; SQLite, the demo's
database, has one writer at a time anyway)."""

from django.db import connection


def advisory_xact_lock(name: str) -> None:
    """Wait for, then hold until the transaction ends, the lock called `name`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
