from django.db import migrations

# ANALYZE estimates the number of distinct powers in the case table from a sample of 30,000 rows. At a
# nation's 108 M rows it guesses ~140,000 where there are millions, so the planner expects 47,000 powers
# whose cases the county department still records where there are 427,000, and probes them one by one
# (nested loops). Stating the ratio instead keeps the estimate right at every
# size: a power with cases has a row per month and handler, about twenty over the months kept, so one
# distinct power per twenty rows (the generator's data has 0.052). PostgreSQL only: SQLite keeps no
# such statistics.
TABLE = "delegation_monthlycasecount"


def state_ratio(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN power_id SET (n_distinct = -0.05)")


def forget_ratio(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN power_id RESET (n_distinct)")


class Migration(migrations.Migration):
    dependencies = [
        ("delegation", "0011_power_untrained_indexes"),
    ]

    operations = [
        migrations.RunPython(state_ratio, forget_ratio, elidable=False),
    ]
