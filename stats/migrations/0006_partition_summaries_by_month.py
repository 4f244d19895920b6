"""Partition the summary tables by month on PostgreSQL (nothing changes elsewhere).

The first full run of a month then loads its ~100,000 rows into a new table and attaches it as the
month's partition, its indexes built once at the end, instead of inserting every row into the
indexes of all months (see ``stats.figures``). Django's view of the tables is unchanged; the
primary key becomes (id, period) because a partitioned table's unique keys must hold the month.
"""

import datetime as dt

from django.db import migrations

TABLES = ["stats_powerfigure", "stats_figure"]


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            old = f"{table}_unpartitioned"
            cursor.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND c.contype = 'u'",
                [table],
            )
            uniques = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
            cursor.execute(
                f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS) '
                "PARTITION BY RANGE (period)"
            )
            cursor.execute(f'SELECT DISTINCT period FROM "{old}" ORDER BY period')
            for (period,) in cursor.fetchall():
                following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                cursor.execute(
                    f'CREATE TABLE "{table}_{period:%Y%m}" PARTITION OF "{table}" FOR VALUES FROM (%s) TO (%s)',
                    [period, following],
                )
            cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
            cursor.execute(f'DROP TABLE "{old}"')
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} RENAME TO \"{table}_id_seq\"")
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY (id, period)')
            for name, definition in uniques:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)",
                [table],
            )


class Migration(migrations.Migration):
    dependencies = [("stats", "0005_towns_summed_and_pilot_towns")]

    # Reversing leaves the tables partitioned, which the earlier schema reads and writes alike.
    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
