from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.base import utcnow
from models.clinic import default_reminder_hours
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_outbox_and_twilio')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SmsOptOut',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('phone', fields.CharField(max_length=20)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sms_opt_out', 'app': 'models', 'unique_together': (('clinic', 'phone'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Clinic',
            name='sms_reminder_hours',
            field=fields.JSONField(default=default_reminder_hours, null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='in_doubt_since',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='lease_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='provider_id',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='provider_status',
            field=fields.CharField(null=True, max_length=32),
        ),
    ]
