"""Slot holds, one occupancy table under appointments and holds alike, and
the waitlist.

An exclusion constraint covers one table, so on PostgreSQL every active
appointment and every held slot is mirrored by triggers into `diary_claim`,
whose constraint refuses two overlapping claims on one practitioner. The
mirror is kept by the database itself, whoever writes the rows. SQLite has
no exclusion constraints; there the write lock serialises the checks."""

from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from models.base import utcnow
from models.hold import HoldStatus
from models.waitlist import OfferStatus, WaitlistStatus

CONSTRAINT = "diary_no_overlap"

# TG_ARGV: the statuses in which a row no longer takes time.
SYNC_FUNCTION = """
CREATE OR REPLACE FUNCTION diary_claim_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_active boolean := false;
  is_active boolean := false;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM diary_claim WHERE owner_table = TG_TABLE_NAME;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN was_active := OLD.status <> ALL (TG_ARGV); END IF;
  IF TG_OP <> 'DELETE' THEN is_active := NEW.status <> ALL (TG_ARGV); END IF;
  IF TG_OP = 'UPDATE' AND was_active = is_active AND (NOT is_active OR (
       OLD.practitioner_id = NEW.practitioner_id
       AND OLD.occupied_start = NEW.occupied_start AND OLD.occupied_end = NEW.occupied_end)) THEN
    RETURN NULL;
  END IF;
  IF was_active THEN
    DELETE FROM diary_claim WHERE owner_id = OLD.id;
  END IF;
  IF is_active THEN
    INSERT INTO diary_claim (owner_id, owner_table, practitioner_id, occupied)
    VALUES (NEW.id, TG_TABLE_NAME, NEW.practitioner_id, tstzrange(NEW.occupied_start, NEW.occupied_end, '[)'));
  END IF;
  RETURN NULL;
END $$
"""

TABLES = {"appointment": "'CANCELLED'", "slot_hold": "'USED', 'RELEASED', 'EXPIRED'"}


def _is_postgres(schema_editor) -> bool:
    return schema_editor.client.capabilities.dialect == "postgres"


async def add_claims(apps, schema_editor) -> None:
    if not _is_postgres(schema_editor):
        return
    run = schema_editor.client.execute_script
    await run("CREATE EXTENSION IF NOT EXISTS btree_gist")
    await run(
        "CREATE TABLE diary_claim ("
        " owner_id uuid PRIMARY KEY, owner_table text NOT NULL, practitioner_id uuid NOT NULL,"
        " occupied tstzrange NOT NULL,"
        f" CONSTRAINT {CONSTRAINT} EXCLUDE USING gist (practitioner_id WITH =, occupied WITH &&))"
    )
    await run(SYNC_FUNCTION)
    for table, inactive in TABLES.items():
        await run(
            f"CREATE TRIGGER {table}_claim AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION diary_claim_sync({inactive})"
        )
        await run(
            f"CREATE TRIGGER {table}_claim_truncate AFTER TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION diary_claim_sync({inactive})"
        )
    await run(
        "INSERT INTO diary_claim (owner_id, owner_table, practitioner_id, occupied)"
        " SELECT id, 'appointment', practitioner_id, tstzrange(occupied_start, occupied_end, '[)')"
        " FROM appointment WHERE status <> 'CANCELLED'"
    )


async def drop_claims(apps, schema_editor) -> None:
    if not _is_postgres(schema_editor):
        return
    run = schema_editor.client.execute_script
    for table in TABLES:
        await run(f"DROP TRIGGER IF EXISTS {table}_claim ON {table}")
        await run(f"DROP TRIGGER IF EXISTS {table}_claim_truncate ON {table}")
    await run("DROP FUNCTION IF EXISTS diary_claim_sync()")
    await run("DROP TABLE IF EXISTS diary_claim")


class Migration(migrations.Migration):
    dependencies = [('models', '0015_series')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SlotHold',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('practitioner', fields.ForeignKeyField('models.Practitioner', source_field='practitioner_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('treatment', fields.ForeignKeyField('models.Treatment', source_field='treatment_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('start_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('end_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('occupied_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('occupied_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('holder', fields.CharField(max_length=64)),
                ('status', fields.CharEnumField(default=HoldStatus.HELD, description='HELD: HELD\nUSED: USED\nRELEASED: RELEASED\nEXPIRED: EXPIRED', enum_type=HoldStatus, max_length=16)),
                ('appointment_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'slot_hold', 'app': 'models', 'indexes': [Index(fields=['practitioner_id', 'occupied_start']), Index(fields=['clinic_id', 'holder', 'status'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Clinic',
            name='hold_minutes',
            field=fields.IntField(default=5),
        ),
        ops.AddField(
            model_name='Clinic',
            name='max_holds_per_caller',
            field=fields.IntField(default=3),
        ),
        ops.RunPython(add_claims, drop_claims),
        ops.CreateModel(
            name='WaitlistEntry',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('treatment', fields.ForeignKeyField('models.Treatment', source_field='treatment_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('practitioner', fields.ForeignKeyField('models.Practitioner', source_field='practitioner_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('date_from', fields.DateField()),
                ('date_to', fields.DateField()),
                ('earliest_minute', fields.IntField(default=0)),
                ('latest_minute', fields.IntField(default=1439)),
                ('status', fields.CharEnumField(default=WaitlistStatus.WAITING, description='WAITING: WAITING\nBOOKED: BOOKED\nLEFT: LEFT\nREMOVED: REMOVED', enum_type=WaitlistStatus, max_length=16)),
                ('appointment_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'waitlist_entry', 'app': 'models', 'indexes': [Index(fields=['clinic_id', 'status', 'created_at']), Index(fields=['client_id', 'status'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='WaitlistOffer',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('models.WaitlistEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('practitioner_id', fields.UUIDField()),
                ('start_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('hold_id', fields.UUIDField(null=True)),
                ('status', fields.CharEnumField(default=OfferStatus.OPEN, description='OPEN: OPEN\nCLAIMED: CLAIMED\nGONE: GONE', enum_type=OfferStatus, max_length=16)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'waitlist_offer', 'app': 'models', 'indexes': [Index(fields=['entry_id', 'start_at'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Clinic',
            name='waitlist_offer_minutes',
            field=fields.IntField(default=30),
        ),
        ops.AddField(
            model_name='Clinic',
            name='waitlist_offer_mode',
            field=fields.CharField(default='HOLD', max_length=8),
        ),
    ]
