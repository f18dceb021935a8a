"""Journey 2: a customer reports a fault, sees suggestions while typing, reads one and marks it as the
answer: the report is recorded as solved by that article and no service request is created."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .steps import go_by_nav, list_total

pytestmark = pytest.mark.browser

CUSTOMER = "huang.wei@c-south-01.example.com"  # C-SOUTH-01, south region
INFOCENTRE = "info@isupport.example.com"
MODEL = "DSN150XG"
FAULT_CODE = "E3"
DESCRIPTION = "变频空调化霜结束切换四通阀的时候压缩机突然停机，驱动板报E3失步，重新上电又能开机"
ANSWER = "inv-e3-step-out-desync"


def _request_count(page, texts) -> int:
    go_by_nav(page, "/requests")
    return list_total(page, texts)


def _deflection_rate(page) -> tuple[int, int]:
    """(solved, reports) as the content-gaps page of the information centre states them."""
    page.goto("/faults/gaps")
    numbers = re.findall(r"\d+", page.locator("main p .small").first.inner_text())
    return int(numbers[0]), int(numbers[1])


def test_journey2_suggestion_solves_the_fault(journey, texts):
    info = journey.new_page(INFOCENTRE)
    solved_before, reports_before = _deflection_rate(info)

    customer = journey.new_page(CUSTOMER)
    requests_before = _request_count(customer, texts)

    # The fault form, from the navigation. Suggestions appear while the customer types.
    go_by_nav(customer, "/faults/new")
    expect(customer.locator("h1")).to_have_text(texts.zh("Report a fault"))
    form = customer.locator("#fault-form")
    form.locator("input[name=product_model]").fill(MODEL)
    form.locator("input[name=fault_code]").fill(FAULT_CODE)
    form.locator("textarea[name=description]").press_sequentially(DESCRIPTION[:24], delay=15)
    live = customer.locator("#live-list > li")
    expect(live.first).to_be_visible()
    expect(customer.locator("#live-title")).to_have_text(texts.zh("Solutions that may fit"))
    form.locator("textarea[name=description]").fill(DESCRIPTION)
    form.locator("textarea[name=description]").dispatch_event("input")
    expect(live.first.locator("a")).to_have_attribute("href", f"/kb/articles/{ANSWER}")
    journey.shot(customer, "typing-suggestions")

    # "Find solutions" files the report: the same suggestions, numbered, with why each was chosen.
    form.locator("button[type=submit]").click()
    expect(customer).to_have_url(re.compile(r"/faults/\d+$"))
    report_url = customer.url
    expect(customer.locator("main .d-flex h1 + .badge")).to_have_text(texts.zh("Waiting for your answer"))
    suggestions = customer.locator("main ol.list-group > li:not(.bg-light)")
    first = suggestions.first
    expect(first.locator("a.fw-semibold")).to_have_attribute("href", re.compile(rf"/open/{ANSWER}$"))
    expect(first).to_contain_text(FAULT_CODE)
    expect(customer.locator("main .alert-warning")).to_have_count(0)  # a close match: no "not close" note
    journey.shot(customer, "report-suggestions")

    # The customer reads the article (the opening is recorded), comes back and says it solved it.
    title = first.locator("a.fw-semibold").inner_text()
    first.locator("a.fw-semibold").click()
    expect(customer).to_have_url(re.compile(rf"/kb/articles/{ANSWER}$"))
    expect(customer.locator("h1")).to_have_text(title)
    journey.shot(customer, "article")
    customer.goto(report_url)
    expect(first.locator(".badge", has_text=texts.zh("Opened"))).to_be_visible()
    customer.locator(f"main form[action$='/solved']:has(input[name=slug][value='{ANSWER}']) "
                     "button[type=submit]").click()
    expect(customer.locator("main .alert-success").first).to_have_text(
        texts.zh("Thank you: we have recorded that this article solved your problem."))
    expect(customer.locator("main .d-flex h1 + .badge")).to_have_text(texts.zh("Solved by an article"))
    expect(customer.locator("main .alert-success[role=status] a")).to_have_text(title)
    expect(customer.locator("main form[action$='/solved']")).to_have_count(0)
    expect(customer.locator("main form[action$='/help']")).to_have_count(0)
    journey.shot(customer, "solved")

    # No service request came of it; the list of fault reports shows it solved.
    assert _request_count(customer, texts) == requests_before
    customer.goto("/faults/?outcome=solved")
    report_id = report_url.rsplit("/", 1)[1]
    expect(customer.locator(f"main a[href='/faults/{report_id}']")).to_be_visible()
    journey.shot(customer, "reports-solved")

    # The information centre's deflection rate counts it: one more report, one more solved.
    assert _deflection_rate(info) == (solved_before + 1, reports_before + 1)
    journey.shot(info, "deflection-rate")
