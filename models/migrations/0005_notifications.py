from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.base import utcnow
from models.consent import ConsentRequestStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsentRequest',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('appointment', fields.ForeignKeyField('models.Appointment', source_field='appointment_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('form', fields.ForeignKeyField('models.ConsentForm', source_field='form_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('form_title', fields.CharField(max_length=200)),
                ('form_body', fields.TextField(unique=False)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('status', fields.CharEnumField(default=ConsentRequestStatus.PENDING, description='PENDING: PENDING\nSIGNED: SIGNED\nCANCELLED: CANCELLED', enum_type=ConsentRequestStatus, max_length=16)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('signature_name', fields.CharField(null=True, max_length=200)),
                ('signed_ip', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'consent_request', 'app': 'models', 'indexes': [Index(fields=['appointment_id', 'status'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='EmailTemplate',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'email_template', 'app': 'models', 'unique_together': (('clinic', 'name'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='PractitionerEmailSettings',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('new_appointment_template', fields.ForeignKeyField('models.EmailTemplate', source_field='new_appointment_template_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('cancelled_appointment_template', fields.ForeignKeyField('models.EmailTemplate', source_field='cancelled_appointment_template_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('extra_new_appointment_recipients', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practitioner_email_settings', 'app': 'models', 'unique_together': (('clinic',),), 'pk_attr': 'id', 'table_description': 'Which templates a clinic sends to practitioners, one row per clinic.'},
            bases=['TenantModel'],
        ),
    ]
