"""Stock Flask-Admin over the same models at /stock: plain `ModelView`s, no login, for comparison."""
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView

from models import Account, Quote, SalesOrder, db

SEARCHABLE = {SalesOrder: ["number", "customer_po", "account.name"], Quote: ["number", "account.name"],
              Account: ["name", "region", "email", "vat_number"]}
# Flask-Admin's own inline edit: the stock counterpart of the panel's approve action in the load run.
EDITABLE = {Quote: ["status"]}


def register_stock_admin(app) -> Admin:
    stock = Admin(app, name="Stock", url="/stock", endpoint="stock")
    for model, searchable in SEARCHABLE.items():
        view = type(f"Stock{model.__name__}View", (ModelView,), {
            "column_searchable_list": searchable, "column_filters": ["status"], "can_export": True,
            "can_view_details": True, "column_list": None, "column_editable_list": EDITABLE.get(model)})
        stock.add_view(view(model, db, endpoint=f"stock_{model.__tablename__}", url=f"/stock/{model.__tablename__}"))
    return stock
