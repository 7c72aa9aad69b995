"""Throughput under load: gunicorn workers serving the bench app, driven by `wrk` (Debian package `wrk`).

gunicorn runs `2 × CPUs + 1` sync workers of `bench.app:bench_app()` (the panel and stock Flask-Admin,
CSRF off) against the benchmark database. `wrk` then drives, for `seconds` each, with `connections`
clients:

- the orders list page: the panel's `/admin/sales_order/` (logged in as the manager) and stock's
  `/stock/sales_order/`;
- approving a quote: the panel's `approve_quote` action (`POST /admin/quote/action/`, the full rule:
  role, state, approval policy, optimistic version, audit event) on a different submitted quote each
  request; stock's nearest equivalent is Flask-Admin's own inline edit of the quote's status
  (`POST /stock/quote/ajax/update/` with `status=approved`, a one-column UPDATE with no checks).

Each run reports requests/s, p50/p95 latency (wrk's own histogram) and any error responses. The approve
runs change the benchmark database: they approve the quotes they post (counted after the run).
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
THREADS = 2

# Each wrk thread counts responses other than the one expected (a redirect to the login page would
# otherwise pass for a fast page); POST runs send each request for the next id of their own list.
WRK_LUA = """
local threads = {}
unexpected = 0
sent = 0
setup = function(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end
response = function(status, headers, body)
  if status ~= %(expected)d or (%(location)s and headers["Location"] ~= %(location)s) then
    unexpected = unexpected + 1
  end
end
%(request)s
done = function(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("unexpected") end
  local errors = summary.errors
  io.write(string.format(
    '\\n{"requests": %%d, "seconds": %%.3f, "p50_ms": %%.2f, "p95_ms": %%.2f, "unexpected_responses": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    wrong, errors.connect + errors.read + errors.write + errors.timeout))
end
"""

POST_EACH_ID_LUA = """
local ids = {%(ids)s}
request = function()
  local id = ids[(first + sent * %(threads)d) %% #ids + 1]
  sent = sent + 1
  return wrk.format("POST", nil, nil, string.format("%(body)s", id))
end
"""


def workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


@contextmanager
def gunicorn(database_url: str):
    """The bench app under gunicorn on a free local port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers()), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.app:bench_app()"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def login_cookie(base: str) -> str:
    """The `Cookie` header of a session logged in as the benchmark's manager."""
    from bench.app import MANAGER, PASSWORD

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = urllib.parse.urlencode({"email": MANAGER, "password": PASSWORD}).encode()
    page = opener.open(f"{base}/login", body, timeout=30).read().decode()
    assert "Log out" in page, "bench login failed"
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def wrk(url: str, seconds: int, connections: int, expected: int = 200, location: str | None = None,
        cookie: str | None = None, post: str = "") -> dict:
    """One wrk run; its report as a dict (requests/s added).

    `expected`: the status every response should have (and `location`, its redirect's target);
    `post`: a POST_EACH_ID_LUA request function.
    """
    script = WRK_LUA % {"expected": expected, "location": json.dumps(location) if location else "nil", "request": post}
    headers = [*([f"Cookie: {cookie}"] if cookie else []),
               *(["Content-Type: application/x-www-form-urlencoded"] if post else [])]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        command = ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                   "-s", lua.name, *(part for header in headers for part in ("-H", header)), url]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua.name)
    report = json.loads(out.strip().splitlines()[-1])
    report["requests_per_s"] = round(report["requests"] / report["seconds"], 1)
    return report


def post_each_id(body: str, ids: list[int]) -> str:
    """The wrk request function posting `body` (`%d` for the id), each request for the next id."""
    return POST_EACH_ID_LUA % {"ids": ",".join(map(str, ids)), "threads": THREADS,
                               "body": body.replace('"', '\\"')}


def submitted_quotes(database_url: str, limit: int) -> list[int]:
    from models import Quote, QuoteStatus

    engine = create_engine(database_url)
    with engine.connect() as connection:
        ids = connection.scalars(select(Quote.id).where(Quote.status == QuoteStatus.submitted)
                                 .order_by(Quote.id.desc()).limit(limit)).all()
    engine.dispose()
    return list(ids)


def approved_among(database_url: str, ids: list[int]) -> int:
    from models import Quote, QuoteStatus

    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).where(Quote.id.in_(ids), Quote.status == QuoteStatus.approved))
    engine.dispose()
    return count


def measure_throughput(database_url: str, seconds: int = 10, connections: int = 8) -> dict:
    if shutil.which("wrk") is None:
        return {"error": "not measured: wrk is not installed (apt-get install wrk)"}
    ids = submitted_quotes(database_url, 40_000)
    panel_ids, stock_ids = ids[0::2], ids[1::2]
    report = {"workers": workers(), "connections": connections, "seconds_per_run": seconds, "wrk_threads": THREADS,
              "approve_compared": "panel: approve_quote rule action (checks, version, audit event); stock: "
                                  "Flask-Admin inline edit of quote.status to approved (one-column UPDATE)"}
    with gunicorn(database_url) as base:
        cookie = login_cookie(base)
        panel_list, stock_list = f"{base}/admin/sales_order/", f"{base}/stock/sales_order/"
        wrk(panel_list, 3, connections, cookie=cookie)  # every worker loads its templates and connections
        wrk(stock_list, 3, connections)
        report["list_page"] = {
            "panel": wrk(panel_list, seconds, connections, cookie=cookie),
            "stock": wrk(stock_list, seconds, connections),
        }
        report["approve_quote"] = {
            "panel": wrk(f"{base}/admin/quote/action/", seconds, connections, expected=302,
                         location="/admin/quote/", cookie=cookie,
                         post=post_each_id("action=approve_quote&rowid=%d&_inputs=1&reason=Benchmark"
                                           "&url=%%2Fadmin%%2Fquote%%2F", panel_ids)),
            "stock": wrk(f"{base}/stock/quote/ajax/update/", seconds, connections,
                         post=post_each_id("list_form_pk=%d&status=approved", stock_ids)),
        }
    for side, side_ids in (("panel", panel_ids), ("stock", stock_ids)):
        report["approve_quote"][side]["quotes_approved"] = approved_among(database_url, side_ids)
        report["approve_quote"][side]["distinct_quotes_available"] = len(side_ids)
    for scenario in ("list_page", "approve_quote"):
        sides = report[scenario]
        sides["speedup_requests_per_s"] = round(sides["panel"]["requests_per_s"] / max(sides["stock"]["requests_per_s"], 0.1), 2)
    return report


if __name__ == "__main__":  # python -m bench.throughput DATABASE_URL [seconds]
    print(json.dumps(measure_throughput(sys.argv[1], *(int(a) for a in sys.argv[2:3])), indent=2))
