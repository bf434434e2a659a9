"""Alembic's environment for the store: always run programmatically by `qst.store.migrate`,
on a connection that is already inside the transaction (and lock) the store opened for it."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
