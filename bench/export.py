"""One export in a process of its own: rows per second, the process's memory before the export (the
app loaded, logged in) and its peak during it (JSON on stdout). `measure_export()` runs the panel's
CSV and XLSX exports and stock Flask-Admin's CSV export each in a fresh process and compares them.

`python -m bench.export panel|stock [csv|xlsx]`
"""
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = (("panel", "csv"), ("stock", "csv"), ("panel", "xlsx"))


def rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def exported_rows(app) -> int | None:
    """The row count the panel's audit trail recorded for its last export."""
    from sqlalchemy import select

    from models import AuditEvent, db

    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export")
                                  .order_by(AuditEvent.id.desc()).limit(1))
        return event.after["rows"] if event else None


def main(which: str, kind: str = "csv") -> None:
    from bench.app import bench_app, logged_in_client

    app = bench_app()
    client = logged_in_client(app) if which == "panel" else app.test_client()
    base = "/admin" if which == "panel" else "/stock"
    baseline = rss_mb()
    started = time.perf_counter()
    response = client.get(f"{base}/sales_order/export/{kind}/")
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    elapsed = time.perf_counter() - started
    peak = rss_mb()
    rows = lines - 1 if kind == "csv" else exported_rows(app)
    print(json.dumps({"status": response.status_code, "format": kind, "rows": rows, "mb": round(size / 2 ** 20, 1),
                      "seconds": round(elapsed, 2), "rows_per_s": round(rows / elapsed) if elapsed and rows else None,
                      "baseline_rss_mb": baseline, "peak_rss_mb": peak, "growth_mb": peak - baseline}))


def measure_export() -> dict:
    """Each run in a fresh process, then the panel's CSV against stock's: speed and peak memory ratios."""
    report = {}
    for side, kind in RUNS:
        out = subprocess.run([sys.executable, "-m", "bench.export", side, kind], cwd=ROOT, capture_output=True,
                             text=True, env=os.environ.copy())
        key = side if kind == "csv" else f"{side}_{kind}"
        report[key] = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {
            "error": out.stderr.strip().splitlines()[-1:]}
    panel, stock = report["panel"], report["stock"]
    if panel.get("rows_per_s") and stock.get("rows_per_s"):
        report["csv_speedup"] = round(panel["rows_per_s"] / stock["rows_per_s"], 2)
        report["csv_peak_memory_ratio"] = round(panel["peak_rss_mb"] / stock["peak_rss_mb"], 3)
        report["csv_targets_met"] = {"speed_5x": report["csv_speedup"] >= 5,
                                     "memory_tenth": report["csv_peak_memory_ratio"] <= 0.1,
                                     "memory_under_200_mb": panel["peak_rss_mb"] < 200}
    return report


if __name__ == "__main__":
    main(*sys.argv[1:])
