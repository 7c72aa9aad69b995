"""Trigram indexes (PostgreSQL) on the text columns people search in the tables that grow large.

`ILIKE '%term%'` can use a GIN `gin_trgm_ops` index; SQLite has no such index, so these exist on
PostgreSQL only (the migration creates them there) and SQLite searches by prefix over the b-tree indexes.
Regions are not here: they are categories (`models.CATEGORY`), filtered by rather than searched.
"""
from __future__ import annotations

from sqlalchemy import Index

from models.customers import Account, Contact
from models.finance import Invoice, Payment
from models.orders import Quote, SalesOrder, Shipment
from models.pipeline import Lead
from models.service import CustomerRequest

SEARCHED_TEXT = [
    Account.name, Account.email, Account.vat_number,
    Contact.name, Contact.email,
    Lead.company, Lead.contact_email,
    Quote.number,
    SalesOrder.number, SalesOrder.customer_po,
    Shipment.carrier, Shipment.booking_ref, Shipment.tracking_number, Shipment.destination_country,
    Invoice.number, Payment.reference,
    CustomerRequest.subject,
]
POSTGRESQL_ONLY = "postgresql_only"


def trigram_index(attribute) -> Index:
    """A GIN trigram index on one column, created on PostgreSQL only."""
    column = attribute.property.columns[0]
    index = Index(f"ix_{column.table.name}_{column.name}_trgm", column, postgresql_using="gin",
                  postgresql_ops={column.name: "gin_trgm_ops"}, info={POSTGRESQL_ONLY: True})
    return index.ddl_if(dialect="postgresql")


TRIGRAM_INDEXES = [trigram_index(attribute) for attribute in SEARCHED_TEXT]


def objects_of(dialect_name: str):
    """An Alembic `include_object` hook leaving PostgreSQL-only indexes out of other databases' comparisons."""

    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        return not (type_ == "index" and obj.info.get(POSTGRESQL_ONLY) and dialect_name != "postgresql")

    return include_object
