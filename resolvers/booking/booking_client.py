"""The client a booking is for, with what the booking needs to know about
them, in one statement: their row, the best standing discount of their
loyalty cards, whether one of their memberships may cover the treatment on
the day (when none does, the booking does not look again), and the
caller's earlier use of the booking's idempotency key, if it sent one.

The statement is written out here, once per dialect, rather than built by
the ORM on every booking: it is on the hottest path there is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from models import Client
from models.db import connection, is_postgres
from resolvers.core.errors import not_found
from resolvers.core.idempotency import KeyUse
from resolvers.core.ids import parse_id

_CLIENT_COLUMNS = tuple(Client._meta.fields_db_projection.values())
_SQL = (
    "SELECT " + ", ".join(f'c."{column}"' for column in _CLIENT_COLUMNS) + ","
    " (SELECT MAX(p.discount_percent) FROM loyalty_card lc JOIN loyalty_programme p ON p.id = lc.programme_id"
    "  WHERE lc.clinic_id = c.clinic_id AND lc.client_id = c.id AND p.kind = 'DISCOUNT') AS discount,"
    " EXISTS (SELECT 1 FROM membership_treatment mt JOIN membership m ON m.id = mt.membership_id"
    "  WHERE mt.clinic_id = c.clinic_id AND mt.treatment_id = {treatment} AND m.client_id = c.id"
    "  AND (m.expires_at IS NULL OR m.expires_at > {start})) AS covered,"
    " k.appointment_id AS used_for, k.expires_at AS used_until, k.request_hash AS used_with"
    " FROM client c LEFT JOIN idempotency_key k ON k.clinic_id = c.clinic_id AND k.caller = {caller} AND k.key = {key}"
    " WHERE c.id = {client} AND c.clinic_id = {clinic}"
)
# The parameters in the order the text names them (SQLite's are positional).
_PG = _SQL.format(treatment="$1", start="$2", caller="$3", key="$4", client="$5", clinic="$6")
_SQLITE = _SQL.format(treatment="?", start="?", caller="?", key="?", client="?", clinic="?")
_NONE = uuid.UUID(int=0)


@dataclass(frozen=True)
class BookingClient:
    client: Client
    discount_percent: int | None
    covered: bool  # a membership of theirs may cover the treatment
    key_use: KeyUse | None  # the earlier use of the idempotency key asked about


async def read(
    clinic_id: uuid.UUID, client_id: uuid.UUID | str, treatment_id: uuid.UUID | None, start: datetime,
    field: list[str], key: tuple[str, str] | None = None,
) -> BookingClient:
    """The clinic's client by id; NOT_FOUND (at `field`) otherwise. `key`:
    (caller, idempotency key) to look up too."""
    wanted = client_id if isinstance(client_id, uuid.UUID) else parse_id(client_id)
    if wanted is None:
        raise not_found("Client", field)
    caller, typed = key or ("", "")
    params = [treatment_id or _NONE, start, caller, typed, wanted, clinic_id]
    if is_postgres():
        _, rows = await connection().execute_query(_PG, params)
    else:
        _, rows = await connection().execute_query(_SQLITE, [str(p) if isinstance(p, uuid.UUID) else p for p in params])
    if not rows:
        raise not_found("Client", field)
    row = dict(rows[0])
    fields = Client._meta.fields_map
    by_column = {column: name for name, column in Client._meta.fields_db_projection.items()}
    client = Client(**{by_column[c]: fields[by_column[c]].to_python_value(row[c]) for c in _CLIENT_COLUMNS})
    use = None
    if key is not None and row["used_until"] is not None:
        use = KeyUse(
            appointment_id=fields["id"].to_python_value(row["used_for"]) if row["used_for"] is not None else None,
            expires_at=fields["created_at"].to_python_value(row["used_until"]),
            request_hash=row["used_with"],
        )
    return BookingClient(client, row["discount"] or None, bool(row["covered"]), use)
