"""Journey 5: a returned-material request from the customer's order line to the customer's sign-off, every
role doing its step: customer, warehouse, sales office, QA after-sales (teardown analysis), warehouse,
sales office, customer."""

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

CUSTOMER = "wang.jianguo@c-east-01.example.com"  # C-EAST-01, east region
EAST_OFFICE = "east@isupport.example.com"
WAREHOUSE = "warehouse@isupport.example.com"
QA = "qa@isupport.example.com"
REPLACEMENT_SERIAL = "RPL-20261204-0001"


def _status(page) -> str:
    return page.locator("main h1 + .badge").first.inner_text().strip()


def _flash(page, texts, msgid: str) -> None:
    expect(page.locator("main .alert-success")).to_have_text(texts.zh(msgid))


def test_journey5_returned_material_to_sign_off(journey, texts):
    # The customer starts from a delivered order and returns one unit of its first line.
    customer = journey.new_page(CUSTOMER)
    go_by_nav(customer, "/account/orders")
    customer.locator("main table tbody tr").filter(has_text=texts.zh("Completed")).first.locator(
        "a[href^='/account/orders/']").click()
    first_line = customer.locator("main table tbody tr").first
    model = first_line.locator("td:nth-child(2)").inner_text().strip()
    serials = first_line.locator("td:nth-child(7)").inner_text()
    first_line.locator("a[href*='order_line=']").click()
    expect(customer.locator("main .alert-info")).to_have_text(
        texts.zh("We filled in what we know about this unit."))
    form = customer.locator("main form[method=post]")
    expect(form.locator("select[name=type]")).to_have_value("returned_material")
    expect(form.locator("input[name=product_model]")).to_have_value(model)
    serial = form.locator("input[name=serial_number]").input_value()
    assert serial and serial in serials, (serial, serials)
    form.locator("select[name=urgency]").select_option("high")
    form.locator("input[name=summary]").fill(f"{model} 压缩机运行两周后卡缸，申请退换")
    form.locator("textarea[name=description]").fill("整机试运行两周后压缩机卡缸无法启动，电流过大跳闸。已拆下，申请退回分析并更换。")
    journey.shot(customer, "customer-return-form")
    form.locator("button[type=submit]").click()
    number = request_number_from_heading(customer)
    assert detail_value(customer, texts.zh("Owner")) == "华东营业所"
    assert detail_value(customer, texts.zh("Serial number")) == serial
    assert _status(customer) == texts.zh("Open")
    journey.shot(customer, "customer-request-open")

    # The warehouse signs for the compressor when it arrives.
    warehouse = journey.new_page(WAREHOUSE)
    open_from_queue(warehouse, number, all_units=True)
    warehouse.locator("main form[action$='/receipt'] textarea[name=condition]").fill(
        "外观完好，铭牌清晰，内有残留冷冻油。")
    submit(warehouse, "receipt")
    _flash(warehouse, texts, "The receipt of the compressor was recorded.")
    assert _status(warehouse) == texts.zh("Returned Material Received")
    journey.shot(warehouse, "warehouse-received")

    # The sales office gives the teardown analysis to QA after-sales.
    office = journey.new_page(EAST_OFFICE)
    open_from_queue(office, number)
    office.locator("main form[action$='/teardown'] select[name=unit]").select_option("qa-aftersales")
    submit(office, "teardown")
    _flash(office, texts, "The teardown analysis was assigned.")
    assert _status(office) == texts.zh("Solving")
    assert detail_value(office, texts.zh("Teardown analysis by")) == "品质保证部 售后服务科"
    journey.shot(office, "office-teardown-assigned")

    # QA after-sales records the failure analysis.
    qa = journey.new_page(QA)
    open_from_queue(qa, number, all_units=True)
    analysis = qa.locator("main form[action$='/analysis']")
    analysis.locator("select[name=defect_codes]").select_option(["D-BEARING", "D-OIL"])
    analysis.locator("textarea[name=cause]").fill("润滑油不足导致轴承磨损，属制造过程注油量偏差。")
    analysis.locator("input[name=company_responsible]").check()
    analysis.locator("textarea[name=report]").fill("拆解结果：主轴承磨损严重，油量低于标准30%。结论：我司责任，予以更换。")
    submit(qa, "analysis")
    _flash(qa, texts, "The failure analysis was recorded.")
    expect(qa.locator("#rma-title + .card-body")).to_contain_text("D-BEARING")
    journey.shot(qa, "qa-analysis")

    # The warehouse issues the replacement according to the report.
    open_from_queue(warehouse, number, all_units=True)
    replacement = warehouse.locator("main form[action$='/replacement']")
    expect(replacement.locator("input[name=replacement_model]")).to_have_value(model)
    replacement.locator("input[name=replacement_serial]").fill(REPLACEMENT_SERIAL)
    submit(warehouse, "replacement")
    _flash(warehouse, texts, "The replacement was recorded.")
    journey.shot(warehouse, "warehouse-replacement")

    # The sales office delivers it with the analysis report.
    open_from_queue(office, number)
    office.locator("main form[action$='/delivery'] input[name=note]").fill("新压缩机与分析报告已随车送达。")
    submit(office, "delivery")
    _flash(office, texts, "The delivery was recorded.")
    journey.shot(office, "office-delivered")

    # The customer reads the analysis and the replacement, signs, and closes the request.
    open_from_my_requests(customer, number)
    rma = customer.locator("#rma-title + .card-body")
    expect(rma).to_contain_text("D-BEARING")
    expect(rma).to_contain_text(REPLACEMENT_SERIAL)
    close = customer.locator("main form[action$='/close']")
    close.locator("select[name=how]").select_option("soft_close")
    close.locator("textarea[name=note]").fill("已签收新压缩机和分析报告，谢谢。")
    close.locator("button[type=submit]").click()
    _flash(customer, texts, "The request was closed.")
    assert _status(customer) == texts.zh("Soft Close")
    steps = history_steps(customer)
    expected = ["Request created", "Status changed", "Returned compressor received",
                "Teardown analysis assigned", "Status changed", "Failure analysis recorded",
                "Replacement issued", "Delivered with the report", "Status changed"]
    assert steps == [texts.zh(msgid) for msgid in expected], steps
    expect(customer.locator("main form[action$='/close']")).to_have_count(0)
    journey.shot(customer, "customer-signed-off")
