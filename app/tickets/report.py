"""The monthly returned-material and defect report (CLI, staff page, CSV, XLSX, SVG charts).

A request belongs to the month it was opened in; its defects are those of its failure analysis."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import InvalidInput
from .models import AnalysisDefect, FailureAnalysis, RequestType, ServiceRequest

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> tuple[int, int]:
    match = MONTH_RE.match((value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1990 <= int(match.group(1)) <= 2100:
        raise InvalidInput("Give the month as YYYY-MM, e.g. 2026-03.", field="month")
    return int(match.group(1)), int(match.group(2))


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _start(year: int, month: int) -> datetime:
    return datetime(year, month, 1)


@dataclass(frozen=True)
class RmaRow:
    number: str
    opened: str
    account_code: str
    account_name: str
    product_model: str
    serial_number: str
    production_month: str
    status: str
    defect_codes: tuple[str, ...]
    responsible: str  # "yes", "no" or "" (not analysed yet)


@dataclass
class RmaReport:
    month: str
    rows: list[RmaRow] = field(default_factory=list)
    by_customer: list[tuple[str, int]] = field(default_factory=list)
    by_model: list[tuple[str, int]] = field(default_factory=list)
    by_production_month: list[tuple[str, int]] = field(default_factory=list)
    by_defect: list[tuple[str, int]] = field(default_factory=list)
    by_responsibility: list[tuple[str, int]] = field(default_factory=list)
    per_month: list[tuple[str, int]] = field(default_factory=list)  # the 12 months up to this one
    defect_names: dict[str, str] = field(default_factory=dict)


def _counted(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def build_report(session: Session, month: str, language: str = "zh_CN") -> RmaReport:
    year, mon = parse_month(month)
    start, end = _start(year, mon), _start(*_shift(year, mon, 1))
    requests = list(
        session.scalars(
            select(ServiceRequest)
            .where(
                ServiceRequest.type == RequestType.RETURNED_MATERIAL,
                ServiceRequest.created_at >= start,
                ServiceRequest.created_at < end,
            )
            .options(
                selectinload(ServiceRequest.account),
                selectinload(ServiceRequest.analysis)
                .selectinload(FailureAnalysis.defects)
                .selectinload(AnalysisDefect.defect),
            )
            .order_by(ServiceRequest.number)
        )
    )
    report = RmaReport(month=f"{year:04d}-{mon:02d}")
    customers, models, production, defects, responsibility = (
        Counter(),
        Counter(),
        Counter(),
        Counter(),
        Counter(),
    )
    for sr in requests:
        analysis = sr.analysis
        codes = tuple(d.defect.code for d in analysis.defects) if analysis else ()
        for d in analysis.defects if analysis else ():
            report.defect_names[d.defect.code] = d.defect.display_name("en" if language == "en" else "zh")
        responsible = "" if analysis is None else ("yes" if analysis.company_responsible else "no")
        production_month = sr.production_date.strftime("%Y-%m") if sr.production_date else ""
        report.rows.append(
            RmaRow(
                sr.number,
                sr.created_at.strftime("%Y-%m-%d"),
                sr.account.code,
                sr.account.name,
                sr.product_model,
                sr.serial_number,
                production_month,
                sr.status.value,
                codes,
                responsible,
            )
        )
        customers[sr.account.code] += 1
        models[sr.product_model] += 1
        production[production_month or "-"] += 1
        defects.update(codes)
        responsibility[responsible or "pending"] += 1
    report.by_customer, report.by_model, report.by_defect = (
        _counted(customers),
        _counted(models),
        _counted(defects),
    )
    report.by_production_month = sorted(production.items())
    report.by_responsibility = _counted(responsibility)
    first = _start(*_shift(year, mon, -11))
    opened = session.scalars(
        select(ServiceRequest.created_at).where(
            ServiceRequest.type == RequestType.RETURNED_MATERIAL,
            ServiceRequest.created_at >= first,
            ServiceRequest.created_at < end,
        )
    )
    per_month = Counter(at.strftime("%Y-%m") for at in opened)
    months = [f"{y:04d}-{m:02d}" for y, m in (_shift(year, mon, -k) for k in range(11, -1, -1))]
    report.per_month = [(m, per_month.get(m, 0)) for m in months]
    return report


CSV_HEADER = [
    "month",
    "number",
    "opened",
    "account_code",
    "account_name",
    "product_model",
    "serial_number",
    "production_month",
    "status",
    "defect_code",
    "defect_name",
    "company_responsible",
]


def to_csv(report: RmaReport) -> str:
    """One line per defect found (a request without analysis or defects: one line, empty defect)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in report.rows:
        for code in row.defect_codes or ("",):
            writer.writerow(
                [
                    report.month,
                    row.number,
                    row.opened,
                    row.account_code,
                    row.account_name,
                    row.product_model,
                    row.serial_number,
                    row.production_month,
                    row.status,
                    code,
                    report.defect_names.get(code, ""),
                    row.responsible,
                ]
            )
    return out.getvalue()


def to_xlsx(report: RmaReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Returns"
    sheet.append(CSV_HEADER)
    for row in csv.reader(io.StringIO(to_csv(report))):
        if row != CSV_HEADER:
            sheet.append(row)
    for title, pairs in (
        ("By customer", report.by_customer),
        ("By model", report.by_model),
        ("By production month", report.by_production_month),
        ("By defect", report.by_defect),
        ("By responsibility", report.by_responsibility),
        ("Per month", report.per_month),
    ):
        ws = book.create_sheet(title)
        ws.append([title.removeprefix("By ").removeprefix("Per ").capitalize(), "count"])
        for key, count in pairs:
            ws.append([key, count])
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def chart_svg(title: str, pairs: list[tuple[str, int]]) -> bytes:
    """A bar chart (pygal) as standalone SVG without scripts, shown as an <img>."""
    import pygal
    from pygal.style import CleanStyle

    chart = pygal.Bar(
        style=CleanStyle,
        show_legend=False,
        width=720,
        height=320,
        js=[],
        x_label_rotation=30,
        print_values=False,
    )
    chart.title = title
    chart.x_labels = [key for key, _count in pairs]
    chart.add(title, [count for _key, count in pairs])
    # pygal always embeds its config as an inline <script>; the chart is a static image here.
    return re.sub(rb"<script[^>]*>.*?</script>", b"", chart.render(), flags=re.S)
