from tortoise import migrations
from tortoise.migrations import operations as ops
from models.base import utcnow
from models.notifications import NotifiedChanges
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_event_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BookingCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=8)),
                ('salt', fields.CharField(max_length=32)),
                ('code_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('requested_from', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'booking_code', 'app': 'models', 'indexes': [Index(fields=['clinic_id', 'client_id', 'created_at']), Index(fields=['expires_at'])], 'pk_attr': 'id', 'table_description': 'A 6-digit code for one client of one clinic, stored as an HMAC under'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Clinic',
            name='clients_can_book',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='Clinic',
            name='clients_can_cancel',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='Clinic',
            name='clients_can_reschedule',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='Clinic',
            name='verify_manual_entry',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='PractitionerEmailSettings',
            name='extra_new_appointment_template',
            field=fields.ForeignKeyField('models.EmailTemplate', source_field='extra_new_appointment_template_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='PractitionerEmailSettings',
            name='notified_changes',
            field=fields.CharEnumField(default=NotifiedChanges.PORTAL, description='PORTAL: PORTAL\nALL: ALL', enum_type=NotifiedChanges, max_length=16),
        ),
    ]
