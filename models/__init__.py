"""The domain schema: `db`, the shared column conventions, and every area's models.

All timestamps are naive UTC (`utcnow()`); money is `Numeric(12, 2)`; every state is an enum whose
member names are its stored values, so the admin's filters and forms round-trip them unchanged.
"""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, Integer, MetaData, Numeric, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

Money = Numeric(12, 2)
Percent = Numeric(5, 2)


def utcnow() -> datetime:
    """The current time as naive UTC, the form every timestamp column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def enum_column(enum_class: type[enum.Enum], **kwargs):
    """A state column stored as its member name, with a CHECK of the allowed values."""
    return mapped_column(
        Enum(enum_class, native_enum=False, create_constraint=True, length=32,
             name=enum_class.__name__.lower()),
        **kwargs,
    )


class Choice(str, enum.Enum):
    """An enum whose names are its values; `label` is the human form shown in the panel."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    def __str__(self) -> str:
        return self.label


class Entity(db.Model):
    """Columns every editable record has: id, creation and update times, and a version.

    The version is SQLAlchemy's optimistic-concurrency counter: an UPDATE names the version it
    read, so a write over someone else's newer save fails instead of silently winning.
    """

    __abstract__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    created_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


# Columns that only the system sets; never shown in forms.
SYSTEM_COLUMNS = frozenset({"id", "created_at", "updated_at", "version"})

# Column `info` markers: shown in lists and details, never typed in a form.
SET_BY_ACTION = {"set_by": "action"}  # changed only through a business action (rules/)
COMPUTED = {"set_by": "system"}  # derived from other rows, kept up to date by the models
# Column `info` marker: short text from a handful of values (a region), filtered by rather than searched.
# A trigram index on it would match a third of the table for any term and costs every write dearly.
CATEGORY = {"values": "few"}


def is_form_field(column) -> bool:
    """Whether people type this column's value (not the system, not a business action)."""
    return column.key not in SYSTEM_COLUMNS and "set_by" not in column.info

from models.people import Role, Team, User  # noqa: E402,F401
from models.customers import Account, AccountKind, AccountStatus, Contact, PaymentMethod  # noqa: E402,F401
from models.pipeline import Activity, ActivityKind, Lead, LeadSource, LeadStatus  # noqa: E402,F401
from models.marketing import Campaign, CampaignKind, CampaignStatus, MarketNote, MarketNoteKind  # noqa: E402,F401
from models.orders import (  # noqa: E402,F401
    Division, DrawingStatus, OrderLine, OrderStatus, Product, Quote, QuoteLine, QuoteStatus,
    ReworkKind, ReworkRequest, ReworkStatus, SalesOrder, Shipment, ShipmentStatus,
)
from models.finance import Invoice, InvoiceStatus, Payment  # noqa: E402,F401
from models.service import CustomerRequest, Priority, RequestKind, RequestStatus  # noqa: E402,F401
from models.targets import (  # noqa: E402,F401
    CommissionPlan, CommissionStatement, Metric, StatementStatus, Target,
)
from models.staff import (  # noqa: E402,F401
    Absence, AbsenceKind, Appraisal, DecisionStatus, Overtime, Shift, TrainingRecord,
)
from models.audit import ApprovalPolicy, AuditEvent, SavedView  # noqa: E402,F401

from models.search import TRIGRAM_INDEXES  # noqa: E402,F401
