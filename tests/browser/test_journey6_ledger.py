"""Journey 6: a customer browses their orders (this week / all, sorted by amount), an invoice and a payment,
then tries another account's order and invoice URLs and gets "not found"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .steps import go_by_nav

pytestmark = pytest.mark.browser

CUSTOMER = "wang.jianguo@c-east-01.example.com"  # C-EAST-01
OTHER_ORDER = "SO-EAST-02-0001"  # the first demo order of C-EAST-02, another account
OTHER_INVOICE = "INV-EAST-02-0001"


def _column(page, index: int) -> list[str]:
    return page.locator(f"main table tbody tr td:nth-child({index})").all_inner_texts()


def _amounts(page) -> list[Decimal]:
    return [Decimal(text.replace(",", "").strip()) for text in _column(page, 4)]


def test_journey6_orders_invoices_payments(journey, texts):
    page = journey.new_page(CUSTOMER)
    go_by_nav(page, "/account/orders")
    expect(page.locator("h1")).to_have_text(texts.zh("Orders"))

    # This week: only orders placed since Monday (or a clear empty state).
    page.locator("main .nav-pills a", has_text=texts.zh("This week")).click()
    expect(page.locator("main .nav-pills a[aria-current=page]")).to_have_text(texts.zh("This week"))
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    dates = [date.fromisoformat(text.strip()) for text in _column(page, 1)]
    if dates:
        assert all(monday <= day <= today for day in dates), dates
    else:
        expect(page.locator("main .empty-state")).to_have_text(texts.zh("No orders in this view."))
    journey.shot(page, "orders-this-week")

    # All orders, sorted by amount: ascending, then descending.
    page.locator("main .nav-pills a", has_text=texts.zh("All")).click()
    expect(page.locator("main .nav-pills a[aria-current=page]")).to_have_text(texts.zh("All"))
    numbers = _column(page, 2)
    assert len(numbers) > len(dates), "the 'all' view shows more than this week"
    assert all(number.startswith("SO-EAST-01-") for number in numbers), numbers
    page.locator("main table thead a", has_text=texts.zh("Amount")).click()
    expect(page.locator("main table thead th", has_text=texts.zh("Amount"))).to_contain_text("▲")
    ascending = _amounts(page)
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1], ascending
    page.locator("main table thead a", has_text=texts.zh("Amount")).click()
    expect(page.locator("main table thead th", has_text=texts.zh("Amount"))).to_contain_text("▼")
    descending = _amounts(page)
    assert descending == sorted(descending, reverse=True), descending
    assert descending[0] >= ascending[-1]
    journey.shot(page, "orders-all-by-amount")

    # The biggest order's detail: header and product lines.
    biggest = page.locator("main table tbody tr").first.locator("td:nth-child(2) a")
    number = biggest.inner_text().strip()
    biggest.click()
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("main table tbody tr").first).to_be_visible()
    journey.shot(page, "order-detail")

    # An invoice with a payment applied, and that payment.
    go_by_nav(page, "/account/invoices")
    expect(page.locator("h1")).to_have_text(texts.zh("Invoices"))
    page.locator("main table tbody tr td a[href^='/account/invoices/INV-EAST-01-']").last.click()
    invoice_number = page.locator("main .breadcrumb-item.active").inner_text().strip()
    expect(page.locator("h1")).to_contain_text(invoice_number)
    expect(page.locator("main")).to_contain_text(texts.zh("Lines"))
    journey.shot(page, "invoice-detail")
    applied = page.locator("main a[href^='/account/payments/PAY-EAST-01-']")
    if applied.count() == 0:  # an unpaid invoice: take a payment from the list instead
        go_by_nav(page, "/account/payments")
        applied = page.locator("main table tbody a[href^='/account/payments/PAY-EAST-01-']")
    applied.first.click()
    payment_number = page.locator("main .breadcrumb-item.active").inner_text().strip()
    assert payment_number.startswith("PAY-EAST-01-")
    expect(page.locator("h1")).to_contain_text(payment_number)
    expect(page.locator("main dl")).to_contain_text(texts.zh("Method"))
    journey.shot(page, "payment-detail")

    # Another account's order and invoice: "not found", nothing of theirs shown.
    for path in (f"/account/orders/{OTHER_ORDER}", f"/account/invoices/{OTHER_INVOICE}"):
        with journey.expect_status(404, path):
            page.goto(path)
        expect(page.locator("h1")).to_have_text(texts.zh("This page does not exist."))
        expect(page.locator("main")).not_to_contain_text("EAST-02")
        expect(page.locator("main")).not_to_contain_text("苏州澄风")
    journey.shot(page, "other-account-not-found")
