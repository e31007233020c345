"""The baseline of bench/reports.py: each report as one hand-written
PostgreSQL statement, run with asyncpg on a connection of its own (no ORM,
no dialect layer, no dataclasses). Parameters: $1 clinic, $2 start and $3
end (UTC instants of the range's local midnights), $4 time zone, and for
staff performance $5/$6 the first and last local date; cancellations take the
clinic's notice hours as $4 instead.

The rostered minutes in the staff statement handle the exception kinds the
benchmark's data has (whole days off, extra hours on days without weekly
hours); the resolver handles every kind, and the benchmark checks that
both give the same figures on this data."""

from __future__ import annotations

RANGE = "a.clinic_id = $1 AND a.start_at >= $2 AND a.start_at < $3"

REVENUE = f"""
SELECT GROUPING((a.start_at AT TIME ZONE $4)::date) AS g_day, GROUPING(a.treatment_id) AS g_treatment,
       GROUPING(a.practitioner_id) AS g_practitioner,
       (a.start_at AT TIME ZONE $4)::date AS day, a.treatment_id, a.practitioner_id, count(*) AS n, sum(a.price) AS amount
FROM appointment a WHERE {RANGE} AND a.status = 'COMPLETED'
GROUP BY GROUPING SETS (((a.start_at AT TIME ZONE $4)::date), (a.treatment_id), (a.practitioner_id), ())
"""

BOOKINGS = """
SELECT a.source, a.rescheduled_from_id IS NOT NULL AS moved, count(*) AS n
FROM appointment a WHERE a.clinic_id = $1 AND a.created_at >= $2 AND a.created_at < $3
GROUP BY 1, 2
"""

PAYMENTS = """
SELECT coalesce(p.method, r.method) AS method, coalesce(p.n, 0) AS payments, coalesce(p.taken, 0) AS taken,
       coalesce(r.n, 0) AS refunds, coalesce(r.refunded, 0) AS refunded
FROM (SELECT method, count(*) AS n, sum(amount) AS taken FROM payment
      WHERE clinic_id = $1 AND taken_at >= $2 AND taken_at < $3 GROUP BY method) p
FULL JOIN (SELECT p.method, count(*) AS n, sum(r.amount) AS refunded FROM refund r JOIN payment p ON p.id = r.payment_id
           WHERE r.clinic_id = $1 AND r.refunded_at >= $2 AND r.refunded_at < $3 GROUP BY p.method) r
ON r.method = p.method
"""

STAFF = f"""
WITH days AS (
  SELECT d::date AS day FROM generate_series($5::date, $6::date, interval '1 day') d
), weekly AS (
  SELECT r.practitioner_id,
         sum(extract(epoch FROM ((d.day + r.end_minute * interval '1 minute') AT TIME ZONE $4)
                              - ((d.day + r.start_minute * interval '1 minute') AT TIME ZONE $4)) / 60) AS minutes
  FROM days d JOIN roster_entry r ON r.clinic_id = $1 AND r.weekday = extract(isodow FROM d.day) - 1
  WHERE NOT EXISTS (SELECT 1 FROM roster_exception x WHERE x.practitioner_id = r.practitioner_id
                    AND x.date = d.day AND x.kind = 'OFF' AND x.start_minute IS NULL)
  GROUP BY r.practitioner_id
), extra AS (
  SELECT x.practitioner_id,
         sum(extract(epoch FROM ((x.date + x.end_minute * interval '1 minute') AT TIME ZONE $4)
                              - ((x.date + x.start_minute * interval '1 minute') AT TIME ZONE $4)) / 60) AS minutes
  FROM roster_exception x WHERE x.clinic_id = $1 AND x.kind = 'EXTRA' AND x.date BETWEEN $5 AND $6
  GROUP BY x.practitioner_id
), booked AS (
  SELECT a.practitioner_id, count(*) AS n, count(*) FILTER (WHERE a.status = 'COMPLETED') AS completed,
         count(*) FILTER (WHERE a.status = 'NO_SHOW') AS no_shows,
         coalesce(sum(a.price) FILTER (WHERE a.status = 'COMPLETED'), 0) AS revenue,
         sum(extract(epoch FROM a.end_at - a.start_at) / 60) AS minutes
  FROM appointment a WHERE {RANGE} AND a.status <> 'CANCELLED' GROUP BY a.practitioner_id
)
SELECT p.id, p.name, coalesce(b.n, 0) AS n, coalesce(b.completed, 0) AS completed, coalesce(b.no_shows, 0) AS no_shows,
       coalesce(b.revenue, 0) AS revenue, coalesce(b.minutes, 0) AS booked,
       coalesce(w.minutes, 0) + coalesce(e.minutes, 0) AS rostered
FROM practitioner p LEFT JOIN booked b ON b.practitioner_id = p.id LEFT JOIN weekly w ON w.practitioner_id = p.id
LEFT JOIN extra e ON e.practitioner_id = p.id
WHERE p.clinic_id = $1
"""

POPULARITY = f"""
SELECT a.treatment_id, count(*) AS n FROM appointment a WHERE {RANGE} AND a.status = 'COMPLETED' GROUP BY 1
"""

RETENTION = f"""
WITH per_client AS (
  SELECT a.client_id, min(a.start_at) FILTER (WHERE a.status = 'COMPLETED') AS done_at, max(a.start_at) AS last_at
  FROM appointment a WHERE {RANGE} AND a.status <> 'CANCELLED' GROUP BY a.client_id
)
SELECT count(*) AS seen,
       count(*) FILTER (WHERE NOT EXISTS (
          SELECT 1 FROM appointment f WHERE f.client_id = p.client_id AND f.clinic_id = $1
          AND f.start_at < $2 AND f.status <> 'CANCELLED')) AS new,
       count(p.done_at) AS completed,
       count(*) FILTER (WHERE p.done_at IS NOT NULL AND (p.last_at > p.done_at OR EXISTS (
          SELECT 1 FROM appointment n WHERE n.client_id = p.client_id AND n.clinic_id = $1
          AND n.start_at >= $3 AND n.status <> 'CANCELLED'))) AS rebooked
FROM per_client p
"""

# MATERIALIZED: inlined, the move check would run once per FILTER below.
CANCELLATIONS = f"""
WITH c AS MATERIALIZED (
  SELECT a.cancelled_by, extract(epoch FROM a.start_at - a.cancelled_at) / 3600 AS notice,
         EXISTS (SELECT 1 FROM appointment m WHERE m.rescheduled_from_id = a.id) AS moved
  FROM appointment a WHERE {RANGE} AND a.status = 'CANCELLED'
)
SELECT (SELECT count(*) FROM appointment a WHERE {RANGE}) - count(*) FILTER (WHERE moved) AS appointments,
       count(*) FILTER (WHERE NOT moved) AS cancellations,
       count(*) FILTER (WHERE moved) AS rescheduled, count(*) FILTER (WHERE NOT moved AND notice > 0) AS reopened,
       count(*) FILTER (WHERE NOT moved AND notice < $4) AS late,
       avg(notice) FILTER (WHERE NOT moved) AS average,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY notice) FILTER (WHERE NOT moved) AS median,
       count(*) FILTER (WHERE NOT moved AND cancelled_by = 'CLIENT') AS by_client,
       count(*) FILTER (WHERE NOT moved AND cancelled_by = 'STAFF') AS by_staff,
       count(*) FILTER (WHERE NOT moved AND cancelled_by = 'PARTNER') AS by_partner,
       count(*) FILTER (WHERE NOT moved AND notice < 0) AS b0,
       count(*) FILTER (WHERE NOT moved AND notice >= 0 AND notice < 24) AS b1,
       count(*) FILTER (WHERE NOT moved AND notice >= 24 AND notice < 48) AS b2,
       count(*) FILTER (WHERE NOT moved AND notice >= 48 AND notice < 168) AS b3,
       count(*) FILTER (WHERE NOT moved AND notice >= 168) AS b4
FROM c
"""
