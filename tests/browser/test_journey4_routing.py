"""Journey 4: a web request lands with the sales office of the customer's region; the office transfers it
to the information centre, which hands it to QA after-sales, where it is assigned; the customer sees every
step in the request's history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .steps import (
    detail_value,
    go_by_nav,
    history_steps,
    open_from_my_requests,
    open_from_queue,
    request_number_from_heading,
    submit,
)

pytestmark = pytest.mark.browser

CUSTOMER = "zhou.li@c-east-02.example.com"  # C-EAST-02, east region
EAST_OFFICE = "east@isupport.example.com"
INFOCENTRE = "info@isupport.example.com"
QA = "qa@isupport.example.com"
QA_PERSON = "售后服务科 许文"
SUMMARY = "到货压缩机外包装破损，多台底座变形"


def test_journey4_office_to_infocentre_to_qa(journey, texts):
    # The customer writes a complaint on the web.
    customer = journey.new_page(CUSTOMER)
    go_by_nav(customer, "/requests")
    customer.locator("main a[href='/requests/new']").first.click()
    form = customer.locator("main form[method=post]")
    form.locator("select[name=type]").select_option("complaint")
    form.locator("select[name=urgency]").select_option("high")
    form.locator("input[name=summary]").fill(SUMMARY)
    form.locator("textarea[name=description]").fill(
        "12月1日到货的一批压缩机（订单SO-EAST-02-0095），有6台外包装破损、底座变形，请安排处理。")
    form.locator("button[type=submit]").click()
    number = request_number_from_heading(customer)
    assert number.startswith("SR-"), number
    expect(customer.locator("main .alert-success")).to_contain_text(number)
    assert detail_value(customer, texts.zh("Owner")) == "华东营业所"
    journey.shot(customer, "customer-submitted")

    # The east-China sales office finds it in its queue, marked new, and transfers it to the
    # information centre.
    office = journey.new_page(EAST_OFFICE)
    go_by_nav(office, "/staff/requests")
    row = office.locator("main table tbody tr", has=office.locator(f"a:text-is('{number}')"))
    expect(row).to_contain_text(texts.zh("New"))
    expect(row).to_contain_text(SUMMARY)
    journey.shot(office, "office-queue")
    row.locator(f"a:text-is('{number}')").click()
    office.locator("main form[action$='/transfer'] select[name=unit]").select_option("infocentre")
    office.locator("main form[action$='/transfer'] input[name=note]").fill(
        "包装问题涉及物流与质量，请信息中心分派。")
    submit(office, "transfer")
    expect(office.locator("main .alert-success")).to_have_text(texts.zh("The request was transferred."))
    assert detail_value(office, texts.zh("Owner")).startswith("信息中心")
    journey.shot(office, "office-transferred")

    # The information centre sees it in its own queue and hands it to QA after-sales.
    info = journey.new_page(INFOCENTRE)
    open_from_queue(info, number)
    info.locator("main form[action$='/transfer'] select[name=unit]").select_option("qa-aftersales")
    submit(info, "transfer")
    expect(info.locator("main .alert-success")).to_have_text(texts.zh("The request was transferred."))
    assert detail_value(info, texts.zh("Owner")) == "品质保证部 售后服务科"
    journey.shot(info, "infocentre-transferred")

    # QA after-sales assigns it to one of its people: the request becomes Assigned.
    qa = journey.new_page(QA)
    open_from_queue(qa, number)
    qa.locator("main form[action$='/assign'] select[name=assignee]").select_option(label=QA_PERSON)
    submit(qa, "assign")
    expect(qa.locator("main .alert-success")).to_have_text(texts.zh("The request was assigned."))
    expect(qa.locator("main .d-flex h1 + .badge")).to_have_text(texts.zh("Assigned"))
    journey.shot(qa, "qa-assigned")

    # The customer sees where the request is and every step that led there.
    open_from_my_requests(customer, number)
    assert detail_value(customer, texts.zh("Owner")) == f"品质保证部 售后服务科 · {QA_PERSON}"
    steps = history_steps(customer)
    expected = ("Request created", "Transferred", "Transferred", "Assigned to", "Status changed")
    assert steps == [texts.zh(msgid) for msgid in expected], steps
    expect(customer.locator("#history-title + ol > li").last).to_contain_text(texts.zh("Assigned"))
    journey.shot(customer, "customer-history")
