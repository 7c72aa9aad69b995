"""Export memory stays flat: the peak measured in a fresh process is about the same for 2,000 and 20,000 rows."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

MEASURE = r'''
import json, os, sys, tracemalloc
from decimal import Decimal
rows, kind = int(sys.argv[1]), sys.argv[2]
import flask_migrate
from sqlalchemy import insert
from app import create_app
from config import TestConfig
from models import Division, Product, Role, User, db

app = create_app(TestConfig)
with app.app_context():
    flask_migrate.upgrade()
    manager = User(email="m@example.test", name="M", role=Role.manager, active=True)
    manager.set_password("memory-check-pw")
    db.session.add(manager)
    db.session.execute(insert(Product), [
        {"sku": f"MEM-{n}", "name": f"=Panel {n}", "division": Division.doors, "list_price": Decimal("1.5")}
        for n in range(rows)])
    db.session.commit()
    db.session.remove()
client = app.test_client()
client.post("/login", data={"email": "m@example.test", "password": "memory-check-pw"})
tracemalloc.start()
response = client.get(f"/admin/product/export/{kind}/", buffered=False)
size = lines = 0
for chunk in response.response:
    size += len(chunk)
    lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
_current, peak = tracemalloc.get_traced_memory()
print(json.dumps({"peak": peak, "bytes": size, "lines": lines, "status": response.status_code}))
'''


def measure(tmp_path: Path, rows: int, kind: str) -> dict:
    database = tmp_path / f"memory-{rows}-{kind}.sqlite"
    env = {"DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", MEASURE, str(rows), kind], env=env, capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[2], timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_peak_memory_does_not_grow_with_the_row_count(tmp_path, kind):
    small, large = measure(tmp_path, 2_000, kind), measure(tmp_path, 20_000, kind)
    assert small["status"] == large["status"] == 200
    if kind == "csv":
        assert (small["lines"], large["lines"]) == (2_001, 20_001)  # every row arrived
    assert large["bytes"] > 5 * small["bytes"]
    # Ten times the rows: a list of rows in memory would show as several times the peak.
    assert large["peak"] < small["peak"] * 1.5 + 2 * 1024 * 1024, (small, large)
