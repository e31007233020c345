"""Log lines: the request each one belongs to, and their format.

`REQUEST_ID` holds the id of the request being served (web/request_ids.py
sets it for each HTTP request and websocket); `RequestIdFilter` puts it on
every record a handler writes, "-" outside a request. `config` is the one
logging set-up of a server or worker process (`clinicportal serve` hands it
to uvicorn, which applies it in every worker; `clinicportal worker` applies
it itself): plain text, or with LOG_FORMAT=json one JSON object a line."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# The record's fields in each JSON object, renamed below; the extras a line
# is logged with (`operation`, `code`, ...) follow them.
JSON_FIELDS = ["asctime", "levelname", "name", "request_id", "message"]
JSON_NAMES = {"asctime": "time", "levelname": "level", "name": "logger"}


class RequestIdFilter(logging.Filter):
    """Sets `request_id` on every record that passes: the current request's
    id, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def _formatter(log_format: str) -> dict[str, Any]:
    if log_format == "json":
        return {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": JSON_NAMES,
        }
    return {"format": TEXT_FORMAT}


def config(level: str, log_format: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the process: every logger (uvicorn's
    too) writes through one handler on stderr, each line with its request id."""
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "line",
        "filters": ["request_id"],
    }
    own = {"handlers": ["console"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"line": _formatter(log_format)},
        "handlers": {"console": handler},
        "loggers": {"uvicorn": own, "uvicorn.error": {"level": level}, "uvicorn.access": own},
        "root": {"handlers": ["console"], "level": level},
    }
