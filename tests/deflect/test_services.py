"""The deflection rules on a real database, with a fake suggestion engine."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.accounts.models import Region, Role
from app.catalog import load_catalog
from app.deflect import services
from app.deflect.models import FaultReport, FaultSuggestion, NotHelpfulReason, Outcome
from app.deflect.services import FaultDescription, OutcomeAnswer, SuggestionHit
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.settings import PROJECT_ROOT

CATALOG = load_catalog(PROJECT_ROOT / "content")
NOW = datetime(2026, 12, 3, 10, 0)


class FakeEngine:
    version = "fake-1"

    def __init__(self, hits=None):
        self.hits = (
            hits
            if hits is not None
            else [
                SuggestionHit(
                    "hum-capacitor", "嗡嗡响不启动", "solution", "…", 0.03, similarity=0.6, why=("嗡嗡",)
                ),
                SuggestionHit("leak", "冷媒泄漏", "solution", "…", 0.02, similarity=0.1),
            ]
        )
        self.calls = []

    def suggest(self, text, *, product_model="", fault_code="", reader="customer", limit=5):
        self.calls.append((text, product_model, fault_code, reader))
        return self.hits[:limit]

    def article_exists(self, slug, reader):
        return slug in {"hum-capacitor", "leak", "manual"}


def clock():
    return NOW


def report_for(user, engine=None, **changes):
    data = FaultDescription(**{"description": "压缩机嗡嗡响不启动", "product_model": "sgn33yc", **changes})
    report = services.file_report(db.session, user, data, engine or FakeEngine(), CATALOG, clock)
    db.session.commit()
    return report


def test_file_report_records_suggestions_with_ranks_and_scores(make):
    user = make.user(Role.CUSTOMER)
    engine = FakeEngine()
    report = report_for(
        user, engine, serial_number="SN-001", fault_code="e5", production_date=date(2026, 1, 5)
    )
    assert report.account_id == user.account_id and report.outcome is Outcome.PENDING
    assert report.product_model == "SGN33YC" and report.product_series == "SG" and report.fault_code == "E5"
    assert [(s.rank, s.slug, s.score) for s in report.suggestions] == [
        (1, "hum-capacitor", 0.03),
        (2, "leak", 0.02),
    ]
    assert report.suggestions[0].why == "嗡嗡" and report.model_version == "fake-1"
    assert engine.calls == [("压缩机嗡嗡响不启动", "SGN33YC", "E5", "customer")]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "？？！！。。,,"}, "description"),
        ({"description": "坏" * 2001}, "description"),
        ({"product_model": "XYZ999"}, "product_model"),
        ({"serial_number": "<script>"}, "serial_number"),
        ({"fault_code": "E5; drop"}, "fault_code"),
        ({"production_date": date(2027, 1, 1)}, "production_date"),
    ],
)
def test_bad_input_is_refused_with_the_field(make, changes, field):
    user = make.user(Role.CUSTOMER)
    with pytest.raises(InvalidInput) as error:
        report_for(user, **changes)
    assert error.value.field == field and error.value.message
    assert db.session.query(FaultReport).count() == 0


def test_series_code_is_accepted_as_product(make):
    report = report_for(make.user(Role.CUSTOMER), product_model="sh")
    assert report.product_model == "SH" and report.product_series == "SH"


def test_suggest_while_typing_never_fails():
    engine = FakeEngine()
    assert services.suggest(engine, None, "！！", catalog=CATALOG) == []
    assert services.suggest(engine, None, "", catalog=CATALOG) == []
    # An unknown product while typing is ignored rather than refused (the form says so on submit).
    assert services.suggest(engine, None, "嗡嗡响", product_model="nope", catalog=CATALOG)
    assert engine.calls[-1][1] == "" and engine.calls[-1][3] == "anonymous"


def test_customer_sees_only_own_accounts_reports(make):
    mine = make.user(Role.CUSTOMER, account=make.account(region=Region.EAST))
    colleague = make.user(Role.CUSTOMER, account=mine.account)
    other = make.user(Role.CUSTOMER, account=make.account(region=Region.NORTH))
    report = report_for(mine)
    assert services.get_report(db.session, colleague, report.id).id == report.id
    with pytest.raises(NotFound):
        services.get_report(db.session, other, report.id)
    with pytest.raises(NotFound):
        services.get_report(db.session, mine, report.id + 999)
    staff = make.user(Role.STAFF)
    assert services.get_report(db.session, staff, report.id).id == report.id
    with pytest.raises(NotFound):
        services.get_own_report(db.session, staff, report.id)


def test_solved_outcome_with_article_and_idempotent_repeat(make):
    report = report_for(make.user(Role.CUSTOMER))
    engine = FakeEngine()
    services.record_outcome(
        db.session, report, OutcomeAnswer(True, "hum-capacitor"), engine, "customer", clock
    )
    db.session.commit()
    assert (
        report.outcome is Outcome.SOLVED
        and report.solved_slug == "hum-capacitor"
        and report.outcome_at == NOW
    )
    assert report.suggestions[0].opened_at == NOW
    services.record_outcome(
        db.session, report, OutcomeAnswer(True, "hum-capacitor"), engine, "customer", clock
    )
    with pytest.raises(Conflict):
        services.record_outcome(db.session, report, OutcomeAnswer(False), engine, "customer", clock)
    assert services.learned_texts(db.session) == [("hum-capacitor", "压缩机嗡嗡响不启动")]


def test_solved_by_an_article_not_shown_must_exist(make):
    report = report_for(make.user(Role.CUSTOMER))
    with pytest.raises(InvalidInput):
        services.record_outcome(
            db.session, report, OutcomeAnswer(True, "no-such"), FakeEngine(), "customer", clock
        )
    services.record_outcome(
        db.session, report, OutcomeAnswer(True, "manual"), FakeEngine(), "customer", clock
    )
    assert report.solved_slug == "manual"


def test_not_solved_with_reasons_then_linked_request(make):
    report = report_for(make.user(Role.CUSTOMER))
    answer = OutcomeAnswer(
        False,
        reasons={"hum-capacitor": NotHelpfulReason.DID_NOT_WORK, "leak": NotHelpfulReason.NOT_MY_PROBLEM},
    )
    services.record_outcome(db.session, report, answer, FakeEngine(), "customer", clock)
    assert report.outcome is Outcome.ABANDONED
    assert [s.reason for s in report.suggestions] == [
        NotHelpfulReason.DID_NOT_WORK,
        NotHelpfulReason.NOT_MY_PROBLEM,
    ]
    services.link_request(db.session, report, "SR-2026-000001", clock)
    assert report.outcome is Outcome.REQUESTED and report.request_number == "SR-2026-000001"
    with pytest.raises(InvalidInput):
        services.record_outcome(
            db.session,
            report,
            OutcomeAnswer(False, reasons={"zzz": NotHelpfulReason.UNCLEAR}),
            FakeEngine(),
            "customer",
            clock,
        )
    with pytest.raises(InvalidInput):
        services.parse_reason("because")


def _constructed(session, account_id, series, created_at, outcome, user_id):
    session.add(
        FaultReport(
            user_id=user_id,
            account_id=account_id,
            product_series=series,
            description="x",
            created_at=created_at,
            outcome=outcome,
        )
    )


def test_deflection_rate_on_constructed_data(make):
    a = make.user(Role.CUSTOMER)
    b = make.user(Role.CUSTOMER)
    staff = make.user(Role.STAFF)
    rows = [
        # account a: 3 reports, 2 solved; week of Mon 2026-11-23 and of Mon 2026-11-30
        (a.account_id, "SG", datetime(2026, 11, 23, 9), Outcome.SOLVED),
        (a.account_id, "SG", datetime(2026, 11, 29, 23), Outcome.REQUESTED),
        (a.account_id, "INV", datetime(2026, 11, 30, 0, 1), Outcome.SOLVED),
        # account b: 2 reports, 1 solved, one without a product
        (b.account_id, None, datetime(2026, 12, 1), Outcome.ABANDONED),
        (b.account_id, "SG", datetime(2026, 12, 2), Outcome.SOLVED),
        # staff trying it out: counts overall only; pending counts as not solved
        (None, "SH", datetime(2026, 12, 2), Outcome.PENDING),
    ]
    for account_id, series, created, outcome in rows:
        _constructed(
            db.session, account_id, series, created, outcome, (staff if account_id is None else a).id
        )
    db.session.commit()
    rate = services.deflection_rate(db.session)
    assert (rate.overall.reports, rate.overall.solved) == (6, 3) and rate.overall.rate == pytest.approx(0.5)
    by_account = {row.key: (row.reports, row.solved) for row in rate.by_account}
    assert by_account == {a.account_id: (3, 2), b.account_id: (2, 1)}
    by_series = {row.key: (row.reports, row.solved) for row in rate.by_series}
    assert by_series == {"SG": (3, 2), "INV": (1, 1), "SH": (1, 0), None: (1, 0)}
    by_week = {row.key: (row.reports, row.solved) for row in rate.by_week}
    assert by_week == {date(2026, 11, 23): (2, 1), date(2026, 11, 30): (4, 2)}
    window = services.deflection_rate(db.session, start=datetime(2026, 11, 30), end=datetime(2026, 12, 2))
    assert (window.overall.reports, window.overall.solved) == (2, 1)
    only_b = services.deflection_rate(db.session, account_ids=[b.account_id])
    assert (only_b.overall.reports, only_b.overall.solved) == (2, 1)
    assert services.deflection_rate(db.session, start=datetime(2030, 1, 1)).overall.rate == 0.0


def test_content_gaps_are_requested_reports_without_a_good_suggestion(make):
    user = make.user(Role.CUSTOMER)

    def requested(similarities, reasons=()):
        report = FaultReport(
            user_id=user.id, account_id=user.account_id, description="d", outcome=Outcome.REQUESTED
        )
        for rank, similarity in enumerate(similarities, start=1):
            reason = reasons[rank - 1] if rank <= len(reasons) else None
            report.suggestions.append(
                FaultSuggestion(
                    rank=rank, slug=f"s{rank}", title="t", score=1.0, similarity=similarity, reason=reason
                )
            )
        db.session.add(report)
        return report

    nothing = requested([])
    weak = requested([0.05, 0.1])
    good = requested([0.6])
    not_mine = requested([0.6], [NotHelpfulReason.NOT_MY_PROBLEM])
    tried = requested([0.05], [NotHelpfulReason.DID_NOT_WORK])
    solved = FaultReport(user_id=user.id, account_id=user.account_id, description="d", outcome=Outcome.SOLVED)
    db.session.add(solved)
    db.session.commit()
    gaps = {r.id for r in services.content_gaps(db.session)}
    assert gaps == {nothing.id, weak.id, not_mine.id}
    assert good.id not in gaps and tried.id not in gaps and solved.id not in gaps
    # A report linked to a request by the tickets domain (its deflection_id) counts too.
    pending = FaultReport(
        user_id=user.id, account_id=user.account_id, description="d", outcome=Outcome.ABANDONED
    )
    db.session.add(pending)
    db.session.commit()
    assert pending.id in {r.id for r in services.content_gaps(db.session, lambda _s: {pending.id})}
