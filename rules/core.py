"""Machinery shared by every business action. Never imports Flask: it is used and tested without HTTP.

An action is declared once with `@transition(...)` in `rules/<area>.py`; `run_action` applies it to a
batch of rows: re-check every row, move its state with a conditional UPDATE, run the declared function
for the other fields, write one audit event per changed row, and commit all of it or nothing.

An action whose per-row work is only column assignments, and which has no guard, may also declare
them (`assigns=`, see `Assignments`): a batch then runs set-based — the rows read and locked in one
SELECT per chunk, one conditional UPDATE per chunk, the audit events inserted together — with the
same results, skip reasons and audit rows as the row-by-row path.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Iterable, Mapping

from babel.numbers import format_decimal
from sqlalchemy import and_, event, func, select, true, update
from sqlalchemy.sql import ColumnElement
from sqlalchemy.orm import Session

from models import SYSTEM_COLUMNS, AuditEvent, Role, utcnow
from models.bulk import insert_rows, member_of

# Replaced by tests to freeze time; everything in rules reads the time through `now()`.
clock: Callable[[], datetime] = utcnow


def N_(text: str) -> str:
    """Marks a message for translation; the admin layer translates it where it is shown."""
    return text


class Phrase(str):
    """English text that the admin layer can still put in the user's language: a message and its parts.

    `Phrase(N_("already %(state)s"), state=words(state))` reads "already approved" wherever a string is
    expected (audit reasons, tests, logs); `translated(gettext)` renders it again in the user's language,
    translating the parts that are phrases themselves (states, roles) and keeping names and amounts.
    """

    def __new__(cls, message: str, **parts: Any):
        phrase = super().__new__(cls, message % parts if parts else message)
        phrase.message, phrase.parts = message, parts
        return phrase

    def translated(self, gettext: Callable[..., str], locale: str = "en") -> str:
        parts = {name: in_language(value, gettext, locale) for name, value in self.parts.items()}
        return gettext(self.message, **parts) if parts else gettext(self.message)


class Either(Phrase):
    """'a', 'a or b', 'a, b or c' — the words joined in whichever language it is shown in."""

    def __new__(cls, items: Iterable[str]):
        items = list(items)
        phrase = super().__new__(cls, _joined(items, "or"))
        phrase.items = items
        return phrase

    def translated(self, gettext: Callable[..., str], locale: str = "en") -> str:
        return _joined([in_language(item, gettext, locale) for item in self.items], gettext("or"))


class Term(Phrase):
    """A state or role inside a reason: 'in production' in English, its label in other languages."""

    def __new__(cls, member: Enum):
        term = super().__new__(cls, member.value.replace("_", " "))
        term.label = member.label
        return term

    def translated(self, gettext: Callable[..., str], locale: str = "en") -> str:
        label = gettext(self.label)
        return str(self) if label == self.label else label


class Number(Phrase):
    """An amount or a percentage inside a reason: '50,000.00' in English, and as the reader's locale
    writes numbers where it is shown ('50 000,00' in Polish)."""

    def __new__(cls, value: Decimal, pattern: str, suffix: str = ""):
        number = super().__new__(cls, format_decimal(value, format=pattern, locale="en") + suffix)
        number.value, number.pattern, number.suffix = value, pattern, suffix
        return number

    def translated(self, gettext: Callable[..., str], locale: str = "en") -> str:
        return format_decimal(self.value, format=self.pattern, locale=locale) + self.suffix


def _joined(items: list[str], conjunction: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def in_language(text: Any, gettext: Callable[..., str], locale: str = "en") -> Any:
    """A reason or label in the user's language (`gettext`) and `locale`: phrases by their message, other
    marked text as a whole; dates and other values as they are."""
    if isinstance(text, Phrase):
        return text.translated(gettext, locale)
    return gettext(text) if isinstance(text, str) else text


def now() -> datetime:
    """The current time as naive UTC (from `clock`, so tests can freeze it)."""
    return clock()


def today() -> date:
    """Today's date in UTC."""
    return now().date()


def plain(value: Any) -> Any:
    """A value as plain JSON data (the audit trail stores data, never objects or markup)."""
    if isinstance(value, Enum):  # before str: the states are str enums
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    return str(value)


def record_event(session: Session, *, user, action: str, entity: str | None = None,
                 entity_id: Any = None, before: dict | None = None, after: dict | None = None,
                 reason: str | None = None, remote_addr: str | None = None) -> AuditEvent:
    """Add one audit event to the session; it commits (or rolls back) with the change it records."""
    event = AuditEvent(**_event_row(user=user, action=action, entity=entity, entity_id=entity_id,
                                    before=before, after=after, reason=reason, remote_addr=remote_addr))
    session.add(event)
    return event


def _event_row(*, user, action: str, entity: str | None = None, entity_id: Any = None,
               before: dict | None = None, after: dict | None = None, reason: str | None = None,
               remote_addr: str | None = None, at: datetime | None = None) -> dict:
    """The columns of one audit event, as plain data (for `record_event` and bulk inserts alike)."""
    return {
        "at": at or now(),
        "user_id": getattr(user, "id", user),
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "action": action,
        "before": plain(before),
        "after": plain(after),
        "reason": reason,
        "remote_addr": remote_addr,
    }


# --- Wording ----------------------------------------------------------------------------------------

def words(value: Any) -> Phrase:
    """A state or role as lower-case words: `in_production` → 'in production' (translatable)."""
    if hasattr(value, "label"):
        return Term(value)
    return Phrase(str(value).replace("_", " "))


def either(items: Iterable[str]) -> Either:
    """'a', 'a or b', 'a, b or c'."""
    return Either(items)


def percent(value: Decimal) -> Number:
    """15.00 → '15%', 12.50 → '12.5%' (in Polish '12,5%')."""
    return Number(Decimal(value), "#,##0.##", "%")


def money(value: Decimal) -> Number:
    """50000 → '50,000.00' (in Polish '50 000,00')."""
    return Number(Decimal(value), "#,##0.00")


# --- Who may act -----------------------------------------------------------------------------------

# DESIGN "Roles": admin runs users, teams and policies, never the sales flow, so it is in none of these.
SALES = frozenset({Role.coordinator, Role.supervisor, Role.manager})
APPROVERS = frozenset({Role.supervisor, Role.manager})
MANAGERS = frozenset({Role.manager})


# --- Declarations -----------------------------------------------------------------------------------

class Refused(Exception):
    """Raised by an action's function when a row does not qualify for the given inputs; the row is skipped."""


class ActionInputError(ValueError):
    """The action's inputs are invalid; nothing was changed. `errors` maps field name → messages."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()))
        self.errors = errors


# Guards take (row, user) and return why the row is refused, or None when it qualifies.
Guard = Callable[[Any, Any], "str | None"]
Scope = ColumnElement | Callable[[Any, Any], bool] | None  # the rows a user may act on (see run_action)


@dataclass(frozen=True)
class Assignments:
    """What an action does to each row, in SQL, so a whole batch is one conditional UPDATE.

    `values`: column key → a value, or an SQL expression over the row's own columns (e.g.
    `case((Lead.status == LeadStatus.new, LeadStatus.assigned), else_=Lead.status)`).
    `refuse`: reason → SQL condition; a row for which the condition holds is skipped with that reason.
    A refusal of the inputs themselves (the same for every row) is raised as `Refused` by `assigns`.
    """

    values: Mapping[str, Any]
    refuse: Mapping[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Action:
    """One declared business action: where it applies, who may run it, and what it does."""

    name: str
    model: type
    source: frozenset | None
    target: Enum | None
    roles: frozenset
    guard: Guard | None
    label: str
    confirm: str | None
    form: type | None
    func: Callable
    bulk: bool = True
    state_attr: str = "status"
    assigns: Callable[..., "Assignments"] | None = None

    @property
    def has_state(self) -> bool:
        """Whether the model has the state column this action moves or checks."""
        return hasattr(self.model, self.state_attr)

    def allows_role(self, role: Role) -> bool:
        """Whether users of this role may run the action at all (for hiding it from menus)."""
        return role in self.roles

    def refusal(self, obj, user, *, scope: Callable | None = None) -> str | None:
        """Why this user may not run the action on this row, or None: role, state, scope, guard."""
        if user is None or getattr(user, "role", None) not in self.roles:
            return Phrase(N_("needs a %(role)s"), role=either(words(r) for r in Role if r in self.roles))
        if self.source is not None:
            state = getattr(obj, self.state_attr)
            if state not in self.source:
                if state == self.target:
                    return Phrase(N_("already %(state)s"), state=words(state))
                allowed = [words(s) for s in type(state) if s in self.source]
                return Phrase(N_("is %(state)s, not %(allowed)s"), state=words(state), allowed=either(allowed))
        if scope is not None and not scope(user, obj):
            return N_("not found")
        if self.guard is not None:
            return self.guard(obj, user) or None
        return None

    def offered(self, obj, user) -> bool:
        """Whether a row's menu offers the action: by role and state only, without querying.

        The guard (which may read other rows) is checked when the action runs, with everything else.
        """
        if user is None or getattr(user, "role", None) not in self.roles:
            return False
        return self.source is None or getattr(obj, self.state_attr) in self.source

    def clean_inputs(self, inputs: Mapping | None) -> dict:
        """The inputs validated by the action's form, as keyword arguments; raises ActionInputError."""
        if self.form is None:
            return {}
        form = self.form(formdata=_FormData.of(inputs or {}))
        if not form.validate():
            raise ActionInputError(dict(form.errors))
        return {name: (None if value == "" else value) for name, value in form.data.items()}


class _FormData(dict):
    """A plain dict given as WTForms form data, its values written out as a browser would send them."""

    @classmethod
    def of(cls, inputs: Mapping):
        if hasattr(inputs, "getlist"):  # already form data (a MultiDict)
            return inputs
        return cls({key: _as_text(value) for key, value in inputs.items() if value is not None})

    def getlist(self, key):
        value = self[key]
        return list(value) if isinstance(value, list) else [value]


def _as_text(value: Any) -> Any:
    """Form-data spelling of a value, so the form's fields parse it (booleans stay: WTForms reads them)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_as_text(v) for v in value]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, Decimal, int, float)) and not isinstance(value, bool):
        return str(value)
    return value


ACTIONS: dict[str, Action] = {}


def transition(model: type, *, source: Iterable | None = None, target: Enum | None = None,
               roles: Iterable[Role], guard: Guard | None = None, label: str | None = None,
               confirm: str | None = None, form: type | None = None, bulk: bool = True,
               state_attr: str = "status", assigns: Callable[..., "Assignments"] | None = None):
    """Declare the decorated function as a business action on `model` (django-fsm style).

    `assigns(session, user, **inputs)`, when given, states the function's effect as `Assignments`,
    so that batches run set-based; it must do exactly what the function does to a row.
    """

    def register(func: Callable) -> Callable:
        name = func.__name__
        if name in ACTIONS:
            raise ValueError(f"action {name!r} is declared twice")
        if not roles:
            raise ValueError(f"action {name!r} declares no roles")
        if assigns is not None and guard is not None:
            raise ValueError(f"action {name!r}: a set-based action cannot have a guard (it reads one row)")
        ACTIONS[name] = Action(
            name=name, model=model,
            source=None if source is None else frozenset(source),
            target=target, roles=frozenset(roles), guard=guard,
            label=label or name.replace("_", " ").capitalize(),
            confirm=confirm, form=form, func=func, bulk=bulk, state_attr=state_attr, assigns=assigns,
        )
        return func

    return register


def actions_for(model: type) -> list[Action]:
    """The actions declared on a model, in declaration order."""
    return [action for action in ACTIONS.values() if action.model is model]


# --- Running ----------------------------------------------------------------------------------------

LOST_RACE = N_("changed by someone else first")


@dataclass
class ActionResult:
    """What a run did: the ids changed and the ids skipped with their reasons."""

    action: Action
    done: list[int] = field(default_factory=list)
    skipped: dict[Any, str] = field(default_factory=dict)

    def summary(self) -> str:
        """'12 approved, 3 skipped: 2 above your approval limit, 1 already approved'."""
        verb = words(self.action.target) if self.action.target is not None else "done"
        text = f"{len(self.done)} {verb}"
        if self.skipped:
            reasons = Counter(self.skipped.values()).most_common()
            text += f", {len(self.skipped)} skipped: " + ", ".join(f"{n} {why}" for why, n in reasons)
        return text


def run_action(session: Session, action: Action, user, ids: Iterable, inputs: Mapping | None = None,
               *, scope: Scope = None, row_by_row: bool = False) -> ActionResult:
    """Apply an action to the rows `ids` in one transaction: all of it is committed, or none of it.

    `scope`: the rows the user may act on, as an SQL condition on the model (read with the rows) or a
    callable(user, row); a row outside it is skipped as "not found".

    Actions that declare their `assigns` run set-based unless `row_by_row` asks for the loop (both
    give the same results; tests compare them).
    """
    values = action.clean_inputs(inputs)
    wanted = _distinct_ids(ids)
    result = ActionResult(action)
    try:
        if action.assigns is not None and not row_by_row:
            _run_set_based(session, action, user, wanted, values, scope, result)
        else:
            _run_row_by_row(session, action, user, wanted, values, scope, result)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _run_row_by_row(session: Session, action: Action, user, wanted: list, values: dict,
                    scope: Scope, result: ActionResult) -> None:
    """Each row loaded, re-checked and changed in a savepoint of its own, then audited."""
    where, allows = _scope_parts(scope)
    rows = _load(session, action.model, [i for i in wanted if isinstance(i, int)], where)
    for row_id in wanted:
        obj = rows.get(row_id)
        if obj is None or not allows(user, obj):
            result.skipped[row_id] = N_("not found")
            continue
        why = action.refusal(obj, user) or _apply(session, action, obj, user, values)
        if why:
            result.skipped[row_id] = why
        else:
            result.done.append(row_id)


def _distinct_ids(ids: Iterable) -> list:
    """Row ids as ints (Flask-Admin passes strings), duplicates dropped, order kept."""
    seen: dict = {}
    for raw in ids:
        try:
            key = int(raw)
        except (TypeError, ValueError):
            key = raw
        seen.setdefault(key, None)
    return list(seen)


def _load(session: Session, model: type, ids: list[int], where) -> dict[int, Any]:
    """The rows (those `where` holds for), by id, as they are in the database now (not as the session last saw them)."""
    found = {}
    for criterion in member_of(session, model.id, ids):
        query = select(model).where(criterion, where).execution_options(populate_existing=True)
        found.update((obj.id, obj) for obj in session.scalars(query))
    return found


def _scope_parts(scope: Scope) -> tuple[Any, Callable]:
    """A scope as (an SQL condition for reading the rows, a check of each row read)."""
    if scope is None:
        return true(), lambda user, row: True
    if isinstance(scope, ColumnElement):
        return scope, lambda user, row: True
    return true(), scope


def _apply(session: Session, action: Action, obj, user, values: dict) -> str | None:
    """Change one row inside a savepoint; returns why it was skipped, or None when it changed."""
    state = getattr(obj, action.state_attr) if action.has_state else None
    try:
        with session.begin_nested():
            if not conditional_update(session, obj, action.target, expected=state,
                                      state_attr=action.state_attr):
                return LOST_RACE
            # The row is now locked and reloaded: check the guard again on what is really there.
            why = action.guard(obj, user) if action.guard else None
            if why:
                raise Refused(why)
            before = snapshot(obj)
            if action.has_state:
                before[action.state_attr] = state
            extra = action.func(obj, user, **values)
            session.flush()
            record_change(session, obj, before, user=user, action=action.name,
                          reason=values.get("reason"), extra=extra)
    except Refused as refused:
        session.expire(obj)  # the savepoint is undone; the in-memory row must not keep its changes
        return refused.args[0] if refused.args and refused.args[0] else N_("refused")
    return None


def conditional_update(session: Session, obj, target: Enum | None = None, *, expected: Any = None,
                       state_attr: str = "status", values: Mapping | None = None, where=()) -> bool:
    """Move a row to `target` only if its state is still `expected` (and `where` holds); True if it moved.

    A row without a state column is only locked and its version bumped. Afterwards the row is reloaded,
    so the ORM holds the new version (no StaleDataError on the next flush) and values current under lock.
    """
    model = type(obj)
    changes = {"version": model.version + 1, "updated_at": now(), **(values or {})}
    criteria = [model.id == obj.id, *where]
    if hasattr(model, state_attr):
        criteria.append(getattr(model, state_attr) == expected)
        if target is not None:
            changes[state_attr] = target
    statement = update(model).where(*criteria).values(changes)
    moved = session.execute(statement, execution_options={"synchronize_session": False}).rowcount == 1
    if moved:
        session.refresh(obj)
    return moved


def snapshot(obj) -> dict[str, Any]:
    """The row's column values, system columns left out."""
    columns = type(obj).__mapper__.column_attrs
    return {c.key: getattr(obj, c.key) for c in columns if c.key not in SYSTEM_COLUMNS}


def difference(before: dict, after: dict) -> tuple[dict, dict]:
    """The fields that changed: their values before, and after."""
    changed = [key for key in after if after[key] != before.get(key)]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


def record_change(session: Session, obj, before: dict, *, user, action: str,
                  reason: str | None = None, extra: dict | None = None) -> AuditEvent:
    """Audit the fields of `obj` that differ from `before` (plus `extra` facts) as one event."""
    before, after = difference(before, snapshot(obj))
    return record_event(session, user=user, action=action, entity=type(obj).__tablename__,
                        entity_id=obj.id, before=before, after={**after, **(extra or {})}, reason=reason)


# --- Set-based runs ---------------------------------------------------------------------------------

def _run_set_based(session: Session, action: Action, user, wanted: list, values: dict,
                   scope: Scope, result: ActionResult) -> None:
    """The batch as a few statements (on PostgreSQL three in all; elsewhere a few per thousand rows):
    read and lock, one conditional UPDATE, the audit events.

    Reasons and their order are the row-by-row path's: not found (or out of scope), role and state,
    a refused input, the action's own refusals; a row whose state moved before the UPDATE lost a race.
    """
    try:
        assignments, refused_inputs = action.assigns(session, user, **values), None
    except Refused as refused:
        assignments, refused_inputs = None, str(refused) or "refused"
    where, allows = _scope_parts(scope)
    current: dict[int, tuple] = {}
    for criterion in member_of(session, action.model.id, [i for i in wanted if isinstance(i, int)]):
        current.update(_locked_rows(session, action.model, and_(criterion, where), assignments))
    qualifying = []
    for row_id in wanted:
        row, refused_row = current.get(row_id, (None, None))
        if row is None or not allows(user, row):
            result.skipped[row_id] = N_("not found")
            continue
        why = action.refusal(row, user) or refused_inputs or refused_row
        if why:
            result.skipped[row_id] = why
        else:
            qualifying.append(row_id)
    if not qualifying:
        return
    stamp = now()
    changes = _changes(action, assignments, stamp)
    watched = [key for key in changes if key not in SYSTEM_COLUMNS]  # what the audit events compare
    changed: dict[int, Any] = {}
    for criterion in member_of(session, action.model.id, qualifying):
        changed.update(_update_rows(session, action, criterion, changes, watched))
    events = []
    for row_id in qualifying:
        if row_id not in changed:
            result.skipped[row_id] = LOST_RACE
            continue
        result.done.append(row_id)
        was, now_is = current[row_id][0], changed[row_id]
        before, after = difference({key: getattr(was, key) for key in watched},
                                   {key: getattr(now_is, key) for key in watched})
        events.append(_event_row(user=user, action=action.name, entity=action.model.__tablename__,
                                 entity_id=row_id, before=before, after=after, reason=values.get("reason"),
                                 at=stamp))
    insert_rows(session, AuditEvent.__table__, events)


def _locked_rows(session: Session, model: type, among, assignments: Assignments | None) -> dict:
    """id → (the row as it is now, locked until commit; the first of the action's refusals that holds),
    for the rows `among` (a criterion on their ids)."""
    columns = list(model.__table__.c)  # plain rows, named as the model's attributes
    refusals = list(assignments.refuse.items()) if assignments is not None else []
    query = (select(*columns, *(condition.label(f"refused_{n}") for n, (_why, condition) in enumerate(refusals)))
             .where(among).order_by(model.id).with_for_update())
    found = {}
    for row in session.execute(query):
        flags = row[len(columns):]
        found[row.id] = (row, next((why for (why, _c), flag in zip(refusals, flags) if flag), None))
    return found


def _changes(action: Action, assignments: Assignments, stamp: datetime) -> dict:
    """Column key → new value (or SQL expression) for every row the action changes."""
    model = action.model
    changes = {"version": model.version + 1, "updated_at": stamp, **assignments.values}
    if action.has_state and action.target is not None:
        changes[action.state_attr] = action.target
    return changes


def _update_rows(session: Session, action: Action, among, changes: dict, watched: list[str]) -> dict:
    """One conditional UPDATE of the rows `among` still in a source state; id → their `watched` columns now."""
    model = action.model
    table = model.__table__
    criteria = [among]
    if action.has_state and action.source is not None:
        criteria.append(getattr(model, action.state_attr).in_(action.source))
    statement = (update(table).where(*criteria).values({table.c[key]: value for key, value in changes.items()})
                 .returning(table.c.id, *(table.c[key] for key in watched)))
    return {row.id: row for row in session.execute(statement)}


def move(session: Session, obj, target: Enum, *, source: Iterable, user, action: str,
         values: Mapping | None = None, where=(), state_attr: str = "status") -> bool:
    """A follow-on state change (order → shipped): conditional, audited, silently skipped if not due."""
    current = getattr(obj, state_attr)
    if current not in set(source):
        return False
    before = snapshot(obj)
    if not conditional_update(session, obj, target, expected=current, state_attr=state_attr,
                              values=values, where=where):
        return False
    before[state_attr] = current
    record_change(session, obj, before, user=user, action=action)
    return True


def lock(session: Session, obj) -> None:
    """Hold the row until commit and reload it (FOR UPDATE on PostgreSQL; SQLite serialises writers)."""
    model = type(obj)
    session.execute(select(model.id).where(model.id == obj.id).with_for_update())
    session.refresh(obj)


def next_number(session: Session, column, prefix: str, width: int = 5) -> str:
    """The next number of a series: 'SO-2025-00042' after 'SO-2025-00041' (the column is unique)."""
    last = session.scalar(select(func.max(column)).where(column.like(f"{prefix}%")))
    following = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{following:0{width}d}"


# --- Per-transaction lookups ------------------------------------------------------------------------

_CACHE_KEY = "rules.cache"


def per_transaction(session: Session, key: str, load: Callable[[], Any]) -> Any:
    """`load()` once per transaction (e.g. the approval policies), so checking N rows costs one query."""
    cache = session.info.setdefault(_CACHE_KEY, {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


@event.listens_for(Session, "after_transaction_end")
def _forget_cache(session: Session, transaction) -> None:
    """Drop the lookups when the outermost transaction ends (the data may change after it)."""
    if transaction.parent is None:
        session.info.pop(_CACHE_KEY, None)
