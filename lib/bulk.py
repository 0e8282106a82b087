"""Many new rows at once: PostgreSQL's COPY where the database is PostgreSQL, else bulk_create.

COPY skips what an INSERT of thousands of rows costs the client (building and parsing one
statement with a parameter per value): `load_demo`'s 26,762 components took 7.2 s with
bulk_create and 3.9 s with COPY (docs/benchmarks.md, "Loading the demo district"). Like
bulk_create it sends no signals; unlike it, it sets no primary keys on the objects: for rows
nobody reads back in the same breath.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router
from django.db.models import Model


def insert_new[M: Model](model: type[M], objects: Iterable[M], *, batch_size: int) -> int:
    """Insert `objects` (unsaved) as new rows; how many. An auto primary key is left to the
    database; every other field is sent as Django would save it (`pre_save`, then prepared)."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return len(model._default_manager.bulk_create(objects, batch_size=batch_size))
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
            count += 1
    return count
