"""What a process keeps of each clinic, and how it knows it is still true.

The clinic's event log (models/events.py) is the one stream of its changes:
appointments, holds and roster days by their code, settings and catalogue
by database triggers (models/migrations/0017_settings_events.py). Whatever a
process keeps of a clinic is dropped by the events that touch it, whichever
process wrote them: before a kept answer is used, `sync` reads the clinic's
events after the last position this process applied (one indexed
statement, which finds nothing when nothing changed) and applies them.
Pub/sub is not waited for, so an answer is never stale after a commit:
a request that starts after another process committed a change reads the
change's event first.

A request syncs each clinic once (`request_scope`); what it reads after
that is as of its start, as any read in a request is. Outside a request
(jobs, the CLI) every call syncs. Inside a transaction a sync sees the
transaction's own events, which may roll back: it then applies and keeps
nothing, and facts read there serve that caller alone.

`ClinicFacts` is the first thing kept: the clinic row, its catalogue, who
offers what, weekly hours and what a booking's side effects read (e-mail
settings and templates, webhook endpoints). The free-time cache
(resolvers/booking/free_time_cache.py) listens for the finer events."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from tortoise.backends.base.client import TransactionalDBClient

from models import (
    Clinic,
    EmailTemplate,
    Practitioner,
    PractitionerEmailSettings,
    PractitionerTreatment,
    RosterEntry,
    Treatment,
    WebhookEndpoint,
)
from models.base import fits
from models.db import connection, is_postgres
from models.events import EventKind

# More events than this since the last sync: drop all of the clinic's.
BATCH = 500
_NOTHING_YET = 2**62  # as `after` for a clinic never synced: only its head is read


@dataclass(frozen=True, slots=True)
class Change:
    """One event, as the caches read it."""

    position: int
    kind: EventKind
    practitioner_id: uuid.UUID | None
    span_start: datetime | None
    span_end: datetime | None


# (clinic, its changes since the last sync; None: anything may have changed)
Listener = Callable[[uuid.UUID, "list[Change] | None"], None]


class Keeper(Protocol):
    """Something a process keeps of its clinics beside their facts (the
    free-time cache, resolvers/booking/free_time_cache.py): made once per
    ClinicCache by `ClinicCache.kept`, and told of every change applied."""

    def changed(self, clinic_id: uuid.UUID, changes: list[Change] | None) -> None: ...


K = TypeVar("K", bound=Keeper)


# clinic -> the request's sync of it (loaders resolving side by side share one)
_synced_in_request: ContextVar[dict[uuid.UUID, asyncio.Future[int]] | None] = ContextVar(
    "clinic_cache_request", default=None
)


@contextmanager
def request_scope() -> Iterator[None]:
    """Within the block each clinic is synced at most once (one request).
    Inside another such block, that one's syncs count."""
    if _synced_in_request.get() is not None:
        yield
        return
    token = _synced_in_request.set({})
    try:
        yield
    finally:
        _synced_in_request.reset(token)


@dataclass(frozen=True)
class ClinicFacts:
    """A clinic's rarely changing rows, as of event position `position`.
    Shared by every request of the process: read, never modify."""

    clinic: Clinic
    position: int
    treatments: dict[uuid.UUID, Treatment]  # archived ones included
    practitioners: dict[uuid.UUID, Practitioner]  # inactive ones included
    # treatment -> the active practitioners who offer it, by name
    offering: dict[uuid.UUID, tuple[uuid.UUID, ...]]
    # practitioner -> treatments offered (archived ones left out), by name
    offered_by: dict[uuid.UUID, tuple[uuid.UUID, ...]]
    # practitioner -> weekday -> [(start minute, end minute)]
    weekly: dict[uuid.UUID, dict[int, list[tuple[int, int]]]]
    email_settings: PractitionerEmailSettings | None
    templates: dict[uuid.UUID, EmailTemplate]
    webhooks: tuple[WebhookEndpoint, ...]  # active ones
    active_practitioners: tuple[uuid.UUID, ...] = field(default=())  # by name
    # The process's cache that keeps these facts: what else it keeps
    # (`kept_by.kept(...)`) is reachable wherever the facts are.
    kept_by: ClinicCache | None = field(default=None, repr=False, compare=False)

    def treatment(self, treatment_id: uuid.UUID | None) -> Treatment | None:
        return self.treatments.get(treatment_id) if treatment_id is not None else None

    def practitioner(self, practitioner_id: uuid.UUID | None) -> Practitioner | None:
        return self.practitioners.get(practitioner_id) if practitioner_id is not None else None


async def _load_facts(clinic: Clinic, position: int, kept_by: ClinicCache | None = None) -> ClinicFacts:
    treatments = await Treatment.filter(clinic_id=clinic.id).order_by("name")
    practitioners = await Practitioner.filter(clinic_id=clinic.id).order_by("name")
    by_id = {p.id: p for p in practitioners}
    treatment_by_id = {t.id: t for t in treatments}
    offering: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    offered_by: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    links = await PractitionerTreatment.filter(clinic_id=clinic.id).values_list("practitioner_id", "treatment_id")
    name_of_p = {p.id: (p.name, str(p.id)) for p in practitioners}
    name_of_t = {t.id: (t.name, str(t.id)) for t in treatments}
    for practitioner_id, treatment_id in sorted(links, key=lambda link: name_of_p.get(link[0], ("", ""))):
        if practitioner_id in by_id and by_id[practitioner_id].active:
            offering[treatment_id].append(practitioner_id)
    for practitioner_id, treatment_id in sorted(links, key=lambda link: name_of_t.get(link[1], ("", ""))):
        if treatment_id in treatment_by_id and not treatment_by_id[treatment_id].archived:
            offered_by[practitioner_id].append(treatment_id)
    weekly: dict[uuid.UUID, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for pid, weekday, start, end in await RosterEntry.filter(clinic_id=clinic.id).values_list(
        "practitioner_id", "weekday", "start_minute", "end_minute"
    ):
        weekly[pid][weekday].append((start, end))
    return ClinicFacts(
        clinic=clinic,
        position=position,
        treatments=treatment_by_id,
        practitioners=by_id,
        offering={k: tuple(v) for k, v in offering.items()},
        offered_by={k: tuple(v) for k, v in offered_by.items()},
        weekly={pid: {day: list(spans) for day, spans in days.items()} for pid, days in weekly.items()},
        email_settings=await PractitionerEmailSettings.get_or_none(clinic_id=clinic.id),
        templates={t.id: t for t in await EmailTemplate.filter(clinic_id=clinic.id)},
        webhooks=tuple(await WebhookEndpoint.filter(clinic_id=clinic.id, active=True)),
        active_practitioners=tuple(p.id for p in practitioners if p.active),
        kept_by=kept_by,
    )


class ClinicCache:
    """One per process (the runtime's)."""

    def __init__(self) -> None:
        self._applied: dict[uuid.UUID, int] = {}
        # Bumped by every change applied: a value computed while it moved is not kept.
        self._generation: dict[uuid.UUID, int] = defaultdict(int)
        self._facts: dict[uuid.UUID, ClinicFacts] = {}
        self._slugs: dict[str, uuid.UUID] = {}
        self._listeners: list[Listener] = []
        self._kept: dict[Callable[[ClinicCache], Keeper], Keeper] = {}

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def kept(self, make: Callable[[ClinicCache], K]) -> K:
        """The process's one keeper made by `make` (a class, usually): made
        with this cache the first time it is asked for, and from then on
        told of every change applied, like any listener."""
        found = self._kept.get(make)
        if found is None:
            found = self._kept[make] = make(self)
            self.listen(found.changed)
        return found  # type: ignore[return-value]

    def generation(self, clinic_id: uuid.UUID) -> int:
        return self._generation[clinic_id]

    async def sync(self, clinic_id: uuid.UUID) -> int:
        """Applies the clinic's events this process has not seen; returns
        the position it is now as of."""
        scope = _synced_in_request.get()
        if scope is None:
            return await self._sync(clinic_id)
        if clinic_id not in scope:
            scope[clinic_id] = asyncio.ensure_future(self._sync(clinic_id))
        return await asyncio.shield(scope[clinic_id])

    async def _sync(self, clinic_id: uuid.UUID) -> int:
        applied = self._applied.get(clinic_id)
        head, changes = await _changes_after(clinic_id, _NOTHING_YET if applied is None else applied)
        if _in_transaction():
            # The transaction sees its own events, which may yet roll back:
            # nothing is applied or kept from what it reads (see `facts`).
            return head
        if applied is None:
            self._applied.setdefault(clinic_id, head)
        elif head < applied:  # the clinic's log is gone (the clinic deleted): forget all of it
            self._apply(clinic_id, None)
            self._applied[clinic_id] = head
        elif head > applied:
            complete = len(changes) == head - applied and (not changes or changes[0].position == applied + 1)
            self._apply(clinic_id, changes if complete else None)
            self._applied[clinic_id] = max(self._applied.get(clinic_id, 0), head)
        return head

    def _apply(self, clinic_id: uuid.UUID, changes: list[Change] | None) -> None:
        self._generation[clinic_id] += 1
        if changes is None or any(c.kind in (EventKind.SETTINGS_CHANGED, EventKind.ROSTER_CHANGED) and c.span_start is None for c in changes):
            self._facts.pop(clinic_id, None)
        for listener in self._listeners:
            listener(clinic_id, changes)

    def kept_facts(self, clinic_id: uuid.UUID) -> ClinicFacts | None:
        """The facts kept now, as of the last sync (no statement); None when
        none are kept. Facts a request holds that are not these were
        dropped by a change since: nothing derived from them may be kept."""
        return self._facts.get(clinic_id)

    async def facts(self, clinic_id: uuid.UUID) -> ClinicFacts | None:
        """The clinic's facts, true as of now; None for an unknown clinic."""
        position = await self.sync(clinic_id)
        kept = self._facts.get(clinic_id)
        inside = _in_transaction()
        if kept is not None and not (inside and position != self._applied.get(clinic_id)):
            return kept
        generation = self._generation[clinic_id]
        clinic = await Clinic.get_or_none(id=clinic_id)
        if clinic is None:
            return None
        facts = await _load_facts(clinic, position, self)
        # Read inside a transaction with changes not applied: this caller's alone.
        if not inside and self._generation[clinic_id] == generation:
            self._facts[clinic_id] = facts
            self._slugs[clinic.slug] = clinic.id
        return facts

    async def facts_by_slug(self, slug: str) -> ClinicFacts | None:
        """By the portal's slug; None for an unknown one."""
        clinic_id = self._slugs.get(slug)
        if clinic_id is not None:
            facts = await self.facts(clinic_id)
            if facts is not None and facts.clinic.slug == slug:
                return facts
            self._slugs.pop(slug, None)  # renamed since
        if not fits(Clinic, "slug", slug):
            return None
        found = await Clinic.filter(slug=slug).first().values_list("id", flat=True)
        if found is None:
            return None
        facts = await self.facts(found)
        return facts if facts is not None and facts.clinic.slug == slug else None


def _in_transaction() -> bool:
    return isinstance(connection(), TransactionalDBClient)


_CHANGES_SQL = (
    "SELECT h.position, e.position, e.kind, e.practitioner_id, e.span_start, e.span_end"
    " FROM event_head h LEFT JOIN clinic_event e ON e.clinic_id = h.clinic_id AND e.position > {after}"
    " WHERE h.clinic_id = {clinic} ORDER BY e.position LIMIT {limit}"
)


async def _changes_after(clinic_id: uuid.UUID, after: int) -> tuple[int, list[Change]]:
    """(the clinic's head, its events after `after`, at most BATCH+1): one
    statement."""
    if is_postgres():
        sql, params = _CHANGES_SQL.format(clinic="$1", after="$2", limit="$3"), [clinic_id, after, BATCH + 1]
    else:
        sql, params = _CHANGES_SQL.format(clinic="?", after="?", limit="?"), [after, str(clinic_id), BATCH + 1]
    _, rows = await connection().execute_query(sql, params)
    if not rows:
        return 0, []
    head = int(rows[0][0])
    changes = [
        Change(int(row[1]), EventKind(row[2]), _uuid(row[3]), _when(row[4]), _when(row[5]))
        for row in rows
        if row[1] is not None
    ]
    return head, changes[:BATCH] if len(changes) <= BATCH else []


def _uuid(value) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _when(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
