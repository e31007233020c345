from tortoise import migrations
from tortoise.migrations import operations as ops
from models.balances import Actor, LedgerAccount, LedgerKind, LoyaltyKind
from models.base import utcnow
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GiftCard',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=32)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('currency', fields.CharField(max_length=3)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'gift_card', 'app': 'models', 'unique_together': (('clinic', 'code'),), 'pk_attr': 'id', 'table_description': 'A certificate with a value, spent in parts until it runs out or'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='LoyaltyProgramme',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='POINTS: POINTS\nCASHBACK: CASHBACK\nDISCOUNT: DISCOUNT', enum_type=LoyaltyKind, max_length=16)),
                ('discount_percent', fields.SmallIntField(null=True)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'loyalty_programme', 'app': 'models', 'unique_together': (('clinic', 'name'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='LoyaltyCard',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('programme', fields.ForeignKeyField('models.LoyaltyProgramme', source_field='programme_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'loyalty_card', 'app': 'models', 'unique_together': (('programme', 'client'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'membership', 'app': 'models', 'indexes': [Index(fields=['client_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A course or package: a number of sessions of the treatments it'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('account', fields.CharEnumField(description='ACCOUNT: ACCOUNT\nMEMBERSHIP: MEMBERSHIP\nGIFT_CARD: GIFT_CARD\nLOYALTY: LOYALTY', enum_type=LedgerAccount, max_length=16)),
                ('kind', fields.CharEnumField(description='ISSUED: ISSUED\nADJUSTED: ADJUSTED\nUSED: USED\nRETURNED: RETURNED', enum_type=LedgerKind, max_length=16)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('membership', fields.ForeignKeyField('models.Membership', source_field='membership_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('gift_card', fields.ForeignKeyField('models.GiftCard', source_field='gift_card_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('loyalty_card', fields.ForeignKeyField('models.LoyaltyCard', source_field='loyalty_card_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('appointment', fields.ForeignKeyField('models.Appointment', source_field='appointment_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('amount', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('units', fields.IntField(null=True)),
                ('reason', fields.CharField(max_length=500)),
                ('actor', fields.CharEnumField(description='STAFF: STAFF\nPARTNER: PARTNER\nCLIENT: CLIENT\nSYSTEM: SYSTEM', enum_type=Actor, max_length=16)),
                ('actor_id', fields.UUIDField(null=True)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_entry', 'app': 'models', 'indexes': [Index(fields=['client_id', 'account', 'created_at']), Index(fields=['membership_id']), Index(fields=['gift_card_id']), Index(fields=['loyalty_card_id']), Index(fields=['appointment_id', 'account'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='MembershipTreatment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('membership', fields.ForeignKeyField('models.Membership', source_field='membership_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('treatment', fields.ForeignKeyField('models.Treatment', source_field='treatment_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'membership_treatment', 'app': 'models', 'unique_together': (('membership', 'treatment'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='PasswordResetToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'password_reset_token', 'app': 'models', 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='SignInCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('clinic', fields.ForeignKeyField('models.Clinic', source_field='clinic_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('phone', fields.CharField(max_length=20)),
                ('salt', fields.CharField(max_length=32)),
                ('code_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('terms_version', fields.CharField(max_length=32)),
                ('terms_accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('requested_from', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'sign_in_code', 'app': 'models', 'indexes': [Index(fields=['clinic_id', 'phone', 'created_at']), Index(fields=['expires_at'])], 'pk_attr': 'id', 'table_description': 'A 6-digit code for one phone at one clinic. `code_hash` is an HMAC of'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Client',
            name='terms_accepted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Client',
            name='terms_version',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Clinic',
            name='privacy_policy_version',
            field=fields.CharField(default='1', max_length=32),
        ),
    ]
