"""A clinic's settings changing is an event in its log.

Each process keeps what rarely changes in a clinic (the clinic row, its
catalogue, weekly hours, e-mail and webhook settings) and drops it when the
clinic's event log says it changed (resolvers/core/clinic_cache.py). So that
no write can forget to say so, the database writes the event itself:
triggers on those tables add a SETTINGS_CHANGED event, in the writing
transaction, whoever writes the row (an admin mutation, the CLI, a script).

A day's roster exception is not among them: its writer records a
ROSTER_CHANGED event for that day, which drops only that day's free times.
A deleted clinic takes its log with it, so deleting a clinic row writes
nothing."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.events import EventKind

# table -> the expression naming the row's clinic
TABLES = {
    "clinic": "id",
    "treatment": "clinic_id",
    "practitioner": "clinic_id",
    "practitioner_treatment": "clinic_id",
    "roster_entry": "clinic_id",
    "practitioner_email_settings": "clinic_id",
    "email_template": "clinic_id",
    "webhook_endpoint": "clinic_id",
    "loyalty_programme": "clinic_id",
    "consent_form": "clinic_id",
    "legal_document": "clinic_id",
}

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION clinic_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed uuid;
  reached bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF TG_TABLE_NAME = 'clinic' THEN RETURN NULL; END IF;
    changed := OLD.clinic_id;
    IF NOT EXISTS (SELECT 1 FROM clinic WHERE id = changed) THEN RETURN NULL; END IF;  -- the clinic goes too
  ELSIF TG_TABLE_NAME = 'clinic' THEN
    changed := NEW.id;
  ELSE
    changed := NEW.clinic_id;
  END IF;
  INSERT INTO event_head (clinic_id, position) VALUES (changed, 1)
    ON CONFLICT (clinic_id) DO UPDATE SET position = event_head.position + 1
    RETURNING position INTO reached;
  INSERT INTO clinic_event (clinic_id, position, kind, occurred_at, published)
    VALUES (changed, reached, 'SETTINGS_CHANGED', now(), FALSE);
  RETURN NULL;
END $$
"""


def _sqlite_trigger(table: str, operation: str) -> str:
    row = "OLD" if operation == "DELETE" else "NEW"
    clinic = f"{row}.{TABLES[table]}"
    guard = f" WHEN EXISTS (SELECT 1 FROM clinic WHERE id = {clinic})" if operation == "DELETE" else ""
    if table == "clinic" and operation == "DELETE":
        return ""
    return (
        f"CREATE TRIGGER {table}_settings_{operation.lower()} AFTER {operation} ON {table}{guard} BEGIN"
        f" INSERT INTO event_head (clinic_id, position) VALUES ({clinic}, 1)"
        "  ON CONFLICT (clinic_id) DO UPDATE SET position = position + 1;"
        " INSERT INTO clinic_event (clinic_id, position, kind, occurred_at, published)"
        f"  SELECT clinic_id, position, 'SETTINGS_CHANGED', strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'), 0"
        f"  FROM event_head WHERE clinic_id = {clinic};"
        " END"
    )


def _is_postgres(schema_editor) -> bool:
    return schema_editor.client.capabilities.dialect == "postgres"


async def add_triggers(apps, schema_editor) -> None:
    run = schema_editor.client.execute_script
    if _is_postgres(schema_editor):
        await run(PG_FUNCTION)
        for table in TABLES:
            await run(
                f"CREATE TRIGGER {table}_settings AFTER INSERT OR UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION clinic_settings_changed()"
            )
        return
    for table in TABLES:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            if sql := _sqlite_trigger(table, operation):
                await run(sql)


async def drop_triggers(apps, schema_editor) -> None:
    run = schema_editor.client.execute_script
    if _is_postgres(schema_editor):
        for table in TABLES:
            await run(f"DROP TRIGGER IF EXISTS {table}_settings ON {table}")
        await run("DROP FUNCTION IF EXISTS clinic_settings_changed()")
        return
    for table in TABLES:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            await run(f"DROP TRIGGER IF EXISTS {table}_settings_{operation.lower()}")


class Migration(migrations.Migration):
    dependencies = [('models', '0016_slot_holds')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='ClinicEvent',
            name='kind',
            field=fields.CharEnumField(description='BOOKED: BOOKED\nCANCELLED: CANCELLED\nRESCHEDULED: RESCHEDULED\nUPDATED: UPDATED\nHELD: HELD\nRELEASED: RELEASED\nROSTER_CHANGED: ROSTER_CHANGED\nSETTINGS_CHANGED: SETTINGS_CHANGED', enum_type=EventKind, max_length=24),
        ),
        ops.RunPython(add_triggers, drop_triggers),
    ]
