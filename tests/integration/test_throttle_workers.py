"""Login throttling holds across worker processes: two gunicorn workers counting in one Redis.

With `memory://` each worker counts on its own, and an account got twice its attempts (the first 429 at
attempt 11 instead of 6). The attempts take turns between the workers, whichever the kernel would have
picked: the worker that answered one is held by an unfinished request while the next is sent. Needs Redis
on 127.0.0.1:6379 (skipped without it, unless REQUIRE_REDIS is set, as `.ci/run` does).
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/11"
PASSWORD = "throttle-demo-password"
EMAIL = "coordinator@example.com"
PER_ACCOUNT = 5  # "5 per minute; 20 per hour", the default LOGIN_LIMIT_PER_ACCOUNT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in a reachable Redis; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}): start redis-server to run this test")
    prefix = f"desk-throttle-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def _run(env: dict, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture
def served_panel(tmp_path, redis_prefix):
    """The panel under `gunicorn -w 2` in production mode on a free port, on a demo-seeded SQLite file:
    (its URL, its port, its access log naming the worker of each request)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATELIMIT_", "LOGIN_LIMIT_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'desk.sqlite'}", SECRET_KEY="throttle-workers",
               APP_ENV="production", SESSION_COOKIE_SECURE="0",  # plain http on 127.0.0.1
               RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    _run(env, "db", "upgrade")
    _run(env, "seed", "--demo", "--password", PASSWORD)
    port = _free_port()
    log, access = tmp_path / "gunicorn.log", tmp_path / "access.log"  # files: a full pipe would stall it
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(access), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "app:create_app()"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url + "/healthz"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start:\n" + log.read_text())
            time.sleep(0.3)
        yield url, port, access
    finally:
        server.terminate()
        server.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


def _waiting(port: int) -> int:
    """Connections to `port` no worker has accepted yet (a listening socket's queue in /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        _slot, local, _remote, state, queues, *_rest = line.split()
        if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
            return int(queues.split(":")[1], 16)
    return 0


class HeldWorker:
    """A request left unfinished, so the sync worker that accepted it serves nobody else until released."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
        deadline = time.monotonic() + 10
        while _waiting(port) and time.monotonic() < deadline:  # until a worker has taken it
            time.sleep(0.01)

    def release(self) -> None:
        self.sock.sendall(b"\r\n")
        while self.sock.recv(65536):
            pass
        self.sock.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a redirect as the answer: a successful login (302) must show, not be followed."""

    def redirect_request(self, *args, **kwargs):
        return None


def _status(opener, request) -> int:
    try:
        return opener.open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def alternating(port: int, attempts: int, send) -> list[int]:
    """`send()` `attempts` times, each to the other worker than the one before (the other one is held)."""
    held, statuses = HeldWorker(port), []
    for _attempt in range(attempts):
        statuses.append(send())
        next_held = HeldWorker(port)  # taken by the worker that just answered: the only free one
        held.release()
        held = next_held
    held.release()
    return statuses


def test_the_sixth_wrong_password_is_refused_whichever_worker_answers(served_panel):
    url, port, access = served_panel
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())
    login_page = opener.open(url + "/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": "wrong-password"}).encode()

    statuses = alternating(port, 30, lambda: _status(opener, urllib.request.Request(url + "/login", data=form)))

    first = statuses.index(429) + 1 if 429 in statuses else None
    assert first == PER_ACCOUNT + 1, f"the first 429 came at attempt {first}: {statuses}"
    assert set(statuses[:PER_ACCOUNT]) == {200}, statuses  # refused logins, the form again (a valid token)
    assert set(statuses[PER_ACCOUNT:]) == {429}, statuses
    workers = [line.split()[0] for line in access.read_text().splitlines() if " POST /login " in line]
    assert len(workers) == 30 and len(set(workers)) == 2, "the attempts did not go to both workers"
    assert all(a != b for a, b in zip(workers, workers[1:])), f"the workers did not take turns: {workers}"
