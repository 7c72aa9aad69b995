"""The management report: one period's targets, sales trend, order book and overdue invoices as XLSX."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

from flask import Blueprint, abort, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from sqlalchemy import func, select

from admin.dashboard import (
    AGE_BUCKETS, overdue_amounts, revenue_by_month, selected_period, targets_by_person, targets_by_team,
)
from models import Invoice, InvoiceStatus, OrderStatus, Role, SalesOrder, db
from models.targets import Metric
from rules.core import record_event, today

report = Blueprint("report", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(book: Workbook, title: str, header: list[str], rows) -> object:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    return sheet


def _bar_chart(sheet, title: str, series_columns: int, rows: int) -> None:
    chart = BarChart()
    chart.title = title
    data = Reference(sheet, min_col=2, max_col=1 + series_columns, min_row=1, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    sheet.add_chart(chart, "F2")


def build_report(first: date, last: date, day: date) -> Workbook:
    """The workbook: one sheet per section, with native Excel charts where a chart says more."""
    book = Workbook()
    book.remove(book.active)

    people = [(name, metric.label, target, actual or 0)
              for name, metric, target, actual in targets_by_person(first, last, None)]
    targets = _sheet(book, _("Targets"), [_("Person"), _("Metric"), _("Target"), _("Actual")], people)
    targets.append([])
    targets.append([_("Team"), _("Metric"), _("Target"), _("Actual")])
    for name, target, actual in targets_by_team(first, last, Metric.revenue):
        targets.append([name, Metric.revenue.label, target, actual or 0])

    months = revenue_by_month(last)
    trend = _sheet(book, _("Sales trend"), [_("Month"), _("Revenue")],
                   [(f"{y}-{m:02d}", total) for y, m, total in months])
    if months:
        chart = LineChart()
        chart.title = _("Revenue by month")
        chart.add_data(Reference(trend, min_col=2, min_row=1, max_row=len(months) + 1), titles_from_data=True)
        chart.set_categories(Reference(trend, min_col=1, min_row=2, max_row=len(months) + 1))
        trend.add_chart(chart, "D2")

    status_rows = db.session.execute(
        select(SalesOrder.status, func.count(SalesOrder.id), func.sum(SalesOrder.total))
        .where(SalesOrder.status.not_in([OrderStatus.cancelled, OrderStatus.archived]))
        .group_by(SalesOrder.status).order_by(SalesOrder.status)).all()
    book_sheet = _sheet(book, _("Order book"), [_("Status"), _("Orders"), _("Value")],
                        [(status.label, count, total or 0) for status, count, total in status_rows])
    if status_rows:
        _bar_chart(book_sheet, _("Order book by status"), 1, len(status_rows))

    amounts = overdue_amounts(day)
    buckets = [(f"{low}–{high}" if high else f"{low - 1}+", amounts.get(low, 0)) for low, high in AGE_BUCKETS]
    overdue = _sheet(book, _("Overdue invoices"), [_("Days past due"), _("Outstanding")], buckets)
    _bar_chart(overdue, _("Overdue by age"), 1, len(buckets))
    invoices = db.session.execute(
        select(Invoice.number, Invoice.due_on, Invoice.amount - Invoice.paid_amount)
        .where(Invoice.status == InvoiceStatus.overdue).order_by(Invoice.due_on)).all()
    overdue.append([])
    overdue.append([_("Invoice"), _("Due on"), _("Outstanding")])
    for row in invoices:
        overdue.append(list(row))
    return book


@report.get("/admin/report/")
@login_required
def download():
    """Managers download the period's report (`?period=YYYY-MM`); the download is audited."""
    if current_user.role is not Role.manager:
        abort(403)
    first, last = selected_period(today())
    stream = BytesIO()
    build_report(first, last, today()).save(stream)
    record_event(db.session, user=current_user, action="export_report", entity="report",
                 after={"period_start": first, "period_end": last}, remote_addr=request.remote_addr)
    db.session.commit()
    stream.seek(0)
    return send_file(stream, mimetype=XLSX, as_attachment=True,
                     download_name=f"management-report-{first:%Y-%m}.xlsx",
                     last_modified=datetime.now())
