"""On PostgreSQL the database itself refuses double bookings: no two active
(not cancelled) appointments of one practitioner may overlap, buffers
included. SQLite has no exclusion constraints; there the booking transaction
checks under the write lock taken by `BEGIN IMMEDIATE`."""

from tortoise import migrations
from tortoise.migrations import operations as ops

CONSTRAINT = "appointment_no_overlap"


def _is_postgres(schema_editor) -> bool:
    return schema_editor.client.capabilities.dialect == "postgres"


async def add_constraint(apps, schema_editor) -> None:
    if not _is_postgres(schema_editor):
        return
    await schema_editor.client.execute_script("CREATE EXTENSION IF NOT EXISTS btree_gist")
    await schema_editor.client.execute_script(
        f"ALTER TABLE appointment ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist ("
        " practitioner_id WITH =,"
        " tstzrange(occupied_start, occupied_end, '[)') WITH &&"
        ") WHERE (status <> 'CANCELLED')"
    )


async def drop_constraint(apps, schema_editor) -> None:
    if _is_postgres(schema_editor):
        await schema_editor.client.execute_script(
            f"ALTER TABLE appointment DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [ops.RunPython(add_constraint, drop_constraint)]
