from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.base import utcnow
from models.outbox import OutboxStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_no_overlapping_appointments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('appointment', fields.ForeignKeyField('models.Appointment', source_field='appointment_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=OutboxStatus.PENDING, description='PENDING: PENDING\nSENT: SENT\nDEAD: DEAD\nCANCELLED: CANCELLED', enum_type=OutboxStatus, max_length=16)),
                ('due_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('result', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['status', 'due_at']), Index(fields=['appointment_id', 'kind'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Clinic',
            name='twilio_account_sid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Clinic',
            name='twilio_auth_token',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name='Clinic',
            name='twilio_from_number',
            field=fields.CharField(null=True, max_length=20),
        ),
        ops.AddField(
            model_name='Clinic',
            name='twilio_messaging_service_sid',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
