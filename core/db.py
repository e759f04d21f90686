"""Database helpers for writes that must stay set-based at any size, and for reads that count
per row."""

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.models import Count, Subquery, Value
from django.db.models.functions import Coalesce

BATCH_SIZE = 5_000


def rows_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (tuples in the order of `fields`, attribute names such as "agreement_id")
    into `model`'s table; returns how many. COPY on PostgreSQL, batched INSERTs elsewhere.

    No signals, no save(), no history: for rows computed from validated data. JSON columns take
    their value already dumped to a string.
    """
    columns = [model._meta.get_field(name).column for name in fields]
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    json_fields = {
        name for name in fields if isinstance(model._meta.get_field(name), models.JSONField)
    }
    objects = [
        model(
            **{
                name: json.loads(value) if name in json_fields else value
                for name, value in zip(fields, row, strict=True)
            }
        )
        for row in rows
    ]
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    return len(objects)


def rows_update(objects: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write `fields` of `objects` (all of one model, saved before) to their rows: one UPDATE
    statement sent once per object by executemany (pipelined on psycopg), where bulk_update
    would build a CASE of every object for every field, which costs seconds at thousands of
    rows. No signals, no save(), no history; returns how many."""
    if not objects:
        return 0
    meta = objects[0]._meta
    quote = connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in model_fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [
            *(
                field.get_db_prep_save(getattr(instance, field.attname), connection)
                for field in model_fields
            ),
            instance.pk,
        ]
        for instance in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


def advisory_lock(name: str) -> None:
    """Serialize transactions that take the same `name` until they end (PostgreSQL); SQLite
    already runs one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def statistics_refresh(*models: type[models.Model]) -> None:
    """Have PostgreSQL sample the tables of `models` again (ANALYZE), after a bulk write.

    Until autovacuum comes round, the planner still believes the sizes it saw before the write
    and can pick a scan of every row of the newest check over the index that finds one.
    """
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")


def count_per_row(rows: models.QuerySet, *, per: str) -> Coalesce:
    """How many of `rows` (filtered on an OuterRef to the annotated row, through the field
    `per`) belong to each annotated row, 0 for none: a correlated subquery, so a page of a
    list counts for its own rows only, where a join and GROUP BY would count for every row
    before taking the page."""
    counted = rows.order_by().values(per).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted), Value(0))
