"""The service-request endpoints of CONTRACT.md, plus the staff endpoints (transition, assign, transfer)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import current_app, jsonify, request, url_for
from pydantic import Field

from ..accounts.models import Role, User
from ..api.support import (
    ApiModel,
    api_auth_required,
    api_blueprint,
    current_api_user,
    json_body,
    page_json,
    page_params,
)
from ..clock import utcnow
from ..errors import InvalidInput
from ..extensions import db
from ..web import paginate
from . import services
from .models import Channel, Level, RequestType, ServiceRequest, Status

bp = api_blueprint("tickets_api", __name__)
STAFF = (Role.STAFF, Role.INFOCENTRE)


class CreateBody(ApiModel):
    type: Literal["complaint", "information", "returned_material"]
    summary: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10_000)
    urgency: Literal["high", "medium", "low"]
    product_model: str | None = Field(default=None, max_length=40)
    serial_number: str | None = Field(default=None, max_length=60)
    production_date: date | None = None
    ship_date: date | None = None
    deflection_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    # staff recording a call on a customer's behalf
    account_code: str | None = Field(default=None, max_length=32)
    channel: Literal["web", "phone", "fax"] | None = None
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_email: str | None = Field(default=None, max_length=254)


class CommentBody(ApiModel):
    body: str = Field(min_length=1, max_length=5000)
    internal: bool = False


class EscalateBody(ApiModel):
    reason: str = Field(default="", max_length=2000)


class CloseBody(ApiModel):
    how: Literal["soft_close", "hard_close", "cancel"] = "soft_close"
    note: str = Field(default="", max_length=5000)


class TransitionBody(ApiModel):
    status: Literal[
        "open", "assigned", "material_received", "solving", "soft_closed", "hard_closed", "cancelled"
    ]
    note: str = Field(default="", max_length=5000)
    received_on: date | None = None
    condition: str | None = Field(default=None, max_length=2000)


class AssignBody(ApiModel):
    assignee_email: str = Field(min_length=3, max_length=254)


class TransferBody(ApiModel):
    unit: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=2000)


def _event_json(event) -> dict:
    return {
        "at": event.at.isoformat() + "Z",
        "kind": event.kind.value,
        "actor": event.actor.name if event.actor else None,
        "old": event.old_value,
        "new": event.new_value,
        "text": event.text,
        "internal": event.internal,
    }


def request_json(sr: ServiceRequest, user: User, history: bool = True) -> dict:
    data = {
        "number": sr.number,
        "type": sr.type.value,
        "status": sr.status.value,
        "status_label": str(services.STATUS_LABELS[sr.status]),
        "summary": sr.summary,
        "description": sr.description,
        "account": sr.account.code,
        "contact_name": sr.contact_name,
        "contact_phone": sr.contact_phone,
        "contact_email": sr.contact_email,
        "product_model": sr.product_model,
        "serial_number": sr.serial_number,
        "production_date": sr.production_date.isoformat() if sr.production_date else None,
        "ship_date": sr.ship_date.isoformat() if sr.ship_date else None,
        "urgency": sr.urgency.value,
        "severity": sr.severity.value if sr.severity else None,
        "channel": sr.channel.value,
        "owner_unit": sr.owner_unit.code,
        "assignee": sr.assignee.name if sr.assignee else None,
        "escalated": sr.escalated,
        "deflection_id": sr.deflection_id,
        "created_at": sr.created_at.isoformat() + "Z",
        "updated_at": sr.updated_at.isoformat() + "Z",
        "url": url_for("tickets.detail", number=sr.number, _external=False),
    }
    if sr.type is RequestType.RETURNED_MATERIAL:
        analysis = sr.analysis
        data["returned_material"] = {
            "received_on": sr.received_on.isoformat() if sr.received_on else None,
            "condition": sr.received_condition,
            "teardown_unit": sr.teardown_unit.code if sr.teardown_unit else None,
            "analysis": None
            if analysis is None
            else {
                "defects": [d.defect.code for d in analysis.defects],
                "cause": analysis.cause,
                "company_responsible": analysis.company_responsible,
                "report": analysis.report,
            },
            "replacement": None
            if not sr.replacement_serial
            else {
                "model": sr.replacement_model,
                "serial_number": sr.replacement_serial,
                "ship_date": sr.replacement_ship_date.isoformat() if sr.replacement_ship_date else None,
            },
            "delivered_on": sr.delivered_on.isoformat() if sr.delivered_on else None,
        }
    if history:
        data["history"] = [_event_json(e) for e in services.visible_events(sr, user)]
    return data


def _done(sr: ServiceRequest, status: int = 200):
    db.session.commit()
    services.send_pending_mail(db.session, current_app.extensions["isupport.settings"])
    return jsonify(request_json(sr, current_api_user())), status


@bp.post("/service-requests")
@api_auth_required(Role.CUSTOMER, *STAFF)
def create():
    body = json_body(CreateBody)
    user = current_api_user()
    channel = Channel(body.channel) if body.channel else (Channel.WEB if user.is_customer else Channel.PHONE)
    sr = services.create_request(
        db.session,
        user,
        services.NewRequest(
            type=RequestType(body.type),
            summary=body.summary,
            description=body.description,
            urgency=Level(body.urgency),
            product_model=body.product_model or "",
            serial_number=body.serial_number or "",
            production_date=body.production_date,
            ship_date=body.ship_date,
            channel=channel,
            account_code=body.account_code,
            contact_name=body.contact_name or "",
            contact_phone=body.contact_phone or "",
            contact_email=body.contact_email or "",
            deflection_id=body.deflection_id,
        ),
        utcnow(),
    )
    return _done(sr, 201)


def _enum_query(name: str, enum_cls):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        allowed = ", ".join(e.value for e in enum_cls)
        raise InvalidInput(f"{name} must be one of {allowed}", field=name) from None


@bp.get("/service-requests")
@api_auth_required(Role.CUSTOMER, *STAFF)
def index():
    user = current_api_user()
    page, per_page = page_params()
    sort = request.args.get("sort") or "updated"
    order = request.args.get("order") or "desc"
    sorts = services.CUSTOMER_SORTS if user.is_customer else services.STAFF_SORTS
    if sort not in sorts:
        raise InvalidInput(f"sort must be one of {', '.join(sorts)}", field="sort")
    if order not in ("asc", "desc"):
        raise InvalidInput("order must be asc or desc", field="order")
    flt = services.ListFilter(
        status=_enum_query("status", Status),
        type=_enum_query("type", RequestType),
        urgency=_enum_query("urgency", Level),
        unit_code=None if user.is_customer else (request.args.get("unit") or None),
        overdue=not user.is_customer and request.args.get("overdue") in ("1", "true"),
        q=(request.args.get("q") or "").strip()[:100],
    )
    rules = services.TicketRules.from_settings(current_app.extensions["isupport.settings"])
    stmt = services.list_statement(user, flt, sort, order, utcnow(), rules)
    result = paginate(db.session, stmt, page, per_page)
    return jsonify(page_json(result, lambda sr: request_json(sr, user, history=False)))


@bp.get("/service-requests/<number>")
@api_auth_required(Role.CUSTOMER, *STAFF)
def detail(number: str):
    user = current_api_user()
    return jsonify(request_json(services.get_request(db.session, user, number), user))


@bp.post("/service-requests/<number>/comments")
@api_auth_required(Role.CUSTOMER, *STAFF)
def comment(number: str):
    user = current_api_user()
    sr = services.get_request(db.session, user, number)
    body = json_body(CommentBody)
    services.add_comment(db.session, user, sr, body.body, utcnow(), internal=body.internal)
    return _done(sr, 201)


@bp.post("/service-requests/<number>/escalate")
@api_auth_required(Role.CUSTOMER, *STAFF)
def escalate(number: str):
    user = current_api_user()
    sr = services.get_request(db.session, user, number)
    body = json_body(EscalateBody) if request.content_length else EscalateBody()
    services.escalate(db.session, user, sr, utcnow(), body.reason)
    return _done(sr)


@bp.post("/service-requests/<number>/close")
@api_auth_required(Role.CUSTOMER, *STAFF)
def close(number: str):
    user = current_api_user()
    sr = services.get_request(db.session, user, number)
    body = json_body(CloseBody) if request.content_length else CloseBody()
    services.close(db.session, user, sr, body.how, utcnow(), body.note)
    return _done(sr)


@bp.post("/service-requests/<number>/transition")
@api_auth_required(*STAFF)
def transition(number: str):
    user = current_api_user()
    sr = services.get_request(db.session, user, number)
    body = json_body(TransitionBody)
    to = Status(body.status)
    if to is Status.MATERIAL_RECEIVED:
        services.receive_material(db.session, user, sr, body.received_on, body.condition or "", utcnow())
    else:
        services.transition(db.session, user, sr, to, utcnow(), body.note)
    return _done(sr)


@bp.post("/service-requests/<number>/assign")
@api_auth_required(*STAFF)
def assign(number: str):
    user = current_api_user()
    sr = services.get_request(db.session, user, number)
    body = json_body(AssignBody)
    from ..accounts.services import user_by_email

    person = user_by_email(db.session, body.assignee_email)
    if person is None:
        raise InvalidInput("assignee_email: no such user", field="assignee_email")
    services.assign(db.session, user, sr, person, utcnow())
    return _done(sr)


@bp.post("/service-requests/<number>/transfer")
@api_auth_required(*STAFF)
def transfer(number: str):
    user = current_api_user()
    sr = services.get_request(db.session, user, number)
    body = json_body(TransferBody)
    services.transfer(db.session, user, sr, body.unit, utcnow(), body.note)
    return _done(sr)


def _op(summary: str, body: dict | None = None, ok: str = "200", params: bool = True) -> dict:
    op = {
        "summary": summary,
        "responses": {
            ok: {"description": "the request"},
            "400": {"description": "bad input"},
            "404": {"description": "no such request (or another account's)"},
            "409": {"description": "illegal status move"},
        },
    }
    if params:
        op["parameters"] = [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}]
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _obj(required: list[str], **props) -> dict:
    return {"type": "object", "required": required, "properties": props}


S = {"type": "string"}
LEVEL = {"type": "string", "enum": [lv.value for lv in Level]}
OPENAPI_PATHS = {
    "/service-requests": {
        "get": {
            "summary": "The caller's visible service requests (customers: their account's)",
            "parameters": [
                {"name": n, "in": "query", "schema": S}
                for n in (
                    "page",
                    "per_page",
                    "status",
                    "type",
                    "urgency",
                    "q",
                    "sort",
                    "order",
                    "unit",
                    "overdue",
                )
            ],
            "responses": {"200": {"description": "{total, page, per_page, items}"}},
        },
        "post": _op(
            "Create a service request (customers: web; staff: phone/fax with account_code)",
            _obj(
                ["type", "summary", "description", "urgency"],
                type={"type": "string", "enum": [t.value for t in RequestType]},
                summary=S,
                description=S,
                urgency=LEVEL,
                product_model=S,
                serial_number=S,
                production_date={"type": "string", "format": "date"},
                ship_date={"type": "string", "format": "date"},
                deflection_id={"type": "integer"},
                account_code=S,
                channel={"type": "string", "enum": [c.value for c in Channel]},
                contact_name=S,
                contact_phone=S,
                contact_email=S,
            ),
            "201",
            params=False,
        ),
    },
    "/service-requests/{number}": {"get": _op("One request with its (visible) history")},
    "/service-requests/{number}/comments": {
        "post": _op(
            "Add a comment (internal: staff only)",
            _obj(["body"], body=S, internal={"type": "boolean"}),
            "201",
        )
    },
    "/service-requests/{number}/escalate": {"post": _op("Escalate", _obj([], reason=S))},
    "/service-requests/{number}/close": {
        "post": _op(
            "Close: soft_close (default), cancel, or hard_close (staff)",
            _obj([], how={"type": "string", "enum": ["soft_close", "cancel", "hard_close"]}, note=S),
        )
    },
    "/service-requests/{number}/transition": {
        "post": _op(
            "Staff: move to a status (material_received needs received_on and condition)",
            _obj(
                ["status"],
                status={"type": "string", "enum": [s.value for s in Status]},
                note=S,
                received_on={"type": "string", "format": "date"},
                condition=S,
            ),
        )
    },
    "/service-requests/{number}/assign": {
        "post": _op(
            "Staff: assign to a person of the owning unit", _obj(["assignee_email"], assignee_email=S)
        )
    },
    "/service-requests/{number}/transfer": {
        "post": _op("Staff: transfer to another unit (routing table)", _obj(["unit"], unit=S, note=S))
    },
}
