"""The command-line tools: create-user, mark-overdue, roll-up."""
from datetime import timedelta

from sqlalchemy import select

from models import Invoice, InvoiceStatus, Role, Target, User, db
from tests import factories as make


def test_create_user_prompts_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "New.Person@Example.com", "--name", "New Person",
              "--role", "coordinator"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert user.role is Role.coordinator and user.check_password("a-long-password")


def test_create_user_refuses_a_taken_email(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "manager@example.com", "--name", "Again", "--role", "manager",
              "--password", "a-long-password"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_mark_overdue_marks_past_due_invoices_once(app, clock):
    invoice = make.invoice(InvoiceStatus.issued, due_on=clock.date() - timedelta(days=3),
                           issued_on=clock.date() - timedelta(days=33))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["mark-overdue"])
    assert first.exit_code == 0 and "marked overdue" in first.output
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status is InvoiceStatus.overdue
    second = runner.invoke(args=["mark-overdue"])
    assert second.output.startswith("0 invoice(s)")


def test_roll_up_command_fills_the_month(app):
    target = db.session.scalar(select(Target).where(Target.actual_value.isnot(None)).limit(1))
    month = target.period_start
    target.actual_value = None
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["roll-up", f"{month:%Y-%m}"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Target, target.id).actual_value is not None


def test_a_chosen_demo_password_meets_the_password_policy(app):
    result = app.test_cli_runner().invoke(args=["seed", "--demo", "--password", "password1234"])
    assert result.exit_code != 0 and "Password refused" in result.output
