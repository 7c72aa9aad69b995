"""Business actions through the standard Flask-Admin action endpoint."""

from sqlalchemy import func, select

from models import AuditEvent, Quote, QuoteStatus, Role, SalesOrder, OrderStatus, db


def audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


def submitted_quote(within_supervisor_limit: bool) -> Quote:
    """A submitted quote of the supervisor's team, inside or above the supervisor's limit."""
    from models import User

    team_id = db.session.scalar(select(User.team_id).where(User.email == "supervisor@example.com"))
    query = (select(Quote).join(Quote.owner)
             .where(Quote.status == QuoteStatus.submitted, User.team_id == team_id))
    if within_supervisor_limit:
        query = query.where(Quote.discount_pct <= 15, Quote.total <= 50000)
    else:
        query = query.where((Quote.discount_pct > 15) | (Quote.total > 50000))
    quote = db.session.scalars(query.order_by(Quote.id)).first()
    assert quote is not None, "the demo data needs such a quote"
    return quote


def post_action(client, table, action, ids, **inputs):
    data = {"action": action, "rowid": [str(i) for i in ids], **inputs}
    if inputs:
        data["_inputs"] = "1"
    return client.post(f"/admin/{table}/action/", data=data)


def test_coordinator_cannot_approve_a_quote(login_as):
    client = login_as(Role.coordinator)
    quote = submitted_quote(within_supervisor_limit=True)
    before = audit_count("approve_quote")
    post_action(client, "quote", "approve_quote", [quote.id], reason="")
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).status == QuoteStatus.submitted
    assert audit_count("approve_quote") == before


def test_supervisor_approves_within_the_limit(login_as):
    client = login_as(Role.supervisor)
    quote = submitted_quote(within_supervisor_limit=True)
    before = audit_count("approve_quote")
    response = post_action(client, "quote", "approve_quote", [quote.id], reason="")
    assert response.status_code == 302
    db.session.expire_all()
    approved = db.session.get(Quote, quote.id)
    assert approved.status == QuoteStatus.approved
    assert approved.approved_by.email == "supervisor@example.com"
    assert audit_count("approve_quote") == before + 1


def test_supervisor_cannot_approve_above_the_limit(login_as):
    client = login_as(Role.supervisor)
    quote = submitted_quote(within_supervisor_limit=False)
    response = post_action(client, "quote", "approve_quote", [quote.id], reason="big customer")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).status == QuoteStatus.submitted
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 skipped" in follow


def test_manager_approves_above_the_limit_with_a_reason(login_as):
    client = login_as(Role.manager)
    quote = submitted_quote(within_supervisor_limit=False)
    refused = post_action(client, "quote", "approve_quote", [quote.id], reason="")
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).status == QuoteStatus.submitted
    assert refused.status_code in (200, 302)
    post_action(client, "quote", "approve_quote", [quote.id], reason="Strategic dealer, volume deal")
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    assert quote.status == QuoteStatus.approved
    assert quote.approval_reason == "Strategic dealer, volume deal"


def test_bulk_approval_writes_one_audit_event_per_approved_row(login_as):
    client = login_as(Role.manager)
    ids = db.session.scalars(select(Quote.id).where(Quote.status == QuoteStatus.submitted)).all()
    assert len(ids) >= 2
    before = audit_count("approve_quote")
    post_action(client, "quote", "approve_quote", ids, reason="Quarter-end approvals")
    db.session.expire_all()
    approved = db.session.scalar(
        select(func.count()).where(Quote.id.in_(ids), Quote.status == QuoteStatus.approved))
    assert approved == len(ids)
    assert audit_count("approve_quote") == before + len(ids)


def test_action_form_asks_for_required_input(login_as):
    client = login_as(Role.manager)
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.status == OrderStatus.pending))
    page = client.post("/admin/sales_order/action/", data={"action": "cancel_order", "rowid": [str(order.id)]})
    assert page.status_code == 200
    assert 'name="reason"' in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SalesOrder, order.id).status == OrderStatus.pending
    post_action(client, "sales_order", "cancel_order", [order.id], reason="Customer withdrew")
    db.session.expire_all()
    assert db.session.get(SalesOrder, order.id).status == OrderStatus.cancelled


def test_row_buttons_appear_only_where_the_action_applies(login_as):
    client = login_as(Role.supervisor)
    page = client.get("/admin/quote/?page_size=100").get_data(as_text=True)
    assert 'data-action="approve_quote"' in page
    client.post("/logout")
    client = login_as(Role.coordinator)
    page = client.get("/admin/quote/?page_size=100").get_data(as_text=True)
    assert 'data-action="approve_quote"' not in page
