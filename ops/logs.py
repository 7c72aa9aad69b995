"""Logging: one JSON line per record, each request's line with its id, user and duration.

A request keeps the id its proxy gave it (`X-Request-ID`) or gets a fresh one, and answers with it, so
a line in the log can be matched with what a user saw. Errors are logged with their trace.
"""
from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

REQUEST_ID_HEADER = "X-Request-ID"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RequestContext(logging.Filter):
    """Adds the request id and the acting user's id to every record logged during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(g, "request_id", None)
            record.user_id = current_user_id()
        return True


def current_user_id() -> int | None:
    """The logged-in user's id, read without the database (a failed request's session may be unusable)."""
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(FORMAT, rename_fields={"asctime": "time", "levelname": "level"}))
    handler.addFilter(RequestContext())
    return handler


def register_logging(app: Flask) -> None:
    """JSON lines on stderr at LOG_LEVEL; a line per request with its status and duration."""
    app.logger.removeHandler(default_handler)
    app.logger.addHandler(json_handler())
    app.logger.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def start_request() -> None:
        g.request_id = (request.headers.get(REQUEST_ID_HEADER) or uuid.uuid4().hex)[:64]
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.pop("request_started", None)
        if started is None:
            return response
        response.headers[REQUEST_ID_HEADER] = g.request_id
        app.logger.info("request", extra={
            "method": request.method, "path": request.path, "endpoint": request.endpoint,
            "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        })
        return response
