from tortoise import migrations
from tortoise.migrations import operations as ops
from models.base import utcnow
from models.series import SeriesUnit
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

# The occurrences of a series, in order: what cancelling or moving "this and
# following" reads. Made by hand so the appointment model keeps its own index list.
SERIES_INDEX = "appointment_series_start"


async def add_series_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        f"CREATE INDEX IF NOT EXISTS {SERIES_INDEX} ON appointment (series_id, start_at) WHERE series_id IS NOT NULL"
    )


async def drop_series_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(f"DROP INDEX IF EXISTS {SERIES_INDEX}")


class Migration(migrations.Migration):
    dependencies = [('models', '0012_loyalty_and_documents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AppointmentSeries',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('treatment', fields.ForeignKeyField('models.Treatment', source_field='treatment_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('every', fields.SmallIntField()),
                ('unit', fields.CharEnumField(description='DAYS: DAYS\nWEEKS: WEEKS', enum_type=SeriesUnit, max_length=8)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(max_length=16)),
                ('created_by_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'appointment_series', 'app': 'models', 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Appointment',
            name='series',
            field=fields.ForeignKeyField('models.AppointmentSeries', source_field='series_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.RunPython(add_series_index, drop_series_index),
    ]
