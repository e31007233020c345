import functools
from json import dumps, loads
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.balances import LedgerKind
from models.base import utcnow
from models.legal import AcceptedVia, LegalDocumentKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

# Loyalty programmes that earn (their rule and promotion terms), and the
# privacy policy and user agreement a client accepts, versioned.


class Migration(migrations.Migration):
    dependencies = [('models', '0011_portal_access')]

    initial = False

    operations = [
        ops.AddField(
            model_name='LoyaltyProgramme',
            name='points_per_visit',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='LoyaltyProgramme',
            name='points_per_amount',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='LoyaltyProgramme',
            name='amount_step',
            field=fields.DecimalField(null=True, max_digits=10, decimal_places=2),
        ),
        ops.AddField(
            model_name='LoyaltyProgramme',
            name='cashback_percent',
            field=fields.DecimalField(null=True, max_digits=5, decimal_places=2),
        ),
        ops.AddField(
            model_name='LoyaltyProgramme',
            name='terms',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AlterModelOptions(
            name='LoyaltyProgramme',
            options={'table': 'loyalty_programme', 'app': 'models', 'unique_together': (('clinic', 'name'),), 'pk_attr': 'id', 'table_description': 'A programme and its one rule: POINTS earn `points_per_visit` for'},
        ),
        ops.AlterField(
            model_name='LedgerEntry',
            name='kind',
            field=fields.CharEnumField(description='ISSUED: ISSUED\nADJUSTED: ADJUSTED\nUSED: USED\nRETURNED: RETURNED\nEARNED: EARNED\nREVERSED: REVERSED', enum_type=LedgerKind, max_length=16),
        ),
        ops.AddField(
            model_name='SignInCode',
            name='accepted_documents',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.CreateModel(
            name='LegalDocument',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='PRIVACY_POLICY: PRIVACY_POLICY\nUSER_AGREEMENT: USER_AGREEMENT', enum_type=LegalDocumentKind, max_length=32)),
                ('version', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('published_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('published_by_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'legal_document', 'app': 'models', 'unique_together': (('clinic', 'kind', 'version'),), 'pk_attr': 'id', 'table_description': 'One version of one document. The highest version of a kind is the'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='LegalAcceptance',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('document', fields.ForeignKeyField('models.LegalDocument', source_field='document_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('accepted_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('via', fields.CharEnumField(description='PHONE_SIGN_IN: PHONE_SIGN_IN\nPORTAL: PORTAL', enum_type=AcceptedVia, max_length=16)),
            ],
            options={'table': 'legal_acceptance', 'app': 'models', 'unique_together': (('client', 'document'),), 'pk_attr': 'id', 'table_description': 'A client accepted one version of one document.'},
            bases=['TenantModel'],
        ),
    ]
