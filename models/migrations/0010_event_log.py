from tortoise import migrations
from tortoise.migrations import operations as ops
from models.base import utcnow
from models.events import EventKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_payment_idempotency')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClinicEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('position', fields.BigIntField()),
                ('kind', fields.CharEnumField(description='BOOKED: BOOKED\nCANCELLED: CANCELLED\nRESCHEDULED: RESCHEDULED\nUPDATED: UPDATED\nHELD: HELD\nRELEASED: RELEASED\nROSTER_CHANGED: ROSTER_CHANGED', enum_type=EventKind, max_length=24)),
                ('appointment_id', fields.UUIDField(null=True)),
                ('practitioner_id', fields.UUIDField(null=True)),
                ('client_id', fields.UUIDField(null=True)),
                ('previous_id', fields.UUIDField(null=True)),
                ('span_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('span_end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('occurred_at', fields.DatetimeField(default=utcnow, db_index=True, auto_now=False, auto_now_add=False)),
                ('published', fields.BooleanField(default=False, db_index=True)),
            ],
            options={'table': 'clinic_event', 'app': 'models', 'unique_together': (('clinic', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventHead',
            fields=[
                ('clinic_id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('position', fields.BigIntField(default=0)),
            ],
            options={'table': 'event_head', 'app': 'models', 'pk_attr': 'clinic_id', 'table_description': 'The last position handed out in a clinic.'},
            bases=['Model'],
        ),
    ]
