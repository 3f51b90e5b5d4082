"""Alembic's environment: migrate the connection :func:`..store.upgrade` hands over."""

from __future__ import annotations

from alembic import context

from security_dilemma.classroom.schema import metadata


def run_migrations() -> None:
    """Run the migrations on the connection in ``config.attributes["connection"]``."""
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # run by Alembic (not merely imported)
    run_migrations()
