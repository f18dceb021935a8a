"""Journey 3: a customer reports a fault the suggestions do not solve, says why, goes on to the
pre-filled request form and sends it; the request is in their list, owned by their region's sales
office, and the office's staff see the suggestions the customer was shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .steps import detail_value, go_by_nav, open_from_queue, request_number_from_heading

pytestmark = pytest.mark.browser

CUSTOMER = "liu.yang@c-north-01.example.com"  # C-NORTH-01, north region
NORTH_OFFICE = "north@isupport.example.com"
MODEL = "SHV33YC"
SERIAL = "SH2409170033"
DESCRIPTION = "新装机组运行两小时后压缩机外壳有一处油迹，擦干后第二天又出现，系统压力正常，怀疑焊缝渗油"


def test_journey3_unsolved_fault_becomes_a_request(journey, texts):
    customer = journey.new_page(CUSTOMER)
    go_by_nav(customer, "/faults/new")
    form = customer.locator("#fault-form")
    form.locator("textarea[name=description]").fill(DESCRIPTION)
    form.locator("input[name=product_model]").fill(MODEL)
    form.locator("input[name=serial_number]").fill(SERIAL)
    form.locator("button[type=submit]").click()
    expect(customer).to_have_url(re.compile(r"/faults/\d+$"))
    report_id = customer.url.rsplit("/", 1)[1]

    # The knowledge base has no article on this: the page says the suggestions are not close.
    expect(customer.locator("main .alert-warning[role=status]")).to_have_text(texts.zh(
        "None of these articles matches your description closely. If they do not help, send a service "
        "request below: your sales office will answer."))
    # None of the suggestions fits: the customer says why for the first two, then asks for help.
    help_form = customer.locator("main form[action$='/help']")
    reasons = help_form.locator("select")
    assert reasons.count() >= 2, "the knowledge base suggests something for this description"
    reasons.nth(0).select_option("not_my_problem")
    reasons.nth(1).select_option("did_not_work")
    journey.shot(customer, "report-reasons")
    help_form.locator("button[type=submit]").click()

    # The request form carries what the customer already wrote.
    expect(customer).to_have_url(re.compile(rf"/faults/{report_id}/request$"))
    expect(customer.locator("h1")).to_have_text(texts.zh("Send a service request"))
    request_form = customer.locator("main form[method=post]")
    expect(request_form.locator("textarea[name=description]")).to_have_value(DESCRIPTION)
    expect(request_form.locator("input[name=product_model]")).to_have_value(MODEL)
    expect(request_form.locator("input[name=serial_number]")).to_have_value(SERIAL)
    summary = request_form.locator("input[name=summary]").input_value()
    assert summary and DESCRIPTION.startswith(summary.rstrip("…")), summary
    journey.shot(customer, "request-prefilled")
    request_form.locator("select[name=type]").select_option("complaint")
    request_form.locator("select[name=urgency]").select_option("medium")
    request_form.locator("button[type=submit]").click()

    # The request: the customer's sales office owns it; it is in their list; the report links to it.
    number = request_number_from_heading(customer)
    assert number.startswith("SR-"), number
    expect(customer.locator("main .alert-success")).to_contain_text(number)
    assert detail_value(customer, texts.zh("Owner")) == "北方营业所"
    journey.shot(customer, "request-created")
    go_by_nav(customer, "/requests")
    row = customer.locator("main table tbody tr", has=customer.locator(f"a:text-is('{number}')"))
    expect(row).to_be_visible()
    journey.shot(customer, "my-requests")
    customer.goto(f"/faults/{report_id}")
    outcome = customer.locator("main .d-flex h1 + .badge")
    expect(outcome).to_have_text(texts.zh("Went on to a service request"))
    expect(customer.locator(f"main .alert-info a[href='/requests/{number}']")).to_be_visible()

    # The north-China office finds it in its queue, with the suggestions and the customer's reasons.
    office = journey.new_page(NORTH_OFFICE)
    open_from_queue(office, number)
    assert detail_value(office, texts.zh("Owner")) == "北方营业所"
    expect(office.locator("main")).to_contain_text(texts.zh("Not my problem"))
    expect(office.locator("main")).to_contain_text(texts.zh("Tried it, did not work"))
    journey.shot(office, "office-request-with-suggestions")
