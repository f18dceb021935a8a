"""Journey 8: the information centre edits an article; the change is searchable at once; the search
analytics dashboard renders its figures and chart."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from .steps import go_by_nav

pytestmark = pytest.mark.browser

INFOCENTRE = "info@isupport.example.com"
CUSTOMER = "chen.zhiming@c-east-02.example.com"
SLUG = "discharge-temp-sensor-misreading"
TITLE = "排气温度传感器读数不准 误报排气温度过高"


def _searches_last_30_days(page) -> int:
    page.goto("/kb/analytics?days=30")
    return int(page.locator("main .row .h4").first.inner_text())


def test_journey8_edit_article_search_analytics(journey, texts):
    # A code no article holds yet, written the way model codes are (one token for the analyser).
    marker = f"KX{uuid.uuid4().int % 10**6:06d}Q"
    new_title = f"{TITLE}（{marker}修订）"

    info = journey.new_page(INFOCENTRE)
    searches_before = _searches_last_30_days(info)
    go_by_nav(info, "/kb/manage")
    filters = info.locator("main form[method=get]")
    filters.locator("input[name=q]").fill(SLUG)
    filters.locator("button").click()
    info.locator(f"main table a[href='/kb/manage/{SLUG}/edit']").click()
    expect(info.locator("input[name=title]")).to_have_value(re.compile("^" + re.escape(TITLE)))
    version_link = info.locator(f"main a[href='/kb/manage/{SLUG}/versions']")
    version_before = int(version_link.inner_text().rsplit("v", 1)[1].rstrip(")"))
    info.locator("input[name=title]").fill(new_title)
    body = info.locator("textarea[name=body]")
    body.fill(body.input_value()
              + f"\n\n## 补充\n现场案例 {marker}：传感器卡扣松脱导致读数偏低，"
              "重新卡紧并包保温棉后恢复正常。\n")
    info.locator("input[name=note]").fill("补充现场案例")
    journey.shot(info, "editing")
    info.locator("main form input[type=submit][name=publish]").click()
    expect(info.locator("main .alert-success")).to_have_text(texts.zh("Saved."))
    expect(version_link).to_contain_text(f"v{version_before + 1}")
    journey.shot(info, "saved")

    # At once: a customer searching for the new words finds the article under its new title.
    customer = journey.new_page(CUSTOMER)
    go_by_nav(customer, "/kb/")
    customer.locator("#kb-q").fill(marker)
    customer.locator("main form[role=search] button[type=submit]").click()
    hits = customer.locator("main ol.kb-results > li a.fw-semibold")
    expect(hits).to_have_count(1)
    expect(hits.first).to_have_text(new_title)
    hits.first.click()
    expect(customer.locator("article h1")).to_have_text(new_title)
    expect(customer.locator("article .kb-body")).to_contain_text(marker)
    journey.shot(customer, "customer-finds-the-change")

    # The analytics dashboard: figures, the chart (an SVG the browser must load and draw), top queries.
    go_by_nav(info, "/kb/analytics")
    expect(info.locator("h1")).to_have_text(texts.zh("Search analytics"))
    chart = info.locator("main img[src*='/kb/analytics/chart.svg']")
    expect(chart).to_be_visible()
    info.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    assert _searches_last_30_days(info) == searches_before + 1  # the customer's search, counted
    expect(info.locator("main table").first.locator("tbody tr").first).to_be_visible()  # top queries
    journey.shot(info, "analytics")
