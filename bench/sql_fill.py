"""Rows by the million in one statement each: INSERT … SELECT over generate_series, for the benchmarks' fills."""

from django.db import connection, models


def insert_series(
    model: type[models.Model], count: int, values: dict[str, str], *, start: int = 1, rows: str | None = None
) -> None:
    """INSERT … SELECT over generate_series: one statement for any number of rows. `values` maps columns to SQL
    expressions of the series value `i` (the primary key too, when given); every other column gets its field's
    default, so a column added to the model later does not break the fill. `rows` replaces the series with any
    FROM clause that names `i`."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            expressions.append(values[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("now()")
        elif field.has_default() or not field.null:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            expressions.append("NULL")
    source = rows or f"generate_series({int(start)}, {int(start) + int(count) - 1}) AS i"
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(models.Max("pk"))["pk__max"] or 0) + 1
