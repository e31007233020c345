"""The per-process clinic cache: kept facts serve without reading the
clinic again, and any change to what they hold, by whatever writer and
from whichever process, is seen by the next read after its commit."""

from __future__ import annotations

from models import Clinic, PractitionerTreatment, Treatment, WebhookEndpoint
from resolvers.core import clinic_cache
from resolvers.core.clinic_cache import ClinicCache
from bench.common import sql_statements


async def test_kept_facts_cost_one_statement_and_a_request_syncs_once(demo):
    cache = ClinicCache()
    clinic = demo["demo"].clinic
    first = await cache.facts_by_slug("demo")
    assert first is not None and first.clinic.id == clinic.id
    with sql_statements() as statements:
        again = await cache.facts_by_slug("demo")
    assert again is first
    assert len(statements) == 1, statements  # the event check, which found nothing
    with clinic_cache.request_scope(), sql_statements() as statements:
        await cache.facts(clinic.id)
        await cache.facts(clinic.id)
    assert len(statements) == 1, statements


async def test_a_settings_change_by_any_writer_drops_the_facts(demo):
    cache = ClinicCache()  # another process's cache: it hears of the change from the log alone
    clinic = demo["demo"].clinic
    facts = await cache.facts(clinic.id)
    facial = demo["demo"].treatments["Facial"]
    assert facts.treatments[facial.id].duration_minutes == facial.duration_minutes

    await Treatment.filter(id=facial.id).update(duration_minutes=facial.duration_minutes + 15)  # a bare UPDATE
    assert (await cache.facts(clinic.id)).treatments[facial.id].duration_minutes == facial.duration_minutes + 15

    await Clinic.filter(id=clinic.id).update(name="Renamed Clinic")
    assert (await cache.facts_by_slug("demo")).clinic.name == "Renamed Clinic"

    await WebhookEndpoint.create(clinic_id=clinic.id, url="https://example.com/hook", secret="s" * 32, events=["BOOKED"])
    assert len((await cache.facts(clinic.id)).webhooks) == len(facts.webhooks) + 1

    await PractitionerTreatment.filter(clinic_id=clinic.id, treatment_id=facial.id).delete()
    assert facial.id not in (await cache.facts(clinic.id)).offering


async def test_a_renamed_slug_is_not_served_under_its_old_name(demo):
    cache = ClinicCache()
    assert await cache.facts_by_slug("demo") is not None
    await Clinic.filter(id=demo["demo"].clinic.id).update(slug="demo-renamed")
    assert await cache.facts_by_slug("demo") is None
    assert (await cache.facts_by_slug("demo-renamed")).clinic.id == demo["demo"].clinic.id


async def test_listeners_hear_each_change_once_in_order(demo):
    cache = ClinicCache()
    heard: list = []
    cache.listen(lambda clinic_id, changes: heard.append(changes))
    clinic = demo["demo"].clinic
    await cache.facts(clinic.id)
    await Clinic.filter(id=clinic.id).update(name="Once")
    await Clinic.filter(id=clinic.id).update(name="Twice")
    await cache.sync(clinic.id)
    await cache.sync(clinic.id)
    assert len(heard) == 1 and [c.kind.value for c in heard[0]] == ["SETTINGS_CHANGED", "SETTINGS_CHANGED"]
    assert heard[0][1].position == heard[0][0].position + 1


async def test_what_a_transaction_reads_of_its_own_changes_is_not_kept_when_it_rolls_back(demo):
    from models.db import write_transaction

    cache = ClinicCache()
    clinic = demo["demo"].clinic
    await cache.facts(clinic.id)
    try:
        async with write_transaction():
            await Clinic.filter(id=clinic.id).update(name="Never Committed")
            assert (await cache.facts(clinic.id)).clinic.name == "Never Committed"  # the transaction's own view
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert (await cache.facts(clinic.id)).clinic.name == clinic.name
    facial = demo["demo"].treatments["Facial"]
    await Treatment.filter(id=facial.id).update(duration_minutes=facial.duration_minutes + 15)  # reuses the positions
    assert (await cache.facts(clinic.id)).treatments[facial.id].duration_minutes == facial.duration_minutes + 15
