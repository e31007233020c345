from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0008_payments')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Payment',
            name='idempotency_key',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Payment',
            name='request_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddConstraint(
            model_name='Payment',
            constraint=UniqueConstraint(fields=('clinic', 'recorded_by_id', 'idempotency_key'), name=None),
        ),
    ]
