"""Who may do what, and which rows they see: the role data every view declares, and the SQL for it.

A view declares two things (see admin/views.py):
- `access`: role → the verbs it may use (read, create, edit, delete, export, import, bulk edit);
- `scope`: how a role's rows narrow — to its team (by the row's owner's team), to itself, or not at all.

"Team" always follows the owner's current team. Managers see every row; the other roles see what the
scope gives them. The row's owner is found through the model's `__owner__` path (default `owner_id`,
else `user_id`), e.g. `"order.owner_id"` for a shipment; a model whose rows can belong to a whole team
names that column in `__team__` (targets).
"""
from __future__ import annotations

from enum import Enum

from sqlalchemy import ColumnElement, false, inspect, or_, select, true

from models import Role, User

READ, CREATE, EDIT, DELETE, EXPORT = "read", "create", "edit", "delete", "export"
IMPORT, BULK_EDIT = "import", "bulk_edit"  # only on views that declare `importing` / `bulk_edit_fields`
EVERYTHING = frozenset({READ, CREATE, EDIT, DELETE, EXPORT, IMPORT, BULK_EDIT})
READING = frozenset({READ, EXPORT})
WORKING = frozenset({READ, CREATE, EDIT, EXPORT, IMPORT, BULK_EDIT})


def access(*, coordinator=(), supervisor=(), manager=(), admin=()) -> dict[Role, frozenset]:
    """An access table: `access(coordinator=WORKING, manager=EVERYTHING)`."""
    return {
        Role.coordinator: frozenset(coordinator), Role.supervisor: frozenset(supervisor),
        Role.manager: frozenset(manager), Role.admin: frozenset(admin),
    }


# The profiles the views pick from.
UNDECLARED = access(manager=READING, admin=READING)  # a model whose view declares nothing: deny by default
SALES_DATA = access(coordinator=WORKING, supervisor=EVERYTHING, manager=EVERYTHING)
SALES_RECORDS = access(coordinator=READING, supervisor=READING, manager=READING)  # written by actions
REFERENCE = access(coordinator=READING, supervisor=WORKING, manager=EVERYTHING)
TEAM_PLANNING = access(coordinator=READING, supervisor=EVERYTHING, manager=EVERYTHING)
OWN_REQUESTS = access(coordinator=WORKING, supervisor=EVERYTHING, manager=EVERYTHING)
MANAGEMENT = access(supervisor=READING, manager=EVERYTHING)
MANAGER_ONLY = access(manager=EVERYTHING)
ADMINISTRATION = access(supervisor=READING, manager=READING, admin=EVERYTHING)
POLICIES = access(manager=EVERYTHING, admin=EVERYTHING)
AUDIT_TRAIL = access(manager=READING, admin=READING)
# Saved views are made where they apply (a list's "Save this view"); here they are read, changed, deleted.
PERSONAL_SETTINGS = access(coordinator=READING | {EDIT, DELETE}, supervisor=READING | {EDIT, DELETE},
                           manager=READING | {EDIT, DELETE}, admin=READING | {EDIT, DELETE})


# Managers work across teams; admins only reach the entities their access table opens to them.
UNSCOPED_ROLES = frozenset({Role.manager, Role.admin})


class Scope(Enum):
    TEAM = "team"  # coordinator and supervisor: rows owned by their team
    PERSONAL = "personal"  # coordinator: own rows; supervisor: the team's
    ALL = "all"  # no row restriction for whoever may read
    OWN = "own"  # every role: own rows, plus rows shared with the role (`shared_with_role`)


# model → (scope, roles that also see unowned rows), as declared by the model's view; related-record
# pickers use it so a lookup never offers a row the user could not open.
MODEL_SCOPES: dict[type, tuple[Scope, frozenset]] = {}


def owner_path(model: type) -> str | None:
    """The dotted path from a row to the id of the user it belongs to."""
    declared = getattr(model, "__owner__", None)
    if declared:
        return declared
    columns = inspect(model).columns
    for name in ("owner_id", "user_id"):
        if name in columns:
            return name
    return None


def owner_expression(model: type, path: str, condition) -> ColumnElement:
    """SQL true when the owner at the end of `path` satisfies `condition(column)` (EXISTS per hop)."""
    head, _, rest = path.partition(".")
    if not rest:
        return condition(getattr(model, head))
    relationship = getattr(model, head)
    target = relationship.property.mapper.class_
    return relationship.has(owner_expression(target, rest, condition))


def team_member_ids(user):
    """A subquery of the ids of the user's team (just the user when they have no team)."""
    if user.team_id is None:
        return select(User.id).where(User.id == user.id)
    return select(User.id).where(User.team_id == user.team_id)


def scope_clause(model: type, scope: Scope, user, *, unowned_roles=frozenset()) -> ColumnElement:
    """The WHERE clause limiting `model` rows to what `user` may see under `scope`."""
    path = owner_path(model)
    if scope is Scope.OWN:
        clause = owner_expression(model, path, lambda column: column == user.id)
        shared = getattr(model, "shared_with_role", None)
        return clause if shared is None else or_(clause, shared == user.role)
    if scope is Scope.ALL or user.role in UNSCOPED_ROLES:
        return true()
    if path is None:
        clause = false()
    elif scope is Scope.PERSONAL and user.role is Role.coordinator:
        clause = owner_expression(model, path, lambda column: column == user.id)
    else:
        clause = owner_expression(model, path, lambda column: column.in_(team_member_ids(user)))
    if path is not None and user.role in unowned_roles and "." not in path:
        clause = or_(clause, getattr(model, path).is_(None))
    team_column = getattr(model, "__team__", None)
    if team_column and user.team_id is not None:  # rows that belong to a whole team
        clause = or_(clause, getattr(model, team_column) == user.team_id)
    return clause
