"""The rules of deflection: filing a fault report, recording what the customer did with the
suggestions, the deflection rate and the content gaps. Session, suggestion engine and clock are
passed in."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..accounts.models import User
from ..catalog import Catalog, normalise_model_code
from ..clock import Clock, utcnow
from ..errors import Conflict, InvalidInput, NotFound
from .models import Channel, FaultReport, FaultSuggestion, NotHelpfulReason, Outcome
from .text import has_content


def _t(message: str, **values: Any) -> str:
    """The message in the reader's language (English outside a request: the CLI, tests of rules)."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 2
SERIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/]{0,63}$")
FAULT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,15}$")
SUGGESTIONS_SHOWN = 5
# A requested report whose best suggestion was this unlike its description had no good suggestion.
GOOD_SIMILARITY = 0.2


@dataclass(frozen=True)
class SuggestionHit:
    """One ranked suggestion as the engine returns it."""

    slug: str
    title: str
    kind: str
    snippet: str  # safe HTML with <mark>
    score: float
    similarity: float = 0.0
    why: tuple[str, ...] = ()  # matched words, then product:/fault_code:/solved_before reasons
    url: str = ""


class SuggestionEngine(Protocol):
    def suggest(
        self,
        text: str,
        *,
        product_model: str = "",
        fault_code: str = "",
        reader: str = "customer",
        limit: int = SUGGESTIONS_SHOWN,
    ) -> list[SuggestionHit]: ...

    def article_exists(self, slug: str, reader: str) -> bool: ...

    @property
    def version(self) -> str: ...


@dataclass(frozen=True)
class FaultDescription:
    """What a customer typed, before checking."""

    description: str
    product_model: str = ""
    serial_number: str = ""
    production_date: date | None = None
    fault_code: str = ""
    channel: Channel = Channel.WEB


def reader_kind(user: User | None) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return "customer" if user.is_customer else "internal"


def check_description(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_t("Describe the fault in a few words."), field="description")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(
            _t("The description is too long: at most %(n)d characters.", n=MAX_DESCRIPTION),
            field="description",
        )
    if not has_content(text) or len(text) < MIN_DESCRIPTION:
        raise InvalidInput(
            _t("The description needs words, not only punctuation or symbols."), field="description"
        )
    return text


def check_product(code: str | None, catalog: Catalog) -> tuple[str, str | None]:
    """(model code as the catalogue spells it, its series) or ("", None); unknown codes are refused."""
    code = normalise_model_code(code or "")
    if not code:
        return "", None
    if len(code) > 40:
        raise InvalidInput(_t("The product model is too long."), field="product_model")
    series = catalog.series_of(code)
    if series is None:
        raise InvalidInput(
            _t(
                "Unknown product model %(code)s: choose one of your products or check the "
                "model code on the nameplate.",
                code=code,
            ),
            field="product_model",
        )
    return code, series.code


def check_report(data: FaultDescription, catalog: Catalog, today: date) -> FaultDescription:
    description = check_description(data.description)
    product_model, _series = check_product(data.product_model, catalog)
    serial = (data.serial_number or "").strip()
    if serial and not SERIAL_RE.match(serial):
        raise InvalidInput(
            _t("The serial number may hold letters, digits, - and /, at most 64."), field="serial_number"
        )
    fault_code = (data.fault_code or "").strip().upper()
    if fault_code and not FAULT_CODE_RE.match(fault_code):
        raise InvalidInput(
            _t("The fault code may hold letters, digits and -, at most 16."), field="fault_code"
        )
    if data.production_date and data.production_date > today:
        raise InvalidInput(_t("The production date cannot be in the future."), field="production_date")
    return FaultDescription(
        description=description,
        product_model=product_model,
        serial_number=serial,
        production_date=data.production_date,
        fault_code=fault_code,
        channel=data.channel,
    )


def suggest(
    engine: SuggestionEngine,
    user: User | None,
    text: str,
    product_model: str = "",
    fault_code: str = "",
    catalog: Catalog | None = None,
    limit: int = SUGGESTIONS_SHOWN,
    reader: str | None = None,
) -> list[SuggestionHit]:
    """Suggestions while typing: nothing is recorded. Short or empty text gives none, not an error."""
    text = (text or "").strip()[:MAX_DESCRIPTION]
    if not has_content(text):
        return []
    if catalog is not None:
        try:
            product_model, _ = check_product(product_model, catalog)
        except InvalidInput:
            product_model = ""
    return engine.suggest(
        text, product_model=product_model, fault_code=fault_code, reader=reader or reader_kind(user),
        limit=limit
    )


def file_report(
    session: Session,
    user: User,
    data: FaultDescription,
    engine: SuggestionEngine,
    catalog: Catalog,
    clock: Clock = utcnow,
) -> FaultReport:
    """Checks and records a fault report with the suggestions shown for it (ranks and scores)."""
    now = clock()
    clean = check_report(data, catalog, now.date())
    _, series = check_product(clean.product_model, catalog)
    hits = engine.suggest(
        clean.description,
        product_model=clean.product_model,
        fault_code=clean.fault_code,
        reader=reader_kind(user),
        limit=SUGGESTIONS_SHOWN,
    )
    report = FaultReport(
        user_id=user.id,
        account_id=user.account_id if user.is_customer else None,
        channel=clean.channel,
        product_model=clean.product_model,
        product_series=series,
        serial_number=clean.serial_number,
        production_date=clean.production_date,
        fault_code=clean.fault_code,
        description=clean.description,
        outcome=Outcome.PENDING,
        model_version=engine.version[:32],
        created_at=now,
    )
    for rank, hit in enumerate(hits, start=1):
        report.suggestions.append(
            FaultSuggestion(
                rank=rank,
                slug=hit.slug,
                title=hit.title[:300],
                kind=hit.kind,
                score=round(hit.score, 6),
                similarity=round(hit.similarity, 6),
                snippet=str(hit.snippet),
                why=", ".join(hit.why)[:300],
            )
        )
    session.add(report)
    session.flush()
    return report


def reports_visible_to(user: User):
    """The reports a user may see: a customer their own account's; staff all."""
    stmt = select(FaultReport)
    if user.is_customer:
        stmt = stmt.where(FaultReport.account_id == user.account_id, FaultReport.account_id.is_not(None))
    return stmt


def get_report(session: Session, user: User, report_id: int) -> FaultReport:
    """A report the user may see; any other (another account's, or none) is not found (404)."""
    report = session.scalar(
        reports_visible_to(user)
        .where(FaultReport.id == report_id)
        .options(selectinload(FaultReport.suggestions))
    )
    if report is None:
        raise NotFound(_t("No such fault report."))
    return report


def get_own_report(session: Session, user: User, report_id: int) -> FaultReport:
    """A report the user may act on: a customer their account's, staff only their own."""
    report = get_report(session, user, report_id)
    if not user.is_customer and report.user_id != user.id:
        raise NotFound(_t("No such fault report."))
    return report


def mark_opened(
    session: Session, report: FaultReport, slug: str, clock: Clock = utcnow
) -> FaultSuggestion | None:
    suggestion = report.suggestion(slug)
    if suggestion is not None and suggestion.opened_at is None:
        suggestion.opened_at = clock()
    return suggestion


@dataclass(frozen=True)
class OutcomeAnswer:
    solved: bool
    slug: str | None = None
    reasons: dict[str, NotHelpfulReason] = field(default_factory=dict)  # slug -> why it did not help


def parse_reason(value: str | None) -> NotHelpfulReason | None:
    if not value:
        return None
    try:
        return NotHelpfulReason(value)
    except ValueError:
        raise InvalidInput(
            _t("Unknown reason %(value)s: use not_my_problem, did_not_work or unclear.", value=value[:40]),
            field="reasons",
        ) from None


def record_outcome(
    session: Session,
    report: FaultReport,
    answer: OutcomeAnswer,
    engine: SuggestionEngine,
    reader: str,
    clock: Clock = utcnow,
) -> FaultReport:
    """ "This solved my problem" (with the article) or "I still need help" (with optional reasons).

    The same answer twice is accepted (a double click, a retried API call); changing a final
    answer is a conflict. A solved report teaches the model: its description is matched to the
    article from the next refit on."""
    now = clock()
    slug = (answer.slug or "").strip() or None
    new = Outcome.SOLVED if answer.solved else Outcome.ABANDONED
    if report.outcome is not Outcome.PENDING:
        same = (
            report.outcome is Outcome.SOLVED
            and answer.solved
            and (slug is None or slug == report.solved_slug)
        ) or (report.outcome in (Outcome.ABANDONED, Outcome.REQUESTED) and not answer.solved)
        if same:
            _apply_reasons(report, answer.reasons)
            return report
        raise Conflict(_t("This fault report already has an outcome."), code="outcome_recorded")
    if answer.solved:
        if slug is not None and report.suggestion(slug) is None and not engine.article_exists(slug, reader):
            raise InvalidInput(_t("No such article: %(slug)s.", slug=slug[:200]), field="slug")
        report.solved_slug = slug
        suggestion = report.suggestion(slug) if slug else None
        if suggestion is not None and suggestion.opened_at is None:
            suggestion.opened_at = now
    _apply_reasons(report, answer.reasons)
    report.outcome = new
    report.outcome_at = now
    session.flush()
    return report


def _apply_reasons(report: FaultReport, reasons: dict[str, NotHelpfulReason]) -> None:
    for slug, reason in reasons.items():
        suggestion = report.suggestion(slug)
        if suggestion is None:
            raise InvalidInput(
                _t("%(slug)s was not one of the suggestions.", slug=slug[:200]), field="reasons"
            )
        suggestion.reason = reason


def link_request(session: Session, report: FaultReport, request_number: str, clock: Clock = utcnow) -> None:
    """The report went on to a service request."""
    report.outcome = Outcome.REQUESTED
    report.request_number = request_number
    report.outcome_at = report.outcome_at or clock()
    session.flush()


def learned_texts(session: Session, per_article: int = 50) -> list[tuple[str, str]]:
    """(slug, description) of solved reports, the latest ``per_article`` of each article."""
    rows = session.execute(
        select(FaultReport.solved_slug, FaultReport.description)
        .where(FaultReport.outcome == Outcome.SOLVED, FaultReport.solved_slug.is_not(None))
        .order_by(FaultReport.id.desc())
    )
    counts: dict[str, int] = defaultdict(int)
    out = []
    for slug, description in rows:
        if counts[slug] < per_article:
            counts[slug] += 1
            out.append((slug, description))
    return out


# --- the deflection rate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    key: Any  # None for overall; an account id, a series code or a week's Monday
    reports: int
    solved: int

    @property
    def rate(self) -> float:
        return self.solved / self.reports if self.reports else 0.0


@dataclass(frozen=True)
class DeflectionRate:
    overall: RateRow
    by_account: list[RateRow]
    by_series: list[RateRow]
    by_week: list[RateRow]


def week_of(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def deflection_rate(
    session: Session,
    start: datetime | None = None,
    end: datetime | None = None,
    account_ids: Iterable[int] | None = None,
) -> DeflectionRate:
    """Solved by a suggestion / all fault reports, overall, per account, per product series and per
    ISO week (Monday), for reports filed in [start, end). Staff's own trial reports (no account)
    count overall but in no account row; reports without a product count under series None."""
    stmt = select(
        FaultReport.account_id, FaultReport.product_series, FaultReport.created_at, FaultReport.outcome
    )
    if start is not None:
        stmt = stmt.where(FaultReport.created_at >= start)
    if end is not None:
        stmt = stmt.where(FaultReport.created_at < end)
    if account_ids is not None:
        stmt = stmt.where(FaultReport.account_id.in_(list(account_ids)))
    rows = session.execute(stmt).all()
    return summarise_rate((a, s, c, o is Outcome.SOLVED) for a, s, c, o in rows)


def summarise_rate(rows: Iterable[tuple[int | None, str | None, datetime, bool]]) -> DeflectionRate:
    totals: dict[str, dict[Any, list[int]]] = {"account": {}, "series": {}, "week": {}}
    overall = [0, 0]
    for account_id, series, created_at, solved in rows:
        overall[0] += 1
        overall[1] += solved
        for name, key in (("account", account_id), ("series", series), ("week", week_of(created_at))):
            if name == "account" and key is None:
                continue
            bucket = totals[name].setdefault(key, [0, 0])
            bucket[0] += 1
            bucket[1] += solved

    def rows_of(name: str) -> list[RateRow]:
        items = totals[name].items()
        return [
            RateRow(key, n, s) for key, (n, s) in sorted(items, key=lambda kv: (kv[0] is None, str(kv[0])))
        ]

    return DeflectionRate(
        overall=RateRow(None, overall[0], overall[1]),
        by_account=rows_of("account"),
        by_series=rows_of("series"),
        by_week=rows_of("week"),
    )


def is_content_gap(report: FaultReport) -> bool:
    """A report that needed a person and where the knowledge base had nothing that fit: no
    suggestion, the best one unlike the description, or the customer said none was their problem
    or they were unclear. "Tried it, did not work" means the article fit: not a gap."""
    reasons = {s.reason for s in report.suggestions if s.reason is not None}
    if NotHelpfulReason.DID_NOT_WORK in reasons:
        return False
    return not has_close_suggestion(report) or bool(
        reasons & {NotHelpfulReason.NOT_MY_PROBLEM, NotHelpfulReason.UNCLEAR}
    )


def has_close_suggestion(report: FaultReport) -> bool:
    """At least one suggestion is as like the description as a fitting article usually is."""
    return any(s.similarity >= GOOD_SIMILARITY for s in report.suggestions)


def content_gaps(
    session: Session, requested_ids: Callable[[Session], set[int]] | None = None, limit: int = 500
) -> list[FaultReport]:
    """Reports that went on to a service request with no good suggestion, newest first."""
    stmt = select(FaultReport).options(selectinload(FaultReport.suggestions)).order_by(FaultReport.id.desc())
    linked = requested_ids(session) if requested_ids else set()
    if linked:
        stmt = stmt.where((FaultReport.outcome == Outcome.REQUESTED) | FaultReport.id.in_(linked))
    else:
        stmt = stmt.where(FaultReport.outcome == Outcome.REQUESTED)
    return [r for r in session.scalars(stmt.limit(limit * 4)) if is_content_gap(r)][:limit]


def reason_counts(reports: Sequence[FaultReport]) -> dict[NotHelpfulReason, int]:
    counts: dict[NotHelpfulReason, int] = defaultdict(int)
    for report in reports:
        for suggestion in report.suggestions:
            if suggestion.reason is not None:
                counts[suggestion.reason] += 1
    return dict(counts)
