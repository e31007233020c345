"""What stands in the way of a claim on a diary (a booking or a hold), read
in one statement inside the claim's write transaction: the active
appointments and the holds overlapping the time, for every candidate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from models import AppointmentStatus, HoldStatus
from models.db import connection, is_postgres

Span = tuple[datetime, datetime]

_PART = (
    "SELECT 'A', practitioner_id, occupied_start, occupied_end, NULL FROM appointment"
    " WHERE clinic_id = {clinic} AND practitioner_id {candidates} AND occupied_end > {start}"
    " AND occupied_start < {end} AND status <> {cancelled} AND id <> {ignore}"
    " UNION ALL"
    " SELECT 'H', practitioner_id, occupied_start, occupied_end, expires_at FROM slot_hold"
    " WHERE clinic_id = {clinic} AND practitioner_id {candidates} AND occupied_end > {start}"
    " AND occupied_start < {end} AND status = {held}"
)
_NOBODY = uuid.UUID(int=0)  # `ignore` when there is nothing to ignore


@dataclass
class Standing:
    """Per candidate, the occupied times that stand (appointments and live
    holds, sorted), and whether an expired hold still sits there (to be let go)."""

    busy: dict[uuid.UUID, list[Span]]
    expired_holds: bool = False


def _when(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _statement(clinic_id, candidates, start, end, ignore) -> tuple[str, list]:
    if is_postgres():
        sql = _PART.format(
            clinic="$1", candidates="= ANY($2::uuid[])", start="$3", end="$4", cancelled="$5", ignore="$6", held="$7"
        )
        return sql, [clinic_id, candidates, start, end, AppointmentStatus.CANCELLED.value, ignore, HoldStatus.HELD.value]
    marks = ", ".join("?" for _ in candidates)
    sql = _PART.format(clinic="?", candidates=f"IN ({marks})", start="?", end="?", cancelled="?", ignore="?", held="?")
    texts = [str(pid) for pid in candidates]
    one = [str(clinic_id), *texts, start, end]
    return sql, [*one, AppointmentStatus.CANCELLED.value, str(ignore), *one, HoldStatus.HELD.value]


async def standing(
    clinic_id: uuid.UUID, candidates: list[uuid.UUID], start: datetime, end: datetime, now: datetime,
    *, ignore: uuid.UUID | None = None,
) -> Standing:
    sql, params = _statement(clinic_id, candidates, start, end, ignore or _NOBODY)
    _, rows = await connection().execute_query(sql, params)
    found = Standing(busy={pid: [] for pid in candidates})
    by_text = {str(pid): pid for pid in candidates}
    for what, pid, occupied_start, occupied_end, expires_at in rows:
        pid = by_text[str(pid)]
        if what == "H" and _when(expires_at) <= now:
            found.expired_holds = True
            continue
        found.busy[pid].append((_when(occupied_start), _when(occupied_end)))
    for spans in found.busy.values():
        spans.sort()
    return found
