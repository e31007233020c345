from tortoise import migrations
from tortoise.migrations import operations as ops
from models.base import utcnow
from models.payment import PaymentMethod
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

# What the reports read appointments by: their start (revenue, staff,
# popularity, retention, cancellations), the cancelled ones by their start
# (cancellations), when they were booked (bookings), and the moves that
# replaced them (a rescheduled appointment is not a cancellation). Created here by hand so the appointment model, which other
# changes touch too, keeps its own index list.
REPORT_INDEXES = {
    "appointment_clinic_start": "appointment (clinic_id, start_at)",
    "appointment_clinic_cancelled_start": "appointment (clinic_id, start_at) WHERE status = 'CANCELLED'",
    "appointment_clinic_created": "appointment (clinic_id, created_at)",
    "appointment_rescheduled_from": "appointment (rescheduled_from_id) WHERE rescheduled_from_id IS NOT NULL",
}


async def add_report_indexes(apps, schema_editor) -> None:
    for name, target in REPORT_INDEXES.items():
        await schema_editor.client.execute_script(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


async def drop_report_indexes(apps, schema_editor) -> None:
    for name in REPORT_INDEXES:
        await schema_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [('models', '0007_clinic_admin')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('appointment', fields.ForeignKeyField('models.Appointment', source_field='appointment_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('amount', fields.DecimalField(max_digits=10, decimal_places=2)),
                ('currency', fields.CharField(max_length=3)),
                ('method', fields.CharEnumField(description='CASH: CASH\nCARD: CARD\nBANK_TRANSFER: BANK_TRANSFER\nGIFT_CARD: GIFT_CARD\nOTHER: OTHER', enum_type=PaymentMethod, max_length=16)),
                ('taken_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.CharField(null=True, max_length=500)),
                ('recorded_by', fields.CharField(max_length=16)),
                ('recorded_by_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment', 'app': 'models', 'indexes': [Index(fields=['clinic_id', 'taken_at']), Index(fields=['appointment_id', 'taken_at'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Refund',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('payment', fields.ForeignKeyField('models.Payment', source_field='payment_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('amount', fields.DecimalField(max_digits=10, decimal_places=2)),
                ('reason', fields.CharField(max_length=500)),
                ('refunded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_by', fields.CharField(max_length=16)),
                ('recorded_by_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refund', 'app': 'models', 'indexes': [Index(fields=['clinic_id', 'refunded_at']), Index(fields=['payment_id', 'refunded_at'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.RunPython(add_report_indexes, drop_report_indexes),
    ]
