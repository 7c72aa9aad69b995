"""Operations: a JSON log line per request with its id, user and duration; metrics for allowed addresses."""
import json
import logging

import pytest

from models import Role
from ops.logs import REQUEST_ID_HEADER
from ops.metrics import allowed_networks, is_allowed


@pytest.fixture
def log_lines(app):
    """The JSON lines the panel's logger writes during the test."""
    records = []
    handler = next(h for h in app.logger.handlers if isinstance(h, logging.StreamHandler))

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(json.loads(handler.format(record)))

    keep = Keep()
    for log_filter in handler.filters:
        keep.addFilter(log_filter)
    app.logger.addHandler(keep)
    yield records
    app.logger.removeHandler(keep)


def test_each_request_is_one_json_line_with_its_id_user_and_duration(login_as, user_of, log_lines):
    client = login_as(Role.coordinator)
    response = client.get("/admin/account/", headers={REQUEST_ID_HEADER: "req-42"})
    assert response.status_code == 200 and response.headers[REQUEST_ID_HEADER] == "req-42"
    line = next(line for line in log_lines if line.get("request_id") == "req-42")
    assert line["message"] == "request" and line["level"] == "INFO"
    assert line["path"] == "/admin/account/" and line["status"] == 200 and line["method"] == "GET"
    assert line["user_id"] == user_of("coordinator@example.com").id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


def test_a_request_without_an_id_gets_a_fresh_one(client, log_lines):
    first, second = client.get("/login"), client.get("/login")
    assert first.headers[REQUEST_ID_HEADER] != second.headers[REQUEST_ID_HEADER]
    assert {line["request_id"] for line in log_lines} >= {first.headers[REQUEST_ID_HEADER]}
    assert all(line.get("user_id") is None for line in log_lines)


def test_an_error_is_logged_with_its_trace(app, log_lines):
    with app.test_request_context("/"):
        try:
            raise ValueError("broken on purpose")
        except ValueError:
            app.logger.exception("failed")
    line = next(line for line in log_lines if line["message"] == "failed")
    assert line["level"] == "ERROR" and "ValueError: broken on purpose" in line["exc_info"]


def test_metrics_are_served_to_loopback_with_request_durations(client):
    client.get("/login")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert 'desk_request_duration_seconds_count{endpoint="auth.login",method="GET",status="200"}' in body


def test_metrics_are_not_found_from_other_addresses(client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 404
    assert "desk_request_duration_seconds" not in response.get_data(as_text=True)


@pytest.mark.parametrize("address, allowed", [
    ("127.0.0.1", True), ("::1", True), ("10.1.2.3", True), ("10.9.0.1", False), ("not an address", False),
])
def test_metrics_allow_names_addresses_and_networks(address, allowed):
    assert is_allowed(address, allowed_networks("127.0.0.1, ::1, 10.1.0.0/16")) is allowed
