"""`python -m bench --database URL --orders N --out bench/results/report.json`

Seeds a fresh database at the given scale, then times the panel's views against stock Flask-Admin's
in the same process and writes a JSON report. Nothing here asserts timings; it measures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


def fresh_database(url: str) -> None:
    """An empty database at `url` (PostgreSQL: dropped and created; SQLite: the file removed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}"')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def flask(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, check=True,
                   env={**os.environ, "DEMO_PASSWORD": "bench-password-1"})
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
            "n": len(ordered)}


def timed_side_by_side(requests: dict, repeat: int) -> dict:
    """p50/p95 of each side's GET, its samples taken in turns (panel, stock, panel, ...) so that both
    sides meet the same moments of a busy machine."""
    for client, url in requests.values():
        client.get(url)  # warm caches and templates
    samples = {side: [] for side in requests}
    for _ in range(repeat):
        for side, (client, url) in requests.items():
            started = time.perf_counter()
            response = client.get(url)
            samples[side].append(time.perf_counter() - started)
            assert response.status_code == 200, f"{url}: {response.status_code}"
    return {side: percentiles(taken) for side, taken in samples.items()}


def statements(engine, client, url: str) -> int:
    count = [0]

    def counter(*args, **kwargs):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count[0]


def measure_views(app, repeat: int) -> dict:
    from bench.app import logged_in_client
    from models import SalesOrder, db

    panel, stock = logged_in_client(app), app.test_client()
    with app.app_context():
        order = db.session.scalar(select(SalesOrder).order_by(SalesOrder.id.desc()).offset(5000).limit(1))
        number, account, order_id = order.number, order.account.name, order.id
        engine = db.engine
    deep = 2000 if db_rows(app) > 2000 * 20 else 10
    scenarios = {
        "first_page": "{base}/sales_order/",
        "filtered": "{base}/sales_order/?{filter}=in_production",
        "search_number": f"{{base}}/sales_order/?search={number}",
        "search_account": f"{{base}}/sales_order/?search={account.split()[0]}%20{account.split()[1]}",
        "deep_page": f"{{base}}/sales_order/?page={deep}",
        "details": f"{{base}}/sales_order/details/?id={order_id}",
        "dashboard": "{base}/",
    }
    sides = {"panel": (panel, "/admin", "flt0_status_equals"), "stock": (stock, "/stock", "flt0_0")}
    report = {}
    for name, template in scenarios.items():
        report[name] = timed_side_by_side({side: (client, template.format(base=base, filter=flt))
                                           for side, (client, base, flt) in sides.items()}, repeat)
        report[name]["speedup"] = round(report[name]["stock"]["p50_ms"] / max(report[name]["panel"]["p50_ms"], 0.1), 2)
    report["statements_per_list_page"] = {
        side: {str(size): statements(engine, client, f"{base}/sales_order/?page_size={size}") for size in (20, 100)}
        for side, (client, base, _flt) in sides.items()
    }
    return report


def db_rows(app) -> int:
    from models import SalesOrder, db

    with app.app_context():
        return db.session.scalar(select(db.func.max(SalesOrder.id))) or 0


def measure_export() -> dict:
    from bench.export import measure_export as measure

    return measure()


def measure_rules(app) -> dict:
    from bench.bulk import measure_reassign
    from models import Role, User, db
    from rules.targets import roll_up_targets

    reassign = measure_reassign(app)
    with app.app_context():
        session = db.session
        manager = session.scalar(select(User).where(User.role == Role.manager))
        started = time.perf_counter()
        targets = roll_up_targets(session, date(2016, 1, 1), date(2030, 12, 31), user=manager)
        roll_up = {"targets": targets, "seconds": round(time.perf_counter() - started, 2)}
    return {"reassign_10000_leads": reassign, "roll_up_all_periods": roll_up}


PARTS = ("views", "export", "rules", "imports", "throughput")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a database to (re)create")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--out", default="bench/results/report.json")
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is (no reseed)")
    parser.add_argument("--only", nargs="+", choices=PARTS, help="measure only these parts (default: all)")
    parser.add_argument("--throughput-seconds", type=int, default=10,
                        help="length of each gunicorn/wrk load run (0: skip them)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    report = {"database": make_url(args.database).get_backend_name(), "orders": args.orders,
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
              "command": " ".join(["python -m bench", *sys.argv[1:]])}
    if not args.keep:
        fresh_database(args.database)
        flask("db", "upgrade")
        report["seed_seconds"] = round(flask("seed", "--scale", str(args.orders)), 1)
    from bench.app import bench_app

    app = bench_app()
    wanted = set(args.only or PARTS)
    if "views" in wanted:
        report["views"] = measure_views(app, args.repeat)
    if "export" in wanted:
        report["export_csv"] = measure_export()
    if "rules" in wanted:
        report["rules"] = measure_rules(app)
    if "imports" in wanted:
        from bench.bulk import measure_import

        report["import_100000_rows"] = {entity: measure_import(app, entity) for entity in ("product", "lead")}
    if "throughput" in wanted:
        if args.throughput_seconds and report["database"] == "postgresql":
            from bench.throughput import measure_throughput

            report["throughput"] = measure_throughput(args.database, args.throughput_seconds)
        else:
            report["throughput"] = "not measured: the gunicorn/wrk load run is for PostgreSQL (--throughput-seconds > 0)"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
