"""The DuckDB store: schema, migrations, snapshots and versioned chart rows."""

from chartwatch.store.store import Store, default_db_path, open_store

__all__ = ["Store", "default_db_path", "open_store"]
