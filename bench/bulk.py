"""Bulk drivers for `python -m bench`: reassigning 10,000 leads and importing 100,000 rows.

Each goes through the panel's own entry point (the list's action endpoint; the importer's check and
apply) as a manager, and reports rows per second and whether everything was done.
"""
from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta

from sqlalchemy import func, select

IMPORT_ROWS = 100_000
REASSIGN_ROWS = 10_000


def measure_reassign(app, rows: int = REASSIGN_ROWS) -> dict:
    """POST the Reassign lead action for `rows` open leads, as a manager would from the list."""
    from bench.app import logged_in_client
    from models import AuditEvent, Lead, LeadStatus, User, db

    with app.app_context():
        assignee = db.session.scalar(select(User).where(User.email == "coordinator@example.com"))
        ids = db.session.scalars(select(Lead.id).where(Lead.status.in_([LeadStatus.assigned, LeadStatus.contacted]),
                                                       Lead.owner_id != assignee.id).limit(rows)).all()
        events_before = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                          .where(AuditEvent.action == "reassign_lead"))
        assignee_id = assignee.id
    client = logged_in_client(app)
    started = time.perf_counter()
    response = client.post("/admin/lead/action/", data={
        "action": "reassign_lead", "rowid": [str(i) for i in ids], "_inputs": "1",
        "to_user_id": str(assignee_id), "reason": "Benchmark", "url": "/admin/lead/"})
    seconds = time.perf_counter() - started
    with app.app_context():
        moved = db.session.scalar(select(func.count()).select_from(Lead)
                                  .where(Lead.id.in_(ids), Lead.owner_id == assignee_id))
        events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "reassign_lead")) - events_before
    return {"rows": len(ids), "status": response.status_code, "reassigned": moved, "audit_events": events,
            "seconds": round(seconds, 2), "rows_per_s": round(len(ids) / seconds) if seconds else None,
            "entry_point": "POST /admin/lead/action/ action=reassign_lead"}


def lead_file(rows: int, tag: str) -> bytes:
    """A CSV of `rows` new leads (English headers), kept under the import's 10 MB limit."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Company", "Contact name", "Contact email", "Source", "Region", "Next follow up", "Notes"])
    sources = ["web", "trade_show", "referral", "cold_call"]
    start = date(2027, 1, 1)
    for n in range(rows):
        writer.writerow([f"Firma {n} sp. z o.o.", f"Buyer {n}", f"b{n}@{tag}.example", sources[n % len(sources)],
                         "North", (start + timedelta(days=n % 365)).isoformat(), "=SUM(A1)" if n % 7 == 0 else ""])
    return buffer.getvalue().encode()


def product_file(rows: int, tag: str) -> bytes:
    """A dealer price list of `rows` new products, with Polish headers and decimal commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Indeks", "Nazwa", "Dział", "Cena katalogowa", "Jednostka", "Aktywny"])
    divisions = ["doors", "cabinets", "hardware"]
    for n in range(rows):
        writer.writerow([f"{tag}-{n:06d}", f"Front {n} dąb", divisions[n % 3], f"{n % 5000},{n % 100:02d}", "pcs",
                         "tak" if n % 10 else "nie"])
    return buffer.getvalue().encode()


# entity → (file maker, natural key column, LIKE pattern of the file's keys, (cell text, its replacement)
# for the second pass, which changes one column of every line)
FILES = {"lead": (lead_file, "contact_email", "%@{tag}.example", (b",North,", b",South,")),
         "product": (product_file, "sku", "{tag}-%", (b";pcs;", b";szt;"))}


def measure_import(app, entity: str = "product", rows: int = IMPORT_ROWS) -> dict:
    """Check, then load, a file of `rows` new records of `entity` through the importer, as a manager; then
    check and load it again with one column changed on every line (each line updates its record). Each
    step reports the audit events it wrote (a load: one per row created or updated, and its summary)."""
    from flask_login import login_user

    from admin.imports import Importer
    from models import AuditEvent, User, db

    tag = f"bench{int(time.time())}"
    make_file, key, pattern, (before, after) = FILES[entity]
    data = make_file(rows, tag)
    changed = data.replace(before, after)
    report = {"rows": rows, "entity": entity, "file_mb": round(len(data) / 2 ** 20, 1),
              "update_changes": f"{before.decode()} → {after.decode()}"}
    with app.test_request_context():
        manager = db.session.scalar(select(User).where(User.email == "manager@example.com"))
        login_user(manager)
        view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", None) == entity)
        events = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")
        for step, content, apply in (("check", data, False), ("apply", data, True),
                                     ("update_check", changed, False), ("update_apply", changed, True)):
            events_before = db.session.scalar(events)
            started = time.perf_counter()
            outcome = Importer(view, manager).run(content, f"{entity}.csv", apply=apply)
            seconds = time.perf_counter() - started
            report[step] = {"seconds": round(seconds, 2), "rows_per_s": round(rows / seconds) if seconds else None,
                            "problems": len(outcome.problems), "created": outcome.created,
                            "updated": outcome.updated, "applied": outcome.applied,
                            "audit_events": db.session.scalar(events) - events_before,
                            **({"first_problem": str(outcome.problems[0])} if outcome.problems else {})}
        column = getattr(view.model, key)
        loaded = db.session.scalar(select(func.count()).select_from(view.model)
                                   .where(column.like(pattern.format(tag=tag))))
    report["loaded"] = loaded == rows and report["update_apply"]["updated"] == rows
    report["audited"] = report["apply"]["audit_events"] == report["update_apply"]["audit_events"] == rows + 1
    return report
