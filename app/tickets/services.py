"""The rules of service requests: numbering, the status workflow, routing, who may do what, the
returned-material flow, history, notifications and the overdue targets.

Every function takes the session, the acting user and the time (``now``) it works with; views and
the API only parse input and call these. Illegal moves raise ``Conflict`` (409), bad input
``InvalidInput`` (400), requests the actor may not see ``NotFound`` (404)."""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from flask import has_request_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.orm import Session

from ..accounts.models import Account, Contact, Region, Role, Unit, UnitKind, User, UserStatus
from ..accounts.services import EMAIL_RE, sales_office_for, unit_by_code
from ..catalog import Catalog, normalise_model_code
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from .models import (
    TERMINAL,
    AnalysisDefect,
    Channel,
    DefectCode,
    EventKind,
    FailureAnalysis,
    Level,
    Notification,
    RequestEvent,
    RequestType,
    ServiceRequest,
    Status,
)

log = logging.getLogger(__name__)


def _(message: str, **params) -> str:
    """gettext in a request (the user's language); plain English elsewhere (CLI, demo, tests)."""
    if has_request_context():
        return gettext(message, **params)
    params = {k: (v._args[0] if isinstance(v, LazyString) else v) for k, v in params.items()}
    return message % params if params else message


def N_(message: str) -> str:  # noqa: N802 - marks a message for extraction; translated when shown
    return message


# --- labels (shown everywhere; translated) ---------------------------------------------------------

TYPE_LABELS = {
    RequestType.COMPLAINT: _l("Customer complaint"),
    RequestType.INFORMATION: _l("Request for information"),
    RequestType.RETURNED_MATERIAL: _l("Returned material"),
}
STATUS_LABELS = {
    Status.OPEN: _l("Open"),
    Status.ASSIGNED: _l("Assigned"),
    Status.MATERIAL_RECEIVED: _l("Returned Material Received"),
    Status.SOLVING: _l("Solving"),
    Status.SOFT_CLOSED: _l("Soft Close"),
    Status.HARD_CLOSED: _l("Hard Close"),
    Status.CANCELLED: _l("User Cancelled"),
}
STATUS_TONES = {
    Status.OPEN: "info",
    Status.ASSIGNED: "primary",
    Status.MATERIAL_RECEIVED: "warning",
    Status.SOLVING: "warning",
    Status.SOFT_CLOSED: "success",
    Status.HARD_CLOSED: "secondary",
    Status.CANCELLED: "light",
}
LEVEL_LABELS = {Level.HIGH: _l("High"), Level.MEDIUM: _l("Medium"), Level.LOW: _l("Low")}
CHANNEL_LABELS = {Channel.WEB: _l("Web"), Channel.PHONE: _l("Phone"), Channel.FAX: _l("Fax")}

# --- the status workflow: THE transition table ------------------------------------------------------
#
# TRANSITIONS[type][from][to] = who may make that move:
#   "manager"  staff of the owning unit, or the information centre
#   "warehouse" staff of the warehouse (signing for a returned compressor)
#   "customer" a customer user of the request's account
# Statuses may be skipped forwards; every request starts Open and ends in a terminal status
# (Soft Close, Hard Close, User Cancelled), from which nothing moves. Anything not listed is refused.
M, W, C = "manager", "warehouse", "customer"
_MC = frozenset({M, C})
_M = frozenset({M})
_MW = frozenset({M, W})

_PLAIN = {
    Status.OPEN: {
        Status.ASSIGNED: _M,
        Status.SOLVING: _M,
        Status.SOFT_CLOSED: _MC,
        Status.HARD_CLOSED: _M,
        Status.CANCELLED: _MC,
    },
    Status.ASSIGNED: {
        Status.SOLVING: _M,
        Status.SOFT_CLOSED: _MC,
        Status.HARD_CLOSED: _M,
        Status.CANCELLED: _MC,
    },
    Status.SOLVING: {Status.SOFT_CLOSED: _MC, Status.HARD_CLOSED: _M, Status.CANCELLED: _MC},
}
TRANSITIONS: dict[RequestType, dict[Status, dict[Status, frozenset[str]]]] = {
    RequestType.COMPLAINT: _PLAIN,
    RequestType.INFORMATION: _PLAIN,
    RequestType.RETURNED_MATERIAL: {
        Status.OPEN: {
            Status.ASSIGNED: _M,
            Status.MATERIAL_RECEIVED: _MW,
            Status.SOLVING: _M,
            Status.SOFT_CLOSED: _MC,
            Status.HARD_CLOSED: _M,
            Status.CANCELLED: _MC,
        },
        Status.ASSIGNED: {
            Status.MATERIAL_RECEIVED: _MW,
            Status.SOLVING: _M,
            Status.SOFT_CLOSED: _MC,
            Status.HARD_CLOSED: _M,
            Status.CANCELLED: _MC,
        },
        # Once the compressor is in the company's hands the request is closed, not cancelled.
        Status.MATERIAL_RECEIVED: {Status.SOLVING: _M, Status.SOFT_CLOSED: _MC, Status.HARD_CLOSED: _M},
        Status.SOLVING: {Status.SOFT_CLOSED: _MC, Status.HARD_CLOSED: _M},
    },
}


def statuses_of(kind: RequestType) -> list[Status]:
    """The statuses a request type uses, in workflow order."""
    if kind is RequestType.RETURNED_MATERIAL:
        return list(Status)
    return [s for s in Status if s is not Status.MATERIAL_RECEIVED]


def allowed_moves(sr: ServiceRequest, actor: User) -> list[Status]:
    """The statuses ``actor`` may move ``sr`` to now (for the action forms)."""
    capacities = _capacities(actor, sr)
    moves = TRANSITIONS[sr.type].get(sr.status, {})
    return [to for to, who in moves.items() if who & capacities]


# --- routing: THE routing table ---------------------------------------------------------------------
#
# Where a new request lands (by channel), and where each kind of unit may transfer a request.
# web -> the sales office of the account's region; phone/fax -> the unit of the staff member who
# took the call. An office resolves or transfers to the information centre; the information centre
# hands it to a department (or back to an office); departments hand it back to the information centre.
INITIAL_OWNER = {
    Channel.WEB: "region_sales_office",
    Channel.PHONE: "receiving_unit",
    Channel.FAX: "receiving_unit",
}
TRANSFER_TARGETS: dict[UnitKind, tuple[str, ...]] = {
    UnitKind.SALES_OFFICE: ("infocentre",),
    UnitKind.INFOCENTRE: (
        "sales-tech",
        "qa-aftersales",
        "warehouse",
        "office-intl",
        "office-east",
        "office-south",
        "office-north",
    ),
    UnitKind.DEPARTMENT: ("infocentre",),
    UnitKind.WAREHOUSE: ("infocentre",),
}
TEARDOWN_UNITS = ("sales-tech", "qa-aftersales")


def initial_owner(session: Session, actor: User, account: Account, channel: Channel) -> Unit:
    rule = INITIAL_OWNER[channel]
    if rule == "region_sales_office":
        return sales_office_for(session, account.region)
    if actor.unit is None:
        raise InvalidInput(_("Only staff of a unit can record phoned or faxed requests."), field="channel")
    return actor.unit


def transfer_targets(unit: Unit) -> tuple[str, ...]:
    return TRANSFER_TARGETS.get(unit.kind, ())


# --- settings: overdue targets and warranty -------------------------------------------------------

DEFAULT_OVERDUE_WORKING_DAYS = {Level.HIGH: 1, Level.MEDIUM: 3, Level.LOW: 5}


@dataclass(frozen=True)
class TicketRules:
    """What ops may configure (Settings.extra["tickets"]): overdue targets and warranty months."""

    overdue_working_days: dict[Level, int]
    warranty_months: dict[str, int]  # per series code; overrides products.yaml

    @classmethod
    def from_settings(cls, settings) -> TicketRules:
        extra = (getattr(settings, "extra", None) or {}).get("tickets", {})
        days = dict(DEFAULT_OVERDUE_WORKING_DAYS)
        for key, value in (extra.get("overdue_working_days") or {}).items():
            days[Level(key)] = int(value)
        return cls(days, {k.upper(): int(v) for k, v in (extra.get("warranty_months") or {}).items()})


def subtract_working_days(moment: datetime, days: int) -> datetime:
    """``moment`` moved back by ``days`` Monday-to-Friday days (the time of day is kept)."""
    result = moment
    while days > 0:
        result -= timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


def overdue_cutoffs(now: datetime, rules: TicketRules) -> dict[Level, datetime]:
    """A request not touched by staff since before its urgency's cutoff is overdue."""
    return {level: subtract_working_days(now, n) for level, n in rules.overdue_working_days.items()}


def is_overdue(sr: ServiceRequest, now: datetime, rules: TicketRules) -> bool:
    if sr.status in TERMINAL:
        return False
    return sr.staff_touched_at < overdue_cutoffs(now, rules)[sr.urgency]


def overdue_clause(now: datetime, rules: TicketRules):
    cutoffs = overdue_cutoffs(now, rules)
    return and_(
        ServiceRequest.status.not_in(TERMINAL),
        or_(
            *[
                and_(ServiceRequest.urgency == level, ServiceRequest.staff_touched_at < cutoff)
                for level, cutoff in cutoffs.items()
            ]
        ),
    )


@dataclass(frozen=True)
class Warranty:
    months: int
    ends_on: date | None
    inside: bool | None  # None: unknown (no ship date)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def warranty_status(
    model: str, ship_date: date | None, today: date, catalog: Catalog, rules: TicketRules
) -> Warranty:
    series = catalog.series_of(model) if model else None
    months = rules.warranty_months.get(series.code) if series else None
    if months is None:
        months = catalog.warranty_months(model) if model else 18
    if ship_date is None:
        return Warranty(months, None, None)
    ends = add_months(ship_date, months)
    return Warranty(months, ends, today <= ends)


# --- numbering --------------------------------------------------------------------------------------


def next_number(session: Session, year: int) -> str:
    """SR-YYYY-NNNNNN from a per-year counter row. The UPDATE locks the row (PostgreSQL) or the
    database (SQLite) until the creating transaction ends, so two requests never get one number,
    and a committed number is never handed out again."""
    session.execute(
        text("INSERT INTO sr_counters (year, last_value) VALUES (:y, 0) ON CONFLICT (year) DO NOTHING"),
        {"y": year},
    )
    value = session.execute(
        text("UPDATE sr_counters SET last_value = last_value + 1 WHERE year = :y RETURNING last_value"),
        {"y": year},
    ).scalar_one()
    return f"SR-{year}-{value:06d}"


# --- who may do what ------------------------------------------------------------------------------


def _capacities(actor: User, sr: ServiceRequest) -> frozenset[str]:
    found = set()
    if actor.role is Role.CUSTOMER and actor.account_id == sr.account_id:
        found.add(C)
    if actor.role is Role.INFOCENTRE or (actor.role is Role.STAFF and actor.unit_id == sr.owner_unit_id):
        found.add(M)
    if actor.role is Role.STAFF and actor.unit is not None and actor.unit.kind is UnitKind.WAREHOUSE:
        found.add(W)
    return frozenset(found)


def can_manage(actor: User, sr: ServiceRequest) -> bool:
    return M in _capacities(actor, sr)


def is_warehouse(actor: User) -> bool:
    return actor.role is Role.STAFF and actor.unit is not None and actor.unit.kind is UnitKind.WAREHOUSE


def can_analyse(actor: User, sr: ServiceRequest) -> bool:
    if actor.role is Role.INFOCENTRE:
        return True
    return (
        actor.role is Role.STAFF and sr.teardown_unit_id is not None and actor.unit_id == sr.teardown_unit_id
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def get_request(session: Session, actor: User, number: str) -> ServiceRequest:
    """The request ``number`` if ``actor`` may see it; another account's request is "not found"."""
    number = (number or "").strip().upper()
    sr = (
        session.scalar(select(ServiceRequest).where(ServiceRequest.number == number))
        if len(number) <= 20
        else None
    )
    if sr is None or not can_see(actor, sr):
        raise NotFound(_("No service request %(number)s.", number=number[:20]))
    return sr


def can_see(actor: User, sr: ServiceRequest) -> bool:
    if actor.role is Role.CUSTOMER:
        return actor.account_id is not None and actor.account_id == sr.account_id
    return actor.role in (Role.STAFF, Role.INFOCENTRE, Role.SYSADMIN)


def visible_events(sr: ServiceRequest, actor: User) -> list[RequestEvent]:
    """Customers see the public history; internal notes are for staff only."""
    if actor.role is Role.CUSTOMER:
        return [e for e in sr.events if not e.internal]
    return list(sr.events)


# --- changes ------------------------------------------------------------------------------------------


def _lock(session: Session, sr: ServiceRequest) -> ServiceRequest:
    """Serialises changes to one request: the UPDATE takes the row lock (PostgreSQL) or the write
    lock (SQLite) before anything is read, then the request is re-read, so every check below sees
    the latest committed state and no concurrent change is lost."""
    session.execute(
        update(ServiceRequest.__table__)
        .where(ServiceRequest.__table__.c.id == sr.id)
        .values(lock_version=ServiceRequest.__table__.c.lock_version + 1)
    )
    session.refresh(sr)
    return sr


def _event(
    session: Session,
    sr: ServiceRequest,
    actor: User | None,
    now: datetime,
    kind: EventKind,
    old: str | None = None,
    new: str | None = None,
    text_: str = "",
    internal: bool = False,
) -> RequestEvent:
    event = RequestEvent(
        request=sr,
        actor=actor,
        at=now,
        kind=kind,
        old_value=old,
        new_value=new,
        text=text_,
        internal=internal,
    )
    session.add(event)
    sr.updated_at = now
    if actor is not None and actor.is_internal:
        sr.staff_touched_at = now
    if not internal:
        notify(session, sr, actor, kind, now)
    return event


def _clean_text(value: str | None, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("%(field)s is required.", field=label), field=field)
    if len(value) > max_length:
        raise InvalidInput(
            _("%(field)s may have at most %(n)s characters.", field=label, n=max_length), field=field
        )
    return value


SERIAL_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-/]{2,59}$")
MODEL_RE = re.compile(r"^[A-Z0-9]{2,40}$")


def clean_model(value: str | None, required: bool) -> str:
    model = normalise_model_code(value or "")
    if not model:
        if required:
            raise InvalidInput(
                _("The product model is required for returned material."), field="product_model"
            )
        return ""
    if not MODEL_RE.match(model):
        raise InvalidInput(
            _("A product model is 2-40 letters and digits, e.g. SHV33YC."), field="product_model"
        )
    return model


def clean_serial(value: str | None, required: bool, field: str = "serial_number") -> str:
    serial = (value or "").strip().upper()
    if not serial:
        if required:
            raise InvalidInput(_("The serial number is required for returned material."), field=field)
        return ""
    if not SERIAL_RE.match(serial):
        raise InvalidInput(_("A serial number is 3-60 letters, digits, hyphens or slashes."), field=field)
    return serial


def clean_past_date(value: date | None, field: str, label: str, today: date, required: bool) -> date | None:
    if value is None:
        if required:
            raise InvalidInput(_("%(field)s is required.", field=label), field=field)
        return None
    if value > today:
        raise InvalidInput(_("%(field)s cannot be in the future.", field=label), field=field)
    if value.year < 1990:
        raise InvalidInput(_("%(field)s is too far in the past.", field=label), field=field)
    return value


@dataclass(frozen=True)
class NewRequest:
    """A request as submitted on the web, through the API, or recorded by staff from a call."""

    type: RequestType
    summary: str
    description: str
    urgency: Level
    product_model: str = ""
    serial_number: str = ""
    production_date: date | None = None
    channel: Channel = Channel.WEB
    account_code: str | None = None  # staff recording a call: whose request it is
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    ship_date: date | None = None
    order_number: str | None = None
    deflection_id: int | None = None


def create_request(session: Session, actor: User, new: NewRequest, now: datetime) -> ServiceRequest:
    """Creates a request (status Open), numbered and routed, with a 'created' history row.

    Customers create web requests for their own account; staff record phone/fax requests for the
    account they name (owned by their own unit). The deflection domain calls this too."""
    if actor.role is Role.CUSTOMER:
        if new.channel is not Channel.WEB:
            raise InvalidInput(_("Customers submit requests on the web."), field="channel")
        account = actor.account
        if account is None:
            raise PermissionDenied(_("Your user is not bound to a customer account."))
    elif actor.role in (Role.STAFF, Role.INFOCENTRE):
        if new.channel is Channel.WEB:
            raise InvalidInput(_("Staff record requests received by phone or fax."), field="channel")
        code = (new.account_code or "").strip().upper()
        account = session.scalar(select(Account).where(Account.code == code)) if code else None
        if account is None:
            raise InvalidInput(_("Choose the customer account the request is for."), field="account_code")
    else:
        raise PermissionDenied(_("Your role may not create service requests."))
    rma = new.type is RequestType.RETURNED_MATERIAL
    summary = _clean_text(new.summary, "summary", _("Summary"), 200)
    description = _clean_text(new.description, "description", _("Description"), 10_000)
    model = clean_model(new.product_model, rma)
    serial = clean_serial(new.serial_number, rma)
    production = clean_past_date(
        new.production_date, "production_date", _("Production date"), now.date(), rma
    )
    ship = clean_past_date(new.ship_date, "ship_date", _("Ship date"), now.date(), False)
    if production and ship and ship < production:
        raise InvalidInput(_("The ship date cannot be before the production date."), field="ship_date")
    contact = _default_contact(session, actor, account)
    name = _clean_text(
        new.contact_name or (contact.name if contact else ""), "contact_name", _("Contact"), 100
    )
    phone = _clean_text(
        new.contact_phone or (contact.phone if contact else ""),
        "contact_phone",
        _("Phone"),
        40,
        required=False,
    )
    email = (new.contact_email or (contact.email if contact else "")).strip()
    if email and (not EMAIL_RE.match(email) or len(email) > 254):
        raise InvalidInput(_("Enter a valid e-mail address."), field="contact_email")
    if new.deflection_id is not None and (new.deflection_id < 1 or new.deflection_id > 2**31 - 1):
        raise InvalidInput(_("deflection_id must be a positive whole number."), field="deflection_id")
    owner = initial_owner(session, actor, account, new.channel)
    sr = ServiceRequest(
        number=next_number(session, now.year),
        type=new.type,
        status=Status.OPEN,
        summary=summary,
        description=description,
        account=account,
        contact=contact,
        contact_name=name,
        contact_phone=phone,
        contact_email=email,
        product_model=model,
        serial_number=serial,
        production_date=production,
        ship_date=ship,
        order_number=(new.order_number or None),
        urgency=new.urgency,
        channel=new.channel,
        owner_unit=owner,
        created_by=actor,
        deflection_id=new.deflection_id,
        created_at=now,
        updated_at=now,
        staff_touched_at=now,
        escalated=False,
        lock_version=0,
    )
    session.add(sr)
    session.flush()
    _event(
        session,
        sr,
        actor,
        now,
        EventKind.CREATED,
        None,
        Status.OPEN.value,
        f"{new.channel.value} → {owner.code}",
    )
    session.flush()
    return sr


def _default_contact(session: Session, actor: User, account: Account) -> Contact | None:
    if actor.role is Role.CUSTOMER and actor.contact is not None and actor.contact.account_id == account.id:
        return actor.contact
    return session.scalar(select(Contact).where(Contact.account_id == account.id).order_by(Contact.id))


def transition(
    session: Session,
    actor: User,
    sr: ServiceRequest,
    to: Status,
    now: datetime,
    note: str = "",
    *,
    _receipt: bool = False,
) -> ServiceRequest:
    """Moves ``sr`` to ``to`` if the transition table allows it for ``actor``; else Conflict (409)."""
    _lock(session, sr)
    note = _clean_text(note, "note", _("Note"), 5000, required=False)
    moves = TRANSITIONS[sr.type].get(sr.status, {})
    if to not in moves:
        raise Conflict(
            _(
                "A %(type)s request cannot move from %(old)s to %(new)s.",
                type=TYPE_LABELS[sr.type],
                old=STATUS_LABELS[sr.status],
                new=STATUS_LABELS[to],
            ),
            code="illegal_transition",
            field="status",
        )
    if not moves[to] & _capacities(actor, sr):
        if actor.role is Role.CUSTOMER:
            raise Conflict(
                _(
                    "You cannot set this request to %(new)s; the owning office does that.",
                    new=STATUS_LABELS[to],
                ),
                code="illegal_transition",
                field="status",
            )
        raise PermissionDenied(_("Only the owning unit or the information centre may do this."))
    if to is Status.MATERIAL_RECEIVED and not _receipt:
        raise InvalidInput(
            _("Record the receipt of the returned compressor (date and condition)."), field="status"
        )
    old = sr.status
    sr.status = to
    if to in TERMINAL:
        sr.closed_at = now
    _event(session, sr, actor, now, EventKind.STATUS, old.value, to.value, note)
    session.flush()
    return sr


CLOSE_CHOICES = {
    "soft_close": Status.SOFT_CLOSED,
    "hard_close": Status.HARD_CLOSED,
    "cancel": Status.CANCELLED,
}


def close(
    session: Session, actor: User, sr: ServiceRequest, how: str, now: datetime, note: str = ""
) -> ServiceRequest:
    """The customer's close (soft close) or cancel; staff may also hard-close."""
    if how not in CLOSE_CHOICES:
        raise InvalidInput(_("Choose how to close: soft_close, hard_close or cancel."), field="how")
    return transition(session, actor, sr, CLOSE_CHOICES[how], now, note)


def add_comment(
    session: Session, actor: User, sr: ServiceRequest, body: str, now: datetime, internal: bool = False
) -> RequestEvent:
    body = _clean_text(body, "body", _("Comment"), 5000)
    if internal and not actor.is_internal:
        raise PermissionDenied(_("Only staff can write internal notes."))
    if actor.role is Role.SYSADMIN:
        raise PermissionDenied(_("Your role may not comment on service requests."))
    _lock(session, sr)
    event = _event(session, sr, actor, now, EventKind.COMMENT, text_=body, internal=internal)
    session.flush()
    return event


def escalate(
    session: Session, actor: User, sr: ServiceRequest, now: datetime, reason: str = ""
) -> ServiceRequest:
    reason = _clean_text(reason, "reason", _("Reason"), 2000, required=False)
    _require(
        C in _capacities(actor, sr) or can_manage(actor, sr),
        _("Only the customer or the owning unit may escalate this request."),
    )
    _lock(session, sr)
    if sr.is_terminal:
        raise Conflict(_("A closed request cannot be escalated."), code="closed")
    if sr.escalated:
        raise Conflict(_("This request is already escalated."), code="already_escalated")
    sr.escalated = True
    _event(session, sr, actor, now, EventKind.ESCALATION, "no", "yes", reason)
    session.flush()
    return sr


def _open_for_staff(session: Session, actor: User, sr: ServiceRequest) -> None:
    _require(can_manage(actor, sr), _("Only the owning unit or the information centre may do this."))
    _lock(session, sr)
    _require(can_manage(actor, sr), _("Only the owning unit or the information centre may do this."))
    if sr.is_terminal:
        raise Conflict(_("This request is closed."), code="closed")


def set_severity(
    session: Session, actor: User, sr: ServiceRequest, severity: Level, now: datetime
) -> ServiceRequest:
    _open_for_staff(session, actor, sr)
    if sr.severity is severity:
        return sr
    old = sr.severity.value if sr.severity else None
    sr.severity = severity
    _event(session, sr, actor, now, EventKind.SEVERITY, old, severity.value)
    session.flush()
    return sr


def assign(
    session: Session, actor: User, sr: ServiceRequest, assignee: User, now: datetime
) -> ServiceRequest:
    """Gives the request to a person of the owning unit; an Open request becomes Assigned."""
    _open_for_staff(session, actor, sr)
    if (
        assignee.status is not UserStatus.ACTIVE
        or not assignee.is_internal
        or (assignee.unit_id != sr.owner_unit_id and assignee.role is not Role.INFOCENTRE)
    ):
        raise InvalidInput(
            _("Assign the request to an active staff member of the owning unit."), field="assignee"
        )
    old = sr.assignee.name if sr.assignee else None
    sr.assignee = assignee
    _event(session, sr, actor, now, EventKind.ASSIGNEE, old, assignee.name)
    if sr.status is Status.OPEN:
        sr.status = Status.ASSIGNED
        _event(session, sr, actor, now, EventKind.STATUS, Status.OPEN.value, Status.ASSIGNED.value)
    session.flush()
    return sr


def transfer(
    session: Session, actor: User, sr: ServiceRequest, unit_code: str, now: datetime, note: str = ""
) -> ServiceRequest:
    """Hands the request to another unit along the routing table; the assignee is cleared."""
    _open_for_staff(session, actor, sr)
    try:
        target = unit_by_code(session, (unit_code or "").strip())
    except NotFound as error:
        raise InvalidInput(error.message, field="unit") from None
    if target.code not in transfer_targets(sr.owner_unit):
        allowed = ", ".join(transfer_targets(sr.owner_unit)) or "—"
        raise Conflict(
            _(
                "%(unit)s cannot transfer to %(target)s; allowed: %(allowed)s.",
                unit=sr.owner_unit.code,
                target=target.code,
                allowed=allowed,
            ),
            code="illegal_transfer",
            field="unit",
        )
    note = _clean_text(note, "note", _("Note"), 2000, required=False)
    old = sr.owner_unit.code
    sr.owner_unit = target
    _event(session, sr, actor, now, EventKind.OWNER, old, target.code, note)
    if sr.assignee is not None:
        _event(session, sr, actor, now, EventKind.ASSIGNEE, sr.assignee.name, None, internal=True)
        sr.assignee = None
    session.flush()
    return sr


# --- returned material ----------------------------------------------------------------------------


def _require_rma(sr: ServiceRequest) -> None:
    if sr.type is not RequestType.RETURNED_MATERIAL:
        raise Conflict(_("This is not a returned-material request."), code="not_returned_material")


def receive_material(
    session: Session, actor: User, sr: ServiceRequest, received_on: date | None, condition: str, now: datetime
) -> ServiceRequest:
    """The warehouse signs for the returned compressor: Returned Material Received."""
    _require_rma(sr)
    _require(
        is_warehouse(actor) or can_manage(actor, sr), _("Only the warehouse signs for returned compressors.")
    )
    received = clean_past_date(received_on, "received_on", _("Received on"), now.date(), True)
    condition = _clean_text(condition, "condition", _("Condition"), 2000)
    transition(session, actor, sr, Status.MATERIAL_RECEIVED, now, _receipt=True)
    sr.received_on = received
    sr.received_condition = condition
    _event(session, sr, actor, now, EventKind.RECEIPT, None, received.isoformat(), condition)
    session.flush()
    return sr


def assign_teardown(
    session: Session, actor: User, sr: ServiceRequest, unit_code: str, now: datetime
) -> ServiceRequest:
    """The office assigns the teardown analysis to the technical department or QA after-sales."""
    _require_rma(sr)
    _open_for_staff(session, actor, sr)
    if unit_code not in TEARDOWN_UNITS:
        raise InvalidInput(_("Teardown analysis is done by sales-tech or qa-aftersales."), field="unit")
    if sr.received_on is None:
        raise Conflict(_("The warehouse has not signed for the compressor yet."), code="not_received")
    unit = unit_by_code(session, unit_code)
    old = sr.teardown_unit.code if sr.teardown_unit else None
    sr.teardown_unit = unit
    _event(session, sr, actor, now, EventKind.TEARDOWN, old, unit.code)
    if sr.status in (Status.MATERIAL_RECEIVED, Status.ASSIGNED, Status.OPEN):
        transition(session, actor, sr, Status.SOLVING, now)
    session.flush()
    return sr


@dataclass(frozen=True)
class AnalysisInput:
    defect_codes: tuple[str, ...]
    cause: str
    company_responsible: bool
    report: str


def record_analysis(
    session: Session, actor: User, sr: ServiceRequest, data: AnalysisInput, now: datetime
) -> FailureAnalysis:
    """The analyst's failure analysis; recording it again replaces the earlier one (history keeps both)."""
    _require_rma(sr)
    _require(can_analyse(actor, sr), _("Only the unit assigned the teardown analysis may record it."))
    _lock(session, sr)
    if sr.is_terminal:
        raise Conflict(_("This request is closed."), code="closed")
    if sr.teardown_unit_id is None:
        raise Conflict(_("Assign the teardown analysis first."), code="no_teardown")
    codes = [c.strip().upper() for c in data.defect_codes if c and c.strip()]
    if not codes:
        raise InvalidInput(_("Choose at least one defect from the catalogue."), field="defect_codes")
    defects = list(session.scalars(select(DefectCode).where(DefectCode.code.in_(codes), DefectCode.active)))
    unknown = sorted(set(codes) - {d.code for d in defects})
    if unknown:
        raise InvalidInput(
            _("Unknown defect codes: %(codes)s.", codes=", ".join(unknown)), field="defect_codes"
        )
    cause = _clean_text(data.cause, "cause", _("Cause"), 5000)
    report = _clean_text(data.report, "report", _("Report"), 20_000)
    analysis = sr.analysis
    if analysis is None:
        analysis = FailureAnalysis(
            request=sr,
            cause=cause,
            company_responsible=data.company_responsible,
            report=report,
            analysed_at=now,
        )
        session.add(analysis)
    analysis.analyst = actor
    analysis.unit_id = actor.unit_id
    analysis.cause = cause
    analysis.report = report
    analysis.company_responsible = bool(data.company_responsible)
    analysis.analysed_at = now
    analysis.defects = [AnalysisDefect(defect=d) for d in sorted(defects, key=lambda d: d.code)]
    _event(
        session, sr, actor, now, EventKind.ANALYSIS, None, ",".join(sorted(d.code for d in defects)), cause
    )
    session.flush()
    return analysis


def record_replacement(
    session: Session,
    actor: User,
    sr: ServiceRequest,
    model: str,
    serial: str,
    ship_date: date | None,
    now: datetime,
) -> ServiceRequest:
    """The warehouse issues a new compressor per the analysis report."""
    _require_rma(sr)
    _require(is_warehouse(actor) or can_manage(actor, sr), _("Only the warehouse issues replacements."))
    _lock(session, sr)
    if sr.is_terminal:
        raise Conflict(_("This request is closed."), code="closed")
    if sr.analysis is None:
        raise Conflict(_("The failure analysis has not been recorded yet."), code="no_analysis")
    sr.replacement_model = clean_model(model, True)
    sr.replacement_serial = clean_serial(serial, True, field="replacement_serial")
    sr.replacement_ship_date = clean_past_date(
        ship_date, "replacement_ship_date", _("Ship date"), now.date(), True
    )
    _event(
        session,
        sr,
        actor,
        now,
        EventKind.REPLACEMENT,
        None,
        f"{sr.replacement_model} {sr.replacement_serial}",
        sr.replacement_ship_date.isoformat(),
    )
    session.flush()
    return sr


def record_delivery(
    session: Session, actor: User, sr: ServiceRequest, delivered_on: date | None, note: str, now: datetime
) -> ServiceRequest:
    """The office delivers the replacement with the analysis report; the customer then signs off."""
    _require_rma(sr)
    _open_for_staff(session, actor, sr)
    if sr.replacement_serial is None:
        raise Conflict(_("Record the replacement issued by the warehouse first."), code="no_replacement")
    sr.delivered_on = clean_past_date(delivered_on, "delivered_on", _("Delivered on"), now.date(), True)
    note = _clean_text(note, "note", _("Note"), 2000, required=False)
    _event(session, sr, actor, now, EventKind.DELIVERY, None, sr.delivered_on.isoformat(), note)
    session.flush()
    return sr


# --- defect catalogue --------------------------------------------------------------------------------

DEFECT_CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,19}$")


def save_defect_code(
    session: Session, actor: User, code: str, name_zh: str, name_en: str, active: bool = True
) -> DefectCode:
    _require(actor.role in (Role.INFOCENTRE, Role.STAFF), _("Only staff maintain the defect catalogue."))
    code = (code or "").strip().upper()
    if not DEFECT_CODE_RE.match(code):
        raise InvalidInput(
            _("A defect code is 2-20 capital letters, digits or hyphens, e.g. D-VALVE."), field="code"
        )
    name_zh = _clean_text(name_zh, "name_zh", _("Chinese name"), 100)
    name_en = _clean_text(name_en, "name_en", _("English name"), 100)
    defect = session.scalar(select(DefectCode).where(DefectCode.code == code))
    if defect is None:
        defect = DefectCode(code=code, name_zh=name_zh, name_en=name_en, active=active)
        session.add(defect)
    else:
        defect.name_zh, defect.name_en, defect.active = name_zh, name_en, active
    session.flush()
    return defect


# --- notifications ------------------------------------------------------------------------------------

EVENT_MESSAGES = {
    EventKind.CREATED: N_("%(number)s was created."),
    EventKind.STATUS: N_("%(number)s changed status."),
    EventKind.OWNER: N_("%(number)s was transferred to another unit."),
    EventKind.ASSIGNEE: N_("%(number)s was assigned."),
    EventKind.SEVERITY: N_("The severity of %(number)s was set."),
    EventKind.COMMENT: N_("New comment on %(number)s."),
    EventKind.ESCALATION: N_("%(number)s was escalated."),
    EventKind.ATTACHMENT: N_("A file was attached to %(number)s."),
    EventKind.RECEIPT: N_("The returned compressor of %(number)s was received."),
    EventKind.TEARDOWN: N_("Teardown analysis of %(number)s was assigned."),
    EventKind.ANALYSIS: N_("The failure analysis of %(number)s was recorded."),
    EventKind.REPLACEMENT: N_("A replacement for %(number)s was issued."),
    EventKind.DELIVERY: N_("The replacement and report of %(number)s were delivered."),
}


def recipients(session: Session, sr: ServiceRequest) -> list[User]:
    """The customer (the request's contact's user, else the account's users) and the owning unit."""
    customers = list(
        session.scalars(
            select(User).where(
                User.account_id == sr.account_id, User.role == Role.CUSTOMER, User.status == UserStatus.ACTIVE
            )
        )
    )
    own = [u for u in customers if sr.contact_id is not None and u.contact_id == sr.contact_id]
    staff = list(
        session.scalars(
            select(User).where(
                User.unit_id == sr.owner_unit_id,
                User.role.in_((Role.STAFF, Role.INFOCENTRE)),
                User.status == UserStatus.ACTIVE,
            )
        )
    )
    return (own or customers) + staff


def notify(session: Session, sr: ServiceRequest, actor: User | None, kind: EventKind, now: datetime) -> None:
    message = EVENT_MESSAGES[kind] % {"number": sr.number}  # English, for e-mail; pages translate by kind
    for user in recipients(session, sr):
        if actor is not None and user.id == actor.id:
            continue
        session.add(
            Notification(user_id=user.id, request=sr, kind=kind.value, message=message[:300], created_at=now)
        )
        pending = session.info.setdefault("tickets.mail", [])
        pending.append((user.email, message))


def send_pending_mail(session: Session, settings) -> int:
    """Sends the e-mails of the notifications just committed (only when SMTP is configured)."""
    pending = session.info.pop("tickets.mail", [])
    if not settings.smtp_host or not pending:
        return 0
    sent = 0
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            for address, body in pending:
                mail = EmailMessage()
                mail["From"], mail["To"], mail["Subject"] = settings.smtp_sender, address, body[:120]
                mail.set_content(body)
                smtp.send_message(mail)
                sent += 1
    except (OSError, smtplib.SMTPException) as error:  # the portal notice is there; mail is best effort
        log.warning("notification e-mail failed after %s sent: %s", sent, error)
    return sent


def unread_count(session: Session, user: User) -> int:
    from sqlalchemy import func

    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


# --- lists ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    status: Status | None = None
    type: RequestType | None = None
    urgency: Level | None = None
    severity: Level | None = None
    region: str | None = None
    overdue: bool = False
    unit_code: str | None = None
    q: str = ""
    open_only: bool = False


CUSTOMER_SORTS = {
    "number": ServiceRequest.number,
    "summary": ServiceRequest.summary,
    "product": ServiceRequest.product_model,
    "urgency": ServiceRequest.urgency,
    "status": ServiceRequest.status,
    "contact": ServiceRequest.contact_name,
    "updated": ServiceRequest.updated_at,
    "created": ServiceRequest.created_at,
}
STAFF_SORTS = {**CUSTOMER_SORTS, "severity": ServiceRequest.severity, "type": ServiceRequest.type}


def list_statement(
    actor: User,
    flt: ListFilter,
    sort: str,
    order: str,
    now: datetime,
    rules: TicketRules,
    new_web_first: bool = False,
):
    """The requests ``actor`` may see, filtered and sorted (customers: their account only)."""
    stmt = select(ServiceRequest)
    if actor.role is Role.CUSTOMER:
        stmt = stmt.where(ServiceRequest.account_id == (actor.account_id or -1))
    if flt.status:
        stmt = stmt.where(ServiceRequest.status == flt.status)
    if flt.open_only:
        stmt = stmt.where(ServiceRequest.status.not_in(TERMINAL))
    if flt.type:
        stmt = stmt.where(ServiceRequest.type == flt.type)
    if flt.urgency:
        stmt = stmt.where(ServiceRequest.urgency == flt.urgency)
    if flt.severity:
        stmt = stmt.where(ServiceRequest.severity == flt.severity)
    if flt.region:
        stmt = stmt.join(Account, Account.id == ServiceRequest.account_id).where(Account.region == flt.region)
    if flt.unit_code:
        stmt = stmt.join(Unit, Unit.id == ServiceRequest.owner_unit_id).where(Unit.code == flt.unit_code)
    if flt.overdue:
        stmt = stmt.where(overdue_clause(now, rules))
    if flt.q:
        like = f"%{flt.q}%"
        stmt = stmt.where(
            or_(
                ServiceRequest.number.ilike(like),
                ServiceRequest.summary.ilike(like),
                ServiceRequest.description.ilike(like),
                ServiceRequest.serial_number.ilike(like),
                ServiceRequest.product_model.ilike(like),
            )
        )
    sorts = CUSTOMER_SORTS if actor.role is Role.CUSTOMER else STAFF_SORTS
    column = sorts.get(sort, ServiceRequest.updated_at)
    ordering = [column.asc() if order == "asc" else column.desc(), ServiceRequest.id.desc()]
    if new_web_first:
        from sqlalchemy import case

        fresh = case(
            (and_(ServiceRequest.status == Status.OPEN, ServiceRequest.channel == Channel.WEB), 0), else_=1
        )
        ordering.insert(0, fresh)
    return stmt.order_by(*ordering)


@dataclass(frozen=True)
class LatestRequest:
    number: str
    summary: str
    status_label: str
    url: str


def latest_requests(session: Session, user: User, limit: int, url_for) -> list[LatestRequest]:
    if user.role is not Role.CUSTOMER or user.account_id is None:
        return []
    rows = session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.account_id == user.account_id)
        .order_by(ServiceRequest.updated_at.desc(), ServiceRequest.id.desc())
        .limit(limit)
    )
    return [
        LatestRequest(
            sr.number, sr.summary, str(STATUS_LABELS[sr.status]), url_for("tickets.detail", number=sr.number)
        )
        for sr in rows
    ]


def unit_staff(session: Session, unit_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(
                User.unit_id == unit_id,
                User.status == UserStatus.ACTIVE,
                User.role.in_((Role.STAFF, Role.INFOCENTRE)),
            )
            .order_by(User.name)
        )
    )


# --- attachments -------------------------------------------------------------------------------------

ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".zip": "application/zip",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def add_attachment(
    session: Session,
    actor: User,
    sr: ServiceRequest,
    filename: str,
    data: bytes,
    storage_dir,
    now: datetime,
    internal: bool = False,
    for_analysis: bool = False,
):
    """Keeps an uploaded file under ``storage_dir`` with a random name; records it in the history."""
    import secrets
    from pathlib import Path

    from .models import Attachment

    if actor.role is Role.SYSADMIN or (internal and not actor.is_internal):
        raise PermissionDenied(_("Your role may not add this attachment."))
    if for_analysis:
        _require(can_analyse(actor, sr), _("Only the unit assigned the teardown analysis may record it."))
    name = Path((filename or "").replace("\\", "/")).name.strip()[:200]
    suffix = Path(name).suffix.lower()
    if not name or suffix not in ATTACHMENT_TYPES:
        raise InvalidInput(_("Attach a PDF, image, text, CSV, Excel, Word or ZIP file."), field="file")
    if not data:
        raise InvalidInput(_("The file is empty."), field="file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(_("A file may have at most 10 MB."), field="file")
    _lock(session, sr)
    if sr.is_terminal:
        raise Conflict(_("This request is closed."), code="closed")
    stored = secrets.token_hex(16) + suffix
    directory = Path(storage_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stored).write_bytes(data)
    attachment = Attachment(
        request=sr,
        filename=name,
        content_type=ATTACHMENT_TYPES[suffix],
        size=len(data),
        stored_name=stored,
        uploaded_by_id=actor.id,
        uploaded_at=now,
        internal=internal,
        for_analysis=for_analysis,
    )
    session.add(attachment)
    _event(session, sr, actor, now, EventKind.ATTACHMENT, None, name, internal=internal)
    session.flush()
    return attachment


EVENT_LABELS = {
    EventKind.CREATED: _l("Request created"),
    EventKind.STATUS: _l("Status changed"),
    EventKind.OWNER: _l("Transferred"),
    EventKind.ASSIGNEE: _l("Assigned to"),
    EventKind.SEVERITY: _l("Severity set"),
    EventKind.COMMENT: _l("Comment"),
    EventKind.ESCALATION: _l("Escalated"),
    EventKind.ATTACHMENT: _l("File attached"),
    EventKind.RECEIPT: _l("Returned compressor received"),
    EventKind.TEARDOWN: _l("Teardown analysis assigned"),
    EventKind.ANALYSIS: _l("Failure analysis recorded"),
    EventKind.REPLACEMENT: _l("Replacement issued"),
    EventKind.DELIVERY: _l("Delivered with the report"),
}
REGION_LABELS = {
    Region.INTERNATIONAL: _l("International"),
    Region.EAST: _l("East China"),
    Region.SOUTH: _l("South"),
    Region.NORTH: _l("North"),
}
RESPONSIBILITY_LABELS = {"yes": _l("Yes"), "no": _l("No"), "pending": _l("Not analysed yet")}
