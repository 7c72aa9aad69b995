"""One CSV export in a process of its own: rows per second and the process's peak memory (JSON on stdout)."""
import json
import resource
import sys
import time

from bench.app import bench_app, logged_in_client


def main(which: str) -> None:
    app = bench_app()
    client = logged_in_client(app) if which == "panel" else app.test_client()
    path = "/admin/sales_order/export/csv/" if which == "panel" else "/stock/sales_order/export/csv/"
    started = time.perf_counter()
    response = client.get(path)
    rows = sum(chunk.count(b"\n") for chunk in response.response) - 1
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"status": response.status_code, "rows": rows, "seconds": round(elapsed, 2),
                      "rows_per_s": round(rows / elapsed) if elapsed else None, "peak_rss_mb": round(peak)}))


if __name__ == "__main__":
    main(sys.argv[1])
